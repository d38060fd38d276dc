"""The service the UI and the CLI talk to: refresh feeds, open articles, keep state.

It joins the network, the feed parsers, the cleaner and the store, and never imports the UI.
Blocking work (SQLite, parsing, cleaning) runs in threads so the caller's event loop stays free.
The network, feed and extraction modules (httpx, feedparser, selectolax) are imported where they
are first used: the story list's first frame needs only the store, and importing them first
took about a fifth of a second of start-up.

`Library` is the one entry point; its parts live beside it by concern: core.py (settings,
store, the services made on first use), refresh.py, prefetch.py, articles.py, sources.py,
state.py, and outcomes.py for what they report.
"""

from __future__ import annotations

import asyncio

from reader.library.outcomes import (
    ArticleOutcome,
    FeedOutcome,
    FeedProgress,
    PrefetchProgress,
    PrefetchReport,
)
from reader.library.prefetch import LibraryPrefetch
from reader.library.refresh import LibraryRefresh
from reader.library.sources import LibrarySources, SourceKind
from reader.library.state import LibraryState
from reader.store import FeedOverview, SnippetPart, Story, StoryFilter

__all__ = [
    "ArticleOutcome",
    "FeedOutcome",
    "FeedProgress",
    "Library",
    "PrefetchProgress",
    "PrefetchReport",
    "SourceKind",
]


class Library(LibraryRefresh, LibraryPrefetch, LibrarySources, LibraryState):
    """Feeds, stories and articles for one data directory."""

    def newest_stories(self, limit: int) -> list[Story]:
        """The newest `limit` stories of the sources in use, read now (this blocks): for a
        first frame drawn before an event loop runs. A few milliseconds for any library."""
        return self.store.stories(self.feed_urls(), limit=limit)

    async def stories(
        self, show: StoryFilter = "all", *, feed: str | None = None, limit: int | None = None
    ) -> list[Story]:
        """Known stories of the sources in use (or of one `feed`), newest first, from the cache."""
        feeds = (feed,) if feed else await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.stories, feeds, show=show, limit=limit)

    async def feeds(self) -> tuple[list[FeedOverview], int]:
        """The sources in use with their unread counts and last errors, and how many stories
        of them all are unread (a story two feeds carry counts once)."""
        feeds = await asyncio.to_thread(self.feed_urls)
        overview = await asyncio.to_thread(self.store.feed_overview, feeds)
        return overview, await asyncio.to_thread(self.store.unread_count, feeds)

    async def search(self, text: str) -> list[Story]:
        """Stories of the sources in use whose title or article matches `text`, best first."""
        feeds = await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.search, text, feeds)

    async def search_snippet(self, text: str, story: Story) -> list[SnippetPart]:
        """Why `story` matched `text` in its body, matched words marked; empty for a title hit."""
        return await asyncio.to_thread(self.store.search_snippet, text, story.id)

    async def prune(self) -> int:
        """Apply the retention limits now; returns how many cached articles were removed."""
        max_age_days, max_bytes = self.settings.retention_limits
        return await asyncio.to_thread(
            self.store.prune, max_age_days=max_age_days, max_bytes=max_bytes
        )
