"""What every feed format shares: caps, HTML-to-text, link resolution and building entries.

Parsers hand raw strings to `make_entry`; it is the one place that sanitizes and caps them, so no
format can forget to.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from reader.feeds.model import FeedEntry
from reader.sanitize import clean_block, clean_line, clean_text, is_web_url

MAX_FEED_BYTES = 10 * 1024 * 1024
"""Largest document parsed, the same as the HTTP client's default body cap."""
MAX_ENTRIES = 2_000
"""Stories kept per feed: busy feeds carry 10–100; more is an archive dump or an attack."""
MAX_PARSED_ENTRIES = 2 * MAX_ENTRIES
"""Items looked at per feed: room for duplicates to be dropped before MAX_ENTRIES are kept."""
MAX_TITLE_CHARS = 500
"""A headline longer than this is not a headline."""
MAX_FEED_TITLE_CHARS = 200
"""Feed names are shown in a narrow sidebar."""
MAX_SUMMARY_CHARS = 5_000
"""About a page of text: enough for a summary, bounded for the store and the list."""
MAX_CONTENT_HTML_CHARS = 200_000
"""Full-content HTML kept per entry: a long article is ~50 KB of HTML."""
MAX_AUTHOR_CHARS = 200
MAX_ID_CHARS = 1_000
"""Ids are compared, never shown; longer ones are hashed so they stay distinct."""
MAX_URL_CHARS = 4_096
"""Longer URLs are dropped rather than truncated into a different address."""
FALLBACK_TITLE_CHARS = 80
"""Length of the title made from the summary when an entry has none (JSON Feed allows that)."""

TEXT_WALK_CHARS = 2 * MAX_SUMMARY_CHARS
"""Text gathered from HTML before the walk stops: collapsing spaces may shrink it, never grow it."""

# Elements whose text is never shown.
_SKIP = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe", "object"})
# Elements that start a new paragraph.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
        "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = object()  # marks the end of a block element during the walk


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment, one blank line between paragraphs, sanitized and capped."""
    if not html.strip():
        return ""
    body = LexborHTMLParser(html[:MAX_CONTENT_HTML_CHARS]).body
    if body is None:
        return ""
    parts: list[str] = []
    length = 0
    # An explicit stack, not recursion: feed HTML can nest deeper than Python's recursion limit.
    stack: list[LexborNode | object] = [body]
    while stack:
        node = stack.pop()
        if not isinstance(node, LexborNode):
            parts.append("\n\n")
            continue
        if node.is_text_node:
            text = _WHITESPACE.sub(" ", node.text_content or "")
            parts.append(text)
            length += len(text)
            if length > TEXT_WALK_CHARS:
                break  # enough for a capped summary; the rest would only cost time
        elif node.tag == "br":
            parts.append("\n")
        elif node.is_element_node and node.tag not in _SKIP:
            if node.tag in _BLOCKS:
                parts.append("\n\n")
                stack.append(_PARAGRAPH_BREAK)
            stack.extend(reversed(list(node.iter(include_text=True))))
    return cap(clean_block("".join(parts)), MAX_SUMMARY_CHARS)


def text_as_html(text: str) -> str:
    """Plain text as HTML paragraphs, for the feed-content view."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def cap(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def web_link(href: object, base: str) -> str | None:
    """`href` resolved against `base`, if the result is an http(s) URL of sane length."""
    if not isinstance(href, str) or not href.strip() or len(href) > MAX_URL_CHARS:
        return None
    try:
        url = urljoin(base, href.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    return url if is_web_url(url) and len(url) <= MAX_URL_CHARS else None


def make_entry(
    *,
    entry_id: str,
    title: str,
    title_is_html: bool,
    link: str | None,
    published: datetime | None,
    summary_text: str,
    content_html: str,
    author: str,
) -> FeedEntry:
    """A FeedEntry from raw strings: the single place they are sanitized and capped.

    `entry_id` is the id the feed gave, "" if none: the link (else a hash) then stands in for it.
    """
    summary = cap(clean_block(summary_text), MAX_SUMMARY_CHARS)
    clean_title = clean_line(html_to_text(title) if title_is_html else title, MAX_TITLE_CHARS)
    if not clean_title:
        clean_title = clean_line(summary, FALLBACK_TITLE_CHARS)
    ident = clean_line(entry_id, MAX_ID_CHARS + 1)
    if len(ident) > MAX_ID_CHARS:
        ident = "sha256:" + hashlib.sha256(entry_id.encode("utf-8", "replace")).hexdigest()
    id_from_feed = bool(ident)
    if not id_from_feed:
        # The link as it is: what earlier versions stored such entries under too, so their rows
        # keep matching by id (a link too long for an id, which they hashed, the store finds
        # by link).
        ident = link or _fallback_id(clean_title, published)
    return FeedEntry(
        id=ident,
        title=clean_title,
        link=link,
        published=published,
        summary=summary,
        content_html=cap(clean_text(content_html), MAX_CONTENT_HTML_CHARS),
        author=clean_line(author, MAX_AUTHOR_CHARS),
        id_from_feed=id_from_feed,
    )


def _fallback_id(title: str, published: datetime | None) -> str:
    """A stable id for an entry with neither id nor link."""
    stamp = published.isoformat() if published else ""
    return "sha256:" + hashlib.sha256(f"{title}\n{stamp}".encode()).hexdigest()


def kept_entries(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    """The first MAX_ENTRIES entries that are neither blank nor a story seen earlier."""
    return list(islice(_kept(entries), MAX_ENTRIES))


def _is_blank(entry: FeedEntry) -> bool:
    """Whether an entry has nothing to show or open: no title, link, date, summary or text."""
    return not (
        entry.title
        or entry.link
        or entry.published
        or entry.summary
        or html_to_text(entry.content_html)  # last: it parses HTML, and is rarely reached
    )


def _kept(entries: Iterable[FeedEntry]) -> Iterator[FeedEntry]:
    """Entries not blank and not a story already seen, lazily.

    An id identifies a story; a link only when there is no id, as the store decides too: an
    entry with an id repeats only that id, one without repeats any earlier entry's link.
    Distinct ids sharing a link (podcast episodes all linking to the show) are distinct stories.
    """
    ids: set[str] = set()
    links: set[str] = set()
    for entry in entries:
        repeated = entry.id in ids or (not entry.id_from_feed and entry.link in links)
        if repeated or _is_blank(entry):
            continue
        ids.add(entry.id)
        if entry.link is not None:
            links.add(entry.link)
        yield entry
