"""Opening articles: a story's page from the cache, else fetched, cleaned and cached; what its
feed says of it; its pictures; where the reader left off.

A part of `Library` kept in its own module by concern; it works on the library's store,
settings, HTTP client, cleaner and picture service.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from reader.document import Block, text_blocks
from reader.library.core import LibraryCore
from reader.library.outcomes import ArticleOutcome
from reader.sanitize import clean_line
from reader.store import StoreError, Story

if TYPE_CHECKING:
    from reader.net import Reach, TimedOutHosts
    from reader.pictures.model import PictureOutcome


class LibraryArticles(LibraryCore):
    """Opening a story's article, its feed's own content and its pictures."""

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
