"""RSS and Atom through feedparser, behind a guard that makes hostile XML harmless first.

feedparser's strict mode runs expat, which expands entities declared in a DOCTYPE: a billion-laughs
or quadratic-blowup document runs it out of memory. Its loose mode expands the declarations it
deems safe, and both raise on references to surrogates or out-of-range code points. It is also
slow (10–30 µs a tag) and quadratic in the attributes of one element. So the bytes are transcoded
to UTF-8 exactly as feedparser would, the DOCTYPE's internal subset is removed, the document is cut
at an item boundary to a parse budget, and bad character references are dropped, before feedparser
ever sees them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser
from feedparser.encodings import convert_to_utf8

from reader.feeds.common import (
    MAX_FEED_TITLE_CHARS,
    MAX_PARSED_ENTRIES,
    html_to_text,
    kept_entries,
    make_entry,
    text_as_html,
    web_link,
)
from reader.feeds.model import FeedEntry, FeedError, ParsedFeed
from reader.sanitize import clean_line

MAX_ERROR_CHARS = 160
"""Longest parser message quoted in a FeedError."""
MAX_PARSE_BYTES = 4 * 1024 * 1024
"""XML handed to feedparser, cut at an item boundary: it parses ~1 MB/s of dense markup, and the
first items of a bigger feed are all a reader shows anyway."""
MAX_PARSE_TAGS = 60_000
"""Markup (every "<") handed to feedparser: it spends 10–30 µs per tag, so this bounds a parse of
hostile markup (a million empty elements) to ~2 s. It counts "<" inside CDATA too, erring on the
safe side: a feed of 50 full articles in CDATA HTML still fits whole."""
MAX_TAG_ATTRIBUTES = 64
"""Attributes ("=" signs) per tag: Python's SAX attribute lookups are quadratic in their number
(100,000 attributes on one element took 90 s). Real elements have under 20."""

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
# Prolog items that may precede the DOCTYPE and the root element.
_PROLOG_SKIP = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)
# Inside a DOCTYPE: quoted literals, comments and PIs are opaque; brackets and ">" are structure.
_DOCTYPE_TOKEN = re.compile(
    rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|<\?.*?\?>|[\[\]>]|[^\"'<\[\]>]+|<", re.S
)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_FIRST_TAG = re.compile(rb"<\w")  # where feedparser's own DOCTYPE handling stops looking
_ENTITY = re.compile(rb"<!ENTITY", re.I)
# The start of an item (RSS) or entry (Atom), where a long feed can be cut.
_ITEM_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")
# A tag with more than MAX_TAG_ATTRIBUTES "=" in it. Each part can only stop at one place, so the
# search stays linear on hostile input.
_CROWDED_TAG = re.compile(rb"<[A-Za-z_][^<>=]*(?:=[^<>=]*){%d}" % (MAX_TAG_ATTRIBUTES + 1))
# Matches up to the MAX_PARSE_TAGS-th "<", in C.
_NTH_TAG = re.compile(rb"(?:[^<]*<){%d}" % MAX_PARSE_TAGS)
# A character reference that may name a code point XML forbids: C0 controls, surrogates,
# U+FFFE/U+FFFF, or past U+10FFFF (7+ digits is a superset, refined in `_check_char_ref`).
# Only these reach the Python callback; &#39; and friends, which feeds hold by the million,
# stay in C.
_SUSPECT_CHAR_REF = re.compile(
    rb"&#(?:[xX]0*(?:1?[0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF]{3}[eEfF]"
    rb"|(?:1[1-9a-fA-F]|[2-9a-fA-F][0-9a-fA-F])[0-9a-fA-F]{4}|[0-9a-fA-F]{7,})"
    rb"|0*(?:[12]?[0-9]|3[01]|5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}"
    rb"|573[0-3][0-9]|5734[0-3]|6553[45]|[0-9]{7,}));"
)
# C0 controls other than tab, newline and CR are not allowed in XML at all; dropping them keeps
# expat (the strict, better parser) working on feeds that carry stray escape codes.
_XML_FORBIDDEN_BYTES = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def parse_xml_feed(data: bytes, url: str, content_type: str) -> ParsedFeed:
    """Parse RSS or Atom bytes; raises FeedError for anything that is not a usable feed."""
    safe, root = _defuse(data, content_type)
    if root.rpartition(":")[2].lower() == "html":
        raise FeedError("not a feed: got an HTML page")
    safe = _within_budget(safe, root)
    if b"&#" in safe:
        safe = _SUSPECT_CHAR_REF.sub(_check_char_ref, safe)
    try:
        result = feedparser.parse(
            safe,
            # A content type keeps feedparser from flagging every document as bozo; the
            # location is the base for relative links.
            response_headers={"content-type": "application/xml", "content-location": url},
            # content_html is kept as given; re-parsing every HTML field with sgmllib to
            # sanitize it and resolve its links was most of feedparser's time on big feeds.
            sanitize_html=False,
            resolve_relative_uris=False,
        )
        raw_entries = list(result.get("entries", []))[:MAX_PARSED_ENTRIES]
    except Exception as exc:  # feedparser is big; nothing of it may escape
        raise FeedError(f"malformed XML: {type(exc).__name__}") from exc
    if not raw_entries:
        if content_type.split(";", 1)[0].strip().lower() == "text/html":
            raise FeedError("not a feed: got an HTML page")
        if result.get("bozo"):
            raise FeedError(_bozo_reason(result.get("bozo_exception")))
        if not result.get("version"):
            raise FeedError("not a feed: no RSS or Atom document found")
    feed = result.get("feed", {})
    return ParsedFeed(
        title=clean_line(_text(feed, "title"), MAX_FEED_TITLE_CHARS),
        link=web_link(feed.get("link"), url),
        entries=kept_entries(_entries(raw_entries, url)),
    )


def _bozo_reason(exc: object) -> str:
    """A FeedError message for feedparser's complaint, without expat's "<unknown>:2:0:" noise
    (its line numbers count a declaration feedparser inserted)."""
    message = exc.getMessage() if isinstance(exc, SAXParseException) else str(exc or "")
    reason = clean_line(message, MAX_ERROR_CHARS)
    return f"malformed XML: {reason}" if reason else "malformed XML"


def _entries(raw_entries: list[Any], url: str) -> Iterator[FeedEntry]:
    """FeedEntries built lazily, so only the ones kept are converted."""
    for raw in raw_entries:
        link = web_link(raw.get("link"), url)
        summary, summary_is_html = _summary(raw)
        content = _content_html(raw) or (summary if summary_is_html else text_as_html(summary))
        title_detail = raw.get("title_detail") or {}
        yield make_entry(
            entry_id=_str(raw.get("id")),
            title=_str(raw.get("title")),
            title_is_html=title_detail.get("type") in _HTML_TYPES,
            link=link,
            published=_date(raw.get("published_parsed") or raw.get("updated_parsed")),
            summary_text=html_to_text(summary) if summary_is_html else summary,
            content_html=content,
            author=_str(raw.get("author")),
        )


def _summary(raw: Any) -> tuple[str, bool]:
    """The summary (else the content) and whether it is HTML."""
    summary = _str(raw.get("summary"))
    if summary:
        detail = raw.get("summary_detail") or {}
        return summary, detail.get("type", "text/html") in _HTML_TYPES
    for part in raw.get("content") or []:
        value = _str(part.get("value"))
        if value:
            return value, part.get("type", "text/html") in _HTML_TYPES
    return "", False


def _content_html(raw: Any) -> str:
    """The entry's full content, preferring an HTML part."""
    parts = [p for p in raw.get("content") or [] if _str(p.get("value"))]
    for part in parts:
        if part.get("type") in _HTML_TYPES:
            return _str(part.get("value"))
    return _str(parts[0].get("value")) if parts else ""


