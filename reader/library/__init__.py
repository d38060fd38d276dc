"""The service the UI and the CLI talk to: refresh feeds, open articles, keep state.

It joins the network, the feed parsers, the cleaner and the store, and never imports the UI.
Blocking work (SQLite, parsing, cleaning) runs in threads so the caller's event loop stays free.
The network, feed and extraction modules (httpx, feedparser, selectolax) are imported where they
are first used: the story list's first frame needs only the store, and importing them first
took about a fifth of a second of start-up.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from reader.accounts.service import (
    ACCOUNTS_SOURCE,
    AccountOpener,
    AccountService,
    SyncedAccount,
)
from reader.config import USER_AGENT, Settings
from reader.document import Block, Document, text_blocks
from reader.library_sources import LibrarySources, SourceKind
from reader.library_state import LibraryState
from reader.sanitize import clean_line
from reader.store import (
    FeedOverview,
    SnippetPart,
    Store,
    StoreError,
    Story,
    StoryFilter,
)

if TYPE_CHECKING:
    from reader.cleaner import PageCleaner
    from reader.net import HttpClient, Reach, TimedOutHosts
    from reader.pictures.model import PictureOutcome
    from reader.pictures.service import PictureService, PicturesKept

__all__ = [
    "ArticleOutcome",
    "FeedOutcome",
    "FeedProgress",
    "Library",
    "PrefetchProgress",
    "PrefetchReport",
    "SourceKind",
]

T = TypeVar("T")

DEFAULT_RETRY_AFTER = 15 * 60
"""Seconds to leave a feed alone after a 429 that gave no Retry-After."""
MAX_RETRY_AFTER = 24 * 3600
"""Longest wait a server can impose on us: a Retry-After of a year is someone's mistake."""
PREFETCH_BATCH = 200
"""Articles one refresh prefetches at most: the newest first; the rest wait for the next."""
SERVICE_MODULES = (
    "reader.net",
    "reader.pages",
    "reader.feeds",
    "reader.feeds.discover",
    "reader.extract",
)
"""What refreshing and reading import on first use (httpx, feedparser, selectolax): ~0.1 s."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's refresh went: the new stories it brought, or why it failed."""

    url: str
    title: str
    new_stories: int = 0
    error: str | None = None
    skipped: str | None = None
    """Why the feed was not fetched this time (the server asked us to wait)."""
    store_error: str | None = None
    """Why what the feed brought could not be stored (disk full, library busy): the library's
    fault, not the feed's."""
    changed_stories: int = 0
    """Stories already listed whose read or saved state changed (an account's server said so)."""


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """An opened story: its cleaned article, or why there is none to show."""

    document: Document | None
    error: str | None = None
    page_text: str = ""
    """The page's whole visible text, for when the cleaner misjudged."""
    position: float = 0.0
    """Where the reader left off last time, 0.0 to 1.0."""
    from_cache: bool = False
    store_error: str | None = None
    """Why the article could not be cached (disk full…); it is shown all the same."""
    skipped: bool = False
    """Not fetched: its host timed out earlier in the run."""


@dataclass(slots=True)
class PrefetchReport:
    """How a prefetch run is going: articles to fetch, cached so far, failed so far."""

    total: int = 0
    cached: int = 0
    failed: int = 0
    skipped: int = 0
    """Not tried: their host timed out earlier in the run (they wait for the next one)."""
    pictures: int = 0
    """Pictures of the cached articles kept so far (reader.pictures)."""
    pictures_failed: int = 0
    store_error: str | None = None
    """Why caching stopped early: the library could not store more (disk full, busy)."""

    @property
    def done(self) -> int:
        """Articles dealt with so far."""
        return self.cached + self.failed + self.skipped

    def add_pictures(self, kept: PicturesKept) -> None:
        """Count what keeping one article's pictures did."""
        self.pictures += kept.kept
        self.pictures_failed += kept.failed
        self.store_error = self.store_error or kept.store_error


PrefetchProgress = Callable[[PrefetchReport], None]
"""Called after each prefetched article with the running report."""

FeedProgress = Callable[[FeedOutcome, int, int], None]
"""Called after each feed with (outcome, feeds done, feeds in all)."""


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


class Library(LibrarySources, LibraryState):
    """Feeds, stories and articles for one data directory."""

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
            if outcome.document is not None and outcome.document.is_article:
                report.add_pictures(
                    await self.pictures.keep_pictures(
                        outcome.document, story.link, reach=reach, timed_out=timed_out
                    )
                )
                if on_progress is not None:
                    on_progress(report)

        await asyncio.gather(*(prefetch_one(story) for story in stories))
        return report

    async def open_article(self, story: Story, *, refetch: bool = False) -> ArticleOutcome:
        """The story's cleaned article: from the cache, else fetched, cleaned and cached."""
        if not story.link:
            return ArticleOutcome(None, "this story has no link to an article")
        return await self.open_url(story.link, refetch=refetch)

    async def open_url(
        self,
        url: str,
        *,
        refetch: bool = False,
        reach: Reach | None = None,
        timed_out: TimedOutHosts | None = None,
    ) -> ArticleOutcome:
        """The cleaned article at `url`: from the cache, else fetched, cleaned and cached.

        `reach` defaults to the user's own choice (they opened it); prefetch narrows it.
        """
        from reader.cleaner import CleanError
        from reader.net import FetchError, Reach
        from reader.pages import fetch_page

        reach = Reach.USER_CHOICE if reach is None else reach
        if not refetch:
            cached = await asyncio.to_thread(self.store.article, url)
            if cached is not None:
                return ArticleOutcome(
                    cached.document,
                    page_text=cached.page_text,
                    position=cached.position,
                    from_cache=True,
                )
        try:
            result = await fetch_page(
                self.client, url, self.settings, reach=reach, timed_out=timed_out
            )
        except FetchError as error:
            return ArticleOutcome(None, clean_line(str(error), 200), skipped=error.skipped)
        content_type = result.headers.get("content-type")
        try:
            document, text = await self.cleaner.clean(result.content, result.url, content_type)
        except CleanError as error:
            return ArticleOutcome(None, str(error))
        try:
            await asyncio.to_thread(self.store.save_article, url, document, text)
        except StoreError as error:
            return ArticleOutcome(document, page_text=text, store_error=str(error))
        return ArticleOutcome(document, page_text=text)

    async def picture(
        self, src: str, *, fetch: bool = True, article: str | None = None
    ) -> PictureOutcome:
        """The picture from `src` for the reading view: cached, else (with `fetch`) fetched,
        decoded and kept for the cached `article` it belongs to; or why there is none."""
        return await self.pictures.picture(src, fetch=fetch, article=article)

    async def feed_content(self, story: Story) -> list[Block]:
        """What the feed itself says of a story, as blocks: its HTML content cleaned, else its
        plain summary. Cleaned here rather than in a worker process: feeds cap it at 200 KB."""
        from reader.extract import extract

        html = await asyncio.to_thread(self.store.story_content, story.id)
        if html.strip():
            document = await asyncio.to_thread(extract, html, story.link)
            if document.blocks:
                return document.blocks
        return text_blocks(story.summary)

    async def save_position(self, url: str, fraction: float) -> None:
        """Remember the reading position in the cached article of `url`."""
        await asyncio.to_thread(self.store.save_position, url, fraction)

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
