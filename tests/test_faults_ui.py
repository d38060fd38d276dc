"""The app on a faulty library: a damaged page, a full disk, a read-only folder. Each failure is
one line on screen, never a silent worker or a stuck "Refreshing feeds…", and keys still work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from loopback import LoopbackServer
from test_faults import big_rss, fill_disk
from textual.widgets import Static
from ui_support import FROZEN_NOW, settle, static_text

from reader.config import Settings
from reader.feeds import FeedEntry, ParsedFeed
from reader.library import Library
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.stories import StoriesScreen

PAGE_SIZE = 4096
"""SQLite's default page size: page 1 holds the schema, the tables' pages follow."""


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


def damage_every_page_but_the_first(path: Path) -> None:
    """What a failing disk leaves: the schema still reads, the tables' pages are garbage."""
    data = bytearray(path.read_bytes())
    data[PAGE_SIZE:] = b"\xa5" * (len(data) - PAGE_SIZE)
    path.write_bytes(bytes(data))


def status(app: NewsReaderApp) -> str:
    return static_text(app.screen.query_one("#status", Static))


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Until `condition` holds; a bounded number of short waits, never a wall-clock assertion."""
    for _ in range(1500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def app_on(store: Store, settings: Settings) -> NewsReaderApp:
    return NewsReaderApp(Library(settings, store=store), clock=lambda: FROZEN_NOW)


async def test_a_damaged_page_while_loading_stories_is_one_line_and_keys_still_work(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path, feeds=("https://example.org/feed",), refresh_on_start=False
    )
    library_with_stories(settings.database_path, 200)
    damage_every_page_but_the_first(settings.database_path)
    app = app_on(Store(settings.database_path), settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(
            lambda: any("is damaged" in n.message for n in app._notifications),
            "a notification that the library is damaged",
        )
        # Another screen's worker on the same damage: the feed picker's.
        await pilot.press("F")
        await wait_for(
            lambda: sum("is damaged" in n.message for n in app._notifications) >= 2,
            "the feed picker's failure reported too",
        )
        messages = [n.message for n in app._notifications]
        assert all("\n" not in message for message in messages)
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, StoriesScreen), "the picker to close")
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), "the keys screen")


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
        await wait_for(
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
