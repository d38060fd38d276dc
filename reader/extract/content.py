"""Finding the article body: score paragraphs into their ancestors and pick a node.

The scoring follows Readability's well-tested scheme (a paragraph's commas and length credit its
parent fully and further ancestors less; link-heavy candidates are discounted; class and id words
nudge the score), re-implemented for selectolax with cheap C-level calls and no recursion.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from reader.extract.measures import class_weight, link_density
from reader.extract.prune import DROP_TAGS, prune

__all__ = ["DROP_TAGS", "Scorer", "prune"]

MIN_PARAGRAPH_CHARS = 25
"""Paragraphs shorter than this add nothing to scores (Readability's value: skips labels,
bylines and buttons)."""

CHARS_PER_POINT = 100
MAX_LENGTH_POINTS = 3
"""A paragraph earns a point per 100 characters, at most 3 (Readability's values)."""

ANCESTOR_LEVELS = 5
"""How many ancestors a paragraph's score reaches: parent fully, grandparent half, then
1/(3·level) (Readability.js's scheme)."""

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


@dataclass(slots=True)
class Candidate:
    """A node that holds scored paragraphs, and its score."""

    node: LexborNode
    score: float
    earned: float = 0.0
    """The part of `score` that paragraphs brought, without the tag and class bonus."""
    final: float | None = None
    """The score discounted by link density, computed on demand (it costs a subtree scan)."""


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
        self.mixed_ids = mixed_ids
        """The divs holding blocks: any other div reads as a paragraph."""
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
        kept: list[LexborNode] = []
        # Figures after a kept sibling, kept in turn when another part of the story follows
        # them: a picture between two parts of a split body belongs to it.
        figures: list[LexborNode] = []
        for sibling in parent.iter():
            if not sibling.is_element_node:
                continue
            if sibling.mem_id == top.mem_id:
                joins = True
            elif sibling.tag == "figure":
                if kept:
                    figures.append(sibling)
                continue
            else:
                joins = self._sibling_joins(sibling, top_score, threshold, top_class)
            if joins:
                kept.extend(figures)
                kept.append(sibling)
                figures.clear()
        return kept

    def _sibling_joins(
        self, sibling: LexborNode, top_score: float, threshold: float, top_class: str
    ) -> bool:
        """Whether a sibling of the best node continues the article (Readability's test)."""
        bonus = 0.0
        if top_class and sibling.attributes.get("class") == top_class:
            bonus = top_score * SIBLING_SCORE_SHARE
        found = self.candidates.get(sibling.mem_id)
        if found is not None:
            return (
                found.earned >= SIBLING_MIN_EARNED
                and found.score + bonus >= threshold
                and self.final(found) + bonus >= threshold
            )
        # A div without blocks is a paragraph too (text and line breaks, as old blogs write).
        tag = sibling.tag
        paragraph = tag == "p" or (tag == "div" and sibling.mem_id not in self.mixed_ids)
        return paragraph and self._paragraph_continues(sibling)

    @staticmethod
    def _paragraph_continues(node: LexborNode) -> bool:
        text = node.text().strip()
        density = link_density(node, len(text))
        if len(text) > SIBLING_PARAGRAPH_CHARS:
            return density < SIBLING_PARAGRAPH_LINK_DENSITY
        return bool(text) and density == 0 and bool(_SENTENCE_END.search(text))
