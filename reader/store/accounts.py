"""Feed server accounts in the library: their feeds, their items and the sync's bookkeeping.

An account's feed is a row of `feeds` like any other (so listing, counting, searching and
prefetching need nothing new), found by the account and the server's feed id; its group is the
feed's folder. Its row URL is a key of ours (`account:<n>/feed/<id>`), never fetched: a local
feed may have the feed's own address. Each server item is one story (`server_items`): a new
story of the account's feed, or, when a stored story has its link, that story, which the
account's feed then carries too, so a feed read both locally and on the server shows once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.store.connection import StoreConnection
from reader.store.model import _storable
from reader.store.pending import queue_changes
from reader.store.stories import insert_story

if TYPE_CHECKING:
    from reader.feeds import FeedEntry


@dataclass(frozen=True, slots=True)
class AccountFeed:
    """A feed of the account as the sync stores it, every string sanitized."""

    server_id: str
    title: str
    url: str
    """The feed's own address, where its links come from (for prefetch's reach)."""
    site_url: str
    folder: str
    """The server's group, "" when in none."""


@dataclass(frozen=True, slots=True)
class AccountItem:
    """A server item as the sync stores it: its ids, the story (sanitized) and its state."""

    item_id: str
    feed_server_id: str
    entry: FeedEntry
    is_read: bool
    is_saved: bool


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """Where an account's sync stands."""

    since_id: str | None
    """The highest item id stored: the next sync asks for the items after it."""
    feeds_checked: float | None
    """When the account's feed list was last fetched."""


