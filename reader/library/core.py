"""The library's core: its settings, store, accounts and the services it starts on first use.

Every part of `Library` builds on this: the HTTP client, the cleaning processes and the picture
service are made when first needed, so the story list's first frame waits for none of them.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING

from reader.accounts.service import AccountOpener, AccountService
from reader.config import USER_AGENT, Settings
from reader.store import Store

if TYPE_CHECKING:
    from reader.cleaner import PageCleaner
    from reader.net import HttpClient
    from reader.pictures.service import PictureService

SERVICE_MODULES = (
    "reader.net",
    "reader.pages",
    "reader.feeds",
    "reader.feeds.discover",
    "reader.extract",
)
"""What refreshing and reading import on first use (httpx, feedparser, selectolax): ~0.1 s."""


class LibraryCore:
    """One data directory's settings, store and accounts, and the services made on first use."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None = None,
        client: HttpClient | None = None,
        *,
        accounts: AccountOpener | None = None,
    ) -> None:
        """`accounts` gives the feed server accounts to sync (none when None); a run given
        its feeds (`--feed`) reads those alone."""
        self.settings = settings
        self.store = store or Store(settings.database_path, busy_timeout=settings.busy_timeout)
        self._cleaner: PageCleaner | None = None
        self._pictures: PictureService | None = None
        self._client = client
        opener = accounts if settings.feeds is None else None
        self.accounts = AccountService(self.store, opener, lambda: self.client)

    @property
    def cleaner(self) -> PageCleaner:
        """The cleaning processes, started on first use: starting them with the app took CPU
        from its first frame on a small machine."""
        if self._cleaner is None:
            from reader.cleaner import PageCleaner

            self._cleaner = PageCleaner()
        return self._cleaner

    @property
    def pictures(self) -> PictureService:
        """The picture service (reader.pictures), made on first use like the cleaner."""
        if self._pictures is None:
            from reader.pictures.service import PictureService

            self._pictures = PictureService(self.store, lambda: self.client, self.settings)
        return self._pictures

    async def load_services(self) -> None:
        """Import SERVICE_MODULES in a thread, so their first use does not stall the caller's
        event loop. Safe to call at once from several tasks: a second import waits for the
        first in its own thread."""
        for name in SERVICE_MODULES:
            await asyncio.to_thread(importlib.import_module, name)

    @property
    def client(self) -> HttpClient:
        """The one HTTP client (given, else made on first use inside the running loop)."""
        if self._client is None:
            from reader.net import HttpClient

            self._client = HttpClient(
                user_agent=USER_AGENT,
                max_connections=self.settings.max_connections,
                allow_private_network=self.settings.allow_private_network,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the network client and the database."""
        await self.accounts.aclose()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._cleaner is not None:
            await asyncio.to_thread(self._cleaner.close)
        if self._pictures is not None:
            await asyncio.to_thread(self._pictures.close)
        self.store.close()

    @property
    def read_only(self) -> bool:
        """Whether the library can only be read: browsing works, nothing is saved."""
        return self.store.read_only

    def feed_urls(self) -> tuple[str, ...]:
        """The feeds this run shows: `--feed`, else the user's enabled feeds and the accounts'
        feeds, else the defaults."""
        return self.store.feeds_shown(self.settings.feeds)
