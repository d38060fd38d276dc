"""Laying a page out into styled lines at one width, for the reading view to draw.

Every string is wrapped in a Rich `Text` (never parsed as markup) after passing the sanitiser, so
an article cannot style, link or act on the terminal. Rich wraps ~16,000 words in ~25 ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text
from textual.widget import Widget

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
from reader.ui.graphics.modes import CellPixels, picture_box

TOP_MARGIN = 1
"""Blank lines above the title: a terminal cell is about twice as tall as it is wide, so one
line matches the two cells of SIDE_MARGIN."""
BULLETS = ("•", "◦", "▪")
"""Bullets for unordered lists by nesting depth, repeating past the third level."""


@dataclass(frozen=True, slots=True)
class Page:
    """What the reading view shows: a title, a meta line, an optional notice, then blocks."""

    title: str
    meta: str = ""
    blocks: Sequence[Block] = ()
    notice: str = ""
    address: str = ""
    """A web address shown under the title on one line, shortened with … to fit: it has no
    spaces to wrap at, and folding it would break it mid-word."""


@dataclass(frozen=True, slots=True)
class Link:
    """A numbered link of the page: the number shown in the text, its words and its target."""

    number: int
    text: str
    url: str
    picture: bool = False
    """A picture's address: Enter shows the picture full-screen rather than following it."""


@dataclass(frozen=True, slots=True)
class PictureRow:
    """Row `row` of the `rows` × `columns` cells where the picture at `src` is drawn."""

    src: str
    row: int
    rows: int
    columns: int
    label: str
    """What the placeholder says until the picture is drawn: its alt text, cleaned."""


@dataclass(slots=True)
class Line:
    """One laid-out line: its segments, whether it is code that scrolls sideways, and the
    picture row drawn after its segments (the indent), if any."""

    segments: list[Segment]
    is_code: bool = False
    picture: PictureRow | None = None


@dataclass(frozen=True, slots=True)
class PicturePlan:
    """How figures are laid out when pictures are drawn: the rows one may take, what a cell
    holds of a picture, and the pixel sizes known so far (the pictures that arrived)."""

    max_rows: int
    cell: CellPixels
    sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class LaidOutPage:
    """The page as lines at one width, with the links found while laying it out."""

    lines: list[Line] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


class PageStyles:
    """The Rich styles of each part of the page, read from the widget's component classes."""

    def __init__(self, view: Widget) -> None:
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


class PageLayout:
    """Lays a Page out into lines at one width; numbers its links in reading order."""

    def __init__(
        self, console: Console, styles: PageStyles, pictures: PicturePlan | None = None
    ) -> None:
        """`pictures` None lays figures out as their alt text, as when pictures are off."""
        self.console = console
        self.styles = styles
        self.pictures = pictures
        self.links: list[Link] = []
        self._urls: dict[str, int] = {}
        self._pictures: dict[str, int] = {}
        self._depth = 0
        """Blocks nested in a quote: pictures are drawn only at the top level of the page."""

    def lines(self, renderable: RenderableType, width: int) -> list[Line]:
        options: ConsoleOptions = self.console.options.update(width=max(1, width), height=None)
        return [Line(line) for line in self.console.render_lines(renderable, options, pad=False)]

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

    def head(self, page: Page, width: int) -> list[Line]:
        """The top margin, the title, the meta line and address, a rule and any notice."""
        out = [Line([]) for _ in range(TOP_MARGIN)]
        out += self.lines(Text(clean_line(page.title, 1000), self.styles.title), width)
        if page.meta or page.address:
            out.append(Line([]))
        if page.meta:
            out += self.lines(Text(clean_line(page.meta, 500), self.styles.meta), width)
        if page.address:
            address = Text(clean_line(page.address, 1000), self.styles.meta)
            address.truncate(width, overflow="ellipsis")
            out += self.lines(address, width)
        out.append(Line([Segment("─" * width, self.styles.rule)]))
        if page.notice:
            notice = Panel(
                Text(clean_block(page.notice)),
                box=box.ROUNDED,
                border_style=self.styles.notice,
                padding=(0, 1),
            )
            out += [Line([]), *self.lines(notice, width)]
        return out

    def blocks(self, blocks: Sequence[Block], width: int) -> list[Line]:
        """Blocks one after another, a blank line before each."""
        out: list[Line] = []
        for block in blocks:
            if lines := self.block(block, width):
                out += [Line([]), *lines]
        return out

    def block(self, block: Block, width: int) -> list[Line]:
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
                self._depth += 1
                try:
                    lines = self.blocks(inner, max(1, width - 2))[1:]
                finally:
                    self._depth -= 1
                return [
                    Line([bar, *Segment.apply_style(line.segments, styles.quote)]) for line in lines
                ]
            case Preformatted(text=text):
                code = clean_text(text).expandtabs(4).rstrip("\n").split("\n")
                return [Line([Segment(line, styles.code)], is_code=True) for line in code]
            case Figure():
                return self.figure(block, width)
            case Table():
                return self.lines(self.table(block), width)
            case Rule():
                return self.lines(Text("· · ·", styles.rule, justify="center"), width)
        return []

    def figure(self, figure: Figure, width: int) -> list[Line]:
        """A figure: its picture's rows (or its alt text), then its caption. A picture with a
        web address is numbered with the links, so `l` can show it or open it."""
        styles = self.styles
        alt = clean_line(figure.alt, 300)
        number = self._picture_number(figure, alt)
        mark = Text(f" [{number}]", styles.link_number) if number else Text("")
        caption = Text(clean_block(figure.caption), styles.caption) if figure.caption else None
        plan = self.pictures
        if plan is None or number is None or self._depth or figure.src is None:
            label = Text(f"▣ {alt or 'image'}", styles.figure).append_text(mark)
            return self.lines(label, width) + (self.lines(caption, width) if caption else [])
        known = plan.sizes.get(figure.src)
        if known is None and figure.width and figure.height:
            known = (figure.width, figure.height)
        columns, rows = picture_box(known, width, plan.max_rows, plan.cell)
        indent = [Segment(" " * ((width - columns) // 2))] if columns < width else []
        words = alt or "picture"
        lines = [
            Line(list(indent), picture=PictureRow(figure.src, row, rows, columns, words))
            for row in range(rows)
        ]
        under = caption.append_text(mark) if caption else Text(f"[{number}]", styles.link_number)
        return lines + self.lines(under, width)

    def _picture_number(self, figure: Figure, alt: str) -> int | None:
        """The picture's number among the links (one per address), None if it has no web one."""
        src = figure.src
        if not src or not is_web_url(src):
            return None
        number = self._pictures.get(src)
        if number is None:
            number = self._pictures[src] = len(self.links) + 1
            about = alt or clean_line(figure.caption, 200) or "picture"
            self.links.append(Link(number, f"Picture: {about}", src, picture=True))
        return number

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
