"""The reading column: a page laid out once into lines, drawn line by line.

The page is laid out into styled lines (page_layout.py) when it arrives or the width changes (a
16,000-word article lays out in about 25 ms) and only the visible lines are drawn, so opening
and scrolling a long article stay instant. One widget per block took 0.4 s to open such an
article and 0.9 s a PageDown under Pilot.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.settings import MAX_READING_WIDTH as MAX_MEASURE
from reader.settings import MIN_READING_WIDTH as MIN_MEASURE
from reader.ui.graphics.modes import DEFAULT_CELL, CellPixels, DrawMode
from reader.ui.graphics.output import GraphicsOut
from reader.ui.widgets.article_pictures import PicturesInView
from reader.ui.widgets.page_layout import LaidOutPage, Line, Link, Page, PageLayout, PageStyles

DEFAULT_MEASURE = 72
"""Columns of text in the reading column: about the 60–75 characters a line that type
designers recommend, and what Firefox's Reader View shows at its default size."""
SIDE_MARGIN = 2
"""Cells kept free on each side when the terminal is narrower than the measure."""
FIRST_PAINT_SCREENS = 2
"""Screens of lines laid out before the first paint; the rest follows in chunks."""
LAYOUT_CHUNK_BLOCKS = 40
"""Blocks laid out per chunk after the first paint: about 10 ms each, so keys stay responsive."""
CODE_SCROLL_STEP = 8
"""Cells code blocks move sideways per Left/Right press."""


