"""The cleaning engine: HTML bytes (or text) and a URL in, a `Document` out.

A pipeline of pure steps with one direction of imports: decode → budget check → parse →
metadata → prune → score → build blocks → tidy. No I/O, no network, and it never raises: any
failure becomes a Document with `is_article=False` and a note saying what went wrong.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from reader.document import Block, Document, Figure, Heading, Paragraph, spans_text
from reader.extract import hints
from reader.extract.blocks import BlockBuilder, figure_from
from reader.extract.budget import over_budget
from reader.extract.content import Scorer, prune
from reader.extract.decode import decode_html
from reader.extract.metadata import Metadata, page_base, read_metadata

__all__ = ["extract"]

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

LEAD_FIGURE_LOOKBACK = 3
"""How many elements before the article node are searched for its lead picture, and how many
levels up: the featured image usually sits just above the body, next to the headline."""

LEAD_FIGURE_MAX_CHARS = 600
"""An element before the body counts as the lead picture only when its text (the caption) is
shorter than this: longer ones are teasers or the headline block."""

_BYLINE = re.compile(r"^(by|written by|from|posted by|published by)\b", re.IGNORECASE)
_DATE_WORDS = re.compile(
    r"\b(\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|updated|published|posted"
    r"|ago|minutes?|hours?|today|yesterday)\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _lead_figure(first: LexborNode, base: str | None) -> Figure | None:
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
                if sibling.css_first("h1") is not None:
                    return None
                found = sibling if sibling.tag == "figure" else sibling.css_first("figure")
                if found is not None and len(sibling.text().strip()) < LEAD_FIGURE_MAX_CHARS:
                    figure = figure_from(found, base)
                    if figure is not None and figure.caption:
                        return figure
            sibling = sibling.prev
        node = node.parent
    return None


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
    total = sum(len(span.text) for span in paragraph.spans)
    linked = sum(len(span.text) for span in paragraph.spans if span.style == "link")
    return linked / total if total else 0.0


def _is_furniture(block: Block, index: int, meta: Metadata) -> bool:
    """Whether a paragraph or heading is a furniture line, a link teaser or a repeated header."""
    if not isinstance(block, Paragraph | Heading):
        return False
    text = spans_text(block.spans)
    words = len(text.split())
    if index < LEAD_BLOCKS and _is_repeat(block, text, words, meta):
        return True
    if isinstance(block, Heading):
        return False
    if words <= SHORT_LINE_WORDS and hints.BOILERPLATE_LINE.match(text):
        return True
    return words >= LINKED_PARAGRAPH_MIN_WORDS and _link_share(block) > PARAGRAPH_MAX_LINK_SHARE


def _is_tail_furniture(block: Block) -> bool:
    """Whether the last block is a newsletter pitch, a credit line or a copyright notice."""
    if not isinstance(block, Paragraph):
        return False
    text = spans_text(block.spans)
    return len(text.split()) <= TAIL_MAX_WORDS and bool(hints.TAIL_FURNITURE.search(text))


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


def _tidy(blocks: list[Block], meta: Metadata) -> list[Block]:
    """The blocks without furniture lines, a header repeated at the top or a trailing pitch."""
    kept = [block for index, block in enumerate(blocks) if not _is_furniture(block, index, meta)]
    checked = 0
    while kept and checked < TAIL_BLOCKS:
        if isinstance(kept[-1], Heading):
            # A heading with nothing under it introduces something we dropped (a rail, comments).
            kept.pop()
            continue
        if not _is_tail_furniture(kept[-1]):
            break
        kept.pop()
        checked += 1
    return kept


def _document(meta: Metadata, url: str | None, blocks: list[Block], note: str = "") -> Document:
    return Document(
        url=url,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        site_name=meta.site_name,
        language=meta.language,
        description=meta.description,
        image=meta.image,
        canonical_url=meta.canonical_url,
        blocks=blocks,
        is_article=not note,
        note=note,
    )


def _extract(html: str, url: str | None) -> Document:
    reason = over_budget(html)
    if reason:
        return Document(url=url, is_article=False, note=reason)
    tree = LexborHTMLParser(html)
    base = page_base(tree, url)
    meta = read_metadata(tree, base)
    body = tree.body
    if body is None:
        return _document(meta, url, [], "the page has no body")
    prune(body)
    scorer = Scorer(body)
    main, nodes = scorer.article_nodes()
    if main is None:
        return _document(meta, url, [], "no article text found on the page")
    builder = BlockBuilder(base, scorer.score_of)
    lead = _lead_figure(nodes[0], base)
    if lead is not None:
        builder.frames[0].blocks.append(lead)
    for node in nodes:
        builder.add(node, main)
    blocks = _tidy(builder.blocks, meta)
    doc = _document(meta, url, blocks)
    chars = len(doc.text)
    if chars < MIN_ARTICLE_CHARS:
        doc.is_article = False
        doc.note = f"too little text for an article ({chars} characters)"
    elif len(nodes) == 1 and scorer.link_density(main) > LISTING_LINK_DENSITY:
        doc.is_article = False
        doc.note = "the page is mostly links: a listing or home page"
    elif _linked_headings(blocks, url) >= LISTING_MIN_TEASERS:
        doc.is_article = False
        doc.note = "the page is a list of stories (linked headlines): a listing or home page"
    elif _is_site_root(url):
        doc.is_article = False
        doc.note = "the address is a site's home page"
    return doc


def extract(html: bytes | str, url: str | None = None, content_type: str | None = None) -> Document:
    """The cleaned article in `html`: metadata and body blocks, or why it is not an article.

    `content_type` is the HTTP header, used for its charset when `html` is bytes. Never raises.
    """
    safe_url = url if url and url.startswith(("http://", "https://")) else None
    try:
        text = decode_html(html, content_type) if isinstance(html, bytes) else html
        return _extract(text, safe_url)
    except (RecursionError, MemoryError) as error:
        return Document(url=safe_url, is_article=False, note=f"page too complex: {error!r}")
    except Exception as error:
        # The contract is "never raise": a reader must not crash on a stranger's page.
        return Document(url=safe_url, is_article=False, note=f"cleaning failed: {error!r}")
