"""Helpers for driving the real app in tests: build it on a temp library and read its screen."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual.widgets import Static
from textual.worker import WorkerCancelled
from waiting import wait_until

from reader.config import Settings
from reader.library import Library
from reader.settings import UserConfig
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.widgets.story_list import StoryList

# Times on screen are local: pin the zone so every machine draws the same snapshot.
os.environ["TZ"] = "UTC"
time.tzset()
# Pictures are drawn only in a colour terminal: say this is one, whatever terminal runs the tests
# (the app reads it when it is made, as Rich does).
os.environ["COLORTERM"] = "truecolor"

FROZEN_NOW = datetime(2025, 12, 1, 12, 0, tzinfo=UTC).timestamp()
"""The clock the tests' app reads, so ages ("3h") and snapshots never drift."""


def make_app(data_dir: Path, feeds: list[str], *, images: str = "off") -> NewsReaderApp:
    """The real app on a library in `data_dir` reading `feeds`, with a frozen clock. Pictures
    are drawn only when asked (`images="halfcell"`): "auto" would depend on the terminal the
    tests run in."""
    settings = Settings(data_dir=data_dir, feeds=tuple(feeds))
    config = UserConfig(images=images)
    return NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW, config=config)


async def settle(app: NewsReaderApp) -> None:
    """Wait until the app is up and every worker (refreshes, loads, fetches) has finished."""
    # Until the app's own first screen replaces Textual's placeholder "_default" screen.
    await wait_until(
        lambda: app.is_running and app.screen.is_mounted and app.screen.id != "_default",
        "the app's first screen",
    )
    idle_checks = 0
    while idle_checks < 2:
        with contextlib.suppress(WorkerCancelled):  # an exclusive worker replaced by a newer one
            await app.workers.wait_for_complete()
        await asyncio.sleep(0.02)
        idle_checks = 0 if any(worker.is_running for worker in app.workers) else idle_checks + 1


async def wait_for_article(app: NewsReaderApp) -> ArticleScreen:
    """Wait until the reading view is in front with its page shown, then until the app settles.

    `settle` alone can return between a key press and the worker it starts, on a busy machine.
    """

    def shown() -> bool:
        screen = app.screen
        # A view not laid out yet has no size, and no lines to read.
        return isinstance(screen, ArticleScreen) and bool(screen.view.page and screen.view.size)

    await wait_until(shown, "the article to be shown")
    await settle(app)
    assert isinstance(app.screen, ArticleScreen)
    return app.screen


def list_lines(app: NewsReaderApp) -> list[str]:
    """Every row of the story list as it is drawn, scrolled-out rows included."""
    story_list = app.screen.query_one(StoryList)
    return [story_list._render_story(i, 100).text for i in range(len(story_list.stories))]


def static_text(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Text) else str(content)


def screen_text(app: NewsReaderApp) -> str:
    """The text of every Static on the screen in front, in order."""
    return "\n".join(static_text(widget) for widget in app.screen.query(Static))


def article_text(app: NewsReaderApp) -> str:
    """The text of the reading view as laid out: title, meta line, notices and blocks."""
    assert isinstance(app.screen, ArticleScreen), f"not reading: {app.screen!r}"
    return app.screen.view.text()
