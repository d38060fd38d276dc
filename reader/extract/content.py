"""Finding the article body: prune furniture, score paragraphs into their ancestors, pick a node.

The scoring follows Readability's well-tested scheme (a paragraph's commas and length credit its
parent fully and further ancestors less; link-heavy candidates are discounted; class and id words
nudge the score), re-implemented for selectolax with cheap C-level calls and no recursion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from reader.extract import hints

DROP_TAGS = ("script", "style", "template", "svg", "textarea", "select", "button")
"""Tags whose text is never article text and would skew every length and link-density measure;
removed before scoring. Each tag in a selector list costs ~5 µs a page, so the list holds only
tags with text of their own: the block builder skips the rest (iframes, video, canvas...)."""

FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu"})
"""Structural tags of page furniture, dropped before scoring unless they hold most of the
page's text (UNLIKELY_MAX_SHARE): then they are misused as the article's wrapper."""

UNLIKELY_MAX_SHARE = 0.5
"""An UNLIKELY-classed node holding more than this share of the page's text is kept: it likely
wraps the article (e.g. `<div class="page-with-sidebar">`). 0.5 is a safe majority."""

MIN_PARAGRAPH_CHARS = 25
"""Paragraphs shorter than this add nothing to scores (Readability's value: skips labels,
bylines and buttons)."""

CHARS_PER_POINT = 100
MAX_LENGTH_POINTS = 3
"""A paragraph earns a point per 100 characters, at most 3 (Readability's values)."""

ANCESTOR_LEVELS = 5
"""How many ancestors a paragraph's score reaches: parent fully, grandparent half, then
1/(3·level) (Readability.js's scheme)."""

ANCHOR_LINK_WEIGHT = 0.3
"""In-page anchors (footnotes, a table of contents) count 30% as link text: they are mostly
part of the article (Readability's value)."""

CLASS_WEIGHT = 25
"""Score added for each POSITIVE class/id match and removed for each NEGATIVE or GALLERY one
(Readability)."""

TAG_BONUS = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "address": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "form": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}
"""Starting score of a candidate by tag (Readability's values; `<article>` gets a little more
because HTML5 pages use it for exactly this)."""

CLOSE_CANDIDATE_RATIO = 0.75
MIN_CLOSE_CANDIDATES = 3
"""When at least 3 other candidates score within 75% of the best and share an ancestor with it,
the body is split across them and that ancestor is the article (Readability.js)."""

PARENT_SCORE_FLOOR = 1 / 3
"""Climbing from the best candidate stops at an ancestor scoring under a third of it."""

SIBLING_SCORE_SHARE = 0.2
SIBLING_MIN_SCORE = 10
"""Siblings of the best candidate scoring above max(10, 20% of its score) join the article
(Readability); their class matching the best candidate's earns the same 20% as a bonus."""

SIBLING_MIN_EARNED = 3
"""A sibling must also have earned 3 points from its own paragraphs (about one full paragraph):
a headline block with a content-ish class reaches the threshold on its class bonus alone."""

SIBLING_PARAGRAPH_CHARS = 80
SIBLING_PARAGRAPH_LINK_DENSITY = 0.25
"""A sibling paragraph joins when longer than 80 characters with under 25% link text, or when
shorter, link-free and ending a sentence (Readability)."""

# Commas of the world's scripts (Readability's list, plus the ideographic 、); counted with
# str.count, which outruns a regex findall by ~10x on paragraph-sized text.
_COMMAS = ",\u060c\ufe50\ufe10\ufe11\u2e41\u2e34\u2e32\uff0c\u3001"
_SENTENCE_END = re.compile(r"\.( |$)")
_BLOCKS = "div,p,table,ul,ol,pre,blockquote,section,article,h1,h2,h3,h4,h5,h6,dl,figure,form"
# A div without block descendants reads as a paragraph (Readability's div-to-p rule): the
# Scorer skips the divs that _MIXED_DIVS lists.
_SCORED = "p,pre,td,section,h2,h3,h4,h5,h6,div"
_MIXED_DIVS = f"div:has({_BLOCKS})"

