"""The library's sources: the user's feeds, subscribing to new ones, and whose feeds a run reads.

A part of `Library` kept in its own module by concern; it works on the library's store, settings
and HTTP client.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Literal

from reader.library.core import LibraryCore
from reader.store import Subscription

if TYPE_CHECKING:
    from reader.feeds.discover import DiscoveredFeed

SourceKind = Literal["this run", "yours", "built-in"]
"""Whose feeds a run reads: given with `--feed`, the user's own, or the built-in defaults."""


class LibrarySources(LibraryCore):
    """Listing, discovering, subscribing to and editing the user's feeds."""

    async def subscriptions(self) -> list[Subscription]:
        """The user's feeds with their folders, unread counts, last update and last error."""
        return await asyncio.to_thread(self.store.subscriptions)

    async def sources(self) -> tuple[SourceKind, list[Subscription]]:
        """The feeds in use (the very ones `feeds()` counts) and whose they are: the run's own
        (`--feed`), the user's, or the built-in ones until the user has some."""

        def read() -> tuple[SourceKind, list[Subscription]]:
            if self.settings.feeds is not None:
                return "this run", self.store.subscriptions(self.settings.feeds)
            own = self.store.subscriptions()
            if own:
                return "yours", own
            built_in = self.store.feeds_in_use(None)  # none once there is an account
            return ("built-in" if built_in else "yours"), self.store.subscriptions(built_in)

        return await asyncio.to_thread(read)

    async def discover(self, url: str) -> list[DiscoveredFeed]:
        """The feeds at or announced by `url`; FetchError or FeedError with a clear reason."""
        from reader.feeds.discover import discover_feeds

        return await discover_feeds(self.client, url)

    async def subscribe(
        self, found: DiscoveredFeed, *, name: str = "", folder: str = ""
    ) -> tuple[int, int]:
        """Add a discovered feed to the user's feeds and store its stories; returns how many it
        carries and how many of those were new (the rest another feed brought first)."""
        from reader.feeds.discover import fetch_feed

        feed = found.feed or await fetch_feed(
            self.client, found.url, timeout=self.settings.feed_timeout
        )
        await asyncio.to_thread(self.store.subscribe, found.url, name=name, folder=folder)
        new = await asyncio.to_thread(self.store.save_feed, found.url, feed)
        return await asyncio.to_thread(self.store.carried_stories, found.url), new

    async def unsubscribe(self, url: str) -> None:
        """Remove a feed and its stories (cached articles stay until pruned)."""
        await asyncio.to_thread(self.store.unsubscribe, url)

    async def update_subscription(
        self, url: str, *, name: str | None = None, enabled: bool | None = None
    ) -> None:
        """Rename a feed, or enable or disable it."""
        await asyncio.to_thread(self.store.update_subscription, url, name=name, enabled=enabled)
