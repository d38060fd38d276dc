"""Feeds' stories: storing a fetched feed, listing, searching, read and saved state."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from reader.store.connection import StoreConnection
from reader.store.model import (
    _STORY_SELECT,
    FeedState,
    Story,
    StoryFilter,
    _storable,
    _story,
    _timestamp,
    story_conditions,
)
from reader.store.pending import queue_changes, read_change, saved_change

if TYPE_CHECKING:
    # Types only: importing the parsers (feedparser, selectolax) costs the CLI ~60 ms.
    from reader.feeds import FeedEntry, ParsedFeed

MAX_SEARCH_WORDS = 16
"""Words of a search kept: more only slows the query without narrowing it."""
SEARCH_CANDIDATES = 5
"""Index hits ranked per result wanted, so a filter to some feeds still finds enough."""

SNIPPET_WORDS = 14
"""Words of article text shown around a match: about one line at 100 columns."""

_WORD = re.compile(r"\w+")
# FTS marks the matched words with these; they never occur in stored text (_storable keeps
# control characters out of titles shown, and the snippet is split on them before display).
_MATCH_START, _MATCH_END = "\x02", "\x03"

SnippetPart = tuple[str, bool]
"""A piece of a search snippet and whether it is a word that matched."""


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


def insert_story(
    db: sqlite3.Connection,
    feed_id: int,
    entry: FeedEntry,
    now: float,
    *,
    is_read: bool = False,
    is_saved: bool = False,
) -> int:
    """Add `entry` as a new story of the feed with row id `feed_id`, searchable by its title and
    summary; returns the story's id."""
    published = _timestamp(entry.published)
    cursor = db.execute(
        "INSERT INTO stories (title, author, summary, content_html, published, feed_id, guid,"
        " link, first_seen, sort_time, is_read, is_saved) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        (
            _storable(entry.title),
            _storable(entry.author),
            _storable(entry.summary),
            _storable(entry.content_html),
            published,
            feed_id,
            _storable(entry.id),
            _storable(entry.link) or None,
            now,
            published or now,
            int(is_read),
            int(is_saved),
        ),
    )
    story_id = int(cursor.lastrowid or 0)
    db.execute(
        "INSERT INTO story_search (rowid, title, body) VALUES (?, ?, ?)",
        (story_id, _storable(entry.title), _storable(entry.summary)),
    )
    return story_id


