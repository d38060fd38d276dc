"""Cached pictures: our scaled re-encodings, kept with the article they belong to.

They are BLOBs in the library rather than files beside it: one file to back up, move or set
aside when damaged, owner-only like the rest; a picture goes in the same transaction as its
record and goes with its article through the foreign key, so no orphan file is ever left; and
at the sizes kept (tens to a few hundred KB, MAX_PICTURE_WIDTH wide at most) SQLite reads a
BLOB as fast as the file system opens a file.
"""

from __future__ import annotations

import sqlite3
import time

from reader.pictures.model import Picture
from reader.store.connection import StoreConnection
from reader.store.model import _storable


class PictureCache(StoreConnection):
    """Pictures by source address, each kept for the article it was fetched for."""

    def save_picture(
        self, picture: Picture, *, article: str | None = None, now: float | None = None
    ) -> None:
        """Keep `picture` for `article` (replacing an older copy), and forget failures to fetch
        it. A picture of an article not cached is kept on its own (pruned by age)."""
        src = _storable(picture.src)
        with self._transaction() as db:
            owner = _storable(article) if article else None
            if owner is not None and not _article_cached(db, owner):
                owner = None
            db.execute(
                "DELETE FROM pictures WHERE src = ? AND ifnull(article, '') = ifnull(?, '')",
                (src, owner),
            )
            db.execute(
                "INSERT INTO pictures (src, article, width, height, data, fetched)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    src,
                    owner,
                    picture.width,
                    picture.height,
                    picture.data,
                    time.time() if now is None else now,
                ),
            )
            db.execute("DELETE FROM prefetch_failures WHERE url = ?", (src,))

    def picture(self, src: str, *, article: str | None = None) -> Picture | None:
        """The cached picture from `src`: the copy kept for `article` if there is one, else
        any copy; None when it was never stored."""
        with self._reading() as db:
            row = db.execute(
                "SELECT width, height, data FROM pictures WHERE src = ?"
                " ORDER BY ifnull(article, '') = ifnull(?, '') DESC LIMIT 1",
                (_storable(src), _storable(article) if article else None),
            ).fetchone()
        if row is None:
            return None
        return Picture(src, row[0], row[1], bytes(row[2]))

    def has_picture(self, src: str, article: str) -> bool:
        """Whether `article` already keeps its own copy of the picture from `src`."""
        with self._reading() as db:
            row = db.execute(
                "SELECT 1 FROM pictures WHERE src = ? AND article = ?",
                (_storable(src), _storable(article)),
            ).fetchone()
        return row is not None

    def picture_failure(self, src: str) -> tuple[str, float] | None:
        """Why fetching the picture from `src` last failed, and when it may be tried again."""
        with self._reading() as db:
            row = db.execute(
                "SELECT error, next_attempt FROM prefetch_failures WHERE url = ?",
                (_storable(src),),
            ).fetchone()
        return None if row is None else (str(row[0]), float(row[1]))


def _article_cached(db: sqlite3.Connection, url: str) -> bool:
    """Whether the article at `url` is in the cache (a picture can belong to it)."""
    return db.execute("SELECT 1 FROM articles WHERE url = ?", (url,)).fetchone() is not None
