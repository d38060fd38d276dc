"""The service the UI and the CLI talk to: refresh feeds, open articles, keep state.

It joins the network, the feed parsers, the cleaner and the store, and never imports the UI.
Blocking work (SQLite, parsing, cleaning) runs in threads so the caller's event loop stays free.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from reader.cleaner import CleanError, PageCleaner
from reader.config import USER_AGENT, Settings
from reader.document import Block, Document, text_blocks
from reader.extract import extract
from reader.feeds import FeedError, parse_feed
from reader.feeds.discover import DiscoveredFeed, discover_feeds, fetch_feed
from reader.net import FetchError, FetchResult, HttpClient
from reader.sanitize import clean_line, is_web_url
from reader.store import FeedOverview, Store, Story, StoryFilter, Subscription

DEFAULT_RETRY_AFTER = 15 * 60
"""Seconds to leave a feed alone after a 429 that gave no Retry-After."""
MAX_RETRY_AFTER = 24 * 3600
"""Longest wait a server can impose on us: a Retry-After of a year is someone's mistake."""
PREFETCH_BATCH = 200
"""Articles one refresh prefetches at most: the newest first; the rest wait for the next."""

BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a compressed file"),
)
"""Leading bytes of files that are never web pages, whatever their Content-Type says."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
"""Content types cleaned as pages; an absent type is given the benefit of the doubt."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's refresh went: the new stories it brought, or why it failed."""

    url: str
    title: str
    new_stories: int = 0
    error: str | None = None
    skipped: str | None = None
    """Why the feed was not fetched this time (the server asked us to wait)."""


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


@dataclass(slots=True)
class PrefetchReport:
    """How a prefetch run is going: articles to fetch, cached so far, failed so far."""

    total: int = 0
    cached: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        """Articles tried so far."""
        return self.cached + self.failed


PrefetchProgress = Callable[[PrefetchReport], None]
"""Called after each prefetched article with the running report."""

FeedProgress = Callable[[FeedOutcome, int, int], None]
"""Called after each feed with (outcome, feeds done, feeds in all)."""


async def fetch_page(client: HttpClient, url: str, settings: Settings) -> FetchResult:
    """Fetch the HTML page at `url`; FetchError with a clear reason when there is none."""
    if not is_web_url(url):
        raise FetchError("not an http(s) link")
    result = await client.get(
        url, timeout=settings.article_timeout, max_bytes=settings.max_article_bytes
    )
    if not result.content.strip():
        raise FetchError("the page is empty")
    if (kind := not_html(result.content_type, result.content)) is not None:
        raise FetchError(f"not an HTML page: {kind}")
    return result


def not_html(content_type: str, content: bytes) -> str | None:
    """What a response is when it is not a web page (a PDF, an image…), from its type or bytes.

    The bytes win: servers label PDFs and images text/html often enough.
    """
    head = content[:16].lstrip()
    for magic, kind in BINARY_SIGNATURES:
        if head.startswith(magic):
            return kind
    if content_type == "application/pdf":
        return "a PDF document"
    if content_type.startswith(("image/", "video/", "audio/")):
        return f"{content_type.split('/')[0]} ({clean_line(content_type, 60)})"
    if content_type not in HTML_TYPES:
        return clean_line(content_type, 60)
    return None


