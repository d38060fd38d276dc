"""The story list: one line a story, drawn line by line so any number of rows stays instant."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.sanitize import clean_line
from reader.store import Story

SOURCE_WIDTH = 18
"""Cells for the source column: fits most feed names, leaves the title the rest."""
AGE_WIDTH = 4
"""Cells for the age column ("59m", "23h", "12d", "3y")."""
MARKER_WIDTH = 4
"""Cells for the unread, offline and saved markers and a space."""
UNREAD_MARK = "●"
CACHED_MARK = "↓"
SAVED_MARK = "★"


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(0, width - 1)) + "…" if width else ""


def format_age(seconds: float) -> str:
    """A compact age that fits four cells: "now", "5m", "3h", "2d", "6w", "8mo", "2y"."""
    minutes, hours, days = seconds / 60, seconds / 3600, seconds / 86_400
    if minutes < 1:
        return "now"
    if hours < 1:
        return f"{int(minutes)}m"
    if days < 1:
        return f"{int(hours)}h"
    if days < 14:
        return f"{int(days)}d"
    if days < 60:
        return f"{int(days // 7)}w"
    if days < 365:
        return f"{int(days // 30)}mo"
    return f"{int(days // 365)}y"


class StoryList(ScrollView, can_focus=True):
    """Stories newest first, with a cursor; only the visible lines are ever rendered."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("g,home", "first", "First", show=False, id="first"),
        Binding("G,end", "last", "Last", show=False, id="last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="page_up"),
        Binding("enter", "open", "Open", id="open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--cursor",
        "story-list--read",
        "story-list--unread",
        "story-list--meta",
        "story-list--marker",
    }

    cursor: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted story."""

    class Highlighted(Message):
        """The cursor moved to another story, or the list changed under it."""

        def __init__(self, story: Story | None) -> None:
            super().__init__()
            self.story = story

    class Opened(Message):
        """The user asked to open the story under the cursor."""

        def __init__(self, story: Story) -> None:
            super().__init__()
            self.story = story

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self._stories: list[Story] = []
        self._empty_text = ""
        self._cursor_placed = False
        """Whether the cursor was put on a story (by a key, a click, a return from it): until
        then it stays on the newest story, whatever order the feeds arrive in."""

    @property
    def stories(self) -> Sequence[Story]:
        """The stories shown, in display order."""
        return self._stories

    @property
    def highlighted(self) -> Story | None:
        """The story under the cursor, if there is one."""
        return self._stories[self.cursor] if self._stories else None

    def set_stories(self, stories: list[Story]) -> None:
        """Show `stories`, keeping the cursor on the story it was on, at the same screen line
        (on the newest one until the cursor has been put anywhere)."""
        previous = self.highlighted if self._cursor_placed else None
        screen_line = self.cursor - self.scroll_offset.y
        self._stories = stories
        self.virtual_size = Size(0, len(stories))
        index = 0
        if previous is not None:
            index = next((i for i, s in enumerate(stories) if s.id == previous.id), 0)
        self.set_reactive(StoryList.cursor, min(index, max(0, len(stories) - 1)))
        if previous is not None:
            self.scroll_to(y=max(0, self.cursor - screen_line), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self.highlighted))

    def select_story(self, story_id: int) -> None:
        """Move the cursor to the story with `story_id`, if it is listed."""
        for index, story in enumerate(self._stories):
            if story.id == story_id:
                self.cursor = index
                return

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._stories) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        # Called once at mount with nothing moved; set_stories moves it without calling here.
        self._cursor_placed = self._cursor_placed or old != new
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        self.post_message(self.Highlighted(self.highlighted))

    def set_empty_text(self, text: str) -> None:
        """What the list says when it has no stories (why, and what to do)."""
        self._empty_text = text
        if not self._stories:
            self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        # Not `size`: that includes the scrollbar, which would cover the age column's end.
        width = self.scrollable_content_region.width
        if not self._stories and y == 1 and self._empty_text:
            style = self.rich_style + self.get_component_rich_style("story-list--meta")
            return Strip([Segment(fit("  " + self._empty_text, width), style)])
        if index >= len(self._stories):
            return Strip.blank(width, self.rich_style)
        return self._render_story(index, width)

    def _render_story(self, index: int, width: int) -> Strip:
        # Cleaned as drawn: only visible rows pay for it, whatever the list holds.
        story = self._stories[index]
        title, source = clean_line(story.title, 500), clean_line(story.source, 200)
        base = self.rich_style
        if index == self.cursor:
            text_style = base + self.get_component_rich_style("story-list--cursor")
            meta_style = marker_style = text_style
        else:
            state = "story-list--read" if story.is_read else "story-list--unread"
            text_style = base + self.get_component_rich_style(state)
            meta_style = base + self.get_component_rich_style("story-list--meta")
            marker_style = base + self.get_component_rich_style("story-list--marker")
        age = format_age(max(0.0, self._clock() - story.sort_time))
        markers = (
            (UNREAD_MARK if not story.is_read else " ")
            + (CACHED_MARK if story.is_cached else " ")
            + (SAVED_MARK if story.is_saved else " ")
        )
        source_width = min(SOURCE_WIDTH, max(0, width // 4))
        # Cells besides the title: markers, a space before each column and two before the source.
        title_width = max(0, width - MARKER_WIDTH - source_width - AGE_WIDTH - 4)
        segments = [
            Segment(" " + markers, marker_style),
            Segment(" " + fit(title, title_width), text_style),
            Segment("  " + fit(source, source_width), meta_style),
            Segment(" " + age.rjust(AGE_WIDTH), meta_style),
        ]
        strip = Strip(segments)
        padding = width - strip.cell_length
        if padding > 0:
            strip = Strip([*segments, Segment(" " * padding, text_style)])
        return strip.crop(0, width)

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if not 0 <= index < len(self._stories):
            return
        if index == self.cursor or event.chain > 1:
            self.cursor = index
            self.action_open()
        else:
            self.cursor = index

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._stories) - 1

    def action_page_down(self) -> None:
        self.cursor += max(1, self.size.height - 1)

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.size.height - 1)

    def action_open(self) -> None:
        if (story := self.highlighted) is not None:
            self.post_message(self.Opened(story))
