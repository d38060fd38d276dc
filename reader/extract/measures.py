"""What the scorer and the furniture tests measure on a node: its share of link text, and what
its class and id words are worth."""

from __future__ import annotations

from collections.abc import Callable

from selectolax.lexbor import LexborNode

from reader.extract import hints

ANCHOR_LINK_WEIGHT = 0.3
"""In-page anchors (footnotes, a table of contents) count 30% as link text: they are mostly
part of the article (Readability's value)."""

CLASS_WEIGHT = 25
"""Score added for each POSITIVE class/id match and removed for each NEGATIVE or GALLERY one
(Readability)."""

_node_text = LexborNode.text


def class_weight(node: LexborNode) -> int:
    """CLASS_WEIGHT per class/id string with positive words, minus per one with negative."""
    return attribute_weight(node.attributes)


def attribute_weight(attrs: dict[str, str | None]) -> int:
    """`class_weight` from an element's attributes, when the caller has them already."""
    class_name = attrs.get("class")
    element_id = attrs.get("id")
    if class_name is None and element_id is None:
        return 0
    key = (class_name, element_id)
    total = _weight_cache.get(key)
    if total is None:
        total = 0
        for value in key:
            found = hints.categories(value)
            if hints.NEGATIVE in found or hints.GALLERY in found:
                # A slideshow's captions read like prose and outscore a short story beside it.
                total -= CLASS_WEIGHT
            if hints.POSITIVE in found:
                total += CLASS_WEIGHT
        if len(_weight_cache) < hints.CACHE_LIMIT:
            _weight_cache[key] = total
    return total


_weight_cache: dict[tuple[str | None, str | None], int] = {}


def link_density(
    node: LexborNode,
    text_len: int | Callable[[LexborNode], int] | None = None,
    anchor_ids: set[int] | None = None,
    links: list[LexborNode] | None = None,
) -> float:
    """The share of a node's text that sits inside links.

    `anchor_ids` are the ids (`mem_id`) of the page's in-page anchor links when the caller has
    them: then the node's links are matched against it instead of a second selector pass.
    `links` are the node's `<a>` elements in document order, when the caller has them.
    """
    if links is None:
        links = node.css("a")
    if not links:
        return 0.0
    # map() over the unbound method keeps the per-link loop in C (no generator frames).
    lengths = list(map(len, map(_node_text, links)))
    linked: float = sum(lengths)
    if not linked:
        return 0.0
    # The node's own text is measured last: without link text the share is 0 whatever it is.
    if text_len is None:
        total = len(node.text())
    elif isinstance(text_len, int):
        total = text_len
    else:
        total = text_len(node)
    if not total:
        return 0.0
    if anchor_ids is None:
        anchors = sum(map(len, map(_node_text, node.css('a[href^="#"]'))))
    elif anchor_ids:
        pairs = zip(lengths, links, strict=True)
        anchors = sum(length for length, link in pairs if link.mem_id in anchor_ids)
    else:
        anchors = 0
    linked -= (1 - ANCHOR_LINK_WEIGHT) * anchors
    return min(1.0, linked / total)
