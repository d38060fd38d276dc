"""Turning the chosen article nodes into Document blocks, dropping furniture left inside them.

The walk is iterative (a stack of child iterators, one per open element), so a page nested
thousands of levels deep costs time, never a RecursionError.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Literal

from selectolax.lexbor import LexborNode

from reader.document import (
    Block,
    Figure,
    Heading,
    InlineStyle,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Span,
    Table,
)
from reader.extract import hints
from reader.extract.content import CLASS_WEIGHT, attribute_weight, is_hidden, link_density
from reader.extract.metadata import absolute_url
from reader.sanitize import clean_line, clean_text, needs_cleaning

JUNK_MAX_CHARS = 600
"""A subtree inside the article whose class says share bar, byline, promo... is skipped only when
its text is shorter than this: long ones are more likely the story with an unlucky class name."""

CONDITIONAL_TAGS = frozenset({"div", "section", "ul", "ol", "table", "form", "dl"})
"""Containers checked for link farms, galleries and forms (Readability's cleanConditionally)."""

MAJORITY_SHARE = 0.5
"""A container holding more than half of the article node's text is the article's own wrapper,
whatever its class says (page builders nest the story in `...-widget` divs)."""

HEADLINE_BLOCK_MAX_CHARS = 400
"""A container around the `<h1>` with less text than this is the headline block (section label,
title, byline, date, standfirst-less); longer ones may be the whole story and are kept."""

EMBED_QUOTE_SHARE = 0.8
"""A container whose text is at least 80% one blockquote is a quoted post, kept whatever its
class says."""

MIN_TEASERS = 3
TEASER_CHARS = 400
"""A container with at least 3 linked headings and under 400 characters of text per heading, or
with 3 `<article>` elements, is a list of other stories (headline + blurb), not part of this
one."""

CONDITIONAL_KEEP_COMMAS = 10
"""A container with 10 or more commas is prose and always kept (Readability)."""

MIN_PARAGRAPHS_PER_IMAGE = 0.5
"""A container with several images and fewer paragraphs than half their number is a gallery or
a grid of thumbnails (Readability)."""

LIST_ITEM_ALLOWANCE = 100
"""A non-list container is a menu when its list items outnumber its paragraphs by more than
this. Readability's value: it all but disables the test, which dropped stories with bullets."""

PARAGRAPHS_PER_INPUT = 3
"""More than one form input per 3 paragraphs: a form (newsletter, comment box), not prose."""

MAX_LINK_DENSITY = 0.2
MAX_LINK_DENSITY_POSITIVE = 0.5
"""Link share above which a container is dropped: 20%, or 50% when its class looks like content
(a class weight of at least CLASS_WEIGHT) (Readability's values)."""

MIN_CONTAINER_CHARS = 25
"""A container with less text than this and no single image is dropped (ad slots, labels)."""

MAX_TABLE_CELLS = 2_000
MAX_SIMPLE_CELL_CHARS = 400
"""A table with more cells, or any cell with more text than this, is layout, not data: its
cells are read as ordinary blocks."""

MAX_WALK_NODES = 100_000
"""Most nodes (elements and text) walked when building blocks: a real article has a few
thousand; a degenerate page stops here (about a second of work) with the note saying so."""

MIN_IMAGE_SIDE = 60
"""Images with a declared width or height below this (pixels) are icons, avatars or trackers."""

LEAD_FIGURE_LOOKBACK = 3
"""How many elements before the article node are searched for its lead picture, and how many
levels up: the featured image usually sits just above the body, next to the headline."""

LEAD_FIGURE_MAX_CHARS = 600
"""An element before the body counts as the lead picture only when its text (the caption) is
shorter than this: longer ones are teasers or the headline block."""

_CAPTION_ASIDES = ",".join(
    f'[class*="{word}" i]'
    for word in (
        "credit",
        "copyright",
        "byline",
        "visually-hidden",
        "sr-only",
        "screen-reader",
        "hidden",
        "source",
        "off-screen",
        "offscreen",
    )
)
_TEASER_LINKS = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"
_EMBED_TAGS = frozenset({"figure", "picture", "pre", "blockquote", "table"})
"""A small container holding one of these is content (a chart, code, a quote), not a label."""
_CONDITIONAL_PROBE = ",".join(
    sorted(_EMBED_TAGS | {"p", "img", "li", "input", "article", "a", "h2", "h3", "h4"})
)
_TAG_OF = attrgetter("tag")
_HEADLINE_WRAPPERS = frozenset({"div", "section", "header", "hgroup", "article"})
_SRCSET_FIRST = re.compile(r"^\s*(\S+)")

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "address",
        "center",
        "details",
        "summary",
        "dd",
        "dt",
        "dl",
        "fieldset",
        "figcaption",
        "hgroup",
        "caption",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "form",
        "legend",
    }
)
"""Tags that end the current paragraph (those in _SKIP_TAGS never get this far)."""
_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "template",
        "svg",
        "math",
        "canvas",
        "iframe",
        "object",
        "embed",
        "noscript",
        "button",
        "input",
        "select",
        "textarea",
        "nav",
        "aside",
        "footer",
        "header",
        "head",
        "title",
        "meta",
        "link",
        "audio",
        "video",
        "map",
        "dialog",
        "label",
        "menu",
        "source",
        "track",
        "wbr",
        "area",
        "base",
        "param",
    }
)
_FLUSH_ONLY = _BLOCK_TAGS | {"table"}
"""Tags whose close only ends the current paragraph (see BlockBuilder._leave)."""
_PLAIN_INLINE = frozenset(
    {
        "span",
        "font",
        "small",
        "sup",
        "sub",
        "u",
        "s",
        "mark",
        "abbr",
        "time",
        "q",
        "ins",
        "del",
        "bdi",
        "bdo",
        "data",
        "big",
        "strike",
        "nobr",
    }
)
"""Inline tags whose text is kept as plain text: walked through without a check."""
_STYLE_OF: dict[str, InlineStyle] = {
    "em": "em",
    "i": "em",
    "cite": "em",
    "dfn": "em",
    "var": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
_STYLE_RANK = {"text": 0, "em": 1, "strong": 2, "code": 3, "link": 4}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LAZY_SRC_ATTRS = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "src",
)
_SRCSET_ATTRS = ("data-srcset", "data-lazy-srcset", "srcset")


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