class StoryTables(StoreConnection):
    """Feeds' stories and what the user did with them."""

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
        with self._reading():
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
                # A feed server's item carries no guid of ours: its link names it, unless this
                # feed carries it already (then this is another entry sharing the link).
                same = db.execute(
                    "SELECT id, feed_id FROM stories s WHERE link = ? AND (guid = ? OR (EXISTS"
                    " (SELECT 1 FROM server_items i WHERE i.story_id = s.id) AND NOT EXISTS"
                    " (SELECT 1 FROM story_carriers c WHERE c.story_id = s.id AND c.feed_id = ?)))"
                    " LIMIT 1",
                    (link, guid, feed_id),
                ).fetchone()
            else:
                same = db.execute(
                    "SELECT id, feed_id FROM stories WHERE link = ? ORDER BY feed_id != ? LIMIT 1",
                    (link, feed_id),
                ).fetchone()
            if same is not None and same[1] != feed_id:
                # Another feed's story: it stays as that feed tells it; this one carries it too.
                db.execute(
                    "INSERT OR IGNORE INTO story_carriers (feed_id, story_id) VALUES (?, ?)",
                    (feed_id, same[0]),
                )
                return 0
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
        insert_story(db, feed_id, entry, now)
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

    def stories(
        self,
        feed_urls: Iterable[str] | None = None,
        *,
        show: StoryFilter = "all",
        limit: int | None = None,
    ) -> list[Story]:
        """Stories newest first: of `feed_urls` when given, all, unread or saved ones."""
        urls = None if feed_urls is None else list(feed_urls)
        where, params = story_conditions(urls, show, carried=self._carries_any(urls))
        select = _STORY_SELECT
        if limit is not None and (urls is None or len(urls) > 1):
            # Walk the time index and stop at `limit`: SQLite otherwise reads every story of
            # the feeds through the per-feed index and sorts them (25 ms against 1 ms for the
            # newest 300 of 100,000). For one feed its own index is quicker (3 ms against 29).
            select = select.replace(" JOIN feeds f ", " CROSS JOIN feeds f ")
        query = f"{select} {where} ORDER BY s.sort_time DESC, s.id DESC"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        with self._reading():
            rows = self._db.execute(query, params).fetchall()
        return [_story(row) for row in rows]

    def unread_count(self, feed_urls: Iterable[str]) -> int:
        """Unread stories of `feed_urls`, each counted once however many of them carry it."""
        urls = list(feed_urls)
        where, params = story_conditions(urls, "unread", carried=self._carries_any(urls))
        with self._reading():
            row = self._db.execute(
                f"SELECT COUNT(*) FROM stories s JOIN feeds f ON f.id = s.feed_id {where}", params
            ).fetchone()
        return int(row[0])

    def search(
        self, text: str, feed_urls: Iterable[str] | None = None, *, limit: int = 200
    ) -> list[Story]:
        """Stories whose title or cached article matches every word of `text`, best first.

        The last word matches as a prefix, so results follow the user's typing.
        """
        match = fts_query(text)
        if not match:
            return []
        urls = None if feed_urls is None else list(feed_urls)
        where, params = story_conditions(urls, "all", carried=self._carries_any(urls))
        # Rank inside the index first and join only the best hits: joining every match of a
        # common word before ranking took ~80 ms in a library of 100,000 stories.
        query = (
            "WITH hits AS (SELECT rowid, rank FROM story_search WHERE story_search MATCH ?"
            f" ORDER BY rank LIMIT {int(limit) * SEARCH_CANDIDATES})"
            f" {_STORY_SELECT} JOIN hits ON hits.rowid = s.id {where}"
            f" ORDER BY hits.rank, s.sort_time DESC LIMIT {int(limit)}"
        )
        with self._reading():
            rows = self._db.execute(query, [match, *params]).fetchall()
        return [_story(row) for row in rows]

    def search_snippet(self, text: str, story_id: int) -> list[SnippetPart]:
        """Where the body (summary or cached article) of one story matches `text`, as pieces
        with the matched words marked; empty when only its title matched. One story at a time:
        a snippet reads the whole body, too dear for every result of a search."""
        match = fts_query(text)
        if not match:
            return []
        with self._reading():
            row = self._db.execute(
                "SELECT snippet(story_search, 1, ?, ?, '…', ?) FROM story_search"
                " WHERE story_search MATCH ? AND rowid = ?",
                (_MATCH_START, _MATCH_END, SNIPPET_WORDS, match, story_id),
            ).fetchone()
        snippet = row[0] if row else ""
        if _MATCH_START not in snippet:
            return []
        parts: list[SnippetPart] = []
        for piece in snippet.split(_MATCH_START):
            matched, _, rest = piece.rpartition(_MATCH_END)
            if matched:
                parts.append((matched, True))
            if rest:
                parts.append((rest, False))
        return parts

    def story_content(self, story_id: int) -> str:
        """The HTML content the feed gave for a story ("" when it gave none)."""
        with self._reading():
            row = self._db.execute(
                "SELECT content_html FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
        return row[0] if row else ""

    def set_read(self, story_id: int, is_read: bool = True) -> None:
        """Mark a story read or unread (queued for its account's server when it is an item)."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE stories SET is_read = ? WHERE id = ? AND is_read != ?",
                (int(is_read), story_id, int(is_read)),
            ).rowcount
            if changed:
                queue_changes(db, (story_id,), read_change(is_read))

    def mark_all_read(self, feed_urls: Iterable[str] | None = None) -> list[int]:
        """Mark every story (of `feed_urls` when given) read; returns the ids that changed,
        so the change can be undone."""
        urls = None if feed_urls is None else list(feed_urls)
        where, params = story_conditions(urls, "unread", carried=self._carries_any(urls))
        with self._transaction() as db:
            rows = db.execute(
                "UPDATE stories SET is_read = 1 WHERE id IN"
                f" (SELECT s.id FROM stories s JOIN feeds f ON f.id = s.feed_id {where})"
                " RETURNING id",
                params,
            ).fetchall()
            changed = [row[0] for row in rows]
            queue_changes(db, changed, "read")
        return changed

    def mark_unread(self, story_ids: Iterable[int]) -> None:
        """Mark the stories with `story_ids` unread again (undoing mark_all_read)."""
        with self._transaction() as db:
            changed = [
                story_id
                for story_id in story_ids
                if db.execute(
                    "UPDATE stories SET is_read = 0 WHERE id = ? AND is_read = 1", (story_id,)
                ).rowcount
            ]
            queue_changes(db, changed, "unread")

    def set_saved(self, story_id: int, is_saved: bool = True) -> None:
        """Save a story (its article is then never evicted) or unsave it; queued for its
        account's server when it is an item."""
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE stories SET is_saved = ? WHERE id = ? AND is_saved != ?",
                (int(is_saved), story_id, int(is_saved)),
            ).rowcount
            if changed:
                queue_changes(db, (story_id,), saved_change(is_saved))
