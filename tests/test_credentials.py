"""The accounts file: private, atomic, and refused with one line when it cannot be trusted."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from reader.accounts.credentials import (
    Account,
    CredentialsError,
    load_accounts,
    remove_account,
    save_account,
)

KEY = "0123456789abcdef0123456789abcdef"
ALICE = Account(
    kind="fever", url="https://rss.example.org/fever/", user="alice@example.org", api_key=KEY
)
BOB = Account(kind="fever", url="http://127.0.0.1:8080/", user="bob", api_key="f" * 32)


def test_no_file_is_no_accounts(tmp_path: Path) -> None:
    assert load_accounts(tmp_path / "accounts.json") == []


def test_accounts_round_trip_one_per_address(tmp_path: Path) -> None:
    path = tmp_path / "new-dir" / "accounts.json"
    assert save_account(path, ALICE) is True
    assert save_account(path, BOB) is True
    replaced = Account(kind="fever", url=ALICE.url, user="alice2", api_key="a" * 32)
    assert save_account(path, replaced) is False
    assert load_accounts(path) == [BOB, replaced]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert remove_account(path, BOB.url) == BOB
    assert remove_account(path, BOB.url) is None
    assert load_accounts(path) == [replaced]
    assert [p.name for p in path.parent.iterdir()] == ["accounts.json"]  # no temporary left


def test_a_symlink_in_its_place_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.json"
    save_account(real, ALICE)
    link = tmp_path / "accounts.json"
    link.symlink_to(real)
    with pytest.raises(CredentialsError) as caught:
        load_accounts(link)
    assert str(caught.value) == f"{link}: a symbolic link; refusing to follow it"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON"),
        ('{"accounts": []}', "not an accounts file (version 1)"),
        ('{"version": 1}', "no list of accounts"),
        ('{"version": 1, "accounts": [1]}', "account 1 is damaged"),
        (
            '{"version": 1, "accounts": [{"kind": "imap", "url": "https://x/", "user": "a", '
            '"api_key": "' + KEY + '"}]}',
            "account 1 is damaged",
        ),
        (
            '{"version": 1, "accounts": [{"kind": "fever", "url": "https://x/", "user": "a", '
            '"api_key": "password"}]}',
            "account 1 is damaged",
        ),
        (
            '{"version": 1, "accounts": [{"kind": "fever", "url": "file:///etc/passwd", '
            '"user": "a", "api_key": "' + KEY + '"}]}',
            "account 1 is damaged",
        ),
        (
            '{"version": 1, "accounts": [{"kind": "fever", "url": "https://x/", '
            '"user": "a\\u001b[2J", "api_key": "' + KEY + '"}]}',
            "account 1 is damaged",
        ),
    ],
)
def test_damaged_content_is_one_line(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(CredentialsError) as caught:
        load_accounts(path)
    assert str(caught.value) == f"{path}: {reason}"


def test_a_file_others_can_read_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    save_account(path, ALICE)
    path.chmod(0o640)
    with pytest.raises(CredentialsError, match=r"others can read it \(mode 640\)"):
        load_accounts(path)
