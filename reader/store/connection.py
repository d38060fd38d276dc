"""The library's one SQLite connection: opening it, setting a damaged file aside, transactions."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reader.store.model import StoreError, _storable
from reader.store.schema import migrate

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another instance's transaction before giving up."""


class StoreConnection:
    """The connection and its lock, shared by every part of the store. Thread-safe: one
    connection, used under a lock."""

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
        """Bring the schema up to date in one transaction."""
        with self._transaction() as db:
            migrate(db)

    def _feed_id(self, db: sqlite3.Connection, url: str) -> int:
        db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (_storable(url),))
        return int(
            db.execute("SELECT id FROM feeds WHERE url = ?", (_storable(url),)).fetchone()[0]
        )
