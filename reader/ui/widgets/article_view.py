"""The reading column: a page laid out once into lines, drawn line by line.

Every string is wrapped in a Rich `Text` (never parsed as markup) after passing the sanitiser, so
an article cannot style, link or act on the terminal. The page is laid out into styled lines when
it arrives or the width changes (a 16,000-word article lays out in about 25 ms) and only the
visible lines are drawn, so opening and scrolling a long article stay instant. One widget per
block took 0.4 s to open such an article and 0.9 s a PageDown under Pilot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.document import (
    Block,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Span,
    Table,
    block_text,
)
from reader.sanitize import clean_block, clean_line, clean_text, is_web_url

DEFAULT_MEASURE = 72
"""Columns of text in the reading column: about the 60–75 characters a line that type
designers recommend, and what Firefox's Reader View shows at its default size."""
MIN_MEASURE = 30
MAX_MEASURE = 200
SIDE_MARGIN = 2
"""Cells kept free on each side when the terminal is narrower than the measure."""
FIRST_PAINT_SCREENS = 2
"""Screens of lines laid out before the first paint; the rest follows in chunks."""
LAYOUT_CHUNK_BLOCKS = 40
"""Blocks laid out per chunk after the first paint: about 10 ms each, so keys stay responsive."""
CODE_SCROLL_STEP = 8
"""Cells a code block moves sideways per Left/Right press."""
BULLETS = ("•", "◦", "▪")
"""Bullets for unordered lists by nesting depth, repeating past the third level."""


@dataclass(frozen=True, slots=True)
class Page:
    """What the reading view shows: a title, a meta line, an optional notice, then blocks."""

    title: str
    meta: str = ""
    blocks: Sequence[Block] = ()
    notice: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A numbered link of the page: the number shown in the text, its words and its target."""

    number: int
    text: str
    url: str


@dataclass(slots=True)
class _Line:
    """One laid-out line: its segments, and whether it is code that scrolls sideways."""

    segments: list[Segment]
    is_code: bool = False


@dataclass(slots=True)
class _Layout:
    """The page as lines at one width, with the links found while laying it out."""

    lines: list[_Line] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class _Styles:
    """The Rich styles of each part of the page, read from the widget's component classes."""

    def __init__(self, view: ArticleView) -> None:
        def get(name: str) -> Style:
            return view.get_component_rich_style(f"article-view--{name}")

        self.title = get("title")
        self.meta = get("meta")
        self.heading = get("heading")
        self.subheading = get("subheading")
        self.quote = get("quote")
        self.quote_bar = get("quote-bar")
        self.code = get("code")
        self.caption = get("caption")
        self.figure = get("figure")
        self.notice = get("notice")
        self.link = get("link")
        self.link_number = get("link-number")
        self.rule = get("rule")


