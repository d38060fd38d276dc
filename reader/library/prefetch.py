"""Prefetching: the articles of unread stories fetched, cleaned and cached with their pictures
ahead of reading, so they read offline.

A part of `Library` kept in its own module by concern; it opens articles the way the reader
does (LibraryArticles.open_url), under tighter limits.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reader.library.articles import LibraryArticles
from reader.library.outcomes import PrefetchProgress, PrefetchReport
from reader.store import StoreError, Story

if TYPE_CHECKING:
    from reader.net import Reach, TimedOutHosts

PREFETCH_BATCH = 200
"""Articles one refresh prefetches at most: the newest first; the rest wait for the next."""


class LibraryPrefetch(LibraryArticles):
    """Caching the articles of unread stories, and their pictures, before they are opened."""

    async def prefetch(
        self,
        on_progress: PrefetchProgress | None = None,
        *,
        limit: int = PREFETCH_BATCH,
        timed_out: TimedOutHosts | None = None,
    ) -> PrefetchReport:
        """Fetch and clean the articles of unread stories not yet cached, and keep their
        pictures (PictureService.keep_pictures), so they read offline.

        Bounded overall (`prefetch_concurrency`) and per host (`prefetch_per_host`); a failure is
        recorded and retried at a later refresh after a growing wait, while a host that timed
        out (in this batch, or in the run `timed_out` belongs to) is skipped. A feed at a public
        address never makes it fetch from the user's network. Cancelling the calling task stops
        it; what was stored stays stored. When the library cannot store more, no further article
        is fetched and `store_error` says why.
        """
        stories = await asyncio.to_thread(
            self.store.stories_to_prefetch, self.feed_urls(), limit=limit
        )
        report = PrefetchReport(total=len(stories))
        if not stories:
            return report
        from reader.net import TimedOutHosts

        timed_out = TimedOutHosts() if timed_out is None else timed_out
        overall = asyncio.Semaphore(self.settings.prefetch_concurrency)
        hosts: dict[str, asyncio.Semaphore] = {}
        # Where each feed's links may go: one address lookup per feed, shared by its stories.
        feeds = sorted({story.feed_url for story in stories})
        # An account's feed is reached as from the feed's own address, not the server's.
        origins = await asyncio.to_thread(self.store.feed_origins, feeds)
        found = await asyncio.gather(*(self.client.reach_from(origins[feed]) for feed in feeds))
        reaches: dict[str, Reach] = dict(zip(feeds, found, strict=True))

        async def prefetch_one(story: Story) -> None:
            assert story.link is not None
            reach = reaches[story.feed_url]
            host = urlsplit(story.link).hostname or ""
            per_host = hosts.setdefault(host, asyncio.Semaphore(self.settings.prefetch_per_host))
            async with overall, per_host:
                if report.store_error is not None:
                    return
                try:
                    outcome = await self.open_url(story.link, reach=reach, timed_out=timed_out)
                    if outcome.store_error is not None:
                        raise StoreError(outcome.store_error)
                    if outcome.document is None and not outcome.skipped:
                        await asyncio.to_thread(
                            self.store.record_prefetch_failure,
                            story.link,
                            outcome.error or "failed",
                        )
                except StoreError as error:
                    report.store_error = str(error)
                    return
            if outcome.skipped:
                report.skipped += 1
            elif outcome.document is None:
                report.failed += 1
            else:
                report.cached += 1
            if on_progress is not None:
                on_progress(report)
            if (
                self.settings.prefetch_pictures
                and outcome.document is not None
                and outcome.document.is_article
            ):
                report.add_pictures(
                    await self.pictures.keep_pictures(
                        outcome.document, story.link, reach=reach, timed_out=timed_out
                    )
                )
                if on_progress is not None:
                    on_progress(report)

        await asyncio.gather(*(prefetch_one(story) for story in stories))
        return report
