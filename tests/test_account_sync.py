"""Syncing a Fever account with the library, against a real coldsweat on loopback.

The app talks to coldsweat through a CountingProxy (tests/counting_proxy.py), which records the
Fever commands a sync sends and can stand for the network going away. The server's own state
is changed and read with coldsweat's Fever API (ColdsweatAccount), never through our client.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from coldsweat_server import SHARED_ITEMS, ColdsweatAccount, ColdsweatServer, fever_feed
from counting_proxy import CountingProxy
from loopback import FIXTURES, LoopbackServer, only_127_0_0_1_is_public
from waiting import wait_until

from reader.accounts.fever import FeverServer
from reader.accounts.service import SyncedAccount
from reader.config import Settings
from reader.library import FeedOutcome, Library
from reader.net import HttpClient
from reader.store import Story

MARS = "Mars sample return: the first tubes are sealed and waiting"
HARBOUR = "Harbour Gazette"
HARBOUR_STORY = "Council approves a new winter ferry timetable"
MARS_PAGE = FIXTURES / "site" / "mars-sample.html"


@pytest.fixture
def proxy(coldsweat: ColdsweatServer) -> Iterator[CountingProxy]:
    """The way to coldsweat, counted, and cut when a test says so."""
    origin = coldsweat.fever_url.removesuffix("/fever/")
    counting = CountingProxy(origin)
    try:
        yield counting
    finally:
        counting.stop()


def account_key(account: ColdsweatAccount) -> str:
    return f"fever {account.email}"


def open_library(data_dir: Path, proxy: CountingProxy, account: ColdsweatAccount) -> Library:
    """The library in `data_dir` syncing `account` through `proxy` (no prefetch: these tests
    are about the account's state)."""

    def opener(client: HttpClient) -> list[SyncedAccount]:
        server = FeverServer(client, proxy.url("/fever/"), account.api_key)
        return [SyncedAccount(account_key(account), proxy.url("/fever/"), server)]

    return Library(Settings(data_dir=data_dir, prefetch=False), accounts=opener)


async def synced(library: Library) -> list[FeedOutcome]:
    """Refresh (feeds and accounts), asserting the account synced."""
    outcomes = await library.refresh()
    assert [o.error for o in outcomes] == [None] * len(outcomes), outcomes
    return outcomes


async def story(library: Library, title: str) -> Story:
    [found] = [s for s in await library.stories() if s.title == title]
    return found


async def test_first_sync_brings_every_item_under_the_server_groups(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        [outcome] = await synced(library)
        assert outcome.new_stories == SHARED_ITEMS and outcome.title == proxy.url("/fever/")
        stories = await library.stories()
        assert len(stories) == SHARED_ITEMS == len({s.title for s in stories})
        assert not any(s.is_read or s.is_saved for s in stories)
        assert [s.sort_time for s in stories] == sorted(
            (s.sort_time for s in stories), reverse=True
        )
        feeds, unread = await library.feeds()
        assert unread == SHARED_ITEMS
        assert [(f.folder, f.title) for f in feeds] == [
            ("Default", "Many Stories"),  # coldsweat puts a feed in no group there
            ("Space", "Orbit Weekly"),
            ("Towns", HARBOUR),
        ]
        mars = await story(library, MARS)
        assert mars.source == "Orbit Weekly" and mars.link is not None
        assert "Three Forks" in library.store.story_content(mars.id)
    finally:
        await library.aclose()


async def test_read_and_saved_on_the_server_show_here_after_a_sync(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        mars = coldsweat_account.item_id(MARS)
        coldsweat_account.mark(mars, "read")
        coldsweat_account.mark(mars, "saved")
        await synced(library)
        here = await story(library, MARS)
        assert here.is_read and here.is_saved
        coldsweat_account.mark(mars, "unread")
        coldsweat_account.mark(mars, "unsaved")
        await synced(library)
        here = await story(library, MARS)
        assert not here.is_read and not here.is_saved
    finally:
        await library.aclose()


async def test_read_and_saved_here_reach_the_server_at_once(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        mars = await story(library, MARS)
        await library.mark_read(mars)
        await library.set_saved(mars, True)
        await library.accounts.wait_sent()
        item = coldsweat_account.item_id(MARS)
        assert item not in coldsweat_account.unread_ids()
        assert item in coldsweat_account.saved_ids()
        assert library.store.pending_count() == 0
        # All read, and its undo, go too.
        changed = await library.mark_all_read()
        await library.accounts.wait_sent()
        assert coldsweat_account.unread_ids() == set()
        await library.mark_unread(changed)
        await library.accounts.wait_sent()
        assert len(coldsweat_account.unread_ids()) == SHARED_ITEMS - 1
    finally:
        await library.aclose()


async def test_changes_made_offline_are_sent_after_a_restart(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        proxy.refuse()
        await library.mark_read(await story(library, MARS))
        await library.set_saved(await story(library, HARBOUR_STORY), True)
        await library.accounts.wait_sent()  # tried, failed, kept: silently
        assert library.store.pending_count() == 2
    finally:
        await library.aclose()
    assert coldsweat_account.item_id(MARS) in coldsweat_account.unread_ids()
    proxy.forward()
    again = open_library(tmp_path, proxy, coldsweat_account)
    try:
        # Starting offline would show the stories at once: they are in the library.
        assert len(again.newest_stories(500)) == SHARED_ITEMS
        await synced(again)
        assert again.store.pending_count() == 0
        assert coldsweat_account.item_id(MARS) not in coldsweat_account.unread_ids()
        assert coldsweat_account.saved_ids() == {coldsweat_account.item_id(HARBOUR_STORY)}
        # The server's state read after the replay agrees with ours.
        mars = await story(again, MARS)
        assert mars.is_read and (await story(again, HARBOUR_STORY)).is_saved
    finally:
        await again.aclose()


async def test_a_change_here_while_offline_wins_over_the_servers_older_state(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        mars_id = coldsweat_account.item_id(MARS)
        coldsweat_account.mark(mars_id, "read")  # on the phone, before the change here
        await synced(library)
        proxy.refuse()
        await library.mark_read(await story(library, MARS), False)  # later, here, offline
        await library.accounts.wait_sent()
        proxy.forward()
        await synced(library)
        assert not (await story(library, MARS)).is_read
        assert mars_id in coldsweat_account.unread_ids()
    finally:
        await library.aclose()


async def test_a_change_on_the_server_after_ours_was_sent_wins_at_the_next_sync(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        await library.set_saved(await story(library, MARS), True)
        await library.accounts.wait_sent()
        coldsweat_account.mark(coldsweat_account.item_id(MARS), "unsaved")  # later, elsewhere
        await synced(library)
        assert not (await story(library, MARS)).is_saved
    finally:
        await library.aclose()


async def test_a_second_sync_with_nothing_new_asks_only_for_the_id_lists(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        first = proxy.commands()
        assert "feeds" in first and "groups" in first and "items&since_id=0" in first
        proxy.clear()
        [outcome] = await synced(library)
        assert outcome.new_stories == 0
        assert proxy.commands() == ["unread_item_ids", "saved_item_ids"]
    finally:
        await library.aclose()


async def test_new_items_on_the_server_are_paged_for(
    tmp_path: Path,
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    own_feed = f"/fever/own-{coldsweat_account.email}.rss"
    try:
        await synced(library)
        # A feed only this account has, with two stories, in a new group.
        coldsweat.feeds.route(own_feed, body=fever_feed(own_feed, 2), headers=_RSS)
        coldsweat_account.subscribe(coldsweat.feeds.url(own_feed), "Own feed", "Mine")
        proxy.clear()
        [outcome] = await synced(library)
        assert outcome.new_stories == 2
        commands = proxy.commands()
        # The id lists named new items: they were paged for, and their new feed fetched.
        assert commands[:2] == ["unread_item_ids", "saved_item_ids"]
        assert any(c.startswith("items&since_id=") and c != "items&since_id=0" for c in commands)
        assert "feeds" in commands
        feeds, _ = await library.feeds()
        assert ("Mine", "Own feed") in [(f.folder, f.title) for f in feeds]
        assert len(await library.stories()) == SHARED_ITEMS + 2
    finally:
        await library.aclose()


async def test_a_local_feed_also_on_the_server_shows_its_stories_once(
    tmp_path: Path,
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        library.store.subscribe(coldsweat.feeds.url("/feeds/atom.xml"))
        await synced(library)  # the local feed and the account at once
        stories = await library.stories()
        assert len(stories) == SHARED_ITEMS == len({s.title for s in stories})
        # Read here through the local feed: the server hears of it as its own item.
        mars = await story(library, MARS)
        await library.mark_read(mars)
        await library.accounts.wait_sent()
        assert coldsweat_account.item_id(MARS) not in coldsweat_account.unread_ids()
        await synced(library)
        assert len(await library.stories()) == SHARED_ITEMS
    finally:
        await library.aclose()


async def test_a_wrong_key_is_one_line_and_the_local_feeds_carry_on(
    tmp_path: Path, proxy: CountingProxy, coldsweat: ColdsweatServer
) -> None:
    stranger = ColdsweatAccount(coldsweat, "nobody@example.com")
    library = open_library(tmp_path, proxy, stranger)
    local = coldsweat.feeds.url("/feeds/rss2.xml")
    library.store.subscribe(local)
    try:
        outcomes = {o.url: o for o in await library.refresh()}
        account = outcomes[proxy.url("/fever/")]
        assert account.error is not None and "refused" in account.error
        assert "\n" not in account.error
        assert outcomes[local].error is None and outcomes[local].new_stories == 3
    finally:
        await library.aclose()


_RSS = {"Content-Type": "application/rss+xml"}


_CHANGE_THEN_WAIT = """
import asyncio, sys
from pathlib import Path
from reader.accounts.fever import FeverServer
from reader.accounts.service import SyncedAccount
from reader.config import Settings
from reader.library import Library

data_dir, url, key, api_key, title = sys.argv[1:]

async def main() -> None:
    def opener(client):
        return [SyncedAccount(key, url, FeverServer(client, url, api_key))]

    library = Library(Settings(data_dir=Path(data_dir), prefetch=False), accounts=opener)
    [story] = [s for s in await library.stories() if s.title == title]
    await library.mark_read(story)  # and its send starts, which the proxy holds
    print("changed", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_a_change_survives_sigkill_before_it_reached_the_server(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
    finally:
        await library.aclose()
    proxy.hold()
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHANGE_THEN_WAIT,
            str(tmp_path),
            proxy.url("/fever/"),
            account_key(coldsweat_account),
            coldsweat_account.api_key,
            MARS,
        ],
        stdout=subprocess.PIPE,
        cwd=Path(__file__).parent.parent,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"changed\n"
        await wait_until(lambda: proxy.held > 0, "the change to be on its way")
        child.send_signal(signal.SIGKILL)  # mid-request: the server never got it
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    proxy.release()
    assert coldsweat_account.item_id(MARS) in coldsweat_account.unread_ids()
    proxy.forward()
    again = open_library(tmp_path, proxy, coldsweat_account)
    try:
        assert (await story(again, MARS)).is_read  # the change itself was kept here
        await synced(again)
        assert coldsweat_account.item_id(MARS) not in coldsweat_account.unread_ids()
        assert again.store.pending_count() == 0
    finally:
        await again.aclose()


async def test_the_account_stories_are_prefetched_reaching_only_where_their_feed_may(
    tmp_path: Path,
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
    lan_server: LoopbackServer,
) -> None:
    # 127.0.0.1 stands for the internet, 127.0.0.2 for the user's network. A feed in the
    # user's network may lead prefetch there; a public feed's link into it may not, whatever
    # address the feed server itself has.
    name = f"intranet-{coldsweat_account.email}"
    lan_feed = lan_server.route("/lan.rss", body=fever_feed(name, 1), headers=_RSS)
    inside = lan_server.route(f"/site/{name}-0.html", body=MARS_PAGE.read_bytes())
    outside = f"outside-{coldsweat_account.email}"
    # A public feed, linking into the user's network.
    public_feed = coldsweat.feeds.route(
        f"/fever/{outside}.rss",
        body=fever_feed(outside, 1).replace("{{BASE}}", lan_server.base),
        headers=_RSS,
    )
    coldsweat_account.subscribe(lan_feed, "Intranet")
    coldsweat_account.subscribe(public_feed, "Outside")
    client = HttpClient(user_agent="newsreader-tests", is_private=only_127_0_0_1_is_public)

    def opener(given: HttpClient) -> list[SyncedAccount]:
        server = FeverServer(given, proxy.url("/fever/"), coldsweat_account.api_key)
        return [SyncedAccount(account_key(coldsweat_account), proxy.url("/fever/"), server)]

    library = Library(Settings(data_dir=tmp_path), client=client, accounts=opener)
    try:
        await synced(library)
        report = await library.prefetch()
        assert report.cached >= 2  # the intranet story and Orbit Weekly's Mars story
        assert lan_server.hits[f"/site/{name}-0.html"] == 1
        assert lan_server.hits[f"/site/{outside}-0.html"] == 0
        opened = await library.open_article(
            next(s for s in await library.stories() if s.link == inside)
        )
        assert opened.from_cache and opened.document is not None
    finally:
        await library.aclose()


async def test_the_servers_text_is_untrusted_like_any_feeds(
    tmp_path: Path,
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    # An escape sequence (clears the screen) and markup that would be an action.
    hostile = "Loud &#27;[2J [@click=app.quit]story[/]"
    name = f"hostile-{coldsweat_account.email}"
    path = f"/fever/{name}.rss"
    body = fever_feed(name, 1).replace(f"<title>{name} 0</title>", f"<title>{hostile}</title>")
    coldsweat.feeds.route(path, body=body, headers=_RSS)
    coldsweat_account.subscribe(coldsweat.feeds.url(path), "Bad\u009bfeed")
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
        [found] = [s for s in await library.stories() if "Loud" in s.title]
        # The server hands the escape on as it is; it never reaches the terminal from us.
        assert any("\x1b[2J" in item["title"] for item in coldsweat_account.items())
        assert found.title == "Loud [2J [@click=app.quit]story[/]"  # kept as text, never markup
        feeds, _ = await library.feeds()
        server_titles = [feed["title"] for feed in coldsweat_account.call("feeds")["feeds"]]
        assert "Bad\x9bfeed" in server_titles  # a C1 control: CSI, which terminals obey
        assert "Badfeed" in [f.title for f in feeds]
    finally:
        await library.aclose()


async def test_a_run_given_its_feeds_syncs_no_account(
    tmp_path: Path,
    proxy: CountingProxy,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    library = open_library(tmp_path, proxy, coldsweat_account)
    try:
        await synced(library)
    finally:
        await library.aclose()
    proxy.clear()
    feed = coldsweat.feeds.url("/feeds/rss2.xml")

    def opener(client: HttpClient) -> list[SyncedAccount]:
        server = FeverServer(client, proxy.url("/fever/"), coldsweat_account.api_key)
        return [SyncedAccount(account_key(coldsweat_account), proxy.url("/fever/"), server)]

    only_feed = Library(Settings(data_dir=tmp_path, feeds=(feed,), prefetch=False), accounts=opener)
    try:
        [outcome] = await only_feed.refresh()
        assert outcome.url == feed and proxy.requests == []
        assert {s.source for s in await only_feed.stories()} == {HARBOUR}
    finally:
        await only_feed.aclose()
