"""The reading screen: one story's article, cleaned, with next and previous without going back."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer

from reader.browser import open_in_browser
from reader.library import ArticleOutcome, Library
from reader.sanitize import clean_line
from reader.store import Story
from reader.ui.widgets.article_view import (
    ArticleView,
    notice_widget,
    summary_widgets,
    title_widgets,
)


def open_link(node: DOMNode, url: str | None) -> None:
    """Hand `url` to the system browser off the UI thread, and say if that could not happen."""

    def launch() -> None:
        if not open_in_browser(url):
            message = f"Could not open a browser for {clean_line(url or 'this story', 200)}"
            node.app.call_from_thread(node.app.notify, message, severity="warning", markup=False)

    node.app.run_worker(launch, thread=True, group="browser", exit_on_error=False)


def story_meta(story: Story) -> str:
    """Source and date of a story, for when there is no article to give its own."""
    date = story.published.strftime("%Y-%m-%d") if story.published else ""
    return " · ".join(part for part in (story.source, story.author, date) if part)


class ArticleScreen(Screen[int]):
    """Shows the article of `stories[index]`; dismissed with the id of the story last shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace,q", "back", "Back"),
        Binding("n", "next_story", "Next"),
        Binding("p", "previous_story", "Previous"),
        Binding("o", "open_in_browser", "Browser"),
        Binding("question_mark", "app.help", "Keys"),
        Binding("j", "scroll('down')", "Scroll down", show=False),
        Binding("k", "scroll('up')", "Scroll up", show=False),
        Binding("space", "scroll('page_down')", "Page down", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(
        self,
        library: Library,
        stories: Sequence[Story],
        index: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.library = library
        self.stories = stories
        self.index = index
        self.clock = clock

    @property
    def story(self) -> Story:
        """The story being read."""
        return self.stories[self.index]

    @property
    def view(self) -> ArticleView:
        """The scrolling article column."""
        return self.query_one(ArticleView)

    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")
        yield Footer()

    def on_mount(self) -> None:
        self.view.focus()
        self.load_article(self.story)

    @work(exclusive=True, group="article", exit_on_error=False)
    async def load_article(self, story: Story) -> None:
        """Open the story's article (cache first), show it, and mark the story read."""
        view = self.view
        view.loading = True
        try:
            outcome = await self.library.open_article(story)
            await self.library.mark_read(story)
            await self._show(story, outcome)
        finally:
            view.loading = False

    async def _show(self, story: Story, outcome: ArticleOutcome) -> None:
        document = outcome.document
        if document is not None and document.is_article and document.blocks:
            await self.view.show_document(document, fallback_title=story.title)
            return
        if document is not None:
            reason = (
                f"This page does not look like an article ({document.note or 'no text found'})."
            )
        else:
            reason = f"The article could not be loaded: {outcome.error}."
        notice = notice_widget(
            f"{reason} Showing the feed's summary; press o to open the page in your browser."
        )
        await self.view.show(
            title_widgets(story.title, story_meta(story)), [notice, *summary_widgets(story.summary)]
        )

    def action_scroll(self, where: str) -> None:
        view = self.view
        {
            "down": view.scroll_down,
            "up": view.scroll_up,
            "page_down": view.scroll_page_down,
            "home": view.scroll_home,
            "end": view.scroll_end,
        }[where](animate=False)

    def _go_to(self, index: int) -> None:
        if not 0 <= index < len(self.stories):
            self.notify("No more stories this way.", timeout=2)
            return
        self.index = index
        self.load_article(self.story)

    def action_next_story(self) -> None:
        self._go_to(self.index + 1)

    def action_previous_story(self) -> None:
        self._go_to(self.index - 1)

    def action_back(self) -> None:
        self.dismiss(self.story.id)

    def action_open_in_browser(self) -> None:
        open_link(self, self.story.link)
