"""The app on a faulty library: a damaged page, a full disk, a read-only folder. Each failure is
one line on screen, never a silent worker or a stuck "Refreshing feeds…", and keys still work."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from loopback import LoopbackServer
from test_faults import QUICK_BUSY_TIMEOUT, big_rss, fill_disk
from textual.widgets import Static
from ui_support import FROZEN_NOW, article_text, settle, static_text
from waiting import wait_until

from reader.config import Settings
from reader.document import Document, Paragraph, Span
from reader.feeds import FeedEntry, ParsedFeed
from reader.library import Library
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.stories import StoriesScreen

PAGE_SIZE = 4096
"""SQLite's default page size."""


def library_with_stories(path: Path, count: int) -> None:
    """A library of `count` stories with bodies long enough to fill many pages."""
    entries = [
        FeedEntry(
            id=f"id-{n}",
            title=f"Story {n}",
            link=f"https://example.org/{n}",
            published=datetime(2025, 1, 1, tzinfo=UTC),
            summary="harbour " * 200,
            content_html="",
            author="",
        )
        for n in range(count)
    ]
    store = Store(path)
    store.save_feed("https://example.org/feed", ParsedFeed("Example", "", entries))
    store.close()


def damage_every_page_but_the_schemas(path: Path) -> None:
    """What a failing disk leaves: the schema still reads, the tables' pages are garbage.

    The schema starts on page 1 and, once it has grown past one page, goes on in others:
    those are found with SQLite's dbstat table and spared too."""
    with closing(sqlite3.connect(path)) as db:
        schema = {
            page for (page,) in db.execute("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'")
        }
    data = bytearray(path.read_bytes())
    for page in range(2, len(data) // PAGE_SIZE + 1):
        if page not in schema:
            data[(page - 1) * PAGE_SIZE : page * PAGE_SIZE] = b"\xa5" * PAGE_SIZE
    path.write_bytes(bytes(data))


def cache_first_story(path: Path) -> None:
    """Cache an article for the newest story, so it reads without the network."""
    store = Store(path)
    newest = store.stories()[0]
    assert newest.link is not None
    body = Paragraph((Span("The cached text of the newest story."),))
    store.save_article(newest.link, Document(url=newest.link, title=newest.title, blocks=[body]))
    store.close()


def status(app: NewsReaderApp) -> str:
    return static_text(app.screen.query_one("#status", Static))


def app_on(store: Store, settings: Settings) -> NewsReaderApp:
    return NewsReaderApp(Library(settings, store=store), clock=lambda: FROZEN_NOW)


async def test_a_damaged_page_while_loading_stories_is_one_line_and_keys_still_work(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path, feeds=("https://example.org/feed",), refresh_on_start=False
    )
    library_with_stories(settings.database_path, 200)
    damage_every_page_but_the_schemas(settings.database_path)
    app = app_on(Store(settings.database_path), settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_until(
            lambda: any("is damaged" in n.message for n in app._notifications),
            "a notification that the library is damaged",
        )
        # Another screen's worker on the same damage: the feed picker's.
        await pilot.press("F")
        await wait_until(
            lambda: sum("is damaged" in n.message for n in app._notifications) >= 2,
            "the feed picker's failure reported too",
        )
        messages = [n.message for n in app._notifications]
        assert all("\n" not in message for message in messages)
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, StoriesScreen), "the picker to close")
        await pilot.press("question_mark")
        await wait_until(lambda: isinstance(app.screen, HelpScreen), "the keys screen")


async def test_a_refresh_on_a_full_disk_says_so_and_the_app_goes_on(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    url = http_server.route("/long.xml", body=big_rss(60), headers={"Content-Type": "text/xml"})
    settings = Settings(data_dir=tmp_path, feeds=(url,), prefetch=False)
    store = Store(settings.database_path)
    fill_disk(store)
    app = app_on(store, settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        assert "the disk is full" in status(app)
        assert "Refreshing" not in status(app)
        await pilot.press("f")
        await wait_until(
            lambda: isinstance(app.screen, StoriesScreen) and app.screen.show == "unread",
            "the filter key to work",
        )


async def test_refreshing_a_read_only_library_says_why_and_browsing_goes_on(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    feeds = ("https://example.org/feed", http_server.url("/feeds/rss2.xml"))
    settings = Settings(data_dir=tmp_path, feeds=feeds, prefetch=False)
    library_with_stories(settings.database_path, 3)
    app = app_on(Store(settings.database_path, read_only=True), settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        assert "read-only" in status(app)
        assert http_server.hits == {}  # nothing fetched that could not be stored
        await pilot.press("r")
        await settle(app)
        assert "is read-only: changes cannot be saved" in status(app)
        assert "Refreshing" not in status(app)
        assert len(app.screen.query_one("#stories").stories) == 3


async def test_a_read_only_library_opens_cached_articles_without_complaint(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path, feeds=("https://example.org/feed",), prefetch=False)
    library_with_stories(settings.database_path, 3)
    cache_first_story(settings.database_path)
    app = app_on(Store(settings.database_path, read_only=True), settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app)
        await pilot.press("enter")
        await wait_until(
            lambda: isinstance(app.screen, ArticleScreen) and "cached text" in article_text(app),
            "the cached article on screen",
        )
        await settle(app)
        assert [n.message for n in app._notifications] == []
        await pilot.press("escape")
        await wait_until(lambda: isinstance(app.screen, StoriesScreen), "back to the list")


async def test_a_busy_library_shows_the_article_first_then_says_its_state_must_wait(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        feeds=("https://example.org/feed",),
        refresh_on_start=False,
        busy_timeout=QUICK_BUSY_TIMEOUT,
    )
    library_with_stories(settings.database_path, 3)
    cache_first_story(settings.database_path)
    other = sqlite3.connect(settings.database_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        app = app_on(Store(settings.database_path, busy_timeout=QUICK_BUSY_TIMEOUT), settings)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await settle(app)
            await pilot.press("enter")
            await wait_until(
                lambda: (
                    isinstance(app.screen, ArticleScreen) and "cached text" in article_text(app)
                ),
                "the cached article on screen",
            )
            await wait_until(
                lambda: any("busy in another newsreader" in n.message for n in app._notifications),
                "a notification that marking it read must wait",
            )
            await pilot.press("escape")
            await wait_until(lambda: isinstance(app.screen, StoriesScreen), "back to the list")
    finally:
        other.execute("ROLLBACK")
        other.close()