class Library:
    """Feeds, stories and articles for one data directory."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.database_path)
        self.cleaner = PageCleaner()
        self._client: HttpClient | None = None

    @property
    def client(self) -> HttpClient:
        """The one HTTP client, made on first use inside the running event loop."""
        if self._client is None:
            self._client = HttpClient(
                user_agent=USER_AGENT, max_connections=self.settings.max_connections
            )
        return self._client

    async def aclose(self) -> None:
        """Close the network client and the database."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        await asyncio.to_thread(self.cleaner.close)
        self.store.close()

    def feed_urls(self) -> tuple[str, ...]:
        """The feeds this run reads: `--feed`, else the user's enabled feeds, else the defaults."""
        return self.store.feeds_in_use(self.settings.feeds)

    async def stories(
        self, show: StoryFilter = "all", *, feed: str | None = None, limit: int | None = None
    ) -> list[Story]:
        """Known stories of the sources in use (or of one `feed`), newest first, from the cache."""
        feeds = (feed,) if feed else await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.stories, feeds, show=show, limit=limit)

    async def feeds(self) -> list[FeedOverview]:
        """The sources in use with their unread counts and last errors."""
        feeds = await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.feed_overview, feeds)

    async def refresh(self, on_progress: FeedProgress | None = None) -> list[FeedOutcome]:
        """Fetch every feed at once (bounded by the client), each under its own deadline.

        A failing feed records its error and leaves its stored stories untouched; the others
        carry on.
        """
        feeds = await asyncio.to_thread(self.feed_urls)
        outcomes: list[FeedOutcome] = []

        async def refresh_one(url: str) -> None:
            outcome = await self._refresh_feed(url)
            outcomes.append(outcome)
            if on_progress is not None:
                on_progress(outcome, len(outcomes), len(feeds))

        await asyncio.gather(*(refresh_one(url) for url in feeds))
        return outcomes

    async def _refresh_feed(self, url: str) -> FeedOutcome:
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
            )
            if result.status == 304:
                await asyncio.to_thread(self.store.feed_not_modified, url)
                return FeedOutcome(url, await self._feed_title(url))
            feed = await asyncio.to_thread(
                parse_feed, result.content, result.url, result.headers.get("content-type")
            )
        except (FetchError, FeedError) as error:
            message = clean_line(str(error), 200)
            wait = getattr(error, "retry_after", None)
            if wait is None and getattr(error, "status", None) == 429:
                wait = DEFAULT_RETRY_AFTER
            retry_until = now + min(wait, MAX_RETRY_AFTER) if wait else None
            await asyncio.to_thread(
                self.store.record_feed_error, url, message, retry_until=retry_until
            )
            return FeedOutcome(url, await self._feed_title(url), error=message)
        new = await asyncio.to_thread(
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
        self, on_progress: PrefetchProgress | None = None, *, limit: int = PREFETCH_BATCH
    ) -> PrefetchReport:
        """Fetch and clean the articles of unread stories not yet cached, so they read offline.

        Bounded overall (`prefetch_concurrency`) and per host (`prefetch_per_host`); a failure is
        recorded and retried at a later refresh after a growing wait. Cancelling the calling
        task stops it; what was stored stays stored.
        """
        stories = await asyncio.to_thread(
            self.store.stories_to_prefetch, self.feed_urls(), limit=limit
        )
        report = PrefetchReport(total=len(stories))
        if not stories:
            return report
        overall = asyncio.Semaphore(self.settings.prefetch_concurrency)
        hosts: dict[str, asyncio.Semaphore] = {}

        async def prefetch_one(story: Story) -> None:
            assert story.link is not None
            host = urlsplit(story.link).hostname or ""
            per_host = hosts.setdefault(host, asyncio.Semaphore(self.settings.prefetch_per_host))
            async with overall, per_host:
                outcome = await self.open_url(story.link)
            if outcome.document is None:
                report.failed += 1
                await asyncio.to_thread(
                    self.store.record_prefetch_failure, story.link, outcome.error or "failed"
                )
            else:
                report.cached += 1
            if on_progress is not None:
                on_progress(report)

        await asyncio.gather(*(prefetch_one(story) for story in stories))
        return report

    async def open_article(self, story: Story, *, refetch: bool = False) -> ArticleOutcome:
        """The story's cleaned article: from the cache, else fetched, cleaned and cached."""
        if not story.link:
            return ArticleOutcome(None, "this story has no link to an article")
        return await self.open_url(story.link, refetch=refetch)

    async def open_url(self, url: str, *, refetch: bool = False) -> ArticleOutcome:
        """The cleaned article at `url`: from the cache, else fetched, cleaned and cached."""
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
            result = await fetch_page(self.client, url, self.settings)
        except FetchError as error:
            return ArticleOutcome(None, clean_line(str(error), 200))
        content_type = result.headers.get("content-type")
        try:
            document, text = await self.cleaner.clean(result.content, result.url, content_type)
        except CleanError as error:
            return ArticleOutcome(None, str(error))
        await asyncio.to_thread(self.store.save_article, url, document, text)
        return ArticleOutcome(document, page_text=text)

    async def feed_content(self, story: Story) -> list[Block]:
        """What the feed itself says of a story, as blocks: its HTML content cleaned, else its
        plain summary. Cleaned here rather than in a worker process: feeds cap it at 200 KB."""
        html = await asyncio.to_thread(self.store.story_content, story.id)
        if html.strip():
            document = await asyncio.to_thread(extract, html, story.link)
            if document.blocks:
                return document.blocks
        return text_blocks(story.summary)

    async def save_position(self, url: str, fraction: float) -> None:
        """Remember the reading position in the cached article of `url`."""
        await asyncio.to_thread(self.store.save_position, url, fraction)

    async def mark_read(self, story: Story, is_read: bool = True) -> None:
        """Record that the user has (or has not) read a story."""
        await asyncio.to_thread(self.store.set_read, story.id, is_read)

    # Sources

    async def subscriptions(self) -> list[Subscription]:
        """The user's feeds with their folders, unread counts, last update and last error."""
        return await asyncio.to_thread(self.store.subscriptions)

    async def discover(self, url: str) -> list[DiscoveredFeed]:
        """The feeds at or announced by `url`; FetchError or FeedError with a clear reason."""
        return await discover_feeds(self.client, url)

    async def subscribe(self, found: DiscoveredFeed, *, name: str = "", folder: str = "") -> int:
        """Add a discovered feed to the user's feeds and store its stories; returns how many."""
        feed = found.feed or await fetch_feed(
            self.client, found.url, timeout=self.settings.feed_timeout
        )
        await asyncio.to_thread(self.store.subscribe, found.url, name=name, folder=folder)
        return await asyncio.to_thread(self.store.save_feed, found.url, feed)

    async def unsubscribe(self, url: str) -> None:
        """Remove a feed and its stories (cached articles stay until pruned)."""
        await asyncio.to_thread(self.store.unsubscribe, url)

    async def update_subscription(
        self, url: str, *, name: str | None = None, enabled: bool | None = None
    ) -> None:
        """Rename a feed, or enable or disable it."""
        await asyncio.to_thread(self.store.update_subscription, url, name=name, enabled=enabled)

    async def mark_all_read(self) -> int:
        """Mark every story of the sources in use read; returns how many changed."""
        feeds = await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.mark_all_read, feeds)

    async def set_saved(self, story: Story, is_saved: bool) -> None:
        """Save a story (kept offline for good) or unsave it."""
        await asyncio.to_thread(self.store.set_saved, story.id, is_saved)

    async def search(self, text: str) -> list[Story]:
        """Stories of the sources in use whose title or article matches `text`, best first."""
        feeds = await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.search, text, feeds)

    async def prune(self) -> int:
        """Apply the retention limits now; returns how many cached articles were removed."""
        max_age_days, max_bytes = self.settings.retention_limits
        return await asyncio.to_thread(
            self.store.prune, max_age_days=max_age_days, max_bytes=max_bytes
        )
