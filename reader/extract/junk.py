"""Which containers inside the chosen article are furniture: Readability's cleanConditionally,
with class-name hints, teaser lists and the headline block."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from selectolax.lexbor import LexborNode

from reader.extract import hints
from reader.extract.measures import CLASS_WEIGHT, attribute_weight, link_density

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

ANNOTATION_CHARS_PER_ITEM = 8
"""A link-heavy list that the story introduces ("Other deals:") stays when its text outside the
links averages more than 8 characters an item ("(normally $180 - use coupon code ...)"): a
column of bare links is a menu or a "more stories" box however it is introduced. Tuned on the
dragnet TUNE half: F1 0.9290 anywhere from 3 to 25 characters (0.9282 without the rule); the
CHECK half agreed (0.9300 → 0.9305), scrapinghub unchanged (0.9809)."""

MIN_CONTAINER_CHARS = 25
"""A container with less text than this and no single image is dropped (ad slots, labels)."""


_TEASER_LINKS = "h2 a[href], h3 a[href], h4 a[href], a[href] h2, a[href] h3, a[href] h4"
_EMBED_TAGS = frozenset({"figure", "picture", "pre", "blockquote", "table"})
"""A small container holding one of these is content (a chart, code, a quote), not a label."""
_CONDITIONAL_PROBE = ",".join(
    sorted(_EMBED_TAGS | {"p", "img", "li", "input", "article", "a", "h2", "h3", "h4"})
)
_TAG_OF = attrgetter("tag")
_node_text = LexborNode.text
_HEADLINE_WRAPPERS = frozenset({"div", "section", "header", "hgroup", "article"})


def _holds_teasers(node: LexborNode, length: int, minimum: int) -> bool:
    """Whether a node is a list of other stories: at least `minimum` linked headlines with
    only a blurb each, or `minimum` nested `<article>`s (a feed of stories or of comments)."""
    teasers = len(node.css(_TEASER_LINKS))
    if teasers >= minimum and teasers * TEASER_CHARS > length:
        return True
    return len(node.css("article")) - (node.tag == "article") >= minimum


_COLONS = ":\uff1a"
"""How a paragraph introducing a list ends: a colon, or the full-width one of Chinese and
Japanese text."""


def _announced_list(node: LexborNode, length: int, links: list[LexborNode], items: int) -> bool:
    """Whether a link-heavy list is part of the story: the text right before it (a paragraph,
    or text and line breaks in the same box; lists of a run share their intro) ends with a
    colon ("Other deals:", "Die Teilnehmer:") and is no furniture label ("Related content:"),
    and its items say more than their links (ANNOTATION_CHARS_PER_ITEM)."""
    linked = sum(map(len, map(_node_text, links)))
    if length - linked <= ANNOTATION_CHARS_PER_ITEM * max(items, 1):
        return False
    before = node.prev
    intro = ""
    while before is not None and not intro:
        tag = before.tag
        if tag == "-text":
            intro = (before.text_content or "").strip()
        elif tag in ("p", "div"):
            intro = before.text().strip()
            if not intro:
                return False
        elif tag not in ("br", "-comment", node.tag):
            return False
        before = before.prev
    if not intro.endswith(tuple(_COLONS)):
        return False
    label = intro.rstrip(_COLONS + " ")
    return not (hints.BOILERPLATE_LINE.match(label) or hints.CLOSING_HEADING.match(label))


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
    if hints.GALLERY in found:
        # Before the majority test: a slideshow's captions can outweigh the story beside it.
        return True
    text = text_of(node)
    length = len(text.strip())
    if length > MAJORITY_SHARE * root_chars:
        return False
    if junk_class and length < JUNK_MAX_CHARS:
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
    if weight < 0 and weight + (score_of(node) or 0.0) < 0:
        # A furniture class name outweighing what its paragraphs earned; without one, a low
        # score is only the tag's start (lists begin at -3), not a verdict.
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
    limit = MAX_LINK_DENSITY if weight < CLASS_WEIGHT else MAX_LINK_DENSITY_POSITIVE
    if density <= limit:
        return False
    # A list of products or sources the story announces is link-heavy by nature.
    return not (is_list and _announced_list(node, length, links, tags.count("li")))
