"""The SQLite library: feeds, stories, cached articles and read state.

One file in the user's data directory, WAL mode, one transaction per unit of work, so killing the
app mid-refresh loses nothing already committed. Every string stored has passed the sanitiser, and
`_storable` makes sure no lone surrogate or NUL can make an insert fail.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reader.config import DEFAULT_FEEDS
from reader.document import Document

if TYPE_CHECKING:
    # Types only: importing the parsers (feedparser, selectolax) costs the CLI ~60 ms.
    from reader.feeds import FeedEntry, ParsedFeed

SCHEMA_VERSION = 2
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
# Version 2: conditional requests and politeness per feed, saved stories, article sizes for
# retention, prefetch failures with back-off, and full-text search.
_SCHEMA_V2 = """
ALTER TABLE feeds ADD COLUMN etag TEXT;
ALTER TABLE feeds ADD COLUMN last_modified TEXT;
ALTER TABLE feeds ADD COLUMN retry_until REAL;
ALTER TABLE stories ADD COLUMN is_saved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET size = length(document) + length(page_text);
CREATE INDEX stories_by_feed ON stories (feed_id, sort_time DESC);
CREATE TABLE prefetch_failures (
    url TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    next_attempt REAL NOT NULL,
    error TEXT NOT NULL
);
CREATE VIRTUAL TABLE story_search USING fts5 (
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO story_search (rowid, title, body) SELECT id, title, summary FROM stories;
"""

PREFETCH_RETRY_BASE = 15 * 60
"""Seconds before a failed prefetch is tried again; doubled per failure (15 min, 30, 1 h …)."""
PREFETCH_RETRY_MAX = 24 * 3600
"""Longest wait between prefetch attempts of one article: a day."""
MAX_SEARCH_WORDS = 16
"""Words of a search kept: more only slows the query without narrowing it."""
SEARCH_TITLE_WEIGHT = 10.0
"""bm25 weight of a title match against a body match: a word in the title says more."""
SEARCH_CANDIDATES = 5
"""Index hits ranked per result wanted, so a filter to some feeds still finds enough."""


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


_WORD = re.compile(r"\w+")


def fts_query(text: str) -> str:
    """A safe FTS5 query for what the user typed: every word required, the last as a prefix.

    Words are quoted, so nothing typed can be read as FTS syntax (NEAR, column filters, quotes).
    """
    words = _WORD.findall(text)[:MAX_SEARCH_WORDS]
    if not words:
        return ""
    quoted = [f'"{word}"' for word in words]
    if not text.rstrip()[-1:].isspace() and text[-1:].isalnum():
        quoted[-1] += "*"
    return " ".join(quoted)


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
        self.recovered_from: Path | None = None
        """Where a damaged library file was moved aside, when this store had to start afresh."""
        self._lock = threading.RLock()
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError):
                raise StoreError(f"cannot open the library {path}: {error}") from error
            self.recovered_from = self._set_aside()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None
        )
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._db = db
            self._migrate()
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> Path:
        """Move a damaged library file (and its journal) out of the way; returns where to."""
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
        return aside

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: committed whole or not at all."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                # Another instance held the write lock for all of BUSY_TIMEOUT_MS.
                raise StoreError("the library is busy in another newsreader; try again") from error
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _migrate(self) -> None:
        """Create the schema, or upgrade an older library to SCHEMA_VERSION, in one transaction."""
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the library was written by a newer newsreader (schema {version})"
                )
            for number, script in enumerate((_SCHEMA_V1, _SCHEMA_V2), start=1):
                if version < number:
                    # Statement by statement: executescript() would commit our transaction.
                    for statement in script.split(";\n"):
                        if statement.strip():
                            db.execute(statement)
                    if number == 2:
                        db.execute(
                            "INSERT INTO story_search (story_search, rank) VALUES ('rank', ?)",
                            (f"bm25({SEARCH_TITLE_WEIGHT}, 1.0)",),
                        )
                        self._index_cached_articles(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _index_cached_articles(self, db: sqlite3.Connection) -> None:
        """Put the text of every cached article into the search index (upgrading to v2)."""
        for url, payload in db.execute("SELECT url, document FROM articles").fetchall():
            text = Document.from_dict(json.loads(payload)).text
            db.execute(
                "UPDATE story_search SET body = ? WHERE rowid IN"
                " (SELECT id FROM stories WHERE link = ?)",
                (text, url),
            )

    # Feeds and stories

    def _feed_id(self, db: sqlite3.Connection, url: str) -> int:
        db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (_storable(url),))
        return int(
            db.execute("SELECT id FROM feeds WHERE url = ?", (_storable(url),)).fetchone()[0]
        )

    def save_feed(
        self,
        url: str,
        feed: ParsedFeed,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        now: float | None = None,
    ) -> int:
        """Store a freshly parsed feed and its entries; returns how many stories were new.

        An entry already known (by id, or by link when it has no id: `_save_entry`) updates
        nothing the user owns (read state, first-seen time): the same story seen twice is one
        row. The validators are kept for the next conditional request.
        """
        now = time.time() if now is None else now
        new = 0
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            db.execute(
                "UPDATE feeds SET title = ?, site_url = ?, last_fetched = ?, last_error = NULL,"
                " etag = ?, last_modified = ?, retry_until = NULL WHERE id = ?",
                (
                    _storable(feed.title),
                    _storable(feed.link) or None,
                    now,
                    _storable(etag) or None,
                    _storable(last_modified) or None,
                    feed_id,
                ),
            )
            for entry in feed.entries:
                new += self._save_entry(db, feed_id, entry, now)
        return new

    def feed_not_modified(self, url: str, *, now: float | None = None) -> None:
        """Record a 304: the feed was checked and nothing changed."""
        with self._transaction() as db:
            db.execute(
                "UPDATE feeds SET last_fetched = ?, last_error = NULL, retry_until = NULL"
                " WHERE url = ?",
                (time.time() if now is None else now, _storable(url)),
            )

    def feed_state(self, url: str) -> FeedState:
        """What the next request for a feed needs: its validators and any wait the server set."""
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, retry_until FROM feeds WHERE url = ?",
                (_storable(url),),
            ).fetchone()
        return FeedState(*row) if row else FeedState()

    def _save_entry(
        self, db: sqlite3.Connection, feed_id: int, entry: FeedEntry, now: float
    ) -> int:
        """Insert or update one story; returns 1 if it was new.

        An id identifies a story; a link only when the feed gave no id. So an entry is this feed's
        row with the same id (the stand-in link for an entry without one, as every version
        stored it), else, without an id of its own, any row with its link, this feed's first;
        with one, another feed's row with both its id and its link (the same feed subscribed
        under two addresses). Entries sharing only a link are distinct stories.
        """
        guid = _storable(entry.id)
        link = _storable(entry.link) or None
        row = db.execute(
            "SELECT id FROM stories WHERE feed_id = ? AND guid = ?", (feed_id, guid)
        ).fetchone()
        if row is None and link:
            if entry.id_from_feed:
                same = db.execute(
                    "SELECT id, feed_id FROM stories WHERE link = ? AND guid = ? LIMIT 1",
                    (link, guid),
                ).fetchone()
            else:
                same = db.execute(
                    "SELECT id, feed_id FROM stories WHERE link = ? ORDER BY feed_id != ? LIMIT 1",
                    (link, feed_id),
                ).fetchone()
            if same is not None and same[1] != feed_id:
                return 0  # Another feed's story: it stays as that feed tells it.
            row = same
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
            db.execute("UPDATE story_search SET title = ? WHERE rowid = ?", (values[0], row[0]))
            return 0
        cursor = db.execute(
            "INSERT INTO stories (title, author, summary, content_html, published, feed_id, guid,"
            " link, first_seen, sort_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, feed_id, guid, link, now, published or now),
        )
        db.execute(
            "INSERT INTO story_search (rowid, title, body) VALUES (?, ?, ?)",
            (cursor.lastrowid, values[0], values[2]),
        )
        return 1

    def record_feed_error(
        self,
        url: str,
        error: str,
        *,
        retry_until: float | None = None,
        now: float | None = None,
    ) -> None:
        """Remember why the last fetch of a feed failed (and any wait the server asked for);
        its stories stay as they were."""
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            db.execute(
                "UPDATE feeds SET last_error = ?, last_fetched = ?, retry_until = ? WHERE id = ?",
                (_storable(error), time.time() if now is None else now, retry_until, feed_id),
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

    def feeds_in_use(self, chosen_for_this_run: tuple[str, ...] | None) -> tuple[str, ...]:
        """The feeds a run reads: those given for it (`--feed`), else the user's enabled feeds,
        else the built-in defaults until the user has any feed of their own."""
        if chosen_for_this_run is not None:
            return chosen_for_this_run
        with self._lock:
            rows = self._db.execute(
                "SELECT url, enabled FROM feeds WHERE subscribed = 1"
            ).fetchall()
        if not rows:
            return DEFAULT_FEEDS
        return tuple(url for url, enabled in rows if enabled)

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

    def feed_overview(self, feed_urls: Iterable[str]) -> list[FeedOverview]:
        """Each of `feed_urls` with its title, story counts and last error, by title."""
        urls = list(feed_urls)
        with self._lock:
            rows = self._db.execute(
                "SELECT f.url, COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url),"
                " COUNT(s.id), COALESCE(SUM(s.is_read = 0), 0), f.last_error, f.last_fetched,"
                " f.folder FROM feeds f LEFT JOIN stories s ON s.feed_id = f.id"
                f" WHERE f.url IN ({', '.join('?' * len(urls))})"
                " GROUP BY f.id ORDER BY f.folder, 2 COLLATE NOCASE",
                urls,
            ).fetchall()
        return [FeedOverview(*row) for row in rows]

    def feed_titles(self) -> dict[str, str]:
        """Feed URL → the title the feed gives itself (empty until first fetched)."""
        with self._lock:
            rows = self._db.execute("SELECT url, COALESCE(NULLIF(name, ''), title) FROM feeds")
            return {row[0]: row[1] for row in rows}

    def stories(
        self,
        feed_urls: Iterable[str] | None = None,
        *,
        show: StoryFilter = "all",
        limit: int | None = None,
    ) -> list[Story]:
        """Stories newest first: of `feed_urls` when given, all, unread or saved ones."""
        where, params = self._story_conditions(feed_urls, show)
        query = f"{_STORY_SELECT} {where} ORDER BY s.sort_time DESC, s.id DESC"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [_story(row) for row in rows]

    def search(
        self, text: str, feed_urls: Iterable[str] | None = None, *, limit: int = 200
    ) -> list[Story]:
        """Stories whose title or cached article matches every word of `text`, best first.

        The last word matches as a prefix, so results follow the user's typing.
        """
        match = fts_query(text)
        if not match:
            return []
        where, params = self._story_conditions(feed_urls, "all")
        # Rank inside the index first and join only the best hits: joining every match of a
        # common word before ranking took ~80 ms in a library of 100,000 stories.
        query = (
            "WITH hits AS (SELECT rowid, rank FROM story_search WHERE story_search MATCH ?"
            f" ORDER BY rank LIMIT {int(limit) * SEARCH_CANDIDATES})"
            f" {_STORY_SELECT} JOIN hits ON hits.rowid = s.id {where}"
            f" ORDER BY hits.rank, s.sort_time DESC LIMIT {int(limit)}"
        )
        with self._lock:
            rows = self._db.execute(query, [match, *params]).fetchall()
        return [_story(row) for row in rows]

    @staticmethod
    def _story_conditions(
        feed_urls: Iterable[str] | None, show: StoryFilter
    ) -> tuple[str, list[str]]:
        conditions: list[str] = []
        params: list[str] = []
        if feed_urls is not None:
            urls = list(feed_urls)
            conditions.append(f"f.url IN ({', '.join('?' * len(urls))})")
            params += urls
        if show == "unread":
            conditions.append("s.is_read = 0")
        elif show == "saved":
            conditions.append("s.is_saved = 1")
        return ("WHERE " + " AND ".join(conditions)) if conditions else "", params

    def story_content(self, story_id: int) -> str:
        """The HTML content the feed gave for a story ("" when it gave none)."""
        with self._lock:
            row = self._db.execute(
                "SELECT content_html FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
        return row[0] if row else ""

    def set_read(self, story_id: int, is_read: bool = True) -> None:
        """Mark a story read or unread."""
        with self._transaction() as db:
            db.execute("UPDATE stories SET is_read = ? WHERE id = ?", (int(is_read), story_id))

    def mark_all_read(self, feed_urls: Iterable[str] | None = None) -> int:
        """Mark every story (of `feed_urls` when given) read; returns how many changed."""
        where, params = self._story_conditions(feed_urls, "unread")
        with self._transaction() as db:
            return db.execute(
                "UPDATE stories SET is_read = 1 WHERE id IN"
                f" (SELECT s.id FROM stories s JOIN feeds f ON f.id = s.feed_id {where})",
                params,
            ).rowcount

    def set_saved(self, story_id: int, is_saved: bool = True) -> None:
        """Save a story (its article is then never evicted) or unsave it."""
        with self._transaction() as db:
            db.execute("UPDATE stories SET is_saved = ? WHERE id = ?", (int(is_saved), story_id))

    # Articles

    def save_article(
        self, url: str, document: Document, page_text: str = "", *, now: float | None = None
    ) -> None:
        """Cache the cleaned article of `url` and the page's full text, replacing older copies.

        The reading position survives a re-fetch of the same URL; the article's text becomes
        searchable, and any record of failed prefetches of it is cleared.
        """
        payload = _storable(json.dumps(document.to_dict(), ensure_ascii=False))
        text = _storable(page_text)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO articles (url, document, page_text, fetched, size)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET"
                " document = excluded.document, page_text = excluded.page_text,"
                " fetched = excluded.fetched, size = excluded.size",
                (
                    _storable(url),
                    payload,
                    text,
                    time.time() if now is None else now,
                    len(payload) + len(text),
                ),
            )
            if body := _storable(document.text):
                db.execute(
                    "UPDATE story_search SET body = ? WHERE rowid IN"
                    " (SELECT id FROM stories WHERE link = ?)",
                    (body, _storable(url)),
                )
            db.execute("DELETE FROM prefetch_failures WHERE url = ?", (_storable(url),))

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

    # Prefetch

    def stories_to_prefetch(
        self, feed_urls: Iterable[str], *, now: float | None = None, limit: int = 500
    ) -> list[Story]:
        """Unread stories, newest first, whose article is not cached and is due a (re)try."""
        where, params = self._story_conditions(feed_urls, "unread")
        query = (
            f"{_STORY_SELECT} {where} AND s.link IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = s.link)"
            " AND NOT EXISTS (SELECT 1 FROM prefetch_failures p"
            "  WHERE p.url = s.link AND p.next_attempt > ?)"
            f" ORDER BY s.sort_time DESC LIMIT {int(limit)}"
        )
        with self._lock:
            rows = self._db.execute(query, [*params, time.time() if now is None else now])
            return [_story(row) for row in rows.fetchall()]

    def record_prefetch_failure(self, url: str, error: str, *, now: float | None = None) -> None:
        """Note a failed prefetch; the next try waits longer each time (never a tight loop)."""
        now = time.time() if now is None else now
        with self._transaction() as db:
            row = db.execute(
                "SELECT attempts FROM prefetch_failures WHERE url = ?", (_storable(url),)
            ).fetchone()
            attempts = (row[0] if row else 0) + 1
            wait = min(PREFETCH_RETRY_MAX, PREFETCH_RETRY_BASE * 2 ** (attempts - 1))
            db.execute(
                "INSERT OR REPLACE INTO prefetch_failures (url, attempts, next_attempt, error)"
                " VALUES (?, ?, ?, ?)",
                (_storable(url), attempts, now + wait, _storable(error)),
            )

    # Retention

    def prune(self, *, max_age_days: float, max_bytes: int, now: float | None = None) -> int:
        """Apply the retention limits; returns how many cached articles were removed.

        Articles older than `max_age_days` go first, then the oldest until the cache fits in
        `max_bytes`. Saved stories' articles are never removed; read, unsaved stories older than
        the age limit go too (their feed may still list them, and then they simply come back).
        """
        now = time.time() if now is None else now
        cutoff = now - max_age_days * 86_400
        keep = "url NOT IN (SELECT link FROM stories WHERE is_saved = 1 AND link IS NOT NULL)"
        with self._transaction() as db:
            removed = db.execute(
                f"DELETE FROM articles WHERE fetched < ? AND {keep}", (cutoff,)
            ).rowcount
            total = db.execute("SELECT COALESCE(SUM(size), 0) FROM articles").fetchone()[0]
            if total > max_bytes:
                for url, size in db.execute(
                    f"SELECT url, size FROM articles WHERE {keep} ORDER BY fetched"
                ).fetchall():
                    if total <= max_bytes:
                        break
                    db.execute("DELETE FROM articles WHERE url = ?", (url,))
                    total -= size
                    removed += 1
            old_stories = (
                "SELECT id FROM stories WHERE is_saved = 0 AND is_read = 1 AND sort_time < ?"
            )
            db.execute(f"DELETE FROM story_search WHERE rowid IN ({old_stories})", (cutoff,))
            db.execute(f"DELETE FROM stories WHERE id IN ({old_stories})", (cutoff,))
        return removed

    def stats(self) -> CacheStats:
        """Sizes and counts of what the library holds."""
        with self._lock:
            db = self._db
            feeds = db.execute("SELECT COUNT(*) FROM feeds").fetchone()[0]
            stories, unread, saved = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(is_read = 0), 0), COALESCE(SUM(is_saved), 0)"
                " FROM stories"
            ).fetchone()
            articles, article_bytes = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM articles"
            ).fetchone()
        file_bytes = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return CacheStats(
            self.path, file_bytes, feeds, stories, unread, saved, articles, article_bytes
        )