def _text(mapping: Any, key: str) -> str:
    """A text field, with markup removed when feedparser says it is HTML."""
    value = _str(mapping.get(key))
    detail = mapping.get(f"{key}_detail") or {}
    return html_to_text(value) if detail.get("type") in _HTML_TYPES else value


def _str(value: object) -> str:
    """`value` if it is a string, else "" (feedparser fields can be missing or odd)."""
    return value if isinstance(value, str) else ""


def _date(parsed: object) -> datetime | None:
    """A UTC datetime from feedparser's struct_time (already in UTC)."""
    try:
        return datetime(*parsed[:6], tzinfo=UTC)  # type: ignore[index,misc]
    except (TypeError, ValueError, OverflowError):
        return None


def _defuse(data: bytes, content_type: str) -> tuple[bytes, str]:
    """UTF-8 bytes without forbidden controls or a DOCTYPE internal subset, and the root
    element's name ("" if none was found)."""
    scratch: dict[str, Any] = {}
    headers = {"content-type": content_type} if content_type else {}
    try:
        # The same transcoding feedparser does, so what we inspect is what expat will see
        # (an encoding such as UTF-7 could otherwise hide a DOCTYPE from a byte scan).
        utf8 = convert_to_utf8(headers, data.lstrip(b" \t\r\n"), scratch)
    except Exception as exc:
        raise FeedError(f"malformed XML: cannot decode ({type(exc).__name__})") from exc
    utf8 = utf8.translate(None, _XML_FORBIDDEN_BYTES)
    return _strip_internal_subset(utf8)


