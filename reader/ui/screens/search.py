"""Search: titles and the text of every cached article, ranked, updated as you type."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from reader.library import Library
from reader.sanitize import clean_text
from reader.store import SnippetPart, Story
from reader.ui.failures import ReportsWorkerFailures
from reader.ui.screens.article import ArticleScreen
from reader.ui.widgets.story_list import StoryList

SEARCH_DELAY = 0.12
"""Seconds of typing pause before a search runs: one query per pause, not per key."""
SEARCH_HINT = "Type words to search titles and cached articles · ↓ to the results · Esc back"
"""What the status line says before anything is typed."""


class SearchScreen(ReportsWorkerFailures, Screen[None]):
    """A search box over a list of matching stories; Enter opens one, Escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("down", "to_results", "Results", show=False),
    ]

    def __init__(self, library: Library, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.library = library
        self.clock = clock
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search titles and cached articles…", id="search-input")
        yield StoryList(self.clock, id="search-results")
        yield Static("", id="search-snippet", markup=False)
        yield Static(SEARCH_HINT, id="search-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(StoryList).set_empty_text("Matching stories show here as you type.")
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(SEARCH_DELAY, lambda: self.run_search(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        results = self.query_one(StoryList)
        if results.stories:
            results.focus()
            results.action_open()

    @work(exclusive=True, group="search", exit_on_error=False)
    async def run_search(self, text: str) -> None:
        """Show the stories matching `text`, best first."""
        started = time.perf_counter()
        stories = await self.library.search(text) if text.strip() else []
        elapsed = (time.perf_counter() - started) * 1000
        results = self.query_one(StoryList)
        results.set_stories(stories)
        results.set_empty_text(
            "No story matches." if text.strip() else "Matching stories show here as you type."
        )
        message = f"{len(stories)} found in {elapsed:.0f} ms" if text.strip() else SEARCH_HINT
        self.query_one("#search-status", Static).update(Text(message))

    def on_story_list_highlighted(self, message: StoryList.Highlighted) -> None:
        self.show_snippet(message.story)

    @work(exclusive=True, group="snippet", exit_on_error=False)
    async def show_snippet(self, story: Story | None) -> None:
        """Under the results, the words of the highlighted story's text that matched."""
        text = self.query_one(Input).value
        parts = await self.library.search_snippet(text, story) if story else []
        self.query_one("#search-snippet", Static).update(snippet_text(parts))

    def on_story_list_opened(self, message: StoryList.Opened) -> None:
        stories = list(self.query_one(StoryList).stories)
        index = next(i for i, story in enumerate(stories) if story.id == message.story.id)
        self.app.push_screen(ArticleScreen(self.library, stories, index), self._returned)

    def _returned(self, story_id: int | None) -> None:
        if story_id is not None:
            self.query_one(StoryList).select_story(story_id)
        # Again: what was just read must lose its unread mark.
        self.run_search(self.query_one(Input).value)

    def action_to_results(self) -> None:
        self.query_one(StoryList).focus()

    def action_back(self) -> None:
        self.dismiss(None)


def snippet_text(parts: list[SnippetPart]) -> Text:
    """A snippet as one line of literal text, the matched words in bold."""
    line = Text("  ", no_wrap=True, overflow="ellipsis")
    for piece, matched in parts:
        # Cleaned piece by piece, keeping the spaces at their ends that join them.
        cleaned = clean_text(piece)
        words = " ".join(cleaned.split())
        before = " " if cleaned[:1].isspace() else ""
        after = " " if cleaned[-1:].isspace() and words else ""
        line.append(before + words + after, "bold" if matched else "")
    return line if parts else Text("")