_node_text = LexborNode.text
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


def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Whether markup hides the element from readers (`hidden`, inline display:none)."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style")
    if style and ("none" in style or "hidden" in style):
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


def _verdict_by_name(class_name: str | None, element_id: str | None) -> int:
    """What class and id words say: DISCUSSION, FURNITURE (UNLIKELY, not rescued by MAYBE) or
    KEEP; cached per pair, since most containers of a site share a handful of them."""
    key = (class_name, element_id)
    verdict = _verdict_cache.get(key)
    if verdict is None:
        found = hints.attribute_categories(class_name, element_id)
        if hints.DISCUSSION in found:
            verdict = DISCUSSION
        elif hints.UNLIKELY in found and hints.MAYBE not in found:
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
    (a retry) class and id words only find reader comments.
    """
    attrs = node.attributes
    if "hidden" in attrs:
        return FURNITURE
    style = attrs.get("style")
    if style is not None and is_hidden(attrs):
        return FURNITURE
    tag = node.tag
    if tag in FURNITURE_TAGS:
        return FURNITURE
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


@dataclass(slots=True)
class Candidate:
    """A node that holds scored paragraphs, and its score."""

    node: LexborNode
    score: float
    earned: float = 0.0
    """The part of `score` that paragraphs brought, without the tag and class bonus."""
    final: float | None = None
    """The score discounted by link density, computed on demand (it costs a subtree scan)."""


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


def _ancestors(node: LexborNode, levels: int | None = None) -> Iterator[LexborNode]:
    """The ancestors of a node up to the body (inclusive), at most `levels` of them."""
    parent = node.parent
    while parent is not None and (levels is None or levels > 0) and parent.tag != "html":
        yield parent
        if parent.tag == "body":
            return
        parent = parent.parent
        if levels is not None:
            levels -= 1


class Scorer:
    """Paragraph scores accumulated into their ancestors, and the pick of the article node."""

    def __init__(self, body: LexborNode, class_weights: bool = True) -> None:
        self.class_weights = class_weights
        """Whether class and id words nudge scores (off in a retry: a page whose story sits
        in a `widget` or `sidebar`-named box)."""
        self.candidates: dict[int, Candidate] = {}
        self.body = body
        self.densities: dict[int, float] = {}
        self.anchor_ids: set[int] | None = None
        self.texts: dict[int, str] = {}
        self.lengths: dict[int, int] = {}
        self.measured_parents: set[int] = set()
        self.chains: dict[int, list[tuple[Candidate, int]]] = {}
        score = self._score_paragraph
        # Divs holding blocks; the others read as paragraphs. One `:has()` pass and a set
        # beat a second one (`div:not(:has(...))`) in the selector below.
        mixed = body.css(_MIXED_DIVS)
        mixed_ids = {node.mem_id for node in mixed}
        for node in body.css(_SCORED):
            if node.mem_id in mixed_ids:
                continue
            text = node.text()
            # Most scored nodes are labels and empty wrappers: skip them before a call.
            if len(text) >= MIN_PARAGRAPH_CHARS:
                score(node, text)
        # Text sitting directly in a div among blocks is a paragraph too (Readability wraps it
        # in a <p>); only that direct text counts, its block children score on their own.
        for node in mixed:
            text = node.text(deep=False)
            if len(text) >= MIN_PARAGRAPH_CHARS:
                score(node, text, own_text=True)

    def _score_paragraph(self, node: LexborNode, text: str, own_text: bool = False) -> None:
        """Credit a paragraph's points to its ancestors; with `own_text`, the text sits directly
        in `node`, which then counts as the paragraph's parent."""
        stripped = len(text.strip())
        if stripped < MIN_PARAGRAPH_CHARS:
            return
        # ASCII text (a str knows whether it is, at no cost) can only hold the ASCII comma.
        commas = text.count(",") if text.isascii() else sum(map(text.count, _COMMAS))
        points = 1 + commas + min(stripped // CHARS_PER_POINT, MAX_LENGTH_POINTS)
        first = node if own_text else node.parent
        if first is None:
            return
        for candidate, divider in self._chain(first):
            share = points / divider
            candidate.score += share
            candidate.earned += share

    def _chain(self, first: LexborNode) -> list[tuple[Candidate, int]]:
        """The candidates a paragraph under `first` credits, with their dividers (memoised per
        `first`: sibling paragraphs share it, and each `.parent` step crosses into C).

        `first` and up to ANCESTOR_LEVELS - 1 ancestors, never above the body."""
        key = first.mem_id
        chain = self.chains.get(key)
        if chain is None:
            chain = []
            node: LexborNode | None = first
            level = 0
            while node is not None and level < ANCESTOR_LEVELS:
                tag = node.tag
                if tag is None or tag == "html":
                    break
                divider = 1 if level == 0 else 2 if level == 1 else level * 3
                chain.append((self._candidate(node, tag), divider))
                if tag == "body":
                    break
                node = node.parent
                level += 1
            self.chains[key] = chain
        return chain

    def _candidate(self, node: LexborNode, tag: str) -> Candidate:
        key = node.mem_id
        found = self.candidates.get(key)
        if found is None:
            weight = class_weight(node) if self.class_weights else 0
            found = Candidate(node, TAG_BONUS.get(tag, 0) + weight)
            self.candidates[key] = found
        return found

    def final(self, candidate: Candidate) -> float:
        """The candidate's score discounted by its link density (memoised)."""
        if candidate.final is None:
            candidate.final = candidate.score * (1 - self.link_density(candidate.node))
        return candidate.final

    def link_density(self, node: LexborNode) -> float:
        """`link_density(node)`, memoised: the scan over a node's links is the costly part."""
        key = node.mem_id
        density = self.densities.get(key)
        if density is None:
            if self.anchor_ids is None:
                # One pass for the page's in-page anchors (most pages have none) instead of
                # one per measured node.
                self.anchor_ids = {link.mem_id for link in self.body.css('a[href^="#"]')}
            density = self.densities[key] = link_density(
                node, anchor_ids=self.anchor_ids, text_len=self.text_length
            )
        return density

    def text_of(self, node: LexborNode) -> str:
        """`node.text()`, memoised (the tree no longer changes once scoring starts): the
        article's containers are measured for link density here and judged by the block
        builder, each reading the same text."""
        key = node.mem_id
        text = self.texts.get(key)
        if text is None:
            text = self.texts[key] = node.text()
        return text

    def text_length(self, node: LexborNode) -> int:
        """`len(node.text())`, memoised.

        The best candidates nest (a story's wrapper, its wrapper, ...) and are measured inner
        first, by falling raw score: a node with a child measured already sums its children's
        lengths instead of rebuilding the text of its whole subtree (comments count 0, as in
        `text()`)."""
        key = node.mem_id
        length = self.lengths.get(key)
        if length is None:
            if key in self.measured_parents:
                lengths = self.lengths
                length = 0
                for child in node.iter(include_text=True):
                    known = lengths.get(child.mem_id)
                    length += len(child.text()) if known is None else known
            else:
                text = self.texts.get(key)
                length = len(node.text() if text is None else text)
            self.lengths[key] = length
            parent = node.parent
            if parent is not None:
                self.measured_parents.add(parent.mem_id)
        return length

    def score_of(self, node: LexborNode) -> float | None:
        """The final score of a node, or None when no paragraph reached it."""
        found = self.candidates.get(node.mem_id)
        return None if found is None else self.final(found)

    def ranked(self, count: int) -> list[Candidate]:
        """The `count` best candidates by final score.

        The final score never exceeds the raw one, so candidates are visited by raw score and the
        scan stops once no raw score can beat the ones kept: the link-density scan (the costly
        part) runs on a handful of nodes instead of all.
        """
        best: list[Candidate] = []
        for candidate in sorted(self.candidates.values(), key=lambda c: c.score, reverse=True):
            if len(best) >= count and candidate.score <= self.final(best[-1]):
                break
            self.final(candidate)
            best.append(candidate)
            best.sort(key=self.final, reverse=True)
            del best[count:]
        return best

    def article_nodes(self) -> tuple[LexborNode | None, list[LexborNode]]:
        """The node holding the article, and it with the siblings that belong to it in page
        order; (None, []) when nothing on the page scores."""
        ranked = self.ranked(MIN_CLOSE_CANDIDATES + 2)
        # The body collects a little from every teaser on a busy page, and can outscore the
        # story itself; it is the article only when nothing below it scores.
        inner = [c for c in ranked if c.node.tag != "body"]
        ranked = inner or ranked
        if not ranked or self.final(ranked[0]) <= 0:
            return None, []
        top = ranked[0].node
        top_score = self.final(ranked[0])
        top = self._common_ancestor(top, top_score, ranked[1:])
        top = self._climb(top)
        while (parent := top.parent) is not None and parent.tag not in ("body", "html"):
            if sum(1 for child in parent.iter() if child.is_element_node) != 1:
                break
            top = parent
        return top, self._with_siblings(top)

    def _common_ancestor(
        self, top: LexborNode, top_score: float, others: list[Candidate]
    ) -> LexborNode:
        """The ancestor shared by several near-best candidates, when the body is split.

        Never above an `<article>`: it is a whole story by definition, and near-best
        `<article>`s around it are other stories (a blog's front page under a post).
        """
        if top.tag == "article":
            return top
        close = [c.node for c in others if self.final(c) >= CLOSE_CANDIDATE_RATIO * top_score]
        if len(close) < MIN_CLOSE_CANDIDATES:
            return top
        close_ids: dict[int, int] = {}
        for node in close:
            for ancestor in _ancestors(node):
                close_ids.setdefault(ancestor.mem_id, 0)
                close_ids[ancestor.mem_id] += 1
        for ancestor in _ancestors(top):
            if ancestor.tag == "body":
                break
            if close_ids.get(ancestor.mem_id, 0) >= MIN_CLOSE_CANDIDATES:
                return ancestor
        return top

    def _climb(self, top: LexborNode) -> LexborNode:
        """An ancestor that scores higher than the best candidate, when one is close above it."""
        last = self.score_of(top) or 0.0
        threshold = last * PARENT_SCORE_FLOOR
        for parent in _ancestors(top):
            if parent.tag == "body":
                break
            found = self.candidates.get(parent.mem_id)
            if found is None:
                continue
            # The raw score bounds the final one: below the floor, skip the link scan.
            if found.score < threshold:
                break
            score = self.final(found)
            if score < threshold:
                break
            if score > last:
                return parent
            last = score
        return top

    def _with_siblings(self, top: LexborNode) -> list[LexborNode]:
        """The best node plus the siblings that continue it (split bodies, lead paragraphs)."""
        parent = top.parent
        if parent is None or top.tag == "body":
            return [top]
        top_score = self.score_of(top) or 0.0
        threshold = max(SIBLING_MIN_SCORE, top_score * SIBLING_SCORE_SHARE)
        top_class = top.attributes.get("class") or ""
        kept = []
        for sibling in parent.iter():
            if not sibling.is_element_node:
                continue
            if sibling.mem_id == top.mem_id:
                kept.append(sibling)
                continue
            bonus = 0.0
            if top_class and sibling.attributes.get("class") == top_class:
                bonus = top_score * SIBLING_SCORE_SHARE
            found = self.candidates.get(sibling.mem_id)
            if found is not None:
                if (
                    found.earned >= SIBLING_MIN_EARNED
                    and found.score + bonus >= threshold
                    and self.final(found) + bonus >= threshold
                ):
                    kept.append(sibling)
            elif sibling.tag == "p" and self._paragraph_continues(sibling):
                kept.append(sibling)
        return kept

    @staticmethod
    def _paragraph_continues(node: LexborNode) -> bool:
        text = node.text().strip()
        density = link_density(node, len(text))
        if len(text) > SIBLING_PARAGRAPH_CHARS:
            return density < SIBLING_PARAGRAPH_LINK_DENSITY
        return bool(text) and density == 0 and bool(_SENTENCE_END.search(text))
