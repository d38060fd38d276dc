"""Commands that fetch from the network: read, feeds add, sync."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from reader.cli.common import (
    EXIT_OK,
    CommandError,
    _folder,
    _name,
    note,
    open_store,
    run_async,
)
from reader.config import Settings

if TYPE_CHECKING:
    from reader.document import Document

MAX_OTHER_FEEDS_SHOWN = 10
"""Other feeds a page announces listed by `feeds add`: more is a page listing every category."""


def read_command(url: str, settings: Settings, output_format: str = "text") -> int:
    """Print the cleaned article at `url` in `output_format`; exit 1 when there is none.

    The page is cleaned in a worker process, as in the reader, so a hostile page costs at most
    the cleaner's deadline and memory cap before the one-line error.
    """
    from reader.cleaner import CleanError, PageCleaner
    from reader.config import USER_AGENT
    from reader.net import FetchError, HttpClient
    from reader.pages import fetch_page
    from reader.sanitize import clean_line

    async def fetch() -> Document:
        # Made first: the worker's server process starts (and imports the cleaner) while the
        # page downloads.
        cleaner = PageCleaner(processes=1)
        try:
            async with HttpClient(
                user_agent=USER_AGENT, allow_private_network=settings.allow_private_network
            ) as client:
                result = await fetch_page(client, url, settings)
            document, _text = await cleaner.clean(
                result.content, result.url, result.headers.get("content-type")
            )
        finally:
            cleaner.close()
        if not document.is_article and not document.blocks:
            raise FetchError(document.note or "no article found on the page")
        return document

    try:
        document = run_async(fetch)
    except (FetchError, CleanError) as error:
        raise CommandError(f"{clean_line(url, 200)}: {error}") from None
    if output_format == "markdown":
        from reader.formats import to_markdown

        text = to_markdown(document)
    elif output_format == "json":
        import json

        text = json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        from reader.document import to_plain_text

        text = to_plain_text(document)
    sys.stdout.write(text)
    return EXIT_OK


def feeds_add(url: str, settings: Settings, *, name: str | None, folder: str | None) -> int:
    """Subscribe to the feed at `url`, or the first working feed the page there announces."""
    from reader.config import USER_AGENT
    from reader.feeds import FeedError, ParsedFeed
    from reader.feeds.discover import DiscoveredFeed, discover_feeds, fetch_feed
    from reader.net import FetchError, HttpClient

    async def find() -> tuple[DiscoveredFeed, ParsedFeed, list[DiscoveredFeed]]:
        async with HttpClient(
            user_agent=USER_AGENT,
            max_connections=settings.max_connections,
            allow_private_network=settings.allow_private_network,
        ) as client:
            found = await discover_feeds(client, url)
            for candidate in found:
                try:
                    feed = candidate.feed or await fetch_feed(
                        client, candidate.url, timeout=settings.feed_timeout
                    )
                except (FetchError, FeedError) as error:
                    note(f"skipping {candidate.url}: {error}")
                    continue
                return candidate, feed, found[found.index(candidate) + 1 :]
        raise FeedError(f"none of the {len(found)} feeds the page links to could be read")

    try:
        chosen, feed, others = run_async(find)
    except (FetchError, FeedError) as error:
        raise CommandError(f"{url}: {error}") from None
    if chosen.via != "address":
        how = "linked from the page" if chosen.via == "link" else "at a common feed path"
        title = f" ({chosen.title or feed.title})" if chosen.title or feed.title else ""
        more = f"; {len(others)} more found: add one by its URL to choose it" if others else ""
        note(f"found the feed {chosen.url}{title} {how}{more}")
        # One a line: a URL is the one thing the user needs from these, and it can be long.
        for other in others[:MAX_OTHER_FEEDS_SHOWN]:
            note(f"also found {other.url}" + (f" ({other.title})" if other.title else ""))
        if len(others) > MAX_OTHER_FEEDS_SHOWN:
            note(f"and {len(others) - MAX_OTHER_FEEDS_SHOWN} more feeds")
    store = open_store(settings)
    try:
        added = store.subscribe(chosen.url, name=_name(name), folder=_folder(folder))
        new_stories = store.save_feed(chosen.url, feed)
        carried = store.carried_stories(chosen.url)
    finally:
        store.close()
    what = "subscribed to" if added else "already subscribed to"
    note(f"{what} {feed.title or chosen.url}: {carried} stories ({new_stories} new)")
    print(chosen.url)
    return EXIT_OK


def sync_command(settings: Settings, max_time: float) -> int:
    """Refresh and prefetch without the UI, for at most `max_time` seconds; 1 when any feed
    failed or was not reached, or the library could not store."""
    from reader.sync import run_sync

    return run_sync(settings, max_time=max_time)
