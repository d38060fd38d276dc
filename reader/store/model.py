"""What the store hands out (stories, articles, feeds, counts) and the helpers its queries share."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from reader.document import Document


class StoreError(Exception):
    """The library could not do what was asked; str(err) says why, for the user."""


@dataclass(frozen=True, slots=True)
class Story:
    """One row of the story list, with what the list and the reader need to show it."""

    id: int
    feed_url: str
    source: str
    guid: str
    link: str | None
    title: str
    author: str
    summary: str
    published: datetime | None
    sort_time: float
    is_read: bool
    is_cached: bool
    is_saved: bool = False


@dataclass(frozen=True, slots=True)
class CachedArticle:
    """A stored article: the cleaned Document, the page's full text, and the reading position."""

    document: Document
    page_text: str
    position: float
    """How far the reader got, 0.0 at the top to 1.0 at the end."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """A feed the user chose to read, with what the Sources screen and `feeds list` show."""

    url: str
    title: str
    """The user's name for it, else the feed's own title, else the URL."""
    folder: str
    enabled: bool
    last_fetched: float | None
    last_error: str | None
    unread: int


StoryFilter = Literal["all", "unread", "saved"]

_STORY_SELECT = (
    "SELECT s.id, f.url AS feed_url,"
    " COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url) AS source,"
    " s.guid, s.link, s.title, s.author, s.summary, s.published, s.sort_time, s.is_read,"
    " s.is_saved, EXISTS (SELECT 1 FROM articles a WHERE a.url = s.link) AS is_cached"
    " FROM stories s JOIN feeds f ON f.id = s.feed_id"
)


def _story(row: sqlite3.Row) -> Story:
    published = row["published"]
    return Story(
        id=row["id"],
        # Interned: a hundred thousand stories share a hundred feed names, not copies of them.
        feed_url=sys.intern(row["feed_url"]),
        source=sys.intern(row["source"]),
        guid=row["guid"],
        link=row["link"],
        title=row["title"],
        author=row["author"],
        summary=row["summary"],
        published=datetime.fromtimestamp(published, UTC) if published else None,
        sort_time=row["sort_time"],
        is_read=bool(row["is_read"]),
        is_cached=bool(row["is_cached"]),
        is_saved=bool(row["is_saved"]),
    )


@dataclass(frozen=True, slots=True)
class FeedState:
    """A feed's validators for conditional requests, and until when the server asked us to wait."""

    etag: str | None = None
    last_modified: str | None = None
    retry_until: float | None = None


@dataclass(frozen=True, slots=True)
class FeedOverview:
    """A feed as the feeds pane lists it."""

    url: str
    title: str
    stories: int
    unread: int
    last_error: str | None
    last_fetched: float | None
    folder: str = ""
    shared: int = 0
    """Of `stories`, those another feed brought first (listed under that feed's name)."""


@dataclass(frozen=True, slots=True)
class CacheStats:
    """What the library holds, for `newsreader cache`."""

    path: Path
    file_bytes: int
    feeds: int
    stories: int
    unread: int
    saved: int
    articles: int
    article_bytes: int
    pictures: int = 0
    picture_bytes: int = 0


def _storable(text: str | None) -> str:
    """Text that SQLite accepts whatever a parser produced: no NULs, no lone surrogates."""
    if not text:
        return ""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


def carries_any(db: sqlite3.Connection, feed_urls: Iterable[str] | None) -> bool:
    """Whether any of `feed_urls` carries a story another feed brought first: only then do the
    story queries look for such stories, which made one feed's list 4× slower (11 → 43 ms of
    100,000 stories, bench/out's library) when done always."""
    if feed_urls is None:
        return False
    urls = list(feed_urls)
    row = db.execute(
        "SELECT 1 FROM story_carriers c JOIN feeds cf ON cf.id = c.feed_id"
        f" WHERE cf.url IN ({', '.join('?' * len(urls))}) LIMIT 1",
        urls,
    ).fetchone()
    return row is not None


def story_conditions(
    feed_urls: Iterable[str] | None, show: StoryFilter, *, carried: bool = False
) -> tuple[str, list[str]]:
    """The WHERE clause (and its parameters) choosing stories of `feed_urls` shown by `show`;
    `carried` adds those the feeds carry that another feed brought first (see carries_any)."""
    conditions: list[str] = []
    params: list[str] = []
    if feed_urls is not None:
        urls = list(feed_urls)
        marks = ", ".join("?" * len(urls))
        if carried:
            # A story first brought by a feed not in use still shows for the feeds that carry
            # it. The subquery runs once.
            conditions.append(
                f"(f.url IN ({marks}) OR s.id IN (SELECT c.story_id FROM story_carriers c"
                f" JOIN feeds cf ON cf.id = c.feed_id WHERE cf.url IN ({marks})))"
            )
            params += urls + urls
        else:
            conditions.append(f"f.url IN ({marks})")
            params += urls
    if show == "unread":
        conditions.append("s.is_read = 0")
    elif show == "saved":
        conditions.append("s.is_saved = 1")
    return ("WHERE " + " AND ".join(conditions)) if conditions else "", params


@dataclass(frozen=True, slots=True)
class MergedFeed:
    """What importing one feed changed: subscribed anew, or which empty fields it filled in."""

    new: bool
    name_filled: bool = False
    folder_filled: bool = False
    kept_yours: bool = False
    """The file gave another name or folder than the one already set, and the user's was kept."""
