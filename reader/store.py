"""The SQLite library: feeds, stories, cached articles and read state.

One file in the user's data directory, WAL mode, one transaction per unit of work, so killing the
app mid-refresh loses nothing already committed. Every string stored has passed the sanitiser, and
`_storable` makes sure no lone surrogate or NUL can make an insert fail.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.document import Document
from reader.feeds import FeedEntry, ParsedFeed

SCHEMA_VERSION = 1
"""Bumped with every schema change; `_migrate` upgrades older libraries step by step."""

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another instance's transaction before giving up."""

_SCHEMA_V1 = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    folder TEXT NOT NULL DEFAULT '',
    subscribed INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    site_url TEXT,
    last_fetched REAL,
    last_error TEXT
);
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    link TEXT,
    title TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    published REAL,
    first_seen REAL NOT NULL,
    sort_time REAL NOT NULL,
    is_read INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed_id, guid)
);
CREATE INDEX stories_by_time ON stories (sort_time DESC, id DESC);
CREATE INDEX stories_by_link ON stories (link);
CREATE TABLE articles (
    url TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    page_text TEXT NOT NULL DEFAULT '',
    fetched REAL NOT NULL,
    position REAL NOT NULL DEFAULT 0
);
"""


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


def _storable(text: str | None) -> str:
    """Text that SQLite accepts whatever a parser produced: no NULs, no lone surrogates."""
    if not text:
        return ""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


class Store:
    """The library database. Thread-safe: one connection, used under a lock."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: committed whole or not at all."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        """Create the schema, or upgrade an older library to SCHEMA_VERSION."""
        with self._transaction() as db:
            if db.execute("PRAGMA user_version").fetchone()[0] == 0:
                # Statement by statement: executescript() would commit our transaction first.
                for statement in _SCHEMA_V1.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # Feeds and stories

    def feed_id(self, url: str) -> int:
        """The id of the feed at `url`, adding it if it is new."""
        with self._transaction() as db:
            return self._feed_id(db, url)

    def _feed_id(self, db: sqlite3.Connection, url: str) -> int:
        db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (_storable(url),))
        return int(
            db.execute("SELECT id FROM feeds WHERE url = ?", (_storable(url),)).fetchone()[0]
        )

    def save_feed(self, url: str, feed: ParsedFeed, *, now: float | None = None) -> int:
        """Store a freshly parsed feed and its entries; returns how many stories were new.

        An entry already known by guid, or by link from any feed, updates nothing the user owns
        (read state, first-seen time): the same story seen twice is one row.
        """
        now = time.time() if now is None else now
        new = 0
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            db.execute(
                "UPDATE feeds SET title = ?, site_url = ?, last_fetched = ?, last_error = NULL"
                " WHERE id = ?",
                (_storable(feed.title), _storable(feed.link) or None, now, feed_id),
            )
            for entry in feed.entries:
                new += self._save_entry(db, feed_id, entry, now)
        return new

    def _save_entry(
        self, db: sqlite3.Connection, feed_id: int, entry: FeedEntry, now: float
    ) -> int:
        link = _storable(entry.link) or None
        row = db.execute(
            "SELECT id FROM stories WHERE feed_id = ? AND guid = ?", (feed_id, _storable(entry.id))
        ).fetchone()
        if row is None and link:
            by_link = db.execute(
                "SELECT id, feed_id FROM stories WHERE link = ? LIMIT 1", (link,)
            ).fetchone()
            if by_link is not None and by_link[1] != feed_id:
                return 0  # Another feed's story: it stays as that feed tells it.
            row = by_link
        published = _timestamp(entry.published)
        values = (
            _storable(entry.title),
            _storable(entry.author),
            _storable(entry.summary),
            _storable(entry.content_html),
            published,
        )
        if row is not None:
            db.execute(
                "UPDATE stories SET title = ?, author = ?, summary = ?, content_html = ?,"
                " published = COALESCE(?, published) WHERE id = ?",
                (*values, row[0]),
            )
            return 0
        db.execute(
            "INSERT INTO stories (title, author, summary, content_html, published, feed_id, guid,"
            " link, first_seen, sort_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, feed_id, _storable(entry.id), link, now, published or now),
        )
        return 1

    def record_feed_error(self, url: str, error: str, *, now: float | None = None) -> None:
        """Remember why the last fetch of a feed failed; its stories stay as they were."""
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            db.execute(
                "UPDATE feeds SET last_error = ?, last_fetched = ? WHERE id = ?",
                (_storable(error), time.time() if now is None else now, feed_id),
            )

    def subscribe(self, url: str, *, name: str = "", folder: str = "") -> bool:
        """Add `url` to the user's feeds (or re-enable it); True if it was not subscribed before."""
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            was = db.execute("SELECT subscribed FROM feeds WHERE id = ?", (feed_id,)).fetchone()[0]
            db.execute(
                "UPDATE feeds SET subscribed = 1, enabled = 1,"
                " name = CASE WHEN ? != '' THEN ? ELSE name END,"
                " folder = CASE WHEN ? != '' THEN ? ELSE folder END WHERE id = ?",
                (_storable(name), _storable(name), _storable(folder), _storable(folder), feed_id),
            )
        return not was

    def unsubscribe(self, url: str) -> bool:
        """Remove a feed and its stories; cached articles stay. True if it was subscribed."""
        with self._transaction() as db:
            return (
                db.execute(
                    "DELETE FROM feeds WHERE url = ? AND subscribed = 1", (_storable(url),)
                ).rowcount
                > 0
            )

    def update_subscription(
        self,
        url: str,
        *,
        name: str | None = None,
        folder: str | None = None,
        enabled: bool | None = None,
    ) -> None:
        """Rename a feed, move it to a folder, or enable or disable it."""
        with self._transaction() as db:
            for column, value in (("name", name), ("folder", folder), ("enabled", enabled)):
                if value is not None:
                    stored = int(value) if isinstance(value, bool) else _storable(value)
                    db.execute(
                        f"UPDATE feeds SET {column} = ? WHERE url = ?", (stored, _storable(url))
                    )

    def subscriptions(self) -> list[Subscription]:
        """The user's feeds by folder then title, with their unread counts."""
        with self._lock:
            rows = self._db.execute(
                "SELECT f.url, COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url), f.folder,"
                " f.enabled, f.last_fetched, f.last_error,"
                " (SELECT COUNT(*) FROM stories s WHERE s.feed_id = f.id AND s.is_read = 0)"
                " FROM feeds f WHERE f.subscribed = 1 ORDER BY f.folder, 2 COLLATE NOCASE"
            ).fetchall()
        return [
            Subscription(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6])
            for row in rows
        ]

    def feed_titles(self) -> dict[str, str]:
        """Feed URL → the title the feed gives itself (empty until first fetched)."""
        with self._lock:
            rows = self._db.execute("SELECT url, COALESCE(NULLIF(name, ''), title) FROM feeds")
            return {row[0]: row[1] for row in rows}

    def stories(self, feed_urls: Iterable[str] | None = None) -> list[Story]:
        """Every story, newest first; only those of `feed_urls` when given."""
        query = (
            "SELECT s.id, f.url AS feed_url,"
            " COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url) AS source,"
            " s.guid, s.link, s.title, s.author, s.summary, s.published, s.sort_time, s.is_read,"
            " EXISTS (SELECT 1 FROM articles a WHERE a.url = s.link) AS is_cached"
            " FROM stories s JOIN feeds f ON f.id = s.feed_id"
        )
        params: list[str] = []
        if feed_urls is not None:
            urls = list(feed_urls)
            query += f" WHERE f.url IN ({', '.join('?' * len(urls))})"
            params = urls
        query += " ORDER BY s.sort_time DESC, s.id DESC"
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [
            Story(
                id=row["id"],
                feed_url=row["feed_url"],
                source=row["source"],
                guid=row["guid"],
                link=row["link"],
                title=row["title"],
                author=row["author"],
                summary=row["summary"],
                published=(
                    datetime.fromtimestamp(row["published"], UTC) if row["published"] else None
                ),
                sort_time=row["sort_time"],
                is_read=bool(row["is_read"]),
                is_cached=bool(row["is_cached"]),
            )
            for row in rows
        ]

    def set_read(self, story_id: int, is_read: bool = True) -> None:
        """Mark a story read or unread."""
        with self._transaction() as db:
            db.execute("UPDATE stories SET is_read = ? WHERE id = ?", (int(is_read), story_id))

    # Articles

    def save_article(
        self, url: str, document: Document, page_text: str = "", *, now: float | None = None
    ) -> None:
        """Cache the cleaned article of `url` and the page's full text, replacing older copies.

        The reading position survives a re-fetch of the same URL.
        """
        payload = _storable(json.dumps(document.to_dict(), ensure_ascii=False))
        with self._transaction() as db:
            db.execute(
                "INSERT INTO articles (url, document, page_text, fetched) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET document = excluded.document,"
                " page_text = excluded.page_text, fetched = excluded.fetched",
                (
                    _storable(url),
                    payload,
                    _storable(page_text),
                    time.time() if now is None else now,
                ),
            )

    def article(self, url: str) -> CachedArticle | None:
        """The cached article of `url`, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT document, page_text, position FROM articles WHERE url = ?",
                (_storable(url),),
            ).fetchone()
        if row is None:
            return None
        return CachedArticle(Document.from_dict(json.loads(row[0])), row[1], row[2])

    def save_position(self, url: str, fraction: float) -> None:
        """Remember how far through the cached article of `url` the reader got (0.0–1.0)."""
        with self._transaction() as db:
            db.execute(
                "UPDATE articles SET position = ? WHERE url = ?",
                (min(1.0, max(0.0, fraction)), _storable(url)),
            )
