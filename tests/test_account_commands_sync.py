"""The command line with a saved account: `newsreader sync` syncs it (same summary, same exit
codes), `account remove` takes its stories out of the library; against a real coldsweat."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from coldsweat_server import SHARED_ITEMS, ColdsweatAccount, ColdsweatServer
from counting_proxy import CountingProxy

from reader.accounts.credentials import Account, accounts_path, save_account
from reader.cli import EXIT_FAILURE, EXIT_OK, main
from reader.config import default_data_dir
from reader.store import Store


@pytest.fixture(autouse=True)
def _no_prefetch() -> None:
    """No prefetch: the items link to pages the tests' feed server mostly does not have."""
    Path(os.environ["NEWSREADER_CONFIG"]).write_text("prefetch = false\n")


@pytest.fixture
def proxy(coldsweat: ColdsweatServer) -> Iterator[CountingProxy]:
    counting = CountingProxy(coldsweat.fever_url.removesuffix("/fever/"))
    try:
        yield counting
    finally:
        counting.stop()


def saved(proxy: CountingProxy, account: ColdsweatAccount, *, api_key: str | None = None) -> str:
    """Save `account` as `account add` does (its key, at the proxy's address); the address."""
    url = proxy.url("/fever/")
    key = account.api_key if api_key is None else api_key
    save_account(accounts_path(default_data_dir()), Account("fever", url, account.email, key))
    return url


def stories() -> int:
    store = Store(default_data_dir() / "library.sqlite3")
    try:
        return len(store.stories())
    finally:
        store.close()


def test_sync_syncs_the_saved_account(
    proxy: CountingProxy,
    coldsweat_account: ColdsweatAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    saved(proxy, coldsweat_account)
    assert main(["sync"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith(f"1/1 feeds updated, {SHARED_ITEMS} new stories")
    assert stories() == SHARED_ITEMS
    # `list` reads them from the library, like any feed's.
    assert main(["list"]) == EXIT_OK
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == SHARED_ITEMS and any("\tOrbit Weekly\t" in line for line in listed)


def test_an_account_that_fails_exits_1_and_is_named_once(
    proxy: CountingProxy,
    coldsweat_account: ColdsweatAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = saved(proxy, coldsweat_account, api_key="0" * 32)
    assert main(["sync"]) == EXIT_FAILURE
    out, err = capsys.readouterr()
    assert (
        out.strip() == f"0/1 feeds updated, 0 new stories, 0 articles cached; failed feeds: {url}"
    )
    assert err == f"newsreader: {url}: the server refused the email and password\n"


def test_a_damaged_accounts_file_is_one_line_and_the_feeds_carry_on(
    coldsweat: ColdsweatServer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = accounts_path(default_data_dir())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    os.chmod(path, 0o600)
    feed = coldsweat.feeds.url("/feeds/rss2.xml")
    assert main(["sync", "--feed", feed]) == EXIT_OK  # a run's own feeds only
    capsys.readouterr()
    assert main(["feeds", "add", feed]) == EXIT_OK
    capsys.readouterr()
    assert main(["sync"]) == EXIT_FAILURE
    out, err = capsys.readouterr()
    assert out.startswith("1/2 feeds updated") and out.endswith("failed feeds: accounts file\n")
    assert f"newsreader: accounts file: {path}: not valid JSON" in err


def test_account_remove_takes_its_stories_out_of_the_library(
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = saved(proxy, coldsweat_account)
    assert main(["feeds", "add", coldsweat.feeds.url("/feeds/rss2.xml")]) == EXIT_OK
    assert main(["sync"]) == EXIT_OK
    assert stories() == SHARED_ITEMS  # the local feed's three are the account's too
    assert main(["account", "remove", url]) == EXIT_OK
    assert "stories were taken out of the library" in capsys.readouterr().err
    assert stories() == 3  # the local feed's stay


def test_another_user_at_the_same_address_replaces_the_old_users_stories(
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = saved(proxy, coldsweat_account)
    assert main(["sync"]) == EXIT_OK
    assert stories() == SHARED_ITEMS
    other = coldsweat.new_account()
    monkeypatch.setattr(sys, "stdin", io.StringIO(other.password + "\n"))
    add = ["account", "add", "fever", url, "--user", other.email, "--password-stdin"]
    assert main(add) == EXIT_OK
    assert stories() == 0  # the first user's are not the new account's
    assert main(["sync"]) == EXIT_OK
    assert stories() == SHARED_ITEMS