def _within_budget(data: bytes, root: str) -> bytes:
    """`data`, or its first items closed off as a complete document, so that feedparser gets at
    most MAX_PARSE_BYTES, MAX_PARSE_TAGS and MAX_PARSED_ENTRIES; FeedError if even the first item
    does not fit."""
    if _CROWDED_TAG.search(data):
        raise FeedError(f"malformed XML: a tag with over {MAX_TAG_ATTRIBUTES} attributes")
    limit = min(len(data), MAX_PARSE_BYTES)
    tags = _NTH_TAG.match(data, 0, limit)
    if tags:
        limit = tags.end()
    cut = None
    for count, item in enumerate(_ITEM_START.finditer(data, 0, limit + 1)):
        cut = item.start()  # the item starting here is dropped: it may run past the limit
        if count == MAX_PARSED_ENTRIES:
            break
    else:
        if limit == len(data):
            return data  # within every budget
    local = root.rpartition(":")[2].lower()
    if cut is None or local not in ("rss", "rdf", "feed") or cut <= _first_item(data):
        raise FeedError("feed too large to parse: its first item is too big")
    closing = b"</channel>" if local == "rss" else b""
    return data[:cut] + closing + b"</" + root.encode("ascii", "replace") + b">"


def _first_item(data: bytes) -> int:
    """Where the first item or entry starts (the end of `data` if none)."""
    found = _ITEM_START.search(data)
    return found.start() if found else len(data)


def _strip_internal_subset(data: bytes) -> tuple[bytes, str]:
    """`data` with the DOCTYPE's [internal subset] (entity declarations) removed, and the root
    element's name ("" if none was found)."""
    pos = 0
    seen_doctype = False
    while True:
        skip = _PROLOG_SKIP.match(data, pos)
        if skip:
            pos = skip.end()
            continue
        if not _DOCTYPE.match(data, pos):
            break
        if seen_doctype:
            raise FeedError("malformed XML: more than one DOCTYPE")
        seen_doctype = True
        data, pos = _without_subset(data, pos)
    # Belt and braces: feedparser re-declares "safe" entities it finds before the first tag,
    # even outside a DOCTYPE, and a prolog we could not follow may hide one from the scan above.
    first_tag = _FIRST_TAG.search(data)
    head_end = max(pos, first_tag.start() if first_tag else 0)
    if _ENTITY.search(data, 0, head_end):
        raise FeedError("unsafe XML: entity declarations are not allowed")
    root = _ROOT.match(data, pos)
    return data, root.group(1).decode("ascii", "replace") if root else ""


def _without_subset(data: bytes, start: int) -> tuple[bytes, int]:
    """Remove the internal subset of the DOCTYPE at `start`; returns the data and the DOCTYPE's
    new end."""
    subset: tuple[int, int] | None = None
    opened = -1
    for token in _DOCTYPE_TOKEN.finditer(data, start + len(b"<!DOCTYPE")):
        mark = token.group()
        if mark == b"[" and opened < 0 and subset is None:
            opened = token.start()
        elif mark == b"]" and opened >= 0:
            subset, opened = (opened, token.end()), -1
        elif mark == b">" and opened < 0:
            if subset is None:
                return data, token.end()
            cut = subset[1] - subset[0]
            return data[: subset[0]] + data[subset[1] :], token.end() - cut
    raise FeedError("malformed XML: unterminated DOCTYPE")


def _check_char_ref(match: re.Match[bytes]) -> bytes:
    """Drop a character reference to a code point XML forbids (feedparser raises on some)."""
    ref = match.group()[2:-1]
    digits = ref[1:].lstrip(b"0") if ref[:1] in b"xX" else ref.lstrip(b"0")
    if len(digits) > 7:  # beyond U+10FFFF in either base, and too big for int() to be cheap
        return b""
    code = int(digits or b"0", 16 if ref[:1] in b"xX" else 10)
    allowed = (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )
    return match.group() if allowed else b""
