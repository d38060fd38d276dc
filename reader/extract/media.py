"""Pictures and data tables inside the article: the real source of lazy-loaded images, captions
without their credits, the lead picture above the body, and simple tables as Table blocks."""

from __future__ import annotations

import re
from operator import attrgetter

from selectolax.lexbor import LexborNode

from reader.document import Figure, Table
from reader.extract import hints
from reader.extract.metadata import absolute_url
from reader.sanitize import clean_line

MAX_TABLE_CELLS = 2_000
MAX_SIMPLE_CELL_CHARS = 400
"""A table with more cells, or any cell with more text than this, is layout, not data: its
cells are read as ordinary blocks."""


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
_SRCSET_FIRST = re.compile(r"^\s*(\S+)")
_TAG_OF = attrgetter("tag")
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


MAX_DECLARED_SIDE = 100_000
"""A declared width or height above this (pixels) is a typo or a trick, not a size: ignored."""


def _declared_pixels(img: LexborNode, name: str) -> int | None:
    """The `width` or `height` attribute of an <img> in pixels ("640", "640px"), if it has one."""
    value = (img.attributes.get(name) or "").strip().removesuffix("px")
    return int(value) if value.isdigit() else None


def _declared_side(img: LexborNode, name: str) -> int | None:
    """A declared side usable as the placeholder's shape: positive and plausible."""
    side = _declared_pixels(img, name)
    return side if side is not None and 0 < side <= MAX_DECLARED_SIDE else None


def _is_tiny(img: LexborNode) -> bool:
    return any(
        side is not None and side < MIN_IMAGE_SIDE
        for side in (_declared_pixels(img, "width"), _declared_pixels(img, "height"))
    )


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
    width = height = None
    for img in images:
        if _is_tiny(img):
            continue
        src = _image_src(img, base)
        alt = clean_line(img.attributes.get("alt"), 500)
        width, height = _declared_side(img, "width"), _declared_side(img, "height")
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
    if width is None or height is None:  # one side alone gives no shape
        width = height = None
    return Figure(src=src, alt=alt, caption=caption, width=width, height=height)


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
