"""Changes the user made to an account's stories, queued until the server has them.

A change is queued in the same transaction as the local state it changes (`queue_changes` runs
inside the caller's), so a crash between the two cannot happen: either both are kept or neither.
The queue is sent in id order, which is the order the changes were made.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from reader.store.connection import StoreConnection

ChangeKind = Literal["read", "unread", "saved", "unsaved"]
"""What a queued change does to one item (the same names as accounts.server.ChangeKind)."""

_OPPOSITE: dict[ChangeKind, ChangeKind] = {
    "read": "unread",
    "unread": "read",
    "saved": "unsaved",
    "unsaved": "saved",
}


@dataclass(frozen=True, slots=True)
class PendingChange:
    """One queued change: `id` orders the queue; `made` is the local time it was made."""

    id: int
    item_id: str
    kind: ChangeKind
    made: float


def read_change(is_read: bool) -> ChangeKind:
    """The change that marks an item read or unread."""
    return "read" if is_read else "unread"


def saved_change(is_saved: bool) -> ChangeKind:
    """The change that saves or unsaves an item."""
    return "saved" if is_saved else "unsaved"


def queue_changes(
    db: sqlite3.Connection, story_ids: Iterable[int], kind: ChangeKind, now: float | None = None
) -> int:
    """Queue `kind` for every server item the stories `story_ids` are, inside the caller's
    transaction; returns how many were queued (stories of local feeds only queue nothing).

    A change replaces one still queued for the same item and the same state (read/unread,
    saved/unsaved): only the last one matters to the server, and marking a story read and
    unread ten times must not cost twenty requests.
    """
    made = time.time() if now is None else now
    queued = 0
    for story_id in story_ids:
        db.execute(
            "DELETE FROM pending_changes WHERE kind IN (?, ?) AND (account_id, item_id) IN"
            " (SELECT account_id, item_id FROM server_items WHERE story_id = ?)",
            (kind, _OPPOSITE[kind], story_id),
        )
        queued += db.execute(
            "INSERT INTO pending_changes (made, account_id, item_id, kind)"
            " SELECT ?, account_id, item_id, ? FROM server_items WHERE story_id = ?",
            (made, kind, story_id),
        ).rowcount
    return queued


class PendingChanges(StoreConnection):
    """The queue of changes waiting to be sent to the accounts' servers."""

    def pending_changes(self, account_key: str) -> list[PendingChange]:
        """The account's queued changes, oldest first."""
        with self._reading():
            rows = self._db.execute(
                "SELECT p.id, p.item_id, p.kind, p.made FROM pending_changes p"
                " JOIN accounts a ON a.id = p.account_id WHERE a.key = ? ORDER BY p.id",
                (account_key,),
            ).fetchall()
        return [PendingChange(*row) for row in rows]

    def pending_count(self) -> int:
        """Changes queued for any account."""
        with self._reading():
            return int(self._db.execute("SELECT COUNT(*) FROM pending_changes").fetchone()[0])

    def drop_pending(self, change_id: int) -> None:
        """Forget a change the server now has."""
        with self._transaction() as db:
            db.execute("DELETE FROM pending_changes WHERE id = ?", (change_id,))
