"""Cached articles, prefetch back-off, retention and the library's sizes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

from reader.document import Document
from reader.store.connection import StoreConnection
from reader.store.model import (
    _STORY_SELECT,
    CachedArticle,
    CacheStats,
    Story,
    _storable,
    _story,
    story_conditions,
)

PREFETCH_RETRY_BASE = 15 * 60
"""Seconds before a failed prefetch is tried again; doubled per failure (15 min, 30, 1 h …)."""
PREFETCH_RETRY_MAX = 24 * 3600
"""Longest wait between prefetch attempts of one article: a day."""
_PICTURE_BYTES = (
    "(SELECT COALESCE(SUM(length(p.data)), 0) FROM pictures p WHERE p.article = articles.url)"
)
"""The bytes of an article's pictures, in a query over `articles`."""


class ArticleCache(StoreConnection):
    """Cleaned articles, their reading positions, and keeping the cache within its limits."""

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
        with self._reading():
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
        urls = list(feed_urls)
        where, params = story_conditions(urls, "unread", carried=self._carries_any(urls))
        query = (
            f"{_STORY_SELECT} {where} AND s.link IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = s.link)"
            " AND NOT EXISTS (SELECT 1 FROM prefetch_failures p"
            "  WHERE p.url = s.link AND p.next_attempt > ?)"
            f" ORDER BY s.sort_time DESC LIMIT {int(limit)}"
        )
        with self._reading():
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
        `max_bytes`; an article's pictures count in its size and go with it (the schema's
        foreign key), and pictures kept for no article go by age, and before any article when
        over the size limit. Saved stories' articles are
        never removed; read, unsaved stories older than the age limit go too (their feed may
        still list them, and then they simply come back).
        """
        now = time.time() if now is None else now
        cutoff = now - max_age_days * 86_400
        keep = "url NOT IN (SELECT link FROM stories WHERE is_saved = 1 AND link IS NOT NULL)"
        with self._transaction() as db:
            removed = db.execute(
                f"DELETE FROM articles WHERE fetched < ? AND {keep}", (cutoff,)
            ).rowcount
            db.execute("DELETE FROM pictures WHERE article IS NULL AND fetched < ?", (cutoff,))
            total = db.execute(
                "SELECT (SELECT COALESCE(SUM(size), 0) FROM articles)"
                " + (SELECT COALESCE(SUM(length(data)), 0) FROM pictures)"
            ).fetchone()[0]
            if total > max_bytes:
                # Pictures kept for no cached article are worth less than any article: first.
                total -= db.execute(
                    "SELECT COALESCE(SUM(length(data)), 0) FROM pictures WHERE article IS NULL"
                ).fetchone()[0]
                db.execute("DELETE FROM pictures WHERE article IS NULL")
                for url, size in db.execute(
                    f"SELECT url, size + {_PICTURE_BYTES} FROM articles WHERE {keep}"
                    " ORDER BY fetched"
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
        with self._reading():
            db = self._db
            feeds = db.execute("SELECT COUNT(*) FROM feeds").fetchone()[0]
            stories, unread, saved = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(is_read = 0), 0), COALESCE(SUM(is_saved), 0)"
                " FROM stories"
            ).fetchone()
            articles, article_bytes = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM articles"
            ).fetchone()
            pictures, picture_bytes = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(length(data)), 0) FROM pictures"
            ).fetchone()
        file_bytes = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return CacheStats(
            self.path,
            file_bytes,
            feeds,
            stories,
            unread,
            saved,
            articles,
            article_bytes,
            pictures,
            picture_bytes,
        )
