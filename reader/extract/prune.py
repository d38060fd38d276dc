"""Pruning: the page furniture removed before scoring, because it never holds the article.

Furniture is judged by tag (nav, aside, footer...), ARIA role, markup that hides it, and class
and id words (see `hints`); reader comments go whatever their share of the page.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from reader.extract import hints

DROP_TAGS = ("script", "style", "template", "svg", "textarea", "select", "button")
"""Tags whose text is never article text and would skew every length and link-density measure;
removed before scoring. Each tag in a selector list costs ~5 µs a page, so the list holds only
tags with text of their own: the block builder skips the rest (iframes, video, canvas...)."""

FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu"})
"""Structural tags of page furniture, dropped before scoring unless they hold an `<h1>` or most
of the page's text (UNLIKELY_MAX_SHARE): then they are misused as the article's wrapper."""

UNLIKELY_MAX_SHARE = 0.8
"""An UNLIKELY-classed node holding more than this share of the page's text is kept: it likely
wraps the article (e.g. `<div class="page-with-sidebar">`). Beside a short post a sidebar (an
"About me" box) easily holds half the page, and then won or joined the story. Tuned on the
dragnet TUNE half: F1 0.9270 at 0.5 and 0.7, 0.9284 at 0.75, 0.9282 at 0.8 and 0.9, 0.9282 at
1.0 (never kept); 0.8 sits inside the plateau rather than on its edge. The CHECK half rose
with it (0.9275 → 0.9300, empty pages 2 → 1), scrapinghub unchanged (0.9809)."""


_NEVER_UNLIKELY = frozenset(
    {"a", "article", "main", "body", "html", "td", "tr", "tbody", "table", "th"}
)
_CONTAINERS = ("div", "section", "ol", "ul")
"""Tags judged by class and id when pruning; lists too, since a comment thread is often an
`<ol class="commentlist">` (and a named list outside the story a menu)."""
# Furniture is a container: inline elements with classes (links, icons, images) are many and
# never hold the article, so the selector skips them to keep this Python loop short.
# "[style]" rather than '[style*="none" i]': lexbor's substring match costs more than the
# Python test of the few styled elements (see `_verdict`). One `:is()` rather than a
# selector list: lexbor returns an element once per selector of a list that it matches (a
# `<div class id>` came back twice, and was judged and decomposed twice); `:is()` lists it
# once, and the pass ran ~20% faster on the benchmark pages.
_PRUNE_SELECTOR = (
    f":is(:is({','.join(_CONTAINERS)}):is([class],[id]),[role],[hidden],[style],"
    f"{','.join(sorted(FURNITURE_TAGS))})"
)


HIDING_CLASSES = (
    "hidden hide is-hidden u-hidden d-none element-hidden sr-only visually-hidden visuallyhidden"
    " screen-reader-text element-invisible show-for-sr"
)
"""Class names that the common CSS frameworks and CMSs (Bootstrap, Tailwind, Foundation,
WordPress, Drupal, HTML5 Boilerplate) define as display:none, or as visible to screen readers
only: a reader shows what a sighted reader sees. Whole names only: `hidden-xs` hides on small
screens alone. A script may show a story shipped hidden: retries leave these classes to
scoring, and the block builder never drops the article node for them. Dropping them lifted
the dragnet TUNE half 0.9290 → 0.9307 and the CHECK half 0.9305 → 0.9316 (page-wide menus,
teaser boxes and excerpts hidden until a click); scrapinghub unchanged."""

_HIDING_CLASS = re.compile(
    rf"(?:^|\s)(?:{'|'.join(map(re.escape, HIDING_CLASSES.split()))})(?=\s|$)"
)


def hidden_by_class(class_name: str | None) -> bool:
    """Whether a class attribute names one of HIDING_CLASSES (cached per string: a page
    repeats a few dozen class strings over thousands of elements)."""
    if class_name is None:
        return False
    found = _hiding_cache.get(class_name)
    if found is None:
        found = _HIDING_CLASS.search(class_name) is not None
        if len(_hiding_cache) < hints.CACHE_LIMIT:
            _hiding_cache[class_name] = found
    return found


_hiding_cache: dict[str, bool] = {}


def is_hidden(attrs: dict[str, str | None], by_class: bool = True) -> bool:
    """Whether markup hides the element from readers (`hidden`, inline display:none, and with
    `by_class` a hiding class)."""
    if "hidden" in attrs:
        return True
    if by_class and hidden_by_class(attrs.get("class")):
        return True
    style = attrs.get("style")
    if style and ("none" in style or "hidden" in style):
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


def _verdict_by_name(class_name: str | None, element_id: str | None) -> int:
    """What class and id words say: DISCUSSION, FURNITURE (UNLIKELY, not rescued by MAYBE, or
    a hiding class) or KEEP; cached per pair, since most containers of a site share a handful
    of them."""
    key = (class_name, element_id)
    verdict = _verdict_cache.get(key)
    if verdict is None:
        found = hints.attribute_categories(class_name, element_id)
        if hints.DISCUSSION in found:
            verdict = DISCUSSION
        elif (hints.UNLIKELY in found and hints.MAYBE not in found) or hidden_by_class(class_name):
            verdict = FURNITURE
        else:
            verdict = KEEP
        if len(_verdict_cache) < hints.CACHE_LIMIT:
            _verdict_cache[key] = verdict
    return verdict


_verdict_cache: dict[tuple[str | None, str | None], int] = {}
KEEP, FURNITURE, DISCUSSION = 0, 1, 2
"""Pruning verdicts: DISCUSSION (reader comments) is dropped whatever share of the page it
holds, since on a busy post the comments outweigh the story; FURNITURE only when it holds
less than UNLIKELY_MAX_SHARE of the page."""


def _verdict(node: LexborNode, by_name: bool) -> int:
    """Whether a node looks like furniture by its tag, class, id, role or visibility.

    Judged by class and id are containers (`div`, `section`) that have either, and any element
    with a `role` or with "none" or "hidden" in its style; `_PRUNE_SELECTOR` also lists every
    element with a style, which only a hiding one turns into furniture. Without `by_name`
    (a retry) class and id words only find reader comments: hiding classes (HIDING_CLASSES)
    are then left to the block builder, which never drops the article node.
    """
    attrs = node.attributes
    if "hidden" in attrs:
        return FURNITURE
    style = attrs.get("style")
    if style is not None and is_hidden(attrs, by_class=False):
        return FURNITURE
    tag = node.tag
    if tag in FURNITURE_TAGS:
        # Holding the page's headline, it is the story misusing the tag (an `<aside>` as the
        # post's box): scoring judges it like any other node.
        return KEEP if node.css_first("h1") is not None else FURNITURE
    if "role" in attrs:
        role = attrs["role"]
        if role and role.lower() in hints.UNLIKELY_ROLES:
            return FURNITURE
    elif not (tag in _CONTAINERS and ("class" in attrs or "id" in attrs)):
        if not style:
            return KEEP
        folded = style.lower()
        if "none" not in folded and "hidden" not in folded:
            return KEEP
    if tag in _NEVER_UNLIKELY:
        return KEEP
    verdict = _verdict_by_name(attrs.get("class"), attrs.get("id"))
    return verdict if by_name or verdict == DISCUSSION else KEEP


def prune(body: LexborNode, dropped: list[LexborNode], by_name: bool = True) -> None:
    """Remove the page furniture that never holds the article, before scoring.

    `dropped` lists the body's DROP_TAGS elements in document order (found by the same selector
    pass as the metadata's sources, see `metadata.scan_page`). Without `by_name` (a retry,
    when the strict pass found too little), furniture by class or id stays for scoring to
    judge; what tags, roles and markup mark as furniture, and reader comments, still go."""
    # Reverse document order removes descendants before ancestors, so no handle points into a
    # freed subtree.
    for node in reversed(dropped):
        node.decompose()
    limit = UNLIKELY_MAX_SHARE * (len(body.text()) or 1)
    # Only elements with a telling tag or attribute can be furniture; lexbor's selector engine
    # finds them in C, sparing a Python step over the (many) bare <p>, <span> and <a>.
    doomed = []
    # Ids of the doomed nodes and of the listed nodes inside them: half the listed nodes sit in
    # furniture already doomed (a footer's menus), and a look at the parent spares judging and
    # measuring them again; removing the outer node removes them.
    gone: set[int] = set()
    for node in body.css(_PRUNE_SELECTOR):
        parent = node.parent
        if parent is not None and parent.mem_id in gone:
            gone.add(node.mem_id)
        else:
            verdict = _verdict(node, by_name)
            if verdict == DISCUSSION or (verdict == FURNITURE and len(node.text()) <= limit):
                doomed.append(node)
                gone.add(node.mem_id)
    # Document order lists ancestors first; removing in reverse removes descendants first, so
    # no handle ever points into an already freed subtree.
    for node in reversed(doomed):
        node.decompose()
