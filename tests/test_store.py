"""The SQLite library: a real file in a temp dir, round trips and the rules of the story list."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from reader.document import Document, Figure, Heading, ListBlock, Paragraph, Quote, Span, Table
from reader.feeds import FeedEntry, ParsedFeed
from reader.store import SCHEMA_VERSION, Store


def entry(
    n: int, *, link: str | None = None, guid: str | None = None, title: str = ""
) -> FeedEntry:
    return FeedEntry(
        id=guid or f"id-{n}",
        title=title or f"Story {n}",
        link=link if link is not None else f"https://example.org/{n}",
        published=datetime(2025, 1, n, tzinfo=UTC),
        summary=f"Summary {n}",
        content_html=f"<p>Summary {n}</p>",
        author="",
    )


def feed(*entries: FeedEntry, title: str = "Example") -> ParsedFeed:
    return ParsedFeed(title=title, link="https://example.org/", entries=list(entries))


def test_stories_are_newest_first_and_deduplicated(tmp_path: Path) -> None:
    store = Store(tmp_path / "lib.sqlite3")
    assert store.save_feed("https://a.example/feed", feed(entry(1), entry(3), entry(2))) == 3
    # The same story again: once by guid, once by link from another feed.
    assert store.save_feed("https://a.example/feed", feed(entry(1))) == 0
    other = entry(9, link="https://example.org/3", guid="other-guid")
    assert store.save_feed("https://b.example/feed", feed(other, title="B")) == 0
    titles = [story.title for story in store.stories()]
    assert titles == ["Story 3", "Story 2", "Story 1"]
    assert store.stories(["https://b.example/feed"]) == []


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
