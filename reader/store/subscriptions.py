"""The user's feeds: subscribing, naming, folders, and what the feed lists show."""

from __future__ import annotations

from collections.abc import Iterable

from reader.config import DEFAULT_FEED_NAMES, DEFAULT_FEEDS
from reader.store.connection import StoreConnection
from reader.store.model import FeedOverview, MergedFeed, Subscription, _storable


def display_title(url: str, title: str | None) -> str:
    """The title a feed list shows: the user's name or the feed's own (`title`), else a
    built-in feed's README name, else its URL."""
    if title and title != url:
        return title
    return DEFAULT_FEED_NAMES.get(url, url)


class Subscriptions(StoreConnection):
    """The user's feeds and their overviews."""

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

    def merge_subscription(self, url: str, *, name: str = "", folder: str = "") -> MergedFeed:
        """Subscribe to `url` for an import, never overwriting a name or folder already set.

        A feed the user follows keeps their name and folder; `name` and `folder` only fill in
        what is empty. A new feed (or one only seen through `--feed`) takes them as given.
        """
        with self._transaction() as db:
            feed_id = self._feed_id(db, url)
            was, old_name, old_folder = db.execute(
                "SELECT subscribed, name, folder FROM feeds WHERE id = ?", (feed_id,)
            ).fetchone()
            new_name, new_folder = _storable(name), _storable(folder)
            if was:
                new_name = old_name or new_name
                new_folder = old_folder or new_folder
            # A feed the user disabled stays disabled: importing is not a request to read it again.
            db.execute(
                "UPDATE feeds SET subscribed = 1, enabled = enabled OR NOT ?, name = ?, folder = ?"
                " WHERE id = ?",
                (was, new_name, new_folder, feed_id),
            )
        if not was:
            return MergedFeed(new=True)
        offered, given = (_storable(name), _storable(folder)), (old_name, old_folder)
        return MergedFeed(
            new=False,
            name_filled=new_name != old_name,
            folder_filled=new_folder != old_folder,
            kept_yours=any(o and g and o != g for o, g in zip(offered, given, strict=True)),
        )

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
        """The feeds a run fetches: those given for it (`--feed`), else the user's enabled
        feeds, else the built-in defaults until the user has any feed or account of their own."""
        if chosen_for_this_run is not None:
            return chosen_for_this_run
        with self._reading():
            rows = self._db.execute(
                "SELECT url, enabled FROM feeds WHERE subscribed = 1"
            ).fetchall()
            has_account = self._db.execute("SELECT 1 FROM accounts LIMIT 1").fetchone()
        if not rows:
            return () if has_account else DEFAULT_FEEDS
        return tuple(url for url, enabled in rows if enabled)

    def feeds_shown(self, chosen_for_this_run: tuple[str, ...] | None) -> tuple[str, ...]:
        """The feeds a run lists: those it fetches (feeds_in_use) and, unless it was given its
        own (`--feed`), every account's feeds, which the accounts' syncs bring."""
        fetched = self.feeds_in_use(chosen_for_this_run)
        if chosen_for_this_run is not None:
            return fetched
        with self._reading():
            rows = self._db.execute(
                "SELECT url FROM feeds WHERE account_id IS NOT NULL ORDER BY id"
            ).fetchall()
        return fetched + tuple(row[0] for row in rows)

    def subscriptions(self, feed_urls: Iterable[str] | None = None) -> list[Subscription]:
        """The user's feeds (or, given `feed_urls`, those feeds, subscribed or not, listed even
        before their first fetch) by folder then title, with their unread counts."""
        urls = None if feed_urls is None else list(feed_urls)
        where = "f.subscribed = 1" if urls is None else f"f.url IN ({', '.join('?' * len(urls))})"
        with self._reading():
            rows = self._db.execute(
                "SELECT f.url, COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url), f.folder,"
                " f.enabled, f.last_fetched, f.last_error,"
                " (SELECT COUNT(*) FROM stories s WHERE s.feed_id = f.id AND s.is_read = 0)"
                " + (SELECT COUNT(*) FROM story_carriers c JOIN stories s ON s.id = c.story_id"
                " WHERE c.feed_id = f.id AND s.is_read = 0)"
                f" FROM feeds f WHERE {where} ORDER BY f.folder, 2 COLLATE NOCASE",
                urls or [],
            ).fetchall()
        found = [
            Subscription(row[0], display_title(row[0], row[1]), row[2], bool(row[3]), *row[4:7])
            for row in rows
        ]
        known = {sub.url for sub in found}
        unseen = [
            Subscription(url, display_title(url, None), "", True, None, None, 0)
            for url in urls or []
            if url not in known
        ]
        # By the title shown, as the feeds pane lists them.
        return sorted(found + unseen, key=lambda sub: (sub.folder, sub.title.casefold()))

    def feed_overview(self, feed_urls: Iterable[str]) -> list[FeedOverview]:
        """Each of `feed_urls` with its title, story counts and last error, by title. A feed's
        counts include the stories it carries that another feed brought first."""
        urls = list(feed_urls)
        carried = "FROM story_carriers c JOIN stories s ON s.id = c.story_id WHERE c.feed_id = f.id"
        with self._reading():
            rows = self._db.execute(
                "SELECT f.url, COALESCE(NULLIF(f.name, ''), NULLIF(f.title, ''), f.url),"
                " COUNT(s.id), COALESCE(SUM(s.is_read = 0), 0), f.last_error, f.last_fetched,"
                f" f.folder, (SELECT COUNT(*) {carried}),"
                f" (SELECT COUNT(*) {carried} AND s.is_read = 0)"
                " FROM feeds f LEFT JOIN stories s ON s.feed_id = f.id"
                f" WHERE f.url IN ({', '.join('?' * len(urls))})"
                " GROUP BY f.id ORDER BY f.folder, 2 COLLATE NOCASE",
                urls,
            ).fetchall()
        overview = [
            FeedOverview(
                url,
                display_title(url, title),
                stories + shared,
                unread + shared_unread,
                error,
                fetched,
                folder,
                shared,
            )
            for url, title, stories, unread, error, fetched, folder, shared, shared_unread in rows
        ]
        # Sorted again by the title shown: a built-in feed not yet fetched sorted by its URL.
        return sorted(overview, key=lambda feed: (feed.folder, feed.title.casefold()))

    def carried_stories(self, url: str) -> int:
        """How many stories the feed at `url` carries: its own and those another feed brought."""
        with self._reading():
            row = self._db.execute(
                "SELECT (SELECT COUNT(*) FROM stories s WHERE s.feed_id = f.id)"
                " + (SELECT COUNT(*) FROM story_carriers c WHERE c.feed_id = f.id)"
                " FROM feeds f WHERE f.url = ?",
                (_storable(url),),
            ).fetchone()
        return row[0] if row else 0

    def feed_titles(self) -> dict[str, str]:
        """Feed URL → the title to show for it (see display_title)."""
        with self._reading():
            rows = self._db.execute("SELECT url, COALESCE(NULLIF(name, ''), title) FROM feeds")
            return {row[0]: display_title(row[0], row[1]) for row in rows}
