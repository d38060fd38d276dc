"""The cleaning engine: HTML bytes (or text) and a URL in, a `Document` out.

A pipeline of pure steps with one direction of imports: decode → budget check → parse (an
unclosed `<title>` repaired) → metadata → prune → score → build blocks → tidy, the last four
retried with laxer rules when they find little (see `attempts`). No I/O, no network, and it
never raises: any failure becomes a Document with `is_article=False` and a note saying what
went wrong.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from reader.document import Block, Document
from reader.extract.attempts import best_attempt
from reader.extract.budget import parser_input
from reader.extract.content import DROP_TAGS
from reader.extract.decode import decode_html
from reader.extract.metadata import Metadata, page_base, read_metadata, scan_page
from reader.extract.repair import close_runaway_title, swallowed_by_title
from reader.extract.tidy import not_article_reason
from reader.sanitize import clean_line, is_web_url

__all__ = ["extract"]


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
    encoded, reason = parser_input(html)
    if reason:
        return Document(url=url, is_article=False, note=reason)
    tree = LexborHTMLParser(encoded)
    scan = scan_page(tree, DROP_TAGS)
    if scan.title is not None and swallowed_by_title(tree, scan.title.text()):
        repaired = close_runaway_title(html)
        if repaired is not None:
            encoded, reason = parser_input(repaired)
            if reason:
                return Document(url=url, is_article=False, note=reason)
            tree = LexborHTMLParser(encoded)
            scan = scan_page(tree, DROP_TAGS)
    base = page_base(scan, url)
    meta = read_metadata(tree, base, scan)
    body = tree.body
    if body is None:
        return _document(meta, url, [], "the page has no body")
    best = best_attempt(encoded, body, scan.dropped, base, meta)
    if not best.blocks:
        return _document(meta, url, [], "no article text found on the page")
    doc = _document(meta, url, best.blocks)
    reason = not_article_reason(doc, url, best.density)
    if reason:
        doc.is_article = False
        doc.note = reason
    elif best.truncated:
        doc.note = "the article was cut short: the page has too many elements to read in full"
    return doc


def extract(html: bytes | str, url: str | None = None, content_type: str | None = None) -> Document:
    """The cleaned article in `html`: metadata and body blocks, or why it is not an article.

    `content_type` is the HTTP header, used for its charset when `html` is bytes. Never raises.
    """
    safe_url = url.strip() if url is not None and is_web_url(url) else None
    try:
        text = decode_html(html, content_type) if isinstance(html, bytes) else html
        return _extract(text, safe_url)
    except (RecursionError, MemoryError) as error:
        note = f"page too complex: {error!r}"
    except Exception as error:
        # The contract is "never raise": a reader must not crash on a stranger's page.
        note = f"cleaning failed: {error!r}"
    return Document(url=safe_url, is_article=False, note=clean_line(note, 300))
