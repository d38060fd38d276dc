"""A Document as Markdown, for `newsreader read --format markdown` and notes apps.

The article's text comes from strangers, so every run of text is escaped: a headline such as
"# 1 rated" or "*Exclusive*" must stay literal, and a link's target cannot break out of its
parentheses. The output is CommonMark (tables as GitHub Flavored Markdown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reader.document import (
    Block,
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Span,
    Table,
    meta_line,
)

MIN_HEADING_LEVEL = 2
"""The title is the one level-1 heading; an `<h1>` inside the body becomes level 2."""
MAX_HEADING_LEVEL = 6
"""Markdown has six heading levels."""
FENCE_MIN = 3
"""Backticks in a code fence: three, or one more than the longest run inside the code."""

_STYLE_MARKS = {"em": "*", "strong": "**"}
# Characters that start inline markup anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|!~])")
# What makes a line's start into a block: a heading, a quote, a bullet, a rule, a setext line;
# and "1." or "1)" starting an ordered list, escaped at its punctuation ("\1." is not an escape).
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_ORDERED_START = re.compile(r"^(\s*\d+)([.)])")
_BACKTICKS = re.compile(r"`+")
# Characters percent-encoded in link targets so the URL cannot end the Markdown link early.
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\n": "%0A"}


def escape(text: str) -> str:
    """`text` with Markdown's special characters escaped, so it renders as written."""
    escaped = _INLINE_SPECIAL.sub(r"\\\1", text)
    lines = (_LINE_START.sub(r"\1\\\2", line) for line in escaped.split("\n"))
    return "\n".join(_ORDERED_START.sub(r"\1\\\2", line) for line in lines)


def _url(href: str) -> str:
    return "".join(_URL_UNSAFE.get(char, char) for char in href)


def _span(span: Span) -> str:
    """One inline span; markers hug the text because `* word*` is not emphasis in Markdown."""
    stripped = span.text.strip()
    if not stripped:
        return span.text
    lead = span.text[: len(span.text) - len(span.text.lstrip())]
    trail = span.text[len(span.text.rstrip()) :]
    if span.style == "code":
        fence = "`" * (max(map(len, _BACKTICKS.findall(stripped)), default=0) + 1)
        pad = " " if stripped.startswith("`") or stripped.endswith("`") else ""
        body = f"{fence}{pad}{stripped}{pad}{fence}"
    elif span.style == "link" and span.href:
        body = f"[{escape(stripped)}]({_url(span.href)})"
    elif span.style in _STYLE_MARKS:
        mark = _STYLE_MARKS[span.style]
        body = f"{mark}{escape(stripped)}{mark}"
    else:
        body = escape(stripped)
    return lead + body + trail


def _inline(spans: Iterable[Span]) -> str:
    """A run of spans as one line of Markdown."""
    return " ".join("".join(_span(span) for span in spans).split())


def _indent(text: str, prefix: str, first: str | None = None) -> str:
    """`text` with `prefix` before each line (`first` before the first), blank lines kept bare."""
    lines = text.split("\n")
    out = []
    for index, line in enumerate(lines):
        lead = first if index == 0 and first is not None else prefix
        out.append((lead + line) if line else lead.rstrip())
    return "\n".join(out)


def _list(block: ListBlock) -> str:
    items = []
    for number, item in enumerate(block.items, start=1):
        marker = f"{number}. " if block.ordered else "- "
        # Continuation lines line up with the item's text, as CommonMark requires.
        items.append(_indent(_blocks(item), " " * len(marker), first=marker))
    return "\n".join(items)


def _table(block: Table) -> str:
    width = max(len(row) for row in block.rows)
    rows = [[escape(cell).replace("\n", " ") for cell in row] for row in block.rows]
    rows = [row + [""] * (width - len(row)) for row in rows]
    # GFM tables need a header row; a table without one gets an empty header.
    header, body = (rows[0], rows[1:]) if block.header else ([""] * width, rows)
    lines = [header, ["---"] * width, *body]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def _block(block: Block) -> str:
    """One block as Markdown ("" for a block with nothing to show)."""
    match block:
        case Heading(spans=spans, level=level):
            text = _inline(spans)
            marks = "#" * min(max(level, MIN_HEADING_LEVEL), MAX_HEADING_LEVEL)
            return f"{marks} {text}" if text else ""
        case Paragraph(spans=spans):
            return _inline(spans)
        case ListBlock():
            return _list(block) if block.items else ""
        case Quote(blocks=blocks):
            inner = _blocks(blocks)
            return _indent(inner, "> ") if inner else ""
        case Preformatted(text=text):
            fence = "`" * max(FENCE_MIN, max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
            return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"
        case Figure(src=src, alt=alt, caption=caption):
            parts = []
            if src:
                parts.append(f"![{escape(alt)}]({_url(src)})")
            if caption.strip():
                parts.append(f"*{escape(caption.strip())}*")
            return "\n\n".join(parts)
        case Table(rows=rows):
            return _table(block) if rows else ""
        case Rule():
            return "---"
    return ""


def _blocks(blocks: Iterable[Block]) -> str:
    return "\n\n".join(text for text in map(_block, blocks) if text)


def to_markdown(document: Document) -> str:
    """The article as Markdown: its title, the meta line, the source link, then the body."""
    head = []
    if document.title:
        head.append(f"# {escape(document.title)}")
    if meta := meta_line(document):
        head.append(f"*{escape(meta)}*")
    if document.url:
        head.append(f"<{_url(document.url)}>")
    parts = [*head, _blocks(document.blocks)]
    return "\n\n".join(part for part in parts if part) + "\n"
