"""The library's one SQLite connection: opening it (read-only when it must be), setting a
damaged file aside, transactions, and the one line each SQLite failure becomes."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reader.config import BUSY_TIMEOUT, PRIVATE_FILE_MODE, make_private_dir, make_private_file
from reader.store.model import StoreError, _storable, carries_any
from reader.store.schema import migrate, needs_migration

BUSY_MESSAGE = "the library is busy in another newsreader; try again"
"""What a write says when another instance held the write lock for the whole busy timeout."""

_JOURNAL_SUFFIXES = ("", "-wal", "-shm")
"""The files that make up one library: the database, its write-ahead log and shared memory."""
_CANNOT_WRITE = frozenset({sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN})
"""Primary result codes of a read-write open refused by the file system: open read-only."""
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def _primary_code(error: sqlite3.Error) -> int | None:
    """SQLite's primary result code of `error` (extended codes carry it in the low byte)."""
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def read_only_error(path: Path) -> StoreError:
    """What any write to a library that cannot be written says."""
    return StoreError(f"the library {path} is read-only: changes cannot be saved")


def store_error(error: sqlite3.Error, path: Path) -> StoreError:
    """The one line a user should read for a SQLite failure on the library at `path`."""
    code = _primary_code(error)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreError(BUSY_MESSAGE)
    if code == sqlite3.SQLITE_FULL:
        return StoreError("the disk is full: nothing more could be saved (what was saved is kept)")
    if code == sqlite3.SQLITE_READONLY:
        return read_only_error(path)
    if code in _DAMAGED:
        return StoreError(f"the library {path} is damaged: {error}")
    return StoreError(f"library {path}: {error}")


class StoreConnection:
    """The connection and its lock, shared by every part of the store. Thread-safe: one
    connection, used under a lock."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> None:
        """`read_only` opens without ever writing; it is also chosen by itself when the file or
        its directory cannot be written. `busy_timeout` is in seconds."""
        self.path = path
        self.read_only = read_only
        """Whether every write is refused (with one clear StoreError) and only reading works."""
        self.busy_timeout = busy_timeout
        self.recovered_from: Path | None = None
        """Where a damaged library file was moved aside, when this store had to start afresh."""
        self._lock = threading.RLock()
        if not read_only and not path.parent.is_dir():
            try:
                make_private_dir(path.parent)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                message = f"cannot create the library folder {path.parent}: {reason}"
                raise StoreError(message) from error
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) or self.read_only:
                raise StoreError(f"cannot open the library {path}: {error}") from error
            self.recovered_from = self._set_aside()
            self._db = self._open()

    @property
    def recovery_note(self) -> str | None:
        """What to tell the user when a damaged library was set aside, in every front end."""
        if self.recovered_from is None:
            return None
        return (
            f"the library file was damaged and has been set aside as {self.recovered_from}; "
            "a fresh one was started"
        )

    def _open(self) -> sqlite3.Connection:
        """Connect read-write where the file system lets us, else read-only; then bring the
        schema up to date (which needs the write lock only when it is older)."""
        if not self.read_only and self._writable():
            try:
                return self._connect(read_only=False)
            except sqlite3.OperationalError as error:
                if _primary_code(error) not in _CANNOT_WRITE or not self.path.exists():
                    raise
        self.read_only = True
        try:
            return self._connect(read_only=True)
        except sqlite3.OperationalError as error:
            if _primary_code(error) not in _CANNOT_WRITE:
                raise
            # A WAL library in a read-only folder: SQLite cannot create the shared-memory file
            # readers need. Nothing can write there either, so reading it as immutable is safe.
            return self._connect(read_only=True, immutable=True)

    def _writable(self) -> bool:
        """Whether the file system lets us write the library (and its journals beside it)."""
        folder_ok = os.access(self.path.parent, os.W_OK | os.X_OK)
        return folder_ok and (not self.path.exists() or os.access(self.path, os.W_OK))

    def _connect(self, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
        if read_only:
            query = "mode=ro&immutable=1" if immutable else "mode=ro"
            target = f"{self.path.resolve().as_uri()}?{query}"
        else:
            self._create_private()
            target = str(self.path)
        db = sqlite3.connect(
            target,
            uri=read_only,
            timeout=self.busy_timeout,
            check_same_thread=False,
            isolation_level=None,
        )
        try:
            db.row_factory = sqlite3.Row
            if not read_only:
                # A no-op on a library already in WAL mode, so it takes no lock then.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._db = db
            self._migrate()
            if not read_only:
                for suffix in _JOURNAL_SUFFIXES:
                    make_private_file(Path(f"{self.path}{suffix}"))
        except BaseException:
            db.close()
            raise
        return db

    def _create_private(self) -> None:
        """Create a new library file owner-only, before SQLite creates it 0644; its -wal and
        -shm files then take the same mode from it."""
        with suppress(FileExistsError):
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))

    def _set_aside(self) -> Path:
        """Move a damaged library file (and its journal) out of the way; returns where to."""
        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in _JOURNAL_SUFFIXES:
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
                make_private_file(Path(f"{aside}{suffix}"))
        return aside

    def close(self) -> None:
        """Close the connection; the store is unusable afterwards."""
        with self._lock:
            self._db.close()

    def ensure_writable(self) -> None:
        """Raise the one-line StoreError a write gets when this library is read-only."""
        if self.read_only:
            raise read_only_error(self.path)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: committed whole or not at all. A SQLite failure (busy past the
        timeout, disk full, read-only) becomes one StoreError saying which."""
        with self._lock:
            self.ensure_writable()
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                self._roll_back()
                raise store_error(error, self.path) from error
            except BaseException:
                self._roll_back()
                raise

    def _roll_back(self) -> None:
        """Undo the open transaction, if SQLite has not already: on a full disk it rolls back
        by itself, and a second ROLLBACK would replace "disk is full" with "no transaction"."""
        if self._db.in_transaction:
            # The error being raised is the one to report; closing rolls back anyway.
            with suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read under the lock; a SQLite failure (a damaged page…) becomes one StoreError."""
        with self._lock:
            try:
                yield self._db
            except sqlite3.Error as error:
                raise store_error(error, self.path) from error

    def _carries_any(self, feed_urls: list[str] | None) -> bool:
        """Whether any of `feed_urls` carries another feed's story (model.carries_any)."""
        with self._reading() as db:
            return carries_any(db, feed_urls)

    def _migrate(self) -> None:
        """Bring the schema up to date; the write lock is taken only when it is older, so a
        busy or read-only library still opens for reading."""
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if not needs_migration(version):
            return
        if self.read_only:
            raise StoreError(
                f"the library {self.path} is read-only and needs upgrading: open it once"
                " where it can be written"
            )
        with self._transaction() as db:
            migrate(db)

    def _feed_id(self, db: sqlite3.Connection, url: str) -> int:
        db.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (_storable(url),))
        return int(
            db.execute("SELECT id FROM feeds WHERE url = ?", (_storable(url),)).fetchone()[0]
        )
