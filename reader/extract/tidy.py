"""The last pass over the blocks: furniture lines, a header repeated at the top, pitches and
credits at the end, and the verdict on whether the page is an article at all."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from reader.document import Block, Document, Figure, Heading, Paragraph, block_text, spans_text
from reader.extract import hints
from reader.extract.metadata import Metadata

MIN_ARTICLE_CHARS = 250
"""Less body text than this and the page is not an article (an empty shell, a video page, a
paywall stub). Characters, not words, so Chinese and Japanese count fairly; about 40 English
words, well below the shortest real story in the benchmark (~90 words)."""

LISTING_LINK_DENSITY = 0.5
"""A body whose text is more than half link text is a listing or home page, not an article."""

LISTING_MIN_TEASERS = 5
"""A body with 5 headings that are links to the site itself is a list of its stories (a listing
or home page): story subheadings are not links. No benchmark article has more than 1."""

LEAD_BLOCKS = 4
"""How many blocks at the top of the body are checked for a repeated title, byline or date."""

TITLE_SLACK_CHARS = 20
"""A block can only repeat the title when its length is within this many characters of it
(punctuation and spacing differ; the words must then match exactly)."""

SHORT_LINE_WORDS = 12
"""A paragraph up to this many words can be a repeated byline, date or furniture label."""

PARAGRAPH_MAX_LINK_SHARE = 0.7
"""A paragraph that is mostly link text is a "read more" teaser or a list of other stories."""

LINKED_PARAGRAPH_MIN_WORDS = 7
"""...unless it is this short: a source credit ("[Engadget]"), a bare URL or a name in a link
belong to the story more often than not on the benchmark pages."""

TAIL_BLOCKS = 6
TAIL_MAX_WORDS = 70
"""Up to 6 paragraphs of at most 70 words at the end of the body are tested for trailing
furniture (hints.TAIL_FURNITURE). The benchmark's promos and credits run to ~60 words."""

CLOSING_HEADING_MIN_SHARE = 0.5
"""A closing heading ends the story only past half of its text: near the top, "Related" is more
likely a section of the story than its end."""

HEADER_KEPT_BELOW_CHARS = MIN_ARTICLE_CHARS
"""The headline, byline and date lines at the top of the article node stay in the body when
the rest of it holds less text than this (too little for an article on its own). Tuned on the
dragnet TUNE half, whose truth has them: F1 0.9224 never, 0.9270 at 250, 0.9279 at 600, 0.9287
at 1,200; but scrapinghub (whose truth never has them) fell from 0.9809 at 250 to 0.9802 at
600 and 0.9795 at 1,200, so the value that costs it nothing."""

_BYLINE = re.compile(
    r"^(by|written by|from|posted by|published by"  # English
    r"|von|geschrieben von"  # German
    r"|par|écrit par|publié par"  # French
    r"|por|escrito por|publicado por"  # Spanish, Portuguese
    r"|di|scritto da"  # Italian
    r"|door|geschreven door"  # Dutch
    r"|av|af)\b",  # Swedish, Norwegian, Danish
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"\b(\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|updated|published|posted"
    r"|ago|minutes?|hours?|today|yesterday"
    # The same words in German, French, Spanish, Portuguese, Italian and Dutch.
    r"|mär|mai|okt|dez|janv|févr|avr|juil|août|déc|ene|abr|ago|dic|gen|mag|giu|lug|set|ott|mei"
    r"|aktualisiert|veröffentlicht|heute|gestern|stunden?|minuten?"
    r"|mis à jour|publié|aujourd'hui|hier|heures?"
    r"|actualizado|atualizado|publicado|hoy|ayer|hoje|ontem|horas?|minutos?"
    r"|aggiornato|pubblicato|oggi|ieri|ore|minuti"
    r"|bijgewerkt|gepubliceerd|vandaag|gisteren|uur)\b",
    re.IGNORECASE,
)


_TEXT_BLOCKS = (Paragraph, Heading)
"""A tuple: isinstance with it is cheaper than with `Paragraph | Heading`, built at each call."""


def _words(text: str) -> int:
    """Words in cleaned text (single spaces, no blanks at the ends): counting separators
    spares splitting every paragraph into a list."""
    return text.count(" ") + text.count("\n") + 1 if text else 0


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _is_repeat(block: Paragraph | Heading, text: str, words: int, meta: Metadata) -> bool:
    """Whether a block near the top repeats the header: the title, a byline, a date."""
    # The length test first spares folding every long lead paragraph.
    if (
        meta.title
        and abs(len(text) - len(meta.title)) < TITLE_SLACK_CHARS
        and _fold(text) == _fold(meta.title)
    ):
        return True
    if isinstance(block, Heading) or words > SHORT_LINE_WORDS:
        return False
    if _BYLINE.match(text):
        return True
    folded = text.casefold()
    if any(author.casefold() in folded for author in meta.authors):
        return True
    return words <= SHORT_LINE_WORDS // 2 and len(_DATE_WORDS.findall(text)) >= 2


def _link_share(paragraph: Paragraph) -> float:
    """The share of a paragraph's characters that sit in links."""
    linked = sum(len(span.text) for span in paragraph.spans if span.style == "link")
    if not linked:
        return 0.0
    total = sum(len(span.text) for span in paragraph.spans)
    return linked / total if total else 0.0


