"""`parse_feed`: pick the format from the bytes and content type, and guarantee the contract."""

from __future__ import annotations

from typing import Literal

from reader.feeds.common import MAX_FEED_BYTES
from reader.feeds.jsonfeed import parse_json_feed
from reader.feeds.model import FeedError, ParsedFeed
from reader.feeds.xmlfeed import parse_xml_feed

FeedKind = Literal["json", "xml"]
"""JSON Feed, or RSS/Atom."""
JSON_TYPES = frozenset({"application/feed+json", "application/json"})
"""Content types that announce a JSON Feed."""
_LEADING = b"\xef\xbb\xbf \t\r\n"  # a UTF-8 BOM and whitespace, skipped when sniffing


def parse_feed(
    data: bytes, url: str, content_type: str | None = None, *, kind: FeedKind | None = None
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes fetched from `url`; raises only FeedError.

    `data` must be bytes: feedparser given a str would open it as a path or fetch it as a URL.
    With `kind`, only that kind of feed counts: a page's link typed `application/json` is a
    feed only if it leads to a JSON Feed.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise FeedError("not a feed: expected bytes")
    data = bytes(data)
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"feed larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    start = data.lstrip(_LEADING)[:1]
    is_json = start in (b"{", b"[") or (mime in JSON_TYPES and start != b"<")
    if kind is not None and kind != ("json" if is_json else "xml"):
        raise FeedError(
            "not a feed: expected " + ("a JSON Feed" if kind == "json" else "RSS or Atom")
        )
    try:
        if is_json:
            return parse_json_feed(data, url)
        return parse_xml_feed(data, url, content_type or "")
    except FeedError:
        raise
    except Exception as exc:  # a bug or a library surprise must not take the refresh down
        raise FeedError(f"cannot parse feed: {type(exc).__name__}") from exc
