"""`newsreader account add / list / remove` against a real coldsweat on loopback."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from coldsweat_server import SHARED_ITEMS, ColdsweatAccount, ColdsweatServer
from loopback import LoopbackServer

from reader.accounts.credentials import accounts_path
from reader.accounts.fever import fever_api_key
from reader.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from reader.config import default_data_dir


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `newsreader ARGS` with `stdin` as its input."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def accounts_file() -> Path:
    """The accounts file of the test's library (conftest points the data dir at a temp dir)."""
    return accounts_path(default_data_dir())


def add(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    account: ColdsweatAccount,
    password: str | None = None,
) -> tuple[int, str, str]:
    """`account add fever URL --user EMAIL --password-stdin` with the password on stdin."""
    secret = account.password if password is None else password
    return run(
        capsys,
        monkeypatch,
        *("account", "add", "fever", url, "--user", account.email, "--password-stdin"),
        stdin=secret + "\n",
    )


def test_add_checks_the_account_and_keeps_only_its_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    code, out, err = add(capsys, monkeypatch, coldsweat.fever_url, coldsweat_account)
    assert code == EXIT_OK, err
    assert out == ""
    assert err == (
        f"newsreader: added fever account {coldsweat_account.email} at {coldsweat.fever_url}: "
        f"3 feeds in 3 groups, {SHARED_ITEMS} unread\n"
    )
    path = accounts_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert coldsweat_account.password not in text
    assert json.loads(text)["accounts"] == [
        {
            "kind": "fever",
            "url": coldsweat.fever_url,
            "user": coldsweat_account.email,
            "api_key": fever_api_key(coldsweat_account.email, coldsweat_account.password),
        }
    ]


def test_a_wrong_password_stores_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    code, _out, err = add(capsys, monkeypatch, coldsweat.fever_url, coldsweat_account, "wrong!")
    assert code == EXIT_FAILURE
    assert err == (
        f"newsreader: Fever server {coldsweat.fever_url}: the server refused the email and "
        "password; nothing was stored\n"
    )
    assert not accounts_file().exists()


def test_a_server_that_is_down_stores_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    gone = LoopbackServer()
    gone.stop()
    code, _out, err = add(capsys, monkeypatch, gone.url("/fever/"), coldsweat_account)
    assert code == EXIT_FAILURE
    assert err.count("\n") == 1 and "cannot connect: connection refused" in err
    assert not accounts_file().exists()


def test_list_and_remove(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    assert add(capsys, monkeypatch, coldsweat.fever_url, coldsweat_account)[0] == EXIT_OK
    code, out, _err = run(capsys, monkeypatch, "account", "list")
    assert (code, out) == (EXIT_OK, f"fever\t{coldsweat.fever_url}\t{coldsweat_account.email}\n")
    assert coldsweat_account.api_key not in out
    # The address as the user may type it again: without the trailing slash, with ?api.
    typed = coldsweat.fever_url.rstrip("/") + "/?api"
    code, out, err = run(capsys, monkeypatch, "account", "remove", typed)
    assert (code, out) == (EXIT_OK, "")
    assert err == (
        f"newsreader: removed fever account {coldsweat_account.email} at {coldsweat.fever_url}\n"
    )
    code, out, err = run(capsys, monkeypatch, "account", "list")
    assert (code, out) == (EXIT_OK, "")
    assert "no accounts yet" in err
    assert coldsweat_account.api_key not in accounts_file().read_text()
    code, _out, err = run(capsys, monkeypatch, "account", "remove", coldsweat.fever_url)
    assert code == EXIT_FAILURE
    assert (
        err == f"newsreader: no account at {coldsweat.fever_url} (see `newsreader account list`)\n"
    )


def test_adding_again_replaces_the_account(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    other = coldsweat.new_account()
    assert add(capsys, monkeypatch, coldsweat.fever_url, coldsweat_account)[0] == EXIT_OK
    code, _out, err = add(capsys, monkeypatch, coldsweat.fever_url, other)
    assert code == EXIT_OK
    assert err.startswith(f"newsreader: updated fever account {other.email} at ")
    _code, out, _err = run(capsys, monkeypatch, "account", "list")
    assert out == f"fever\t{coldsweat.fever_url}\t{other.email}\n"


def test_a_file_others_can_read_is_refused(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
) -> None:
    assert add(capsys, monkeypatch, coldsweat.fever_url, coldsweat_account)[0] == EXIT_OK
    accounts_file().chmod(0o644)
    code, out, err = run(capsys, monkeypatch, "account", "list")
    assert (code, out) == (EXIT_FAILURE, "")
    assert err == (
        f"newsreader: {accounts_file()}: others can read it (mode 644); refusing to use the keys "
        "in it (chmod 600 it if that was deliberate)\n"
    )


def test_damaged_file_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = accounts_file()
    path.parent.mkdir(mode=0o700, parents=True)
    path.write_text('{"version": 1, "accounts": [{"kind": "fever"}]}')
    path.chmod(0o600)
    code, _out, err = run(capsys, monkeypatch, "account", "list")
    assert code == EXIT_FAILURE
    assert err == f"newsreader: {path}: account 1 is damaged\n"


def test_without_a_terminal_the_password_must_come_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(
        capsys, monkeypatch, "account", "add", "fever", "http://127.0.0.1:9/", "--user", "a@b.c"
    )
    assert code == EXIT_FAILURE
    assert err == "newsreader: no terminal to ask the password on: use --password-stdin\n"


def test_an_empty_password_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, err = run(
        capsys,
        monkeypatch,
        *("account", "add", "fever", "http://127.0.0.1:9/", "--user", "a@b.c", "--password-stdin"),
        stdin="\n",
    )
    assert (code, err) == (EXIT_FAILURE, "newsreader: no password given\n")


def test_the_password_is_never_an_argument(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _out, _err = run(
        capsys,
        monkeypatch,
        *("account", "add", "fever", "http://127.0.0.1:9/", "--user", "a@b.c"),
        *("--password", "hunter2hunter2"),
    )
    assert code == EXIT_USAGE


def test_the_password_is_asked_on_the_terminal_without_echo(
    coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount, tmp_path: Path
) -> None:
    pytest.importorskip("pty", reason="the pty module (a POSIX pseudo-terminal) is unavailable")
    from test_pty import Terminal

    data = tmp_path / "data"
    env = {**os.environ, "NEWSREADER_DATA_DIR": str(data), "NEWSREADER_CONFIG": str(tmp_path / "c")}
    argv = [sys.executable, "-m", "reader", "account", "add", "fever", coldsweat.fever_url]
    terminal = Terminal([*argv, "--user", coldsweat_account.email], env)
    try:
        assert terminal.read_until(b"Password for "), bytes(terminal.output)
        asked = len(terminal.output)
        terminal.press(coldsweat_account.password.encode() + b"\r")
        code = terminal.close()
    finally:
        terminal.kill()
    answer = bytes(terminal.output[asked:])
    assert code == EXIT_OK, answer
    assert coldsweat_account.password.encode() not in terminal.output
    assert b"added fever account " + coldsweat_account.email.encode() in answer
    assert stat.S_IMODE(accounts_path(data).stat().st_mode) == 0o600