def _account_id(db: sqlite3.Connection, key: str) -> int:
    row = db.execute("SELECT id FROM accounts WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise KeyError(f"no account {key!r} in the library")
    return int(row[0])


def _feed_row_url(account_id: int, server_id: str) -> str:
    """The `feeds.url` of an account's feed: unique, and never an address anyone fetches."""
    return f"account:{account_id}/feed/{server_id}"


class AccountTables(StoreConnection):
    """The accounts' feeds and items, and where each account's sync stands."""

    def register_account(self, key: str, name: str) -> None:
        """Make sure the account has its row (`key` is its lasting identity; `name` is how
        messages name it)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO accounts (key, name) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET name = excluded.name",
                (_storable(key), _storable(name)),
            )

    def has_accounts(self) -> bool:
        """Whether the library holds any account (then the built-in feeds are not read)."""
        with self._reading():
            return self._db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None

    def account_record(self, key: str) -> AccountRecord:
        """Where the account's sync stands (an account never synced: all None)."""
        with self._reading():
            row = self._db.execute(
                "SELECT since_id, feeds_checked FROM accounts WHERE key = ?",
                (key,),
            ).fetchone()
        return AccountRecord(*row) if row else AccountRecord(None, None)

    def feed_origins(self, feed_urls: Iterable[str]) -> dict[str, str]:
        """Each feed's address its links come from: an account's feed's own URL, else the
        feed's (for prefetch: a server on the user's network does not open it to links)."""
        urls = list(feed_urls)
        with self._reading():
            rows = self._db.execute(
                "SELECT url, COALESCE(server_url, url) FROM feeds"
                f" WHERE url IN ({', '.join('?' * len(urls))})",
                urls,
            ).fetchall()
        return {url: url for url in urls} | {row[0]: row[1] for row in rows}

    def server_feed_ids(self, key: str) -> set[str]:
        """The server ids of the account's feeds stored."""
        with self._reading():
            rows = self._db.execute(
                "SELECT f.server_id FROM feeds f JOIN accounts a ON a.id = f.account_id"
                " WHERE a.key = ? AND f.server_id IS NOT NULL",
                (key,),
            ).fetchall()
        return {row[0] for row in rows}

    def save_account_feeds(
        self, key: str, feeds: Collection[AccountFeed], *, now: float | None = None
    ) -> None:
        """Make the account's feeds those the server lists, with its titles and groups.

        A feed gone from the server goes with its stories, except saved ones: its row stays,
        detached (no server id), while it holds any, so nothing saved disappears behind the
        user's back. A story unsaved since goes at the next check, and the feed with its last.
        """
        with self._transaction() as db:
            account_id = _account_id(db, key)
            listed = {feed.server_id for feed in feeds}
            for feed in feeds:
                db.execute(
                    "INSERT INTO feeds (url, title, folder, site_url, account_id, server_id,"
                    " server_url, last_fetched) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO UPDATE SET title = excluded.title,"
                    " folder = excluded.folder, site_url = excluded.site_url,"
                    " server_url = excluded.server_url, last_fetched = excluded.last_fetched",
                    (
                        _feed_row_url(account_id, feed.server_id),
                        _storable(feed.title),
                        _storable(feed.folder),
                        _storable(feed.site_url) or None,
                        account_id,
                        _storable(feed.server_id),
                        _storable(feed.url) or None,
                        time.time() if now is None else now,
                    ),
                )
            stored = db.execute(
                "SELECT id, server_id FROM feeds WHERE account_id = ?", (account_id,)
            ).fetchall()
            for feed_id, server_id in stored:
                if server_id not in listed:  # gone now, or detached at an earlier check
                    self._drop_feed(db, feed_id)
            db.execute(
                "UPDATE accounts SET feeds_checked = ? WHERE id = ?",
                (time.time() if now is None else now, account_id),
            )

    def _drop_feed(self, db: sqlite3.Connection, feed_id: int) -> None:
        """Remove an account's feed the server no longer lists, keeping its saved stories."""
        unsaved = "SELECT id FROM stories WHERE feed_id = ? AND is_saved = 0"
        db.execute(f"DELETE FROM story_search WHERE rowid IN ({unsaved})", (feed_id,))
        db.execute(f"DELETE FROM stories WHERE id IN ({unsaved})", (feed_id,))
        # Its items (the stories it carries for a local feed too) are no longer the server's.
        db.execute("DELETE FROM server_items WHERE feed_id = ?", (feed_id,))
        if db.execute("SELECT 1 FROM stories WHERE feed_id = ? LIMIT 1", (feed_id,)).fetchone():
            db.execute("UPDATE feeds SET server_id = NULL WHERE id = ?", (feed_id,))
        else:
            db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    def known_item_ids(self, key: str) -> set[str]:
        """The ids of the account's items stored."""
        with self._reading():
            rows = self._db.execute(
                "SELECT i.item_id FROM server_items i JOIN accounts a ON a.id = i.account_id"
                " WHERE a.key = ?",
                (key,),
            ).fetchall()
        return {row[0] for row in rows}

    def save_account_items(
        self,
        key: str,
        items: Iterable[AccountItem],
        *,
        since_id: str | None,
        now: float | None = None,
    ) -> int:
        """Store one page of items and move the account's `since_id` on, in one transaction (a
        crash mid-sync then asks again for exactly what was not stored); returns how many new
        stories it made. An item of a feed not stored is skipped."""
        now = time.time() if now is None else now
        new = 0
        with self._transaction() as db:
            account_id = _account_id(db, key)
            feed_rows = dict(
                db.execute(
                    "SELECT server_id, id FROM feeds WHERE account_id = ?"
                    " AND server_id IS NOT NULL",
                    (account_id,),
                ).fetchall()
            )
            for item in items:
                feed_id = feed_rows.get(item.feed_server_id)
                if feed_id is not None:
                    new += self._save_item(db, account_id, feed_id, item, now)
            db.execute(
                "UPDATE accounts SET since_id = ? WHERE id = ?",
                (_storable(since_id) or None, account_id),
            )
        return new

    def _save_item(
        self, db: sqlite3.Connection, account_id: int, feed_id: int, item: AccountItem, now: float
    ) -> int:
        """Store one item as its story; returns 1 if that made a new story.

        An item whose link a stored story (not already an item of the account) has becomes
        that story. The story keeps whichever
        state says the user got further (read, saved): a "read" the server lacks is queued
        for it, like a change made here.
        """
        item_id = _storable(item.item_id)
        known = db.execute(
            "SELECT 1 FROM server_items WHERE account_id = ? AND item_id = ?",
            (account_id, item_id),
        ).fetchone()
        if known:
            return 0
        link = _storable(item.entry.link) or None
        same = None
        if link:
            # Not a story that is already one of the account's items: the server knows two
            # items sharing a link (an episode and its show) are two stories.
            same = db.execute(
                "SELECT id, feed_id, is_read, is_saved FROM stories s WHERE link = ? AND NOT EXISTS"
                " (SELECT 1 FROM server_items i WHERE i.story_id = s.id AND i.account_id = ?)"
                " LIMIT 1",
                (link, account_id),
            ).fetchone()
        if same is None:
            story_id = insert_story(
                db, feed_id, item.entry, now, is_read=item.is_read, is_saved=item.is_saved
            )
        else:
            story_id, story_feed, was_read, was_saved = same
            if story_feed != feed_id:
                db.execute(
                    "INSERT OR IGNORE INTO story_carriers (feed_id, story_id) VALUES (?, ?)",
                    (feed_id, story_id),
                )
            db.execute(
                "UPDATE stories SET is_read = is_read OR ?, is_saved = is_saved OR ? WHERE id = ?",
                (int(item.is_read), int(item.is_saved), story_id),
            )
        db.execute(
            "INSERT INTO server_items (account_id, item_id, feed_id, story_id) VALUES (?, ?, ?, ?)",
            (account_id, item_id, feed_id, story_id),
        )
        if same is None:
            return 1
        if was_read and not item.is_read:
            queue_changes(db, (story_id,), "read", now)
        if was_saved and not item.is_saved:
            queue_changes(db, (story_id,), "saved", now)
        return 0

    def apply_server_state(
        self, key: str, unread_ids: Collection[str], saved_ids: Collection[str]
    ) -> int:
        """Make every stored item of the account read unless in `unread_ids`, saved if in
        `saved_ids`; returns how many stories changed.

        A state with a change still queued for the item is left as the user set it: that
        change is later than what the server knows, and goes to it at the next sync.
        """
        changed = 0
        with self._transaction() as db:
            account_id = _account_id(db, key)
            pending: dict[str, set[str]] = {}
            for item_id, kind in db.execute(
                "SELECT item_id, kind FROM pending_changes WHERE account_id = ?", (account_id,)
            ):
                pending.setdefault(item_id, set()).add(kind)
            rows = db.execute(
                "SELECT i.item_id, s.id, s.is_read, s.is_saved FROM server_items i"
                " JOIN stories s ON s.id = i.story_id WHERE i.account_id = ?",
                (account_id,),
            ).fetchall()
            for item_id, story_id, is_read, is_saved in rows:
                queued = pending.get(item_id, set())
                read = bool(is_read) if queued & {"read", "unread"} else item_id not in unread_ids
                saved = bool(is_saved) if queued & {"saved", "unsaved"} else item_id in saved_ids
                if (read, saved) != (bool(is_read), bool(is_saved)):
                    db.execute(
                        "UPDATE stories SET is_read = ?, is_saved = ? WHERE id = ?",
                        (int(read), int(saved), story_id),
                    )
                    changed += 1
        return changed

    def remove_account(self, key: str) -> bool:
        """Drop the account with every feed and story of its own, saved ones too (the server
        keeps them); stories a local feed brought stay with it. True if it was there."""
        with self._transaction() as db:
            row = db.execute("SELECT id FROM accounts WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            own = (
                "SELECT s.id FROM stories s JOIN feeds f ON f.id = s.feed_id WHERE f.account_id = ?"
            )
            db.execute(f"DELETE FROM story_search WHERE rowid IN ({own})", (row[0],))
            # Items, carriers, queued changes and stories follow by their foreign keys.
            db.execute("DELETE FROM server_items WHERE account_id = ?", (row[0],))
            db.execute("DELETE FROM feeds WHERE account_id = ?", (row[0],))
            db.execute("DELETE FROM accounts WHERE id = ?", (row[0],))
        return True
