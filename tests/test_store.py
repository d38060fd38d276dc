"""The SQLite library: a real file in a temp dir, round trips and the rules of the story list."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from reader.document import Document, Figure, Heading, ListBlock, Paragraph, Quote, Span, Table
from reader.feeds import FeedEntry, ParsedFeed
from reader.store import SCHEMA_VERSION, Store


def entry(
    n: int,
    *,
    link: str | None = None,
    guid: str | None = None,
    title: str = "",
    no_id: bool = False,
) -> FeedEntry:
    """Story `n`; with `no_id`, as a feed without ids gives it (its link standing in)."""
    url = link if link is not None else f"https://example.org/{n}"
    return FeedEntry(
        id=url if no_id else guid or f"id-{n}",
        title=title or f"Story {n}",
        link=url,
        published=datetime(2025, 1, n, tzinfo=UTC),
        summary=f"Summary {n}",
        content_html=f"<p>Summary {n}</p>",
        author="",
        id_from_feed=not no_id,
    )


def feed(*entries: FeedEntry, title: str = "Example") -> ParsedFeed:
    return ParsedFeed(title=title, link="https://example.org/", entries=list(entries))


def test_stories_are_newest_first_and_deduplicated(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    assert store.save_feed("https://a.example/feed", feed(entry(1), entry(3), entry(2))) == 3
    # The same story again: by guid; from another feed without ids, by link; from the same feed
    # under another address, by guid and link.
    assert store.save_feed("https://a.example/feed", feed(entry(1))) == 0
    no_id = entry(9, link="https://example.org/3", no_id=True)
    assert store.save_feed("https://b.example/feed", feed(no_id, title="B")) == 0
    assert store.save_feed("https://a.example/feed/", feed(entry(2), title="A again")) == 0
    titles = [story.title for story in store.stories()]
    assert titles == ["Story 3", "Story 2", "Story 1"]
    # Still one row each, listed under the feed that brought it first, and by those carrying it.
    carried = store.stories(["https://b.example/feed", "https://a.example/feed/"])
    assert [(s.title, s.source) for s in carried] == [
        ("Story 3", "Example"),
        ("Story 2", "Example"),
    ]


def test_an_id_identifies_a_story_and_a_link_only_without_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    show = "https://podcast.example/"
    episodes = [entry(n, link=show, guid=f"episode-{n}") for n in (3, 2, 1)]
    assert store.save_feed("https://podcast.example/feed", feed(*episodes)) == 3
    assert store.save_feed("https://podcast.example/feed", feed(*episodes)) == 0
    assert [s.title for s in store.stories()] == ["Story 3", "Story 2", "Story 1"]
    # Another feed's story with its own id and the same link is another story too.
    review = entry(4, link=show, guid="review-of-the-show")
    assert store.save_feed("https://reviews.example/feed", feed(review)) == 1
    # Without an id the link identifies it: the feed dropped its ids, the story is known.
    store.save_feed("https://a.example/feed", feed(entry(1)))
    renamed = entry(1, title="Story 1, renamed", no_id=True)
    assert store.save_feed("https://a.example/feed", feed(renamed)) == 0
    assert [s.title for s in store.stories(["https://a.example/feed"])] == ["Story 1, renamed"]


def test_stories_stored_by_earlier_versions_are_not_duplicated(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    url = "https://a.example/feed"
    long_link = "https://example.org/" + "x" * 1_200
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO feeds (url) VALUES (?)", (url,))
        rows = [
            # No id: stored under its link (every version did so).
            ("https://example.org/1", "https://example.org/1"),
            # No id, a link over 1,000 characters: the RSS path stored a hash of it.
            ("sha256:" + hashlib.sha256(long_link.encode()).hexdigest(), long_link),
            # Episodes sharing a link were kept as one row, the first of them.
            ("episode-3", "https://podcast.example/"),
        ]
        db.executemany(
            "INSERT INTO stories (feed_id, guid, link, title, first_seen, sort_time, is_read)"
            " VALUES (1, ?, ?, 'old', 0, 0, 1)",
            rows,
        )
    episodes = [entry(n, link="https://podcast.example/", guid=f"episode-{n}") for n in (3, 2)]
    again = feed(entry(1, no_id=True), entry(5, link=long_link, no_id=True), *episodes)
    assert store.save_feed(url, again) == 1  # only the episode the old version dropped
    stories = store.stories()
    assert len(stories) == 4 and sum(s.is_read for s in stories) == 3


def test_read_state_survives_a_later_refresh(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    store.save_feed("https://a.example/feed", feed(entry(1)))
    story = store.stories()[0]
    store.set_read(story.id)
    store.save_feed("https://a.example/feed", feed(entry(1, title="Story 1, updated")))
    [again] = store.stories()
    assert again.is_read and again.title == "Story 1, updated"


def test_article_round_trip_and_cached_marker(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    store = Store(path)
    store.save_feed("https://a.example/feed", feed(entry(1)))
    document = Document(
        url="https://example.org/1",
        title="A title",
        authors=["Ann", "Bo"],
        published="2025-01-01",
        site_name="Example",
        blocks=[
            Heading((Span("Sub"),), level=2),
            Paragraph((Span("Hello "), Span("world", "em"), Span("link", "link", "https://x.y/"))),
            ListBlock(((Paragraph((Span("one"),)),), (Paragraph((Span("two"),)),)), ordered=True),
            Quote((Paragraph((Span("quoted"),)),)),
            Figure("https://x.y/i.png", "alt", "caption"),
            Table((("a", "b"), ("1", "2")), header=True),
        ],
    )
    store.save_article("https://example.org/1", document)
    store.close()

    reopened = Store(path)
    cached = reopened.article("https://example.org/1")
    assert cached is not None and cached.document == document and cached.position == 0.0
    assert reopened.stories()[0].is_cached
    assert reopened.article("https://example.org/missing") is None


def test_hostile_text_is_storable(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    nasty = entry(1, title="nul\x00 and lone \ud800 surrogate")
    store.save_feed("https://a.example/feed", feed(nasty))
    assert store.stories()[0].title == "nul and lone ? surrogate"


def test_feed_error_keeps_stories_and_schema_is_versioned(tmp_path: Path) -> None:
    path = tmp_path / "lib.sqlite3"
    store = Store(path)
    store.save_feed("https://a.example/feed", feed(entry(1)))
    store.record_feed_error("https://a.example/feed", "HTTP 500 Internal Server Error")
    assert len(store.stories()) == 1
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_subscriptions_rename_disable_and_unsubscribe(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    assert store.subscribe("https://a.example/feed", folder="News")
    assert not store.subscribe("https://a.example/feed")
    store.save_feed("https://a.example/feed", feed(entry(1), entry(2), title="A feed"))
    store.subscribe("https://b.example/feed")
    by_url = {sub.url: sub for sub in store.subscriptions()}
    assert by_url["https://a.example/feed"].title == "A feed"
    assert by_url["https://a.example/feed"].folder == "News"
    assert by_url["https://a.example/feed"].unread == 2
    store.update_subscription("https://a.example/feed", name="Mine", enabled=False)
    by_url = {sub.url: sub for sub in store.subscriptions()}
    assert by_url["https://a.example/feed"].title == "Mine"
    assert not by_url["https://a.example/feed"].enabled
    assert store.stories()[0].source == "Mine"
    assert store.unsubscribe("https://a.example/feed")
    assert [sub.url for sub in store.subscriptions()] == ["https://b.example/feed"]
    assert store.stories() == []
