"""The main screen: every story, newest first, refreshed in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from reader.library import FeedOutcome, Library
from reader.sanitize import clean_line
from reader.ui.screens.article import ArticleScreen, open_link
from reader.ui.widgets.story_list import StoryList

OFFLINE_HINTS = ("cannot connect", "timed out", "name or service", "network")
"""Words in a feed error that mean the network, not the feed, is the problem."""


class StoriesScreen(Screen[None]):
    """The story list with a title bar, a status line for refreshes and a footer of keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh"),
        Binding("o", "open_in_browser", "Browser"),
        Binding("question_mark", "app.help", "Keys"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, library: Library, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.library = library
        self.clock = clock
        self.feed_errors: dict[str, str] = {}
        """Feed title → why its last refresh failed, for the status line."""

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", markup=False)
        yield StoryList(self.clock, id="stories")
        with Horizontal(id="status-bar"):
            yield Static("", id="status", markup=False)
            yield ProgressBar(id="refresh-progress", show_eta=False, show_percentage=False)
        yield Footer()

    @property
    def story_list(self) -> StoryList:
        """The list widget."""
        return self.query_one(StoryList)

    def on_mount(self) -> None:
        self.query_one("#refresh-progress").display = False
        self.story_list.focus()
        self.load_stories()
        self.refresh_feeds()

    def set_status(self, message: str) -> None:
        """Show one line of status (untrusted parts already cleaned by the caller)."""
        self.query_one("#status", Static).update(Text(clean_line(message, 400)))

    def _update_title_bar(self) -> None:
        stories = self.story_list.stories
        unread = sum(not story.is_read for story in stories)
        self.query_one("#title-bar", Static).update(
            Text(f"newsreader  ·  {len(stories)} stories  ·  {unread} unread")
        )

    @work(exclusive=True, group="stories", exit_on_error=False)
    async def load_stories(self) -> None:
        """Show what the library knows, keeping the cursor where it is."""
        stories = await self.library.stories()
        self.story_list.set_stories(stories)
        self._update_title_bar()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feeds(self) -> None:
        """Fetch every feed, merging new stories in as each feed arrives."""
        progress = self.query_one("#refresh-progress", ProgressBar)
        progress.update(total=None, progress=0)
        progress.display = True
        self.feed_errors.clear()
        self.set_status("Refreshing feeds…")

        def on_feed(outcome: FeedOutcome, done: int, total: int) -> None:
            progress.update(total=total, progress=done)
            if outcome.error:
                self.feed_errors[clean_line(outcome.title, 80)] = outcome.error
            self.set_status(f"Refreshing feeds {done}/{total}" + self._error_summary())
            if outcome.new_stories:
                self.load_stories()

        try:
            outcomes = await self.library.refresh(on_feed)
        finally:
            progress.display = False
        self.load_stories()
        self.set_status(self._final_status(outcomes))

    def _error_summary(self) -> str:
        if not self.feed_errors:
            return ""
        return "  ·  " + "; ".join(f"{title}: {err}" for title, err in self.feed_errors.items())

    def _final_status(self, outcomes: list[FeedOutcome]) -> str:
        failed = [o for o in outcomes if o.error]
        new = sum(o.new_stories for o in outcomes)
        when = time.strftime("%H:%M", time.localtime(self.clock()))
        if (
            outcomes
            and len(failed) == len(outcomes)
            and all(any(hint in (o.error or "").lower() for hint in OFFLINE_HINTS) for o in failed)
        ):
            return f"Offline: no feed could be reached ({when}); showing cached stories"
        status = f"Updated {when}  ·  {new} new"
        if failed:
            status += f"  ·  {len(failed)} of {len(outcomes)} feeds failed" + self._error_summary()
        return status

    def on_story_list_opened(self, message: StoryList.Opened) -> None:
        stories = list(self.story_list.stories)
        index = next(i for i, story in enumerate(stories) if story.id == message.story.id)
        self.app.push_screen(ArticleScreen(self.library, stories, index), self._on_article_closed)

    def _on_article_closed(self, story_id: int | None) -> None:
        if story_id is not None:
            self.story_list.select_story(story_id)
        self.load_stories()

    def action_refresh(self) -> None:
        self.refresh_feeds()

    def action_open_in_browser(self) -> None:
        if (story := self.story_list.highlighted) is not None:
            open_link(self, story.link)
