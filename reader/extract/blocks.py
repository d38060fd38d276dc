"""Turning the chosen article nodes into Document blocks, dropping furniture left inside them.

The walk is iterative (a stack of child iterators, one per open element), so a page nested
thousands of levels deep costs time, never a RecursionError.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from selectolax.lexbor import LexborNode

from reader.document import (
    Block,
    Heading,
    InlineStyle,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Span,
)
from reader.extract.junk import is_junk
from reader.extract.media import figure_from, lead_figure, table_from
from reader.extract.metadata import absolute_url
from reader.extract.prune import hidden_by_class, is_hidden
from reader.extract.tags import (
    BLOCK_TAGS,
    FLUSH_ONLY,
    HEADINGS,
    PLAIN_INLINE,
    SKIP_TAGS,
    STYLE_OF,
    STYLE_RANK,
)
from reader.sanitize import clean_text, needs_cleaning

__all__ = ["BlockBuilder", "lead_figure"]

MAX_WALK_NODES = 100_000
"""Most nodes (elements and text) walked when building blocks: a real article has a few
thousand; a degenerate page stops here (about a second of work) with the note saying so."""


@dataclass(slots=True)
class _Frame:
    """A container being filled: the article, a quote, a list or a list item."""

    kind: Literal["root", "quote", "list", "item"]
    blocks: list[Block] = field(default_factory=list)
    items: list[tuple[Block, ...]] = field(default_factory=list)
    ordered: bool = False


@dataclass(slots=True)
class _Run:
    """Inline text being collected; a mutable stand-in for Span, which is frozen and slower
    to build (each text node would otherwise create several). Its pieces are joined once at
    the end: appending to a str a piece at a time is quadratic."""

    parts: list[str]
    style: InlineStyle
    href: str | None


_node_text = LexborNode.text


def _text_length(node: LexborNode) -> int:
    return len(node.text())


class BlockBuilder:
    """Collects blocks from a walk over the article nodes."""

    def __init__(
        self,
        base: str | None,
        scores: Callable[[LexborNode], float | None],
        text_of: Callable[[LexborNode], str] | None = None,
        text_length: Callable[[LexborNode], int] | None = None,
        clean: bool = True,
    ) -> None:
        self.base = base
        self.clean = clean
        """Whether containers inside the article are judged as furniture (`is_junk`); off in
        the last retry, when judging them left too little."""
        self.scores = scores
        self.text_of = text_of or _node_text
        """A node's text (the Scorer's, memoised: the block builder judges some of the
        containers it measured)."""
        self.text_length = text_length or _text_length
        """The length of a node's text (the Scorer's, memoised: it has measured the article
        node already)."""
        self.frames: list[_Frame] = [_Frame("root")]
        self.runs: list[_Run] = []
        """Pending inline text, turned into Spans at a flush."""
        self.styles: list[tuple[InlineStyle, str | None]] = []
        self.style: tuple[InlineStyle, str | None] = ("text", None)
        self.heading_level = 0
        self.root_id = 0
        self.sibling_id = 0
        self.root_chars = 0
        self.visited = 0
        self.truncated = False
        """Whether the walk stopped at MAX_WALK_NODES, leaving the rest of the article out."""

    def add_block(self, block: Block) -> None:
        """Add a block built elsewhere (the lead figure) at the current position."""
        self._flush()
        self._append(block)

    @property
    def blocks(self) -> list[Block]:
        """The blocks built so far."""
        self._flush()
        return self.frames[0].blocks

    def add(self, root: LexborNode, main: LexborNode) -> None:
        """Walk one article node (iteratively) and add its blocks.

        `main` is the best-scoring node: it is never dropped as furniture itself, and its
        length is the yardstick for what counts as a small subtree.
        """
        self.root_id = main.mem_id
        self.sibling_id = root.mem_id if root.mem_id != main.mem_id else 0
        self.root_chars = self.text_length(main)
        # A stack of child iterators, one per open element, and the open elements' tags: no
        # per-child tuples, and each tag is read once (each read crosses into C).
        open_tags: list[str] = []
        pending: list[Iterator[LexborNode]] = [iter((root,))]
        # Bound methods and the counter in locals: this loop runs once per node of the article.
        on_text, enter, leave = self._text, self._enter, self._leave
        visited = self.visited
        while pending:
            visited += 1
            if visited > MAX_WALK_NODES:
                self.truncated = True
                break
            node = next(pending[-1], None)
            if node is None:
                pending.pop()
                if open_tags:
                    tag = open_tags.pop()
                    # Leaving a plain inline element (the commonest) changes nothing.
                    if tag not in PLAIN_INLINE:
                        leave(tag)
                continue
            tag = node.tag or ""
            if tag == "-text":
                text = node.text_content
                # Indentation between blocks, with no inline text open, adds nothing.
                if text and (self.runs or not text.isspace()):
                    on_text(text)
            elif tag[:1] != "-" and enter(node, tag):
                open_tags.append(tag)
                pending.append(node.iter(include_text=True))
        self.visited = visited
        # Cut short: close what is open so lists, quotes and headings keep their content.
        for tag in reversed(open_tags):
            leave(tag)

    # -- events ----------------------------------------------------------------------------

    def _enter(self, node: LexborNode, tag: str) -> bool:
        """Handle an opening tag; True to walk its children."""
        if tag in PLAIN_INLINE:
            return True
        if tag in STYLE_OF:
            self._push_style(STYLE_OF[tag], None)
            return True
        if tag == "a":
            attrs = node.attributes
            if hidden_by_class(attrs.get("class")):
                # A skip link ("Continue reading the main story") only screen readers see.
                return False
            self._push_style("link", absolute_url(attrs.get("href"), self.base))
            return True
        if tag in SKIP_TAGS:
            return False
        if tag == "br":
            self._add_run(" " if self.heading_level else "\n", "text", None)
            return False
        attrs = node.attributes
        node_id = node.mem_id
        if node_id != self.root_id and is_hidden(attrs):
            # The article node is kept even when hidden: a script reveals it.
            return False
        # A sibling joined to the article is judged on its own, not shielded as a majority.
        yardstick = math.inf if node_id == self.sibling_id else self.root_chars
        if (
            self.clean
            and node_id != self.root_id
            and is_junk(node, tag, attrs, self.scores, yardstick, self.text_of)
        ):
            return False
        if tag in HEADINGS:
            self._flush()
            self.heading_level = HEADINGS[tag]
            return True
        if tag in ("figure", "picture", "img"):
            if tag == "figure" and node.css_first("img, picture, figcaption") is None:
                # A figure holding an embed (a quoted post, a chart as text): its content.
                self._flush()
                return True
            figure = figure_from(node, self.base)
            if figure is not None:
                self._flush()
                self._append(figure)
            return False
        if tag == "pre":
            self._flush()
            text = clean_text(node.text(deep=True)).strip("\n")
            if text.strip():
                self._append(Preformatted(text))
            return False
        if tag == "hr":
            self._flush()
            self._append(Rule())
            return False
        if tag == "table":
            table = table_from(node)
            if table is not None:
                self._flush()
                self._append(table)
                return False
            self._flush()
            return True
        if tag in ("ul", "ol"):
            self._flush()
            self.frames.append(_Frame("list", ordered=tag == "ol"))
            return True
        if tag == "li":
            self._flush()
            if self.frames[-1].kind == "list":
                self.frames.append(_Frame("item"))
            return True
        if tag == "blockquote":
            self._flush()
            self.frames.append(_Frame("quote"))
            return True
        if tag in BLOCK_TAGS:
            self._flush()
            child = node.first_child
            if tag == "p" and child is not None and child.next is None and child.is_text_node:
                # A paragraph of plain text, the commonest block: no walk needed.
                self._text(child.text_content or "")
                self._flush()
                return False
        return True

    def _leave(self, tag: str) -> None:
        """Handle a closing tag."""
        if tag in FLUSH_ONLY:
            # The commonest close (`</p>`, `</div>`): end the paragraph.
            self._flush()
            return
        if tag in STYLE_OF or tag == "a":
            if self.styles:
                self.styles.pop()
                self._restyle()
            return
        if tag in HEADINGS:
            level = self.heading_level
            self.heading_level = 0
            spans = self._take_spans()
            if spans:
                self._append(Heading(spans, level))
            return
        if tag in ("ul", "ol"):
            self._flush()
            frame = self.frames.pop() if self.frames[-1].kind == "list" else None
            if frame is not None and frame.items:
                self._append(ListBlock(tuple(frame.items), frame.ordered))
            return
        if tag == "li":
            self._flush()
            if self.frames[-1].kind == "item":
                item = self.frames.pop()
                if item.blocks and self.frames[-1].kind == "list":
                    self.frames[-1].items.append(tuple(item.blocks))
            return
        if tag == "blockquote":
            self._flush()
            if self.frames[-1].kind == "quote":
                quote = self.frames.pop()
                if quote.blocks:
                    self._append(Quote(tuple(quote.blocks)))
            return
        if tag in BLOCK_TAGS or tag == "table":
            self._flush()

    def _text(self, text: str) -> None:
        if not text:
            return
        if text.isspace():
            # Indentation between tags, the commonest text node: no regex needed.
            if self.runs:
                self._add_run(" ", self.runs[-1].style, self.runs[-1].href)
            return
        style, href = self.style
        # Collapse whitespace; str.split (which knows Unicode spaces) outruns a regex here.
        collapsed = " ".join(text.split())
        if text[0].isspace():
            collapsed = " " + collapsed
        if text[-1].isspace():
            collapsed += " "
        self._add_run(collapsed, style, href)

    def _push_style(self, style: InlineStyle, href: str | None) -> None:
        self.styles.append((style, href))
        self._restyle()

    def _restyle(self) -> None:
        """The style of text at this point: the strongest open one (a link beats code beats
        strong beats em); a link without a usable target styles nothing."""
        style: InlineStyle = "text"
        href = None
        for candidate, target in self.styles:
            if candidate == "link" and target is None:
                continue
            if STYLE_RANK[candidate] >= STYLE_RANK[style]:
                style, href = candidate, target
        self.style = (style, href)

    def _add_run(self, text: str, style: InlineStyle, href: str | None) -> None:
        """Append inline text, merging it into the previous run of the same style."""
        runs = self.runs
        if runs:
            last = runs[-1]
            if text.startswith(" ") and last.parts[-1].endswith((" ", "\n")):
                text = text.lstrip(" ")
                if not text:
                    return
            if last.style == style and last.href == href:
                last.parts.append(text)
                return
        elif not text.strip():
            return
        runs.append(_Run([text], style, href))

    # -- building --------------------------------------------------------------------------

    def _take_spans(self) -> tuple[Span, ...]:
        """The pending inline text as spans, ends trimmed; the buffer is emptied."""
        runs, self.runs = self.runs, []
        texts = ["".join(run.parts) for run in runs]
        while texts and not texts[-1].strip():
            texts.pop()
        if not texts:
            return ()
        texts[0] = texts[0].lstrip()
        texts[-1] = texts[-1].rstrip()
        spans = []
        for text, run in zip(texts, runs, strict=False):
            if needs_cleaning(text):
                # Only text with a newline, a control or an invisible character can change; the
                # check runs in C at a fraction of clean_text's regex passes.
                text = clean_text(text.replace(" \n", "\n").replace("\n ", "\n"))
            if text:
                spans.append(Span(text, run.style, run.href))
        return tuple(spans)

    def _flush(self) -> None:
        """Close the pending inline text into a paragraph (not inside a heading)."""
        if self.heading_level or not self.runs:
            return
        spans = self._take_spans()
        if spans:
            self._append(Paragraph(spans))

    def _append(self, block: Block) -> None:
        frame = self.frames[-1]
        if frame.kind == "list":
            # Text or blocks directly inside a list, outside any item: an item of their own.
            frame.items.append((block,))
        else:
            frame.blocks.append(block)
