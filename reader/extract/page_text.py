"""The whole visible text of a page: what the reader shows when the cleaner misjudged."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from reader.extract.budget import parser_input
from reader.extract.decode import decode_html
from reader.sanitize import clean_block

INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head")
"""Elements whose text a reader never sees on the page."""
MAX_PAGE_TEXT = 500_000
"""Characters kept: far beyond any article, small enough to store for every cached page."""


def page_text(html: bytes | str, content_type: str | None = None) -> str:
    """Every visible line of text on the page, one block a paragraph, nothing removed."""
    text = html if isinstance(html, str) else decode_html(html, content_type)
    encoded, reason = parser_input(text)
    if reason:
        return ""
    tree = LexborHTMLParser(encoded)
    tree.strip_tags(list(INVISIBLE_TAGS))
    root = tree.body or tree.root
    if root is None:
        return ""
    lines = (line.strip() for line in root.text(separator="\n").split("\n"))
    return clean_block("\n\n".join(line for line in lines if line))[:MAX_PAGE_TEXT]