def _is_furniture(block: Block, index: int, meta: Metadata) -> bool:
    """Whether a paragraph or heading is a furniture line, a link teaser or a repeated header."""
    if not isinstance(block, _TEXT_BLOCKS):
        return False
    text = spans_text(block.spans)
    words = _words(text)
    if index < LEAD_BLOCKS and _is_repeat(block, text, words, meta):
        return True
    if isinstance(block, Heading):
        return False
    if words <= SHORT_LINE_WORDS and hints.BOILERPLATE_LINE.match(text):
        return True
    return words >= LINKED_PARAGRAPH_MIN_WORDS and _link_share(block) > PARAGRAPH_MAX_LINK_SHARE


def _is_tail_furniture(block: Block) -> bool:
    """Whether the last block is a newsletter pitch, a credit line or a copyright notice (or
    a picture captioned with one: a magazine's subscription banner)."""
    if isinstance(block, Paragraph):
        text = spans_text(block.spans)
    elif isinstance(block, Figure):
        text = block.caption
    else:
        return False
    return _words(text) <= TAIL_MAX_WORDS and hints.has_tail_furniture(text)


def _linked_headings(blocks: list[Block], url: str | None) -> int:
    """How many headings are wholly links to the page's own site: the headlines of a list of
    its stories. (Links elsewhere are a buying guide's products, not teasers.)"""
    site = _host(url)
    return sum(
        1
        for block in blocks
        if isinstance(block, Heading)
        and all(
            span.style == "link" and (not site or _host(span.href) == site) for span in block.spans
        )
    )


def _host(url: str | None) -> str:
    host = urlsplit(url).netloc.lower() if url else ""
    return host.removeprefix("www.")


def _is_site_root(url: str | None) -> bool:
    """Whether a URL is a site's front page ("https://example.com/", no path or query)."""
    if not url:
        return False
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _before_closing_heading(blocks: list[Block]) -> list[Block]:
    """The blocks before a heading that closes the story ("Related stories", "Comments", "You
    might also like") in its second half: what follows such a heading is never the story."""
    # Headings are few, and most pages have no closing one: only then are texts measured.
    closing = [
        index
        for index, block in enumerate(blocks)
        if isinstance(block, Heading) and hints.CLOSING_HEADING.match(spans_text(block.spans))
    ]
    if not closing:
        return blocks
    lengths = [len(block_text(block)) for block in blocks]
    total = sum(lengths)
    for index in closing:
        if sum(lengths[:index]) >= CLOSING_HEADING_MIN_SHARE * total:
            return blocks[:index]
    return blocks


def _is_short(blocks: list[Block], limit: int) -> bool:
    """Whether the paragraphs and headings in `blocks` hold fewer than `limit` characters
    (counted only up to it: a long story's text is never measured in full here)."""
    chars = 0
    for block in blocks:
        if isinstance(block, _TEXT_BLOCKS):
            chars += len(block_text(block))
            if chars >= limit:
                return False
    return True


def tidy(blocks: list[Block], meta: Metadata, keep_one: bool = False) -> list[Block]:
    """The blocks without furniture lines, a header repeated at the top or a trailing pitch;
    with `keep_one` (the laxest retry), never without their last paragraph."""
    kept = [block for index, block in enumerate(blocks) if not _is_furniture(block, index, meta)]
    if len(kept) < len(blocks) and _is_short(kept, HEADER_KEPT_BELOW_CHARS):
        # A post that is little more than its header (a headline, a byline, a picture): the
        # header lines are then part of the story, not a repeat of it.
        kept = [block for block in blocks if not _is_furniture(block, LEAD_BLOCKS, meta)]
    kept = _before_closing_heading(kept)
    checked = 0
    while kept and checked < TAIL_BLOCKS:
        if isinstance(kept[-1], Heading):
            # A heading with nothing under it introduces something we dropped (a rail, comments).
            kept.pop()
            continue
        if not _is_tail_furniture(kept[-1]):
            break
        if keep_one and not any(isinstance(block, Paragraph) for block in kept[:-1]):
            # The story's only paragraph mentions a pitch ("... click here"): a phrase is not
            # proof enough to leave nothing.
            break
        kept.pop()
        checked += 1
    return kept


def not_article_reason(doc: Document, url: str | None, main_link_density: float | None) -> str:
    """Why the cleaned page is not an article, or "" when it is one.

    `main_link_density` is the article node's link density when the body is that node alone.
    """
    chars = 0
    for block in doc.blocks:
        chars += len(block_text(block))
        if chars >= MIN_ARTICLE_CHARS:
            # Enough: the total is only reported when it falls short.
            break
    if chars < MIN_ARTICLE_CHARS:
        return f"too little text for an article ({chars} characters)"
    if main_link_density is not None and main_link_density > LISTING_LINK_DENSITY:
        return "the page is mostly links: a listing or home page"
    if _linked_headings(doc.blocks, url) >= LISTING_MIN_TEASERS:
        return "the page is a list of stories (linked headlines): a listing or home page"
    if _is_site_root(url):
        return "the address is a site's home page"
    return ""