def _image_src(img: LexborNode, base: str | None) -> str | None:
    """The real source of an image, looking past lazy-loading placeholders."""
    attrs = img.attributes
    for name in _LAZY_SRC_ATTRS:
        src = absolute_url(attrs.get(name), base)
        if src:
            return src
    for name in _SRCSET_ATTRS:
        srcset = attrs.get(name)
        if srcset and (match := _SRCSET_FIRST.match(srcset)):
            src = absolute_url(match.group(1), base)
            if src:
                return src
    return None


def _is_tiny(img: LexborNode) -> bool:
    attrs = img.attributes
    for name in ("width", "height"):
        value = (attrs.get(name) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < MIN_IMAGE_SIDE:
            return True
    return False


def _caption_text(caption: LexborNode) -> str:
    """A figcaption's text without its photo credit and screen-reader labels ("Image caption")."""
    text = caption.text(separator=" ")
    for aside in caption.css(_CAPTION_ASIDES):
        extra = aside.text(separator=" ").strip()
        if extra:
            text = text.replace(extra, " ", 1)
    return hints.without_caption_credit(clean_line(text, 2000))


def figure_from(node: LexborNode, base: str | None) -> Figure | None:
    """A Figure from a `<figure>`, `<picture>` or `<img>`: the best image and its caption."""
    images = [node] if node.tag == "img" else node.css("img")
    src = None
    alt = ""
    for img in images:
        if _is_tiny(img):
            continue
        src = _image_src(img, base)
        alt = clean_line(img.attributes.get("alt"), 500)
        if src:
            break
    if src is None:
        for source in node.css("source"):
            srcset = source.attributes.get("srcset") or source.attributes.get("data-srcset")
            if srcset and (match := _SRCSET_FIRST.match(srcset)):
                src = absolute_url(match.group(1), base)
                if src:
                    break
    caption_node = node.css_first("figcaption") if node.tag == "figure" else None
    caption = _caption_text(caption_node) if caption_node is not None else ""
    if not src and not caption:
        return None
    # A figure whose picture loads by script still shows its caption (src stays None).
    return Figure(src=src, alt=alt, caption=caption)


def lead_figure(first: LexborNode, base: str | None) -> Figure | None:
    """The picture right above the article body (a featured image with its caption), if any."""
    node: LexborNode | None = first
    for _ in range(LEAD_FIGURE_LOOKBACK):
        if node is None or node.tag in ("body", "html"):
            return None
        sibling = node.prev
        looked = 0
        while sibling is not None and looked < LEAD_FIGURE_LOOKBACK:
            if sibling.is_element_node:
                looked += 1
                # One pass for both: a headline above means the header, not a lead picture.
                inner = sibling.css("h1,figure")
                tags = list(map(_TAG_OF, inner))
                if "h1" in tags:
                    return None
                # css() lists the sibling itself first when it is a figure.
                found = inner[tags.index("figure")] if "figure" in tags else None
                if found is not None and len(sibling.text().strip()) < LEAD_FIGURE_MAX_CHARS:
                    figure = figure_from(found, base)
                    if figure is not None and figure.caption:
                        return figure
            sibling = sibling.prev
        node = node.parent
    return None


def table_from(node: LexborNode) -> Table | None:
    """A Table when `node` is a simple data table; None when it is layout."""
    if len(node.css("table")) > 1:
        # Lexbor's css() matches the node itself too: more than one means a nested table.
        return None
    rows = []
    cells_seen = 0
    header = False
    for index, row in enumerate(node.css("tr")):
        cells = [c for c in row.iter() if c.tag in ("td", "th")]
        cells_seen += len(cells)
        if cells_seen > MAX_TABLE_CELLS:
            return None
        texts = []
        for cell in cells:
            if cell.css_first("p, div, ul, ol, blockquote, pre, h1, h2, h3, h4") is not None:
                return None
            text = clean_line(cell.text(separator=" "), MAX_SIMPLE_CELL_CHARS + 1)
            if len(text) > MAX_SIMPLE_CELL_CHARS:
                return None
            texts.append(text)
        if index == 0 and cells and all(c.tag == "th" for c in cells):
            header = True
        if any(texts):
            rows.append(tuple(texts))
    if not rows:
        return None
    return Table(rows=tuple(rows), header=header)


def _holds_teasers(node: LexborNode, length: int, minimum: int) -> bool:
    """Whether a node is a list of other stories: at least `minimum` linked headlines with
    only a blurb each, or `minimum` nested `<article>`s (a feed of stories or of comments)."""
    teasers = len(node.css(_TEASER_LINKS))
    if teasers >= minimum and teasers * TEASER_CHARS > length:
        return True
    return len(node.css("article")) - (node.tag == "article") >= minimum


def _inside_article(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag == "article":
            return True
        parent = parent.parent
    return False


def is_junk(
    node: LexborNode,
    tag: str,
    attrs: dict[str, str | None],
    score_of: Callable[[LexborNode], float | None],
    root_chars: float,
    text_of: Callable[[LexborNode], str] = LexborNode.text,
) -> bool:
    """Whether a container inside the article is furniture: Readability's cleanConditionally.

    `score_of` gives the node's content score (None when no paragraph reached it): a
    well-scored container survives an unlucky class name such as `elementor-widget`, and so
    does one that holds most of the article (`root_chars` is the length of the article node's
    text).
    """
    class_name = attrs.get("class")
    element_id = attrs.get("id")
    if class_name is None and element_id is None:
        # A bare element (most paragraphs): only its tag can make it a candidate.
        if tag not in CONDITIONAL_TAGS and tag not in _HEADLINE_WRAPPERS:
            return False
        found: frozenset[str] = frozenset()
    else:
        found = hints.attribute_categories(class_name, element_id)
    junk_class = hints.JUNK in found
    if not junk_class and tag not in CONDITIONAL_TAGS and tag not in _HEADLINE_WRAPPERS:
        return False
    text = text_of(node)
    length = len(text.strip())
    if length > MAJORITY_SHARE * root_chars:
        return False
    if junk_class and length < JUNK_MAX_CHARS:
        return True
    if hints.GALLERY in found:
        return True
    if (
        length < HEADLINE_BLOCK_MAX_CHARS
        and tag in _HEADLINE_WRAPPERS
        and node.css_first("h1") is not None
    ):
        # The headline block (kicker, title, byline, date): the Document carries these already.
        return True
    if tag == "article":
        # An <article> inside another is a separate piece by the HTML standard: a comment, a
        # related story, or the next post when a page leaves its own <article> unclosed.
        return _inside_article(node) or _holds_teasers(node, length, MIN_TEASERS)
    if tag not in CONDITIONAL_TAGS:
        return False
    # One selector pass lists every descendant the tests below count (each pass costs a few
    # µs whatever it finds); like css(), it includes the node itself.
    inner = node.css(_CONDITIONAL_PROBE)
    tags = list(map(_TAG_OF, inner))
    if "blockquote" in tags:
        quote = inner[tags.index("blockquote")]
        if len(quote.text().strip()) > EMBED_QUOTE_SHARE * length:
            # An embedded post (a tweet, an Instagram caption) quoted by the story: its
            # wrapper's class ("social-embed") says furniture, but the words are part of it.
            return False
    weight = attribute_weight(attrs)
    if weight + (score_of(node) or 0.0) < 0:
        return True
    # Each teaser match is a link or a heading of the node: with too few of them to reach
    # MIN_TEASERS, or to be short per teaser, the selector pass cannot find enough.
    most = tags.count("a") + tags.count("h2") + tags.count("h3") + tags.count("h4")
    if most >= MIN_TEASERS and most * TEASER_CHARS > length:
        teasers = len(node.css(_TEASER_LINKS))
        if teasers >= MIN_TEASERS and teasers * TEASER_CHARS > length:
            return True
    if tags.count("article") >= MIN_TEASERS:
        return True
    if text.count(",") >= CONDITIONAL_KEEP_COMMAS:
        return False
    is_list = tag in ("ul", "ol", "dl")
    paragraphs = tags.count("p")
    images = tags.count("img")
    if images > 1 and paragraphs < MIN_PARAGRAPHS_PER_IMAGE * images:
        return True
    if not is_list and tags.count("li") - LIST_ITEM_ALLOWANCE > paragraphs:
        return True
    if tags.count("input") > paragraphs // PARAGRAPHS_PER_INPUT:
        return True
    if not is_list and length < MIN_CONTAINER_CHARS and images != 1:
        return _EMBED_TAGS.isdisjoint(tags)
    links = [found for found, found_tag in zip(inner, tags, strict=True) if found_tag == "a"]
    density = link_density(node, length, links=links) if length else 0.0
    if weight < CLASS_WEIGHT and density > MAX_LINK_DENSITY:
        return True
    return density > MAX_LINK_DENSITY_POSITIVE


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
    ) -> None:
        self.base = base
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
                    if tag not in _PLAIN_INLINE:
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
        if tag in _PLAIN_INLINE:
            return True
        if tag in _STYLE_OF:
            self._push_style(_STYLE_OF[tag], None)
            return True
        if tag == "a":
            self._push_style("link", absolute_url(node.attributes.get("href"), self.base))
            return True
        if tag in _SKIP_TAGS:
            return False
        if tag == "br":
            self._add_run(" " if self.heading_level else "\n", "text", None)
            return False
        attrs = node.attributes
        if is_hidden(attrs):
            return False
        node_id = node.mem_id
        # A sibling joined to the article is judged on its own, not shielded as a majority.
        yardstick = math.inf if node_id == self.sibling_id else self.root_chars
        if node_id != self.root_id and is_junk(
            node, tag, attrs, self.scores, yardstick, self.text_of
        ):
            return False
        if tag in _HEADINGS:
            self._flush()
            self.heading_level = _HEADINGS[tag]
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
        if tag in _BLOCK_TAGS:
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
        if tag in _FLUSH_ONLY:
            # The commonest close (`</p>`, `</div>`): end the paragraph.
            self._flush()
            return
        if tag in _STYLE_OF or tag == "a":
            if self.styles:
                self.styles.pop()
                self._restyle()
            return
        if tag in _HEADINGS:
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
        if tag in _BLOCK_TAGS or tag == "table":
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
            if _STYLE_RANK[candidate] >= _STYLE_RANK[style]:
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
