"""Start-up: what is loaded before the first frame, and what waits until after it.

bench/startup.py measures the time; these pin the structure that makes it short, so a stray
top-level import or an early refresh shows up here rather than as a slower start."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from ui_support import FROZEN_NOW, settle

from reader.config import Settings
from reader.library import FeedOutcome, FeedProgress, Library
from reader.settings import DEFAULTS
from reader.store import Store, Story
from reader.ui.app import NewsReaderApp
from reader.ui.screens.stories import FIRST_PAGE
from reader.ui.widgets.story_list import StoryList

NOT_NEEDED_FOR_THE_FIRST_FRAME = (
    "PIL",
    "feedparser",
    "httpx",
    "selectolax",
    "multiprocessing",
    "reader.extract",
    "reader.feeds",
    "reader.net",
    "reader.cleaner",
    "reader.ui.screens.article",
    "reader.ui.screens.search",
    "reader.ui.screens.sources",
    "reader.ui.widgets.article_view",
)
"""Modules the story list's first frame does without; each loads when first used."""


def test_the_app_and_its_library_load_without_network_feed_or_cleaning_modules(
    tmp_path: Path,
) -> None:
    probe = (
        "import sys; from pathlib import Path; import reader.cli, reader.ui.app;"
        " from reader.config import Settings; from reader.library import Library;"
        f" library = Library(Settings(data_dir=Path({str(tmp_path)!r})));"
        " reader.ui.app.NewsReaderApp(library);"
        f" print(sorted(m for m in sys.modules if m.split('.')[0] in {{'feedparser', 'httpx',"
        f" 'selectolax', 'multiprocessing'}} or m.startswith({NOT_NEEDED_FOR_THE_FIRST_FRAME!r})))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


class RecordingLibrary(Library):
    """The real library, noting how many stories the list showed when the refresh began."""

    listed_when_refresh_began: int | None = None
    app: NewsReaderApp | None = None

    async def refresh(self, on_progress: FeedProgress | None = None) -> list[FeedOutcome]:
        assert self.app is not None
        self.listed_when_refresh_began = len(self.app.screen.query_one(StoryList).stories)
        return await super().refresh(on_progress)


async def test_the_refresh_starts_after_the_stored_stories_are_shown(
    http_server, tmp_path: Path
) -> None:
    feed = http_server.url("/feeds/rss2.xml")
    settings = Settings(data_dir=tmp_path, feeds=(feed,), prefetch=False)
    # A first run stores the feed's stories; the second starts with them in the library.
    first = NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW)
    async with first.run_test(size=(100, 30)):
        await settle(first)
    library = RecordingLibrary(settings)
    app = NewsReaderApp(library, clock=lambda: FROZEN_NOW)
    library.app = app
    async with app.run_test(size=(100, 30)):
        await settle(app)
    assert library.listed_when_refresh_began == 3


def test_the_newest_stories_of_many_feeds_are_read_in_time_order(tmp_path: Path) -> None:
    """The first page walks the time index and stops, instead of sorting every story."""
    store = Store(tmp_path / "library.sqlite3")
    try:
        trace: list[str] = []
        store._db.set_trace_callback(trace.append)
        store.stories(("https://a.example/feed", "https://b.example/feed"), limit=300)
        store._db.set_trace_callback(None)
        plan = store._db.execute("EXPLAIN QUERY PLAN " + trace[-1]).fetchall()
    finally:
        store.close()
    steps = " / ".join(row[3] for row in plan)
    assert "stories_by_time" in steps and "TEMP B-TREE" not in steps, steps


async def test_an_unknown_action_in_the_keys_table_is_reported_once_the_list_is_shown(
    tmp_path: Path,
) -> None:
    keys = {"refrsh": "ctrl+r", "refresh": "ctrl+r"}
    config = replace(DEFAULTS, keys=keys)
    library = Library(Settings(data_dir=tmp_path, feeds=()))
    app = NewsReaderApp(library, clock=lambda: FROZEN_NOW, config=config)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app)
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert "[keys] refrsh: no such action; it keeps its default key" in messages
        assert not any("refresh:" in message for message in messages)


def test_what_the_first_frame_skipped_is_loaded_once_the_list_is_shown(tmp_path: Path) -> None:
    probe = f"""
import asyncio, sys
from pathlib import Path
from reader.config import Settings
from reader.library import Library
from reader.ui.app import NewsReaderApp

async def main():
    app = NewsReaderApp(Library(Settings(data_dir=Path({str(tmp_path)!r}), feeds=())))
    async with app.run_test() as pilot:
        while not app.screen.first_page_shown.is_set():
            await pilot.pause()
        await pilot.pause()
        await app.workers.wait_for_complete()
        print(sorted(m for m in {NOT_NEEDED_FOR_THE_FIRST_FRAME!r} if m not in sys.modules))

asyncio.run(main())
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # Only the cleaner (and multiprocessing) wait for a page to clean.
    assert result.stdout.strip() == "['multiprocessing', 'reader.cleaner']"


class CountingLibrary(Library):
    """The real library, counting the story reads the app asks it for."""

    reads: int = 0

    async def stories(self, *args: object, **kwargs: object) -> list[Story]:
        self.reads += 1
        return await super().stories(*args, **kwargs)  # type: ignore[arg-type]


async def test_stories_read_before_the_app_starts_are_in_its_first_frame(
    http_server, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, feeds=(http_server.url("/feeds/rss2.xml"),))
    first = NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW)
    async with first.run_test(size=(100, 30)):
        await settle(first)
    library = CountingLibrary(replace(settings, refresh_on_start=False))
    newest = library.newest_stories(FIRST_PAGE)
    app = NewsReaderApp(library, clock=lambda: FROZEN_NOW, first_page=newest)
    async with app.run_test(size=(100, 30)):
        assert [s.id for s in app.screen.query_one(StoryList).stories] == [s.id for s in newest]
        assert len(newest) == 3 and library.reads == 0
        await settle(app)
    assert library.reads == 0  # under FIRST_PAGE stories: nothing more to load
