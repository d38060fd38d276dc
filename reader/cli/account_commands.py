"""Commands for feed server accounts: account add, list and remove.

The password is asked on the terminal (never echoed) or read from stdin with --password-stdin;
it is never an argument (argument lists show in `ps` and in shell history) and never stored:
only the API key made from it is, and only after the server accepted it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from reader.cli.common import (
    EXIT_OK,
    CommandError,
    _field,
    note,
    open_store,
    run_async,
    settings_from,
    user_config,
)
from reader.config import Settings
from reader.wording import counted

if TYPE_CHECKING:
    from reader.accounts.credentials import Account
    from reader.accounts.server import AccountSummary

MAX_PASSWORD_CHARS = 4096
"""Longest password read: far above any real one, and a bound on a line read from a pipe."""


def account_dispatch(args: argparse.Namespace) -> int:
    """Run `account add`, `list` or `remove`."""
    settings = settings_from(args)
    match args.account_command:
        case "add":
            return account_add(
                args.kind,
                args.url,
                settings_from(args, user_config()),  # allow_private_network applies
                user=args.user,
                password_stdin=args.password_stdin,
            )
        case "list":
            return account_list(settings)
    return account_remove(args.url, settings)


def account_add(kind: str, url: str, settings: Settings, *, user: str, password_stdin: bool) -> int:
    """Check the credentials against the server, then keep the account's API key."""
    from reader.accounts.credentials import (
        MAX_USER_CHARS,
        Account,
        CredentialsError,
        accounts_path,
        load_accounts,
        save_account,
    )
    from reader.accounts.fever import fever_api_key, fever_endpoint
    from reader.accounts.server import AccountError
    from reader.sanitize import clean_line

    try:
        endpoint = fever_endpoint(url)
    except AccountError as error:
        raise CommandError(str(error)) from None
    email = user.strip()
    if not email or clean_line(email, MAX_USER_CHARS) != email:
        raise CommandError("--user: give the account's email or user name, on one line")
    password = _read_password(email, endpoint, from_stdin=password_stdin)
    account = Account(
        kind="fever", url=endpoint, user=email, api_key=fever_api_key(email, password)
    )
    summary = _check(account, settings)
    path = accounts_path(settings.data_dir)
    try:
        replaced = [known for known in load_accounts(path) if known.url == endpoint]
        added = save_account(path, account)
    except CredentialsError as error:
        raise CommandError(str(error)) from None
    for old in replaced:
        if old.user != account.user:  # another user's stories are not this account's
            _forget_stories(old, settings)
    what = "added" if added else "updated"
    note(f"{what} {kind} account {email} at {endpoint}: {_summary_text(summary)}")
    return EXIT_OK


def account_list(settings: Settings) -> int:
    """Print the accounts, one a line: kind, tab, URL, tab, user (never the key)."""
    accounts = _load(settings)
    if not accounts:
        note("no accounts yet: add one with `newsreader account add fever URL --user EMAIL`")
    sys.stdout.write("".join(f"{a.kind}\t{_field(a.url)}\t{_field(a.user)}\n" for a in accounts))
    return EXIT_OK


def account_remove(url: str, settings: Settings) -> int:
    """Forget the account at `url` (its API key is deleted from the accounts file)."""
    from reader.accounts.credentials import CredentialsError, accounts_path, remove_account
    from reader.accounts.fever import fever_endpoint
    from reader.accounts.server import AccountError
    from reader.sanitize import clean_line

    try:
        endpoint = fever_endpoint(url)
    except AccountError:
        endpoint = url.strip()  # never a kept address, so "no account" below
    try:
        removed = remove_account(accounts_path(settings.data_dir), endpoint)
    except CredentialsError as error:
        raise CommandError(str(error)) from None
    if removed is None:
        raise CommandError(f"no account at {clean_line(url, 200)} (see `newsreader account list`)")
    note(f"removed {removed.kind} account {removed.user} at {removed.url}")
    if _forget_stories(removed, settings):
        note("its feeds and stories were taken out of the library (the server keeps them)")
    return EXIT_OK


def _forget_stories(account: Account, settings: Settings) -> bool:
    """Drop the account's feeds and stories from the library; True if it had synced there."""
    from reader.accounts.service import library_key

    store = open_store(settings)
    try:
        return store.remove_account(library_key(account))
    finally:
        store.close()


def _load(settings: Settings) -> list[Account]:
    """The accounts of this library, or a CommandError saying why the file cannot be used."""
    from reader.accounts.credentials import CredentialsError, accounts_path, load_accounts

    try:
        return load_accounts(accounts_path(settings.data_dir))
    except CredentialsError as error:
        raise CommandError(str(error)) from None


def _read_password(user: str, url: str, *, from_stdin: bool) -> str:
    """The password: one line of stdin, or asked on the terminal without echo."""
    if from_stdin:
        line = sys.stdin.readline(MAX_PASSWORD_CHARS + 1)
        password = line.removesuffix("\n").removesuffix("\r")
    else:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask the password on: use --password-stdin")
        import getpass

        from reader.sanitize import clean_line

        try:
            password = getpass.getpass(f"Password for {clean_line(user)} at {clean_line(url)}: ")
        except EOFError:
            password = ""
    if not password:
        raise CommandError("no password given")
    if len(password) > MAX_PASSWORD_CHARS:
        raise CommandError(f"the password is longer than {MAX_PASSWORD_CHARS} characters")
    return password


def _check(account: Account, settings: Settings) -> AccountSummary:
    """Ask the server what the account holds; CommandError with its one line if unusable."""
    from reader.accounts.fever import FeverServer
    from reader.accounts.server import AccountError
    from reader.config import USER_AGENT
    from reader.net import HttpClient

    async def check() -> AccountSummary:
        async with HttpClient(
            user_agent=USER_AGENT, allow_private_network=settings.allow_private_network
        ) as client:
            return await FeverServer(client, account.url, account.api_key).check()

    try:
        return run_async(check)
    except AccountError as error:
        raise CommandError(f"{error}; nothing was stored") from None


def _summary_text(summary: AccountSummary) -> str:
    """ "12 feeds in 3 groups, 340 unread" (singular where it is one)."""
    feeds, groups = counted(summary.feeds, "feed"), counted(summary.groups, "group")
    return f"{feeds} in {groups}, {summary.unread} unread"