class _PageLayout:
    """Lays a Page out into lines at one width; numbers its links in reading order."""

    def __init__(self, console: Console, styles: _Styles) -> None:
        self.console = console
        self.styles = styles
        self.links: list[Link] = []
        self._urls: dict[str, int] = {}

    def lines(self, renderable: RenderableType, width: int) -> list[_Line]:
        options: ConsoleOptions = self.console.options.update(width=max(1, width), height=None)
        return [_Line(line) for line in self.console.render_lines(renderable, options, pad=False)]

    def spans_text(self, spans: Iterable[Span], style: Style | None = None) -> Text:
        """Inline spans as literal text; each http(s) link underlined and given a number."""
        text = Text(style=style or Style())
        for span in spans:
            words = clean_text(span.text).replace("\n", " ")
            if span.style == "link" and span.href and is_web_url(span.href):
                text.append(words, self.styles.link)
                number = self._urls.get(span.href)
                if number is None:
                    number = self._urls[span.href] = len(self.links) + 1
                    self.links.append(Link(number, clean_line(words, 200), span.href))
                text.append(f"[{number}]", self.styles.link_number)
            elif span.style == "em":
                text.append(words, "italic")
            elif span.style in ("strong", "code"):
                text.append(words, "bold")
            else:
                text.append(words)
        text.rstrip()
        return text

    def head(self, page: Page, width: int) -> list[_Line]:
        """The title, the meta line, a rule and any notice."""
        out = self.lines(Text(clean_line(page.title, 1000), self.styles.title), width)
        if page.meta:
            out += [
                _Line([]),
                *self.lines(Text(clean_line(page.meta, 500), self.styles.meta), width),
            ]
        out.append(_Line([Segment("─" * width, self.styles.rule)]))
        if page.notice:
            notice = Panel(
                Text(clean_block(page.notice)),
                box=box.ROUNDED,
                border_style=self.styles.notice,
                padding=(0, 1),
            )
            out += [_Line([]), *self.lines(notice, width)]
        return out

    def blocks(self, blocks: Sequence[Block], width: int) -> list[_Line]:
        """Blocks one after another, a blank line before each."""
        out: list[_Line] = []
        for block in blocks:
            if lines := self.block(block, width):
                out += [_Line([]), *lines]
        return out

    def block(self, block: Block, width: int) -> list[_Line]:
        styles = self.styles
        match block:
            case Heading(spans=spans, level=level):
                style = styles.heading if level <= 2 else styles.subheading
                return self.lines(self.spans_text(spans, style), width)
            case Paragraph(spans=spans):
                return self.lines(self.spans_text(spans), width)
            case ListBlock():
                return self.lines(self.list_grid(block, 0), width)
            case Quote(blocks=inner):
                bar = Segment("▌ ", styles.quote_bar)
                lines = self.blocks(inner, max(1, width - 2))[1:]
                return [
                    _Line([bar, *Segment.apply_style(line.segments, styles.quote)])
                    for line in lines
                ]
            case Preformatted(text=text):
                code = clean_text(text).expandtabs(4).rstrip("\n").split("\n")
                return [_Line([Segment(line, styles.code)], is_code=True) for line in code]
            case Figure(alt=alt, caption=caption):
                label = Text(f"▣ {clean_line(alt, 300) or 'image'}", styles.figure)
                lines = self.lines(label, width)
                if caption:
                    lines += self.lines(Text(clean_block(caption), styles.caption), width)
                return lines
            case Table():
                return self.lines(self.table(block), width)
            case Rule():
                return self.lines(Text("· · ·", styles.rule, justify="center"), width)
        return []

    def list_grid(self, block: ListBlock, depth: int) -> RichTable:
        """A list as a two-column grid, so wrapped lines hang under the text, not the bullet."""
        grid = RichTable.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(ratio=1)
        for number, item in enumerate(block.items, start=1):
            marker = f"{number}." if block.ordered else BULLETS[depth % len(BULLETS)]
            parts: list[RenderableType] = []
            for child in item:
                if isinstance(child, ListBlock):
                    parts.append(self.list_grid(child, depth + 1))
                elif isinstance(child, Heading | Paragraph):
                    parts.append(self.spans_text(child.spans))
                elif text := block_text(child):
                    parts.append(Text(clean_block(text)))
            for index, part in enumerate(parts):
                grid.add_row(Text(marker if index == 0 else ""), part)
        return grid

    def table(self, block: Table) -> RichTable:
        table = RichTable(box=box.SIMPLE_HEAD, show_header=block.header, expand=False)
        columns = max((len(row) for row in block.rows), default=0)
        rows = [[clean_line(cell, 300) for cell in row] for row in block.rows]
        header = rows[0] if block.header and rows else []
        for index in range(columns):
            table.add_column(Text(header[index] if index < len(header) else ""))
        for row in rows[1:] if block.header else rows:
            table.add_row(*(Text(cell) for cell in row))
        return table


