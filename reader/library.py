"""The service the UI and the CLI talk to: refresh feeds, open articles, keep state.

It joins the network, the feed parsers, the cleaner and the store, and never imports the UI.
Blocking work (SQLite, parsing, cleaning) runs in threads so the caller's event loop stays free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from reader.config import DEFAULT_FEEDS, USER_AGENT, Settings
from reader.document import Document
from reader.extract import extract
from reader.extract.page_text import page_text
from reader.feeds import FeedError, parse_feed
from reader.net import FetchError, FetchResult, HttpClient
from reader.sanitize import clean_line, is_web_url
from reader.store import Store, Story

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
"""Content types cleaned as pages; an absent type is given the benefit of the doubt."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's refresh went: the new stories it brought, or why it failed."""

    url: str
    title: str
    new_stories: int = 0
    error: str | None = None


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


FeedProgress = Callable[[FeedOutcome, int, int], None]
"""Called after each feed with (outcome, feeds done, feeds in all)."""


async def fetch_page(client: HttpClient, url: str, settings: Settings) -> FetchResult:
    """Fetch the HTML page at `url`; FetchError with a clear reason when there is none."""
    if not is_web_url(url):
        raise FetchError("not an http(s) link")
    result = await client.get(
        url, timeout=settings.article_timeout, max_bytes=settings.max_article_bytes
    )
    if result.content_type not in HTML_TYPES:
        raise FetchError(f"not an HTML page ({clean_line(result.content_type, 60)})")
    if not result.content.strip():
        raise FetchError("the page is empty")
    return result


async def fetch_article(client: HttpClient, url: str, settings: Settings) -> Document:
    """Fetch and clean one page."""
    result = await fetch_page(client, url, settings)
    content_type = result.headers.get("content-type")
    return await asyncio.to_thread(extract, result.content, result.url, content_type)


def _clean_page(content: bytes, url: str, content_type: str | None) -> tuple[Document, str]:
    """The cleaned article and the page's full text: one thread hop for both."""
    return extract(content, url, content_type), page_text(content, content_type)


class Library:
    """Feeds, stories and articles for one data directory."""

    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or Store(settings.database_path)
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
        self.store.close()

    def feed_urls(self) -> tuple[str, ...]:
        """The feeds this run reads: `--feed`, else the user's enabled feeds, else the defaults."""
        if self.settings.feeds is not None:
            return self.settings.feeds
        subscriptions = self.store.subscriptions()
        if subscriptions:
            return tuple(sub.url for sub in subscriptions if sub.enabled)
        return DEFAULT_FEEDS

    async def stories(self) -> list[Story]:
        """Every known story of the sources in use, newest first, from the cache."""
        feeds = await asyncio.to_thread(self.feed_urls)
        return await asyncio.to_thread(self.store.stories, feeds)

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
        try:
            result = await self.client.get(
                url, timeout=self.settings.feed_timeout, max_bytes=self.settings.max_feed_bytes
            )
            feed = await asyncio.to_thread(
                parse_feed, result.content, result.url, result.headers.get("content-type")
            )
        except (FetchError, FeedError) as error:
            message = clean_line(str(error), 200)
            await asyncio.to_thread(self.store.record_feed_error, url, message)
            titles = await asyncio.to_thread(self.store.feed_titles)
            return FeedOutcome(url, titles.get(url) or url, error=message)
        new = await asyncio.to_thread(self.store.save_feed, url, feed)
        return FeedOutcome(url, feed.title or url, new_stories=new)

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
        document, text = await asyncio.to_thread(
            _clean_page, result.content, result.url, content_type
        )
        await asyncio.to_thread(self.store.save_article, url, document, text)
        return ArticleOutcome(document, page_text=text)

    async def save_position(self, url: str, fraction: float) -> None:
        """Remember the reading position in the cached article of `url`."""
        await asyncio.to_thread(self.store.save_position, url, fraction)

    async def mark_read(self, story: Story, is_read: bool = True) -> None:
        """Record that the user has (or has not) read a story."""
        await asyncio.to_thread(self.store.set_read, story.id, is_read)
