"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org), which feedparser 6 cannot read.

Every field is type-checked: a JSON document can put a list where a string belongs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

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

VERSION_PREFIXES = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
"""What a JSON Feed's `version` starts with (1.0 feeds in the wild use both schemes)."""
MAX_ERROR_CHARS = 160
"""Longest decoder message quoted in a FeedError."""


def parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    """Parse JSON Feed bytes; raises FeedError if they are not a JSON Feed."""
    try:
        document = json.loads(data.decode("utf-8-sig", "replace"))
    except RecursionError:
        raise FeedError("invalid JSON Feed: nested too deeply") from None
    except ValueError as exc:
        raise FeedError(f"invalid JSON Feed: {clean_line(str(exc), MAX_ERROR_CHARS)}") from None
    if not isinstance(document, dict):
        raise FeedError("invalid JSON Feed: not a JSON object")
    version = _str(document, "version")
    if not version.startswith(VERSION_PREFIXES):
        raise FeedError("invalid JSON Feed: no JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("invalid JSON Feed: no items list")
    return ParsedFeed(
        title=clean_line(_str(document, "title"), MAX_FEED_TITLE_CHARS),
        link=web_link(document.get("home_page_url"), url),
        entries=kept_entries(_entries(items[:MAX_PARSED_ENTRIES], url, _author(document))),
    )


def _entries(items: list[Any], url: str, feed_author: str) -> Iterator[FeedEntry]:
    """FeedEntries built lazily, so only the ones kept are converted."""
    for item in items:
        if not isinstance(item, dict):
            continue
        link = web_link(item.get("url"), url) or web_link(item.get("external_url"), url)
        content_html = _str(item, "content_html")
        content_text = _str(item, "content_text")
        summary = _str(item, "summary") or html_to_text(content_html) or content_text
        raw_id = item.get("id")
        # 1.1 says the id is a string; 1.0 feeds in the wild also use numbers (not booleans).
        entry_id = str(raw_id) if isinstance(raw_id, str) or type(raw_id) is int else ""
        yield make_entry(
            entry_id=entry_id,
            title=_str(item, "title"),
            title_is_html=False,
            link=link,
            published=_date(_str(item, "date_published") or _str(item, "date_modified")),
            summary_text=summary,
            content_html=content_html or text_as_html(content_text or summary),
            author=_author(item) or feed_author,
        )


def _author(obj: dict[str, Any]) -> str:
    """The first author's name: `authors` (1.1), else `author` (1.0)."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and _str(author, "name"):
            return _str(author, "name")
    return ""


def _date(value: str) -> datetime | None:
    """A UTC datetime from RFC 3339 (the spec), or RFC 822 (which some feeds use instead)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().upper().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _str(obj: dict[str, Any], key: str) -> str:
    """`obj[key]` if it is a string with more than whitespace in it, else "".

    A blank `summary` then falls back to the content like a missing one does.
    """
    value = obj.get(key)
    return value if isinstance(value, str) and not value.isspace() else ""