class ArticleView(ScrollView, can_focus=True):
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
    }

    measure: reactive[int] = reactive(DEFAULT_MEASURE)
    """Columns of text in the column (the terminal's width caps it)."""
    code_offset: reactive[int] = reactive(0)
    """How far code blocks are scrolled sideways."""

    class Scrolled(Message):
        """The reading position changed; `fraction` is 0 at the top and 1 at the end."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.page: Page | None = None
        self._layout = _Layout()
        self._layout_key: tuple[int, int, str] | None = None
        self._pending_fraction: float | None = None
        self._builder: _PageLayout | None = None
        """Lays out the blocks still to come; None once the page is complete."""
        self._next_block = 0

    @property
    def links(self) -> list[Link]:
        """The page's links in the order they are numbered."""
        self.finish_layout()
        return self._layout.links

    @property
    def column_width(self) -> int:
        """Cells of text per line at the current terminal width."""
        return max(1, min(self.measure, self.size.width - 2 * SIDE_MARGIN))

    @property
    def fraction(self) -> float:
        """How far through the page the view is: 0.0 at the top, 1.0 at the end."""
        if self.max_scroll_y <= 0:
            return 1.0 if self.page is not None and self._builder is None else 0.0
        return min(1.0, self.scroll_y / self.max_scroll_y)

    @property
    def at_end(self) -> bool:
        """Whether the last line of the page is on screen."""
        return self.scroll_y >= self.max_scroll_y

    def show_page(self, page: Page, fraction: float = 0.0) -> None:
        """Show `page`, scrolled to `fraction` of its length."""
        self.page = page
        self.code_offset = 0
        self._layout_key = None
        self._pending_fraction = fraction or None
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

    def watch_code_offset(self) -> None:
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.post_message(self.Scrolled(self.fraction))

    def _ensure_layout(self) -> None:
        """Lay the page out again if the width, the page or the theme changed.

        Only the first screens are laid out at once; the rest follows in chunks after the first
        paint, so a long article shows as fast as a short one. Restoring a reading position needs
        the whole length, so it lays out everything first.
        """
        if self.page is None or not self.size.width:
            return
        key = (self.size.width, self.column_width, self.app.theme)
        if key == self._layout_key:
            return
        self._layout_key = key
        self._builder = _PageLayout(self.app.console, _Styles(self))
        self._layout = _Layout(
            self._builder.head(self.page, self.column_width), self._builder.links
        )
        self._next_block = 0
        if self._pending_fraction:
            self._extend_layout(block_limit=None)
        else:
            self._extend_layout(line_target=self.size.height * FIRST_PAINT_SCREENS)

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
            lines += self._builder.blocks([blocks[self._next_block]], self.column_width)
            self._next_block += 1
        finished = self._next_block >= len(blocks)
        if finished:
            lines.append(_Line([]))
            self._builder = None
        self.virtual_size = Size(self.size.width, len(lines))
        if not finished:
            self.call_after_refresh(self._continue_layout, self._layout_key)
        elif self._pending_fraction is not None:
            self.call_after_refresh(self._scroll_to_fraction)
        self.refresh()

    def _continue_layout(self, key: tuple[int, int, str] | None) -> None:
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
        width = self.size.width
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
            content = content.crop(self.code_offset, self.code_offset + column)
            content = content.extend_cell_length(column, line.segments[0].style)
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
        self.code_offset = max(0, self.code_offset - CODE_SCROLL_STEP)

    def action_code_right(self) -> None:
        widest = max(
            (Strip(line.segments).cell_length for line in self._layout.lines if line.is_code),
            default=0,
        )
        self.code_offset = min(
            max(0, widest - self.column_width), self.code_offset + CODE_SCROLL_STEP
        )

    def text(self) -> str:
        """The page as the lines on screen show it, without styles: for tests and copying."""
        self.finish_layout()
        return "\n".join(
            "".join(segment.text for segment in line.segments).rstrip()
            for line in self._layout.lines
        )
