"""The feeds pane: every source with its unread count and last error, to narrow the list to one."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.library import Library
from reader.sanitize import clean_line
from reader.store import FeedOverview
from reader.ui.failures import ReportsWorkerFailures

ALL_FEEDS = ""
"""The option id that means every source."""


class FeedPicker(ReportsWorkerFailures, ModalScreen[tuple[str, str] | None]):
    """Choose one feed to read (or all of them); dismissed with (url, title), "" for all."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,F", "dismiss(None)", "Close")]

    def __init__(self, library: Library, current: str | None) -> None:
        super().__init__()
        self.library = library
        self.current = current
        self.feeds: list[FeedOverview] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="feeds-box"):
            yield Static(Text("Feeds"), id="feeds-title")
            yield OptionList(id="feeds-list")
            yield Static(Text("Enter shows one feed · Esc closes"), id="feeds-hint")

    def on_mount(self) -> None:
        self.load_feeds()

    @work(exclusive=True, exit_on_error=False)
    async def load_feeds(self) -> None:
        """List the sources in use with their counts."""
        self.feeds, total_unread = await self.library.feeds()
        options = self.query_one(OptionList)
        options.add_option(Option(Text(f"All feeds  ({total_unread} unread)"), id=ALL_FEEDS))
        folder = ""
        for feed in self.feeds:
            if feed.folder != folder:
                folder = feed.folder
                options.add_option(Option(Text(clean_line(folder, 60), style="dim"), disabled=True))
            indent = "  " if folder else ""
            line = Text(indent + clean_line(feed.title, 60), style="bold" if feed.unread else "")
            line.append(f"  {feed.unread}/{feed.stories}", "dim")
            if feed.shared:
                line.append(
                    f"  ({feed.shared} listed under the feed that brought them first)", "dim"
                )
            if feed.last_error:
                line.append(f"  ⚠ {clean_line(feed.last_error, 80)}", "italic")
            options.add_option(Option(line, id=feed.url))
        selected = next((i + 1 for i, feed in enumerate(self.feeds) if feed.url == self.current), 0)
        options.highlighted = selected
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        url = event.option.id or ALL_FEEDS
        title = next((feed.title for feed in self.feeds if feed.url == url), "")
        self.dismiss((url, title))
