"""The Document: a cleaned article as metadata and a list of typed blocks.

The extractor builds it, the store keeps it as JSON, the reading view and `newsreader read`
render it. `Document.text` is the one plain-text rendering of the body: what the reader shows is
exactly what the benchmark scores.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

WORDS_PER_MINUTE = 230
"""Reading speed for the reading-time estimate: the common figure for adult silent reading."""

InlineStyle = Literal["text", "em", "strong", "code", "link"]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of inline text with one style; a link carries its absolute http(s) target."""

    text: str
    style: InlineStyle = "text"
    href: str | None = None


@dataclass(frozen=True, slots=True)
class Heading:
    """A subheading of the article; level 1 is the largest."""

    spans: tuple[Span, ...]
    level: int = 2
    kind: Literal["heading"] = "heading"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of running text."""

    spans: tuple[Span, ...]
    kind: Literal["paragraph"] = "paragraph"


@dataclass(frozen=True, slots=True)
class ListBlock:
    """An ordered or unordered list; each item is a sequence of blocks (text, nested lists)."""

    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False
    kind: Literal["list"] = "list"


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quotation holding other blocks."""

    blocks: tuple[Block, ...]
    kind: Literal["quote"] = "quote"


@dataclass(frozen=True, slots=True)
class Preformatted:
    """Preformatted text or code, shown exactly as written and never re-wrapped."""

    text: str
    kind: Literal["pre"] = "pre"


@dataclass(frozen=True, slots=True)
class Figure:
    """An image and its caption; the reading view draws it, or a placeholder with its alt text."""

    src: str | None = None
    alt: str = ""
    caption: str = ""
    width: int | None = None
    height: int | None = None
    """The size the page's <img> declares, in pixels: the placeholder's shape before the
    picture arrives. None when the page gives none (documents cached before had none either)."""
    kind: Literal["figure"] = "figure"


@dataclass(frozen=True, slots=True)
class Table:
    """A simple table of text cells; the first row is a header when `header` is set."""

    rows: tuple[tuple[str, ...], ...]
    header: bool = False
    kind: Literal["table"] = "table"


@dataclass(frozen=True, slots=True)
class Rule:
    """A thematic break."""

    kind: Literal["rule"] = "rule"


Block = Heading | Paragraph | ListBlock | Quote | Preformatted | Figure | Table | Rule


def spans_text(spans: tuple[Span, ...]) -> str:
    """The plain text of a run of spans."""
    return "".join(span.text for span in spans).strip()


def block_text(block: Block) -> str:
    """The plain text of one block, as the reader shows it without styling."""
    match block:
        case Heading(spans=spans) | Paragraph(spans=spans):
            return spans_text(spans)
        case ListBlock(items=items):
            return "\n".join(
                "\n".join(t for t in (block_text(b) for b in item) if t) for item in items
            )
        case Quote(blocks=blocks):
            return "\n\n".join(t for t in (block_text(b) for b in blocks) if t)
        case Preformatted(text=text):
            return text
        case Figure(caption=caption):
            return caption
        case Table(rows=rows):
            return "\n".join(" ".join(cell for cell in row if cell) for row in rows)
        case _:
            return ""


@dataclass(slots=True)
class Document:
    """A cleaned article: what the page says it is, and the blocks of its body."""

    url: str | None = None
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    """ISO 8601 date or date-time as the page gives it."""
    modified: str | None = None
    site_name: str = ""
    language: str = ""
    description: str = ""
    image: str | None = None
    canonical_url: str | None = None
    blocks: list[Block] = field(default_factory=list)
    is_article: bool = True
    """False for a home page, a listing or an empty page: the reader then shows the feed summary."""
    note: str = ""
    """Why the page is not an article, or what the extractor had to give up on."""

    @property
    def byline(self) -> str:
        """The authors joined for display ("A, B and C")."""
        if len(self.authors) <= 1:
            return "".join(self.authors)
        return ", ".join(self.authors[:-1]) + " and " + self.authors[-1]

    @property
    def text(self) -> str:
        """The body as plain text, one blank line between blocks."""
        return "\n\n".join(t for t in (block_text(b) for b in self.blocks) if t)

    @property
    def word_count(self) -> int:
        """Words in the body."""
        return len(self.text.split())

    @property
    def reading_minutes(self) -> int:
        """Estimated minutes to read the body, at least one."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; `from_dict` reads it back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        """The Document that `to_dict` wrote."""
        fields = {k: v for k, v in data.items() if k != "blocks" and k in cls.__dataclass_fields__}
        return cls(**fields, blocks=[_block_from_dict(b) for b in data.get("blocks", [])])


def _spans_from(items: list[dict[str, Any]]) -> tuple[Span, ...]:
    return tuple(Span(**item) for item in items)


def _block_from_dict(data: dict[str, Any]) -> Block:
    """One block from its dict form, dispatched on its `kind`."""
    kind = data["kind"]
    if kind == "heading":
        return Heading(_spans_from(data["spans"]), data.get("level", 2))
    if kind == "paragraph":
        return Paragraph(_spans_from(data["spans"]))
    if kind == "list":
        items = tuple(tuple(_block_from_dict(b) for b in item) for item in data["items"])
        return ListBlock(items, data.get("ordered", False))
    if kind == "quote":
        return Quote(tuple(_block_from_dict(b) for b in data["blocks"]))
    if kind == "pre":
        return Preformatted(data["text"])
    if kind == "figure":
        return Figure(
            data.get("src"),
            data.get("alt", ""),
            data.get("caption", ""),
            _pixels(data.get("width")),
            _pixels(data.get("height")),
        )
    if kind == "table":
        return Table(tuple(tuple(row) for row in data["rows"]), data.get("header", False))
    return Rule()


def _pixels(value: object) -> int | None:
    """A stored picture side: a positive int, else None (absent in older cached documents)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def figures(blocks: Sequence[Block], *, nested: bool = True) -> Iterator[Figure]:
    """The figures of `blocks` in reading order; with `nested`, those inside quotes and lists
    too (the reading view draws only the top-level ones, the `l` picker lists them all)."""
    for block in blocks:
        if isinstance(block, Figure):
            yield block
        elif nested and isinstance(block, Quote):
            yield from figures(block.blocks)
        elif nested and isinstance(block, ListBlock):
            for item in block.items:
                yield from figures(item)


def text_blocks(text: str) -> list[Block]:
    """Plain text (paragraphs separated by blank lines) as paragraph blocks."""
    return [Paragraph((Span(part.strip()),)) for part in text.split("\n\n") if part.strip()]


def meta_line(document: Document) -> str:
    """Site · authors · date · reading time: the one line under the title."""
    parts = [
        document.site_name,
        document.byline,
        (document.published or "")[:10],
        f"{document.reading_minutes} min read" if document.blocks else "",
    ]
    return " · ".join(part for part in parts if part)


def to_plain_text(document: Document) -> str:
    """The article as plain text: title, the meta line, then the body."""
    head = [line for line in (document.title, meta_line(document)) if line]
    return "\n".join(head) + ("\n\n" if head else "") + document.text + "\n"
