"""The user's feed server accounts: kept in accounts.json in the library's directory, readable
by the user alone.

Only what the protocol needs is kept: for Fever, the API key (md5 of "email:password"), never
the password. The key still lets anyone holding it read and change the account on that server,
so the file is written 0600 (in the data directory, 0700 when we create it) and a file others
can read, or one owned by someone else, is refused rather than used. It sits beside the library
rather than the settings file because settings files get shared and committed to dotfile
repositories, and because the account's stories live in that library.

One account per server address (several servers are fine); adding one for an address that has
one replaces it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from reader.config import PRIVATE_FILE_MODE, make_private_dir
from reader.sanitize import clean_line

ACCOUNTS_FILE = "accounts.json"
"""The file's name in the data directory."""
FORMAT_VERSION = 1
"""Written in the file, so a later layout can tell an old file from a damaged one."""
MAX_FILE_BYTES = 1024 * 1024
"""Larger is not a file we wrote (one account is about 200 bytes)."""
MAX_USER_CHARS = 320
"""An email address's longest legal length (RFC 3696)."""

AccountKind = Literal["fever"]
KINDS: tuple[AccountKind, ...] = ("fever",)
"""The protocols an account may speak."""


class CredentialsError(Exception):
    """The accounts file cannot be used: str(err) is one line saying which file and why."""


@dataclass(frozen=True, slots=True)
class Account:
    """One account on one server: its protocol, address, user and API key."""

    kind: AccountKind
    url: str
    """The server's address as `fever_endpoint` keeps it: the key of the account."""
    user: str
    """The email or user name the key was made from, shown in `account list`."""
    api_key: str
    """What the protocol sends instead of a password; never shown."""


def accounts_path(data_dir: Path) -> Path:
    """The accounts file of the library in `data_dir`."""
    return data_dir / ACCOUNTS_FILE


def load_accounts(path: Path) -> list[Account]:
    """The accounts in `path` ([] when there is no file); CredentialsError when it is open to
    others, not ours, or not a file we could have written."""
    try:
        # O_NOFOLLOW: a symlink planted in our place is refused, not followed.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return []
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise CredentialsError(f"{path}: a symbolic link; refusing to follow it") from None
        raise CredentialsError(f"{path}: {(error.strerror or str(error)).lower()}") from None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        _check_private(path, info)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise CredentialsError(f"{path}: too large to be an accounts file")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise CredentialsError(f"{path}: not valid JSON") from None
    return _accounts_from(path, document)


def save_account(path: Path, account: Account) -> bool:
    """Add `account`, replacing any for its address; True when it was new."""
    accounts = load_accounts(path)
    kept = [known for known in accounts if known.url != account.url]
    _write(path, [*kept, account])
    return len(kept) == len(accounts)


def remove_account(path: Path, url: str) -> Account | None:
    """Remove the account for `url`; the account removed, or None when there was none."""
    accounts = load_accounts(path)
    gone = next((known for known in accounts if known.url == url), None)
    if gone is not None:
        _write(path, [known for known in accounts if known is not gone])
    return gone


def _check_private(path: Path, info: os.stat_result) -> None:
    """Refuse a file that is not a regular file of ours, readable and writable by us alone."""
    if not stat.S_ISREG(info.st_mode):
        raise CredentialsError(f"{path}: not a regular file")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise CredentialsError(f"{path}: owned by another user; refusing to use it")
    if info.st_mode & 0o077:
        mode = stat.S_IMODE(info.st_mode)
        raise CredentialsError(
            f"{path}: others can read it (mode {mode:o}); refusing to use the keys in it "
            f"(chmod 600 it if that was deliberate)"
        )


def _accounts_from(path: Path, document: object) -> list[Account]:
    """The accounts of a parsed file, checked field by field."""
    if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
        raise CredentialsError(f"{path}: not an accounts file (version {FORMAT_VERSION})")
    records = document.get("accounts")
    if not isinstance(records, list):
        raise CredentialsError(f"{path}: no list of accounts")
    accounts = []
    for number, record in enumerate(records, 1):
        account = _account_from(record)
        if account is None:
            raise CredentialsError(f"{path}: account {number} is damaged")
        accounts.append(account)
    return accounts


def _account_from(record: object) -> Account | None:
    """One account from its JSON object, or None when any field is missing or wrong."""
    if not isinstance(record, dict):
        return None
    kind, url, user, key = (record.get(name) for name in ("kind", "url", "user", "api_key"))
    if kind not in KINDS or not (
        isinstance(url, str) and isinstance(user, str) and isinstance(key, str)
    ):
        return None
    if not is_api_key(key) or clean_line(user, MAX_USER_CHARS) != user or not user:
        return None
    if clean_line(url) != url or not url.startswith(("http://", "https://")):
        return None
    return Account(kind="fever", url=url, user=user, api_key=key)


def is_api_key(text: str) -> bool:
    """Whether `text` is a Fever API key: 32 lower-case hex digits (an md5)."""
    return len(text) == 32 and all(char in "0123456789abcdef" for char in text)


def _write(path: Path, accounts: list[Account]) -> None:
    """Replace the file atomically: a new 0600 file beside it, synced, then renamed over it."""
    make_private_dir(path.parent)
    document = {"version": FORMAT_VERSION, "accounts": [asdict(account) for account in accounts]}
    data = (json.dumps(document, indent=2) + "\n").encode()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        temporary.unlink(missing_ok=True)  # left by a run of ours killed mid-write
        descriptor = os.open(temporary, flags, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise CredentialsError(f"{path}: {(error.strerror or str(error)).lower()}") from None
