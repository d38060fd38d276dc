"""Cleaning a parsed page under a set of rules, and the ladder of ever laxer rules to retry with.

A result that is short is a signal, not an answer: the strict rules (prune furniture by name,
weigh class names, judge every container inside the article) are right on most pages, and on the
rest they remove the story itself. Like Readability, a page whose first result is short is
cleaned again with the rules relaxed step by step, and the best attempt is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from reader.document import Block, block_text
from reader.extract.blocks import BlockBuilder, lead_figure
from reader.extract.content import Scorer, prune
from reader.extract.metadata import Metadata, scan_page
from reader.extract.prune import DROP_TAGS
from reader.extract.tidy import MIN_ARTICLE_CHARS, tidy

ENOUGH_CHARS = 1_200
"""An attempt with at least this much body text is accepted; a shorter one is retried with laxer
rules, and a retry replaces it only when it reaches this much (or the first found nothing).
Tuned on the dragnet TUNE half: F1 0.9072 at 300, 0.9144 at 500 (Readability's value), 0.9168
at 1,200, 0.9161-0.9165 at 1,600-2,000, 0.9149 at 3,000; the CHECK half agreed (0.9217 at
500, 0.9228 at 1,200)."""


WEAK_LINK_DENSITY = 0.2
"""An attempt whose article node has more link text than this share is link-heavy: when it is
also too short to be an article, a retry may replace it by any longer attempt that is not.
Tuned on the dragnet TUNE half: F1 0.9141 at 0.1, 0.9183 at 0.15, 0.9191 at 0.2, 0.9183 at
0.25-0.3, 0.9168 at 0.4 (no effect); the CHECK half agreed (0.9228 without, see BENCHMARKS.md)."""


@dataclass(frozen=True, slots=True)
class Rules:
    """Which of the cleaner's strict rules apply in an attempt."""

    prune_by_name: bool = True
    """Drop furniture by class and id words before scoring (furniture by tag, role and
    markup, and reader comments, are dropped in every attempt)."""
    class_weights: bool = True
    """Let class and id words nudge candidates' scores."""
    clean_inside: bool = True
    """Judge containers inside the article as furniture (share bars, promos, link farms)."""


LADDER = (
    Rules(),
    Rules(prune_by_name=False),
    Rules(prune_by_name=False, class_weights=False),
    Rules(prune_by_name=False, class_weights=False, clean_inside=False),
)
"""The attempts in order, each relaxing one more rule (Readability's FLAG_STRIP_UNLIKELYS,
FLAG_WEIGHT_CLASSES, FLAG_CLEAN_CONDITIONALLY)."""


@dataclass(slots=True)
class Attempt:
    """What one attempt found: the body blocks, and what the article verdict needs."""

    blocks: list[Block]
    chars: int
    """Characters of body text, counted up to ENOUGH_CHARS (attempts are compared by it only
    below that)."""
    density: float | None = None
    """The article node's link density when the body is that node alone."""
    truncated: bool = False
    """Whether the walk stopped at the node limit."""


def is_linky(attempt: Attempt) -> bool:
    """Whether the attempt's article node is link-heavy (WEAK_LINK_DENSITY)."""
    return (attempt.density or 0.0) > WEAK_LINK_DENSITY


def clean_body(
    body: LexborNode, dropped: list[LexborNode], base: str | None, meta: Metadata, rules: Rules
) -> Attempt:
    """The article in `body` (which this changes: furniture is removed from the tree)."""
    prune(body, dropped, by_name=rules.prune_by_name)
    scorer = Scorer(body, class_weights=rules.class_weights)
    main, nodes = scorer.article_nodes()
    if main is None:
        return Attempt([], 0)
    builder = BlockBuilder(
        base, scorer.score_of, scorer.text_of, scorer.text_length, clean=rules.clean_inside
    )
    lead = lead_figure(nodes[0], base)
    if lead is not None:
        builder.add_block(lead)
    for node in nodes:
        builder.add(node, main)
    blocks = tidy(builder.blocks, meta, keep_one=not rules.clean_inside)
    chars = 0
    for block in blocks:
        chars += len(block_text(block))
        if chars >= ENOUGH_CHARS:
            # Enough to accept the attempt: longer texts are never compared.
            break
    density = scorer.link_density(main) if len(nodes) == 1 else None
    return Attempt(blocks, chars, density, builder.truncated)


def best_attempt(
    encoded: bytes, body: LexborNode, dropped: list[LexborNode], base: str | None, meta: Metadata
) -> Attempt:
    """The article of a parsed page (`body`, parsed from `encoded`, with its DROP_TAGS
    elements `dropped`): the strict attempt, or when it is short the first retry down LADDER
    that reaches ENOUGH_CHARS (an empty or weak result gives way sooner, see below)."""
    best = clean_body(body, dropped, base, meta, LADDER[0])
    last = best
    for rules in LADDER[1:]:
        if best.chars >= ENOUGH_CHARS:
            break
        # Each attempt changes the tree: a retry starts from a fresh parse (~0.3 ms).
        tree = LexborHTMLParser(encoded)
        retry_body = tree.body
        if retry_body is None:
            break
        attempt = clean_body(retry_body, scan_page(tree, DROP_TAGS).dropped, base, meta, rules)
        # A result too short to be an article, from a link-heavy node ("More stories…"), is
        # weak: rule sets agreeing on it prove nothing, and any longer, less linked one wins.
        weak = best.chars < MIN_ARTICLE_CHARS and is_linky(best)
        if attempt.chars and attempt.blocks == last.blocks and not weak:
            # Two rule sets agree on a short text: a short story, not a misjudged page.
            break
        # A long retry from a link-heavy node (the menus around a short post) does not replace
        # a result that is not link-heavy: its length is the menus', not a story's.
        menus = is_linky(attempt) and best.chars > 0 and not is_linky(best)
        if (
            not best.chars
            or (attempt.chars >= ENOUGH_CHARS and not menus)
            or (weak and attempt.chars > best.chars and not is_linky(attempt))
        ):
            best = attempt
        last = attempt
    return best
