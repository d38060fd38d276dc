"""A feed server account in the library: a real SQLite file in a temp dir, no server at all.

The sync engine's steps, one at a time: its feeds and items stored, one story per item id,
no duplicate of a local feed's story, changes queued with the state they change, and the
server's id lists applied without undoing a change still queued.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.feeds import FeedEntry, ParsedFeed
from reader.store import AccountFeed, AccountItem, Store

KEY = "fever https://rss.example/fever/ ann@example.org"
"""The account's key, as the library gets it."""
LOCAL_FEED = "https://blog.example/feed.xml"


def entry(n: int, *, link: str | None = None) -> FeedEntry:
    """Story `n`, as a feed or the sync (after sanitizing) gives it."""
    return FeedEntry(
        id=f"id-{n}",
        title=f"Story {n}",
        link=link or f"https://blog.example/{n}",
        published=datetime(2025, 1, n, tzinfo=UTC),
        summary=f"Summary {n}",
        content_html=f"<p>Summary {n}</p>",
        author="",
    )


def item(n: int, feed: str = "1", *, read: bool = False, saved: bool = False) -> AccountItem:
    """Server item `n` of the server's feed `feed`."""
    server_entry = FeedEntry(
        id=str(n),
        title=f"Item {n}",
        link=f"https://blog.example/{n}",
        published=datetime(2025, 2, n, tzinfo=UTC),
        summary=f"Item {n} text",
        content_html=f"<p>Item {n} text</p>",
        author="",
    )
    return AccountItem(str(n), feed, server_entry, read, saved)