class ArticleView(PicturesInView, ScrollView, can_focus=True):
    """A scrolling page with a centred column of text; only visible lines are drawn."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, id="scroll_down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="scroll_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="page_down"),
        Binding("pageup,b", "page_up", "Page up", show=False, id="page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="scroll_top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="scroll_bottom"),
        Binding("left", "code_left", "Code left", show=False, id="code_left"),
        Binding("right", "code_right", "Code right", show=False, id="code_right"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-view--title",
        "article-view--meta",
        "article-view--heading",
        "article-view--subheading",
        "article-view--quote",
        "article-view--quote-bar",
        "article-view--code",
        "article-view--caption",
        "article-view--figure",
        "article-view--notice",
        "article-view--link",
        "article-view--link-number",
        "article-view--rule",
        "article-view--picture",
    }

    measure: reactive[int] = reactive(DEFAULT_MEASURE)
    """Columns of text in the column (the terminal's width caps it)."""

    class Scrolled(Message):
        """The reading position changed; `fraction` is 0 at the top and 1 at the end."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(
        self,
        *,
        pictures: DrawMode = "off",
        cell: CellPixels = DEFAULT_CELL,
        graphics: GraphicsOut | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`pictures` is how figures are drawn ("off": as their alt text); `cell` the size of a
        terminal cell in pixels, which Kitty and Sixel pictures are scaled to; `graphics` where
        their escape sequences go (None: nowhere, as in a test that reads only the cells)."""
        super().__init__(id=id, classes=classes)
        self.page: Page | None = None
        self._init_pictures(pictures, cell, graphics)
        self._layout = LaidOutPage()
        self._layout_key: tuple[object, ...] | None = None
        self._pending_fraction: float | None = None
        self._builder: PageLayout | None = None
        """Lays out the blocks still to come; None once the page is complete."""
        self._next_block = 0
        self._widest_code = 0
        """Cells of the longest code line laid out so far: what the sideways scroll reaches."""

    @property
    def links(self) -> list[Link]:
        """The page's links in the order they are numbered."""
        self.finish_layout()
        return self._layout.links

    @property
    def view_width(self) -> int:
        """Cells the page is drawn across: the widget less the vertical scrollbar's gutter,
        which is always kept so the column does not shift when the bar comes and goes."""
        return max(1, self.size.width - self.styles.scrollbar_size_vertical)

    @property
    def widest_measure(self) -> int:
        """The widest column this window can show, side margins kept."""
        return max(MIN_MEASURE, min(MAX_MEASURE, self.view_width - 2 * SIDE_MARGIN))

    @property
    def column_width(self) -> int:
        """Cells of text per line at the current terminal width."""
        return max(1, min(self.measure, self.view_width - 2 * SIDE_MARGIN))

    @property
    def fraction(self) -> float:
        """How far through the page the view is: 0.0 at the top, 1.0 at the end."""
        if self.max_scroll_y <= 0:
            return 1.0 if self.page is not None and self._builder is None else 0.0
        return min(1.0, self.scroll_y / self.max_scroll_y)

    def _relayout(
        self, moved: str | None = None, rows_before: tuple[int, int] | None = None
    ) -> None:
        """Lay the page out again where it is read, for pictures shown, hidden or resized."""
        top = round(self.scroll_y)
        self._layout_key = None
        self._ensure_layout(keep_lines=top + self.size.height)
        if moved is not None and rows_before is not None:
            after = self._picture_rows(moved)
            first, rows = rows_before
            if after is not None and first < top and after[1] != rows:
                top = max(0, top + after[1] - rows)
        self.scroll_to(y=top, animate=False, immediate=True, force=True)
        self.refresh()

    @property
    def at_end(self) -> bool:
        """Whether the last line of the page is on screen."""
        return self.scroll_y >= self.max_scroll_y

    def show_page(self, page: Page, fraction: float = 0.0) -> None:
        """Show `page`, scrolled to `fraction` of its length (the top for 0)."""
        self.page = page
        self._layout_key = None
        self._pending_fraction = fraction or None
        # Start from the top: the previous page's position would otherwise survive, clamped to
        # the new page's first laid-out screens, and a new story would open part-way down.
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._ensure_layout()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        self._layout_key = None
        self._ensure_layout()
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        self._keep_position()
        self._ensure_layout()

    def watch_measure(self) -> None:
        self._keep_position()
        self._layout_key = None
        self._ensure_layout()

    def _keep_position(self) -> None:
        """Carry the reading position through a relayout (a resize or a new measure)."""
        if self._pending_fraction is None and self.scroll_y > 0:
            self._pending_fraction = self.fraction

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.post_message(self.Scrolled(self.fraction))

    def _ensure_layout(self, keep_lines: int = 0) -> None:
        """Lay the page out again if the width, the page, the theme or the pictures changed.

        Only the first screens are laid out at once (and the lines down to `keep_lines`, which
        a relayout in place must keep scrollable); the rest follows in chunks after the first
        paint, so a long article shows as fast as a short one. Restoring a reading position needs
        the whole length, so it lays out everything first.
        """
        if self.page is None or not self.size.width:
            return
        plan = self._picture_plan()
        key = (self.view_width, self.column_width, self.app.theme, plan)
        if key == self._layout_key:
            return
        self._layout_key = key
        self._builder = PageLayout(self.app.console, PageStyles(self), plan)
        self._layout = LaidOutPage(
            self._builder.head(self.page, self.column_width), self._builder.links
        )
        self._next_block = 0
        self._widest_code = 0
        if self._pending_fraction:
            self._extend_layout(block_limit=None)
        else:
            first = max(keep_lines + self.size.height, self.size.height * FIRST_PAINT_SCREENS)
            self._extend_layout(line_target=first)

    def _extend_layout(self, *, block_limit: int | None = None, line_target: int = 0) -> None:
        """Lay out more blocks: `block_limit` of them (None: all), or until `line_target` lines."""
        if self._builder is None or self.page is None:
            return
        blocks, lines = self.page.blocks, self._layout.lines
        start = self._next_block
        while self._next_block < len(blocks):
            if line_target and len(lines) >= line_target:
                break
            if block_limit is not None and self._next_block - start >= block_limit:
                break
            added = self._builder.blocks([blocks[self._next_block]], self.column_width)
            self._widest_code = max(
                self._widest_code,
                *(Strip(line.segments).cell_length for line in added if line.is_code),
                0,
            )
            lines += added
            self._next_block += 1
        finished = self._next_block >= len(blocks)
        if finished:
            lines.append(Line([]))
            self._builder = None
        # Wider than the view only by what the widest code block overhangs the column: the
        # sideways scrollbar then shows only while there is code to scroll to, and scroll_x
        # is how far code blocks are moved.
        overhang = max(0, self._widest_code - self.column_width)
        self.virtual_size = Size(self.view_width + overhang, len(lines))
        if not finished:
            self.call_after_refresh(self._continue_layout, self._layout_key)
        elif self._pending_fraction is not None:
            self.call_after_refresh(self._scroll_to_fraction)
        self.refresh()

    def _continue_layout(self, key: tuple[object, ...] | None) -> None:
        if key == self._layout_key:
            self._extend_layout(block_limit=LAYOUT_CHUNK_BLOCKS)

    def finish_layout(self) -> None:
        """Lay out whatever is left now, for callers that need the whole page."""
        self._ensure_layout()
        self._extend_layout(block_limit=None)

    def _scroll_to_fraction(self, attempts: int = 5) -> None:
        """Scroll to the pending reading position once the whole page is laid out."""
        if self._pending_fraction is None or self._builder is not None:
            return
        # The scroll range follows the virtual size only after a layout pass: wait for it.
        if self.max_scroll_y <= 0 and len(self._layout.lines) > self.size.height and attempts:
            self.call_after_refresh(self._scroll_to_fraction, attempts - 1)
            return
        fraction, self._pending_fraction = self._pending_fraction, None
        # Forced: until the next layout pass shows the scrollbar, Textual ignores a scroll of a
        # view it thinks cannot scroll, and on a busy machine that pass can come later than this.
        self.scroll_to(
            y=round(fraction * self.max_scroll_y), animate=False, immediate=True, force=True
        )

    def render_line(self, y: int) -> Strip:
        self._ensure_layout()
        width = self.view_width
        base = self.rich_style
        index = self.scroll_offset.y + y
        lines = self._layout.lines
        if index >= len(lines):
            return Strip.blank(width, base)
        line = lines[index]
        column = self.column_width
        left = max(0, (width - column) // 2)
        content = Strip(line.segments)
        if line.is_code:
            offset = self.scroll_offset.x
            content = content.crop(offset, offset + column)
            content = content.extend_cell_length(column, line.segments[0].style)
        elif line.picture is not None:
            picture = self._picture_segments(line.picture, index, y, left + content.cell_length)
            content = Strip([*line.segments, *picture])
        segments = [Segment(" " * left), *content]
        return Strip(Segment.apply_style(segments, base)).adjust_cell_length(width, base)

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_relative(y=-1, animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_code_left(self) -> None:
        self.scroll_relative(x=-CODE_SCROLL_STEP, animate=False)

    def action_code_right(self) -> None:
        self.scroll_relative(x=CODE_SCROLL_STEP, animate=False)

    def text(self) -> str:
        """The page as the lines on screen show it, without styles: for tests and copying."""
        self.finish_layout()
        return "\n".join(
            "".join(segment.text for segment in line.segments).rstrip()
            for line in self._layout.lines
        )
