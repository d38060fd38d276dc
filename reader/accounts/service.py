"""The library's side of accounts: which accounts it syncs, syncing them at a refresh, and
sending the user's changes in the background as soon as they are made.

The library holds one `AccountService`; the UI never sees it, only the library's refresh
outcomes and read/saved calls, which look the same for a feed and for an account.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.accounts.server import AccountError, FeedServer
from reader.sanitize import clean_line
from reader.store import Store, StoreError

if TYPE_CHECKING:
    from reader.accounts.credentials import Account
    from reader.net import HttpClient

MAX_ERROR_CHARS = 200
"""An account's error as the status line and `newsreader sync` show it: one line."""


@dataclass(frozen=True, slots=True)
class SyncedAccount:
    """An account the library syncs: its lasting `key` in the library, the `name` messages
    use for it (the server's URL), and the server speaking its protocol."""

    key: str
    name: str
    server: FeedServer


AccountOpener = Callable[["HttpClient"], Sequence[SyncedAccount]]
"""Gives the accounts to sync, their servers speaking through the one HTTP client given;
AccountError (one line) when they cannot be opened."""

ACCOUNTS_SOURCE = "accounts file"
"""How a refresh names the accounts file when it cannot be used."""


def library_key(account: Account) -> str:
    """The account's lasting identity in the library: its protocol, address and user (a new
    user at the same address is another account, with stories of its own)."""
    return f"{account.kind} {account.url} {account.user}"


def saved_accounts(data_dir: Path) -> AccountOpener | None:
    """The accounts `newsreader account add` saved for the library in `data_dir`; None when
    there is no accounts file (then no account code or HTTP client is touched at all)."""
    from reader.accounts.credentials import accounts_path

    path = accounts_path(data_dir)
    if not path.exists():
        return None

    def opener(client: HttpClient) -> list[SyncedAccount]:
        from reader.accounts.credentials import CredentialsError, load_accounts
        from reader.accounts.fever import FeverServer

        try:
            accounts = load_accounts(path)
        except CredentialsError as error:
            raise AccountError(str(error)) from None
        return [
            SyncedAccount(library_key(a), a.url, FeverServer(client, a.url, a.api_key))
            for a in accounts
        ]

    return opener


@dataclass(frozen=True, slots=True)
class AccountOutcome:
    """How one account's sync went: the new stories it brought, or why it failed."""

    name: str
    new_stories: int = 0
    changed_stories: int = 0
    """Stories already here whose read or saved state the server changed."""
    error: str | None = None
    store_error: str | None = None


class AccountService:
    """Syncs the accounts `opener` gives and sends queued changes, one sender per account."""

    def __init__(
        self, store: Store, opener: AccountOpener | None, client: Callable[[], HttpClient]
    ) -> None:
        """`client` gives the library's HTTP client, made on first use inside the loop."""
        self.store = store
        self._opener = opener
        self._client = client
        self._accounts: Sequence[SyncedAccount] | None = None
        self.open_error: str | None = None
        """Why the accounts could not be opened (a damaged accounts file), when they could not."""
        self._senders: dict[str, asyncio.Lock] = {}
        self._background: set[asyncio.Task[None]] = set()

    @property
    def configured(self) -> bool:
        """Whether this run syncs any account at all (no client is made to find out)."""
        return self._opener is not None

    def accounts(self) -> Sequence[SyncedAccount]:
        """The accounts to sync, opened on first use (none when they cannot be: open_error
        says why)."""
        if self._accounts is None:
            try:
                self._accounts = self._opener(self._client()) if self._opener else ()
            except AccountError as error:
                self._accounts = ()
                self.open_error = clean_line(str(error), MAX_ERROR_CHARS)
        return self._accounts

    def register(self) -> None:
        """Give every account its row in the library (this blocks: call in a thread), so its
        feeds list and the built-in feeds stay away even before its first sync."""
        for account in self.accounts():
            self.store.register_account(account.key, account.name)

    def _sender(self, key: str) -> asyncio.Lock:
        """The lock that keeps one account's changes going out one at a time, in order."""
        return self._senders.setdefault(key, asyncio.Lock())

    async def sync(self, account: SyncedAccount) -> AccountOutcome:
        """Sync one account; a failure is one line in the outcome, never raised."""
        from reader.accounts.sync import sync_account

        try:
            async with self._sender(account.key):
                new, changed = await sync_account(self.store, account.key, account.server)
        except AccountError as error:
            return AccountOutcome(account.name, error=_reason(str(error), account.name))
        except StoreError as error:
            return AccountOutcome(account.name, store_error=str(error))
        return AccountOutcome(account.name, new, changed)

    def send_soon(self) -> None:
        """Start sending the queued changes in the background. A failure is silent: the
        changes stay queued and go with the next refresh."""
        if not self.configured:
            return
        task = asyncio.get_running_loop().create_task(self._send_all())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send_all(self) -> None:
        from reader.accounts.sync import send_pending

        for account in self.accounts():
            with contextlib.suppress(StoreError):
                async with self._sender(account.key):
                    await send_pending(self.store, account.key, account.server)

    async def wait_sent(self) -> None:
        """Wait until the background sends started so far are done (sent or given up)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop background sends: what they did not send stays queued for the next run."""
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)


def _reason(error: str, name: str) -> str:
    """The error as one line after the account's name (the outcome is named by it already, and
    the server's errors begin with it: "Fever server URL: wrong password")."""
    reason = clean_line(error, MAX_ERROR_CHARS + len(name)).split(f"{name}: ", 1)[-1]
    return clean_line(reason, MAX_ERROR_CHARS) or "the server could not be used"