FEEDS = [
    AccountFeed("1", "Blog", LOCAL_FEED, "https://blog.example/", "Tech"),
    AccountFeed("2", "Papers", "https://papers.example/rss", "", ""),
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A library with the account registered and its two feeds stored."""
    store = Store(tmp_path / "lib.sqlite3")
    store.register_account(KEY, "https://rss.example/fever/")
    store.save_account_feeds(KEY, FEEDS)
    return store


def account_feeds(store: Store) -> tuple[str, ...]:
    """The account's feeds, as the story list and the feeds pane name them."""
    return tuple(url for url in store.feeds_shown(None) if url.startswith("account:"))


def pending(store: Store) -> list[tuple[str, str]]:
    return [(change.item_id, change.kind) for change in store.pending_changes(KEY)]


def test_the_account_feeds_and_items_are_stories_under_folders(store: Store) -> None:
    assert store.save_account_items(KEY, [item(1), item(2, "2"), item(3)], since_id="3") == 3
    feeds = account_feeds(store)
    overview = store.feed_overview(feeds)
    assert [(f.title, f.folder, f.stories) for f in overview] == [
        ("Papers", "", 1),
        ("Blog", "Tech", 2),
    ]
    assert [s.title for s in store.stories(feeds)] == ["Item 3", "Item 2", "Item 1"]
    assert store.account_record(KEY).since_id == "3"
    # Its feeds are fetched from nowhere: an account alone keeps the built-in feeds away too.
    assert store.feeds_in_use(None) == ()
    assert store.subscriptions() == []


def test_one_story_per_item_id(store: Store) -> None:
    assert store.save_account_items(KEY, [item(1), item(2)], since_id="2") == 2
    assert store.save_account_items(KEY, [item(2), item(1)], since_id="2") == 0
    assert len(store.stories()) == 2
    assert store.known_item_ids(KEY) == {"1", "2"}


def test_an_item_of_a_local_feed_becomes_its_story(store: Store) -> None:
    store.subscribe(LOCAL_FEED)
    store.save_feed(LOCAL_FEED, ParsedFeed("Blog", None, [entry(1), entry(2)]))
    local_read = next(s for s in store.stories() if s.title == "Story 1")
    store.set_read(local_read.id)
    assert pending(store) == []  # a local feed's story: nothing to tell a server
    # The server has the same two stories (by link) and one more.
    new = store.save_account_items(KEY, [item(1), item(2, saved=True), item(5)], since_id="5")
    assert new == 1
    every_source = store.feeds_shown(None)
    assert sorted(s.title for s in store.stories(every_source)) == ["Item 5", "Story 1", "Story 2"]
    # The account's feed lists them too, and the state is the furthest either side got: read
    # here (and queued for the server, which lacks it), saved there.
    blog = account_feeds(store)[0]
    by_title = {s.title: s for s in store.stories([blog])}
    assert set(by_title) == {"Item 5", "Story 1", "Story 2"}
    assert by_title["Story 1"].is_read and by_title["Story 2"].is_saved
    assert pending(store) == [("1", "read")]
    # A change to it here now goes to the server.
    store.set_read(by_title["Story 2"].id)
    assert pending(store) == [("1", "read"), ("2", "read")]


def test_a_local_feed_added_later_does_not_repeat_the_account_stories(store: Store) -> None:
    store.save_account_items(KEY, [item(1), item(2)], since_id="2")
    store.subscribe(LOCAL_FEED)
    # The local feed's entries have ids of their own; their links are the items'.
    assert store.save_feed(LOCAL_FEED, ParsedFeed("Blog", None, [entry(1), entry(3)])) == 1
    every_source = store.feeds_shown(None)
    assert sorted(s.title for s in store.stories(every_source)) == ["Item 1", "Item 2", "Story 3"]
    assert sorted(s.title for s in store.stories([LOCAL_FEED])) == ["Item 1", "Story 3"]


def test_a_change_is_queued_with_the_state_it_changes(store: Store) -> None:
    store.save_account_items(KEY, [item(1), item(2), item(3)], since_id="3")
    one, two, _ = sorted(store.stories(), key=lambda s: s.title)
    store.set_read(one.id)
    store.set_read(one.id)  # already read: nothing new for the server
    store.set_saved(two.id, True)
    store.mark_all_read(account_feeds(store))
    queued = pending(store)
    assert queued[:2] == [("1", "read"), ("2", "saved")]
    assert sorted(queued[2:]) == [("2", "read"), ("3", "read")]  # all read: in any order
    # Only the last of opposite changes to one item is kept, at the end of the queue.
    store.set_read(one.id, False)
    assert pending(store) == [*queued[1:], ("1", "unread")]
    store.drop_pending(store.pending_changes(KEY)[0].id)
    assert pending(store) == [*queued[2:], ("1", "unread")]


def test_a_change_and_its_queue_entry_are_one_transaction(store: Store) -> None:
    store.save_account_items(KEY, [item(1)], since_id="1")
    [story] = store.stories()
    # The queue cannot take the change (a trigger stands for a full disk mid-transaction):
    # the state change is rolled back with it, never kept without its queue entry.
    with sqlite3.connect(store.path) as db:
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON pending_changes"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        )
    with pytest.raises(Exception, match="disk full"):
        store.set_read(story.id)
    assert not store.stories()[0].is_read


def test_the_server_state_applies_both_ways_except_over_a_queued_change(store: Store) -> None:
    store.save_account_items(
        KEY, [item(1), item(2, read=True), item(3), item(4, saved=True)], since_id="4"
    )
    by_title = {s.title: s for s in store.stories()}
    store.set_saved(by_title["Item 3"].id, True)  # queued, not sent yet
    # The server now says: 1 read, 2 unread, 3 unsaved (older than our queued change), 4 unsaved.
    changed = store.apply_server_state(KEY, unread_ids={"2", "3", "4"}, saved_ids=set())
    state = {s.title: (s.is_read, s.is_saved) for s in store.stories()}
    assert state == {
        "Item 1": (True, False),
        "Item 2": (False, False),
        "Item 3": (False, True),
        "Item 4": (False, False),
    }
    assert changed == 3


def test_a_feed_gone_from_the_server_goes_but_its_saved_stories_stay(store: Store) -> None:
    store.save_account_items(KEY, [item(1, "2", saved=True), item(2, "2"), item(3)], since_id="3")
    store.save_account_feeds(KEY, FEEDS[:1])
    assert sorted(s.title for s in store.stories(account_feeds(store))) == [
        "Item 1",
        "Item 3",
    ]
    assert store.known_item_ids(KEY) == {"3"}  # the saved one is no longer the server's
    assert store.server_feed_ids(KEY) == {"1"}
    # Unsaved, it goes with its feed at the next check.
    saved = next(s for s in store.stories() if s.title == "Item 1")
    store.set_saved(saved.id, False)
    store.save_account_feeds(KEY, FEEDS[:1])
    assert [s.title for s in store.stories(account_feeds(store))] == ["Item 3"]


def test_removing_the_account_leaves_the_local_feeds(store: Store) -> None:
    store.subscribe(LOCAL_FEED)
    store.save_feed(LOCAL_FEED, ParsedFeed("Blog", None, [entry(1)]))
    store.save_account_items(KEY, [item(1), item(2, saved=True)], since_id="2")
    store.set_read(store.stories()[0].id)
    assert store.remove_account(KEY)
    assert not store.remove_account(KEY)
    assert [s.title for s in store.stories()] == ["Story 1"]
    assert account_feeds(store) == () and store.pending_count() == 0
    assert not store.has_accounts()


def test_entries_sharing_a_link_stay_distinct_stories(store: Store) -> None:
    # Two items of the account with one link (two feeds both linking one page) are two items
    # to the server, so two stories here.
    shared = "https://blog.example/1"
    twin = AccountItem("9", "2", entry(9, link=shared), False, False)
    assert store.save_account_items(KEY, [item(1), twin], since_id="9") == 2
    # A local feed whose three entries (ids of their own) share that link: each is at most
    # one of the account's stories, and the one left over a story of its own, as any feed's
    # entries sharing a link.
    store.subscribe(LOCAL_FEED)
    episodes = [entry(1), replace(entry(2), link=shared), replace(entry(3), link=shared)]
    assert store.save_feed(LOCAL_FEED, ParsedFeed("Blog", None, episodes)) == 1
    assert sorted(s.title for s in store.stories(store.feeds_shown(None))) == [
        "Item 1",
        "Story 3",
        "Story 9",
    ]
    assert len(store.stories([LOCAL_FEED])) == 3
