"""Repairs for markup that makes the parser lose the page before any cleaning starts."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")


def swallowed_by_title(tree: LexborHTMLParser, title: str) -> bool:
    """Whether an unclosed `<title>` took the page: a title is raw text up to its `</title>`,
    so one left open holds the page's markup as text, and the body is left empty."""
    if _MARKUP.search(title) is None:
        return False
    body = tree.body
    return body is None or not body.text().strip()


def close_runaway_title(html: str) -> str | None:
    """`html` with its unclosed `<title>` closed at the first tag after it (where the title
    line ends on such pages), or None when there is nothing to close."""
    opening = _TITLE_OPEN.search(html)
    if opening is None:
        return None
    end = html.find("<", opening.end())
    if end < 0:
        return None
    return f"{html[:end]}</title>{html[end:]}"
