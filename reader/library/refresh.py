"""Refreshing the library: every feed fetched under its own deadline and every account synced,
at once, with what they brought stored through one write gate.

A part of `Library` kept in its own module by concern; it works on the library's store,
settings, HTTP client and accounts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from reader.accounts.service import ACCOUNTS_SOURCE, SyncedAccount
from reader.library.core import LibraryCore
from reader.library.outcomes import FeedOutcome, FeedProgress
from reader.sanitize import clean_line
from reader.store import StoreError

if TYPE_CHECKING:
    from reader.net import TimedOutHosts

T = TypeVar("T")

DEFAULT_RETRY_AFTER = 15 * 60
"""Seconds to leave a feed alone after a 429 that gave no Retry-After."""
MAX_RETRY_AFTER = 24 * 3600
"""Longest wait a server can impose on us: a Retry-After of a year is someone's mistake."""


class _WriteGate:
    """Stops one run's writes at its first store failure: on a full disk or a busy library the
    next write would fail the same way, each time after waiting the whole busy timeout. Writes
    take turns here (the store runs them one at a time anyway), so none queued behind the
    failing one still tries."""

    def __init__(self) -> None:
        self.error: StoreError | None = None
        self._turn = asyncio.Lock()

    async def write(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run the store write `call` in a thread, unless an earlier one failed."""
        async with self._turn:
            if self.error is not None:
                raise StoreError(str(self.error))
            try:
                return await asyncio.to_thread(call, *args, **kwargs)
            except StoreError as error:
                self.error = error
                raise


class LibraryRefresh(LibraryCore):
    """Fetching the feeds and syncing the accounts a refresh updates."""

    async def refresh(
        self, on_progress: FeedProgress | None = None, *, timed_out: TimedOutHosts | None = None
    ) -> list[FeedOutcome]:
        """Fetch every feed at once (bounded by the client), each under its own deadline.

        A failing feed records its error and leaves its stored stories untouched; the others
        carry on. A host that times out is not asked again in this refresh, or in the run
        `timed_out` belongs to. When the library cannot store (disk full, busy), what was stored
        stays and the feeds after it say why in `store_error`; a read-only library raises
        StoreError.
        """
        from reader.net import TimedOutHosts

        self.store.ensure_writable()
        accounts = self.accounts.accounts()  # opened here, in the loop, with the client
        await asyncio.to_thread(self.accounts.register)
        feeds = await asyncio.to_thread(self.store.feeds_in_use, self.settings.feeds)
        outcomes: list[FeedOutcome] = []
        timed_out = TimedOutHosts() if timed_out is None else timed_out
        gate = _WriteGate()

        # An accounts file that cannot be used counts as one source that failed.
        total = len(feeds) + len(accounts) + bool(self.accounts.open_error)

        def done(outcome: FeedOutcome) -> None:
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(outcome, len(outcomes), total)

        async def refresh_one(url: str) -> None:
            try:
                outcome = await self._refresh_feed(url, timed_out, gate)
            except StoreError as error:
                outcome = FeedOutcome(url, url, store_error=str(error))
            done(outcome)

        async def sync_one(account: SyncedAccount) -> None:
            synced = await self.accounts.sync(account)
            done(
                FeedOutcome(
                    synced.name,
                    synced.name,
                    synced.new_stories,
                    error=synced.error,
                    store_error=synced.store_error,
                    changed_stories=synced.changed_stories,
                )
            )

        if self.accounts.open_error:
            done(FeedOutcome(ACCOUNTS_SOURCE, ACCOUNTS_SOURCE, error=self.accounts.open_error))
        await asyncio.gather(
            *(refresh_one(url) for url in feeds), *(sync_one(account) for account in accounts)
        )
        return outcomes

    async def sources_count(self) -> int:
        """How many feeds and accounts a refresh updates."""
        accounts = self.accounts.accounts()
        await asyncio.to_thread(self.accounts.register)
        feeds = await asyncio.to_thread(self.store.feeds_in_use, self.settings.feeds)
        return len(feeds) + len(accounts) + bool(self.accounts.open_error)

    async def _refresh_feed(
        self, url: str, timed_out: TimedOutHosts, gate: _WriteGate
    ) -> FeedOutcome:
        from reader.feeds import FeedError, parse_feed
        from reader.net import FetchError

        state = await asyncio.to_thread(self.store.feed_state, url)
        now = time.time()
        if state.retry_until and state.retry_until > now:
            until = time.strftime("%H:%M", time.localtime(state.retry_until))
            return FeedOutcome(url, await self._feed_title(url), skipped=f"waiting until {until}")
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            result = await self.client.get(
                url,
                headers=headers,
                timeout=self.settings.feed_timeout,
                max_bytes=self.settings.max_feed_bytes,
                timed_out=timed_out,
            )
            if result.status == 304:
                await gate.write(self.store.feed_not_modified, url)
                return FeedOutcome(url, await self._feed_title(url))
            feed = await asyncio.to_thread(
                parse_feed, result.content, result.url, result.headers.get("content-type")
            )
        except (FetchError, FeedError) as error:
            message = clean_line(str(error), 200)
            if getattr(error, "skipped", False):  # not tried: nothing to record
                return FeedOutcome(url, await self._feed_title(url), error=message)
            wait = getattr(error, "retry_after", None)
            if wait is None and getattr(error, "status", None) == 429:
                wait = DEFAULT_RETRY_AFTER
            retry_until = now + min(wait, MAX_RETRY_AFTER) if wait else None
            await gate.write(self.store.record_feed_error, url, message, retry_until=retry_until)
            return FeedOutcome(url, await self._feed_title(url), error=message)
        new = await gate.write(
            self.store.save_feed,
            url,
            feed,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
        )
        return FeedOutcome(url, feed.title or url, new_stories=new)

    async def _feed_title(self, url: str) -> str:
        titles = await asyncio.to_thread(self.store.feed_titles)
        return titles.get(url) or url
