"""The feed model shared by every format, and the one exception parsers raise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class FeedError(Exception):
    """A document that is not a usable feed; str(err) is a short, clear reason for the user."""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One story as a feed announced it, every string already sanitized and capped."""

    id: str
    """Entry id/guid, else link, else a stable hash of title and published time."""
    title: str
    """One clean line."""
    link: str | None
    """Absolute http(s) URL of the article, else None."""
    published: datetime | None
    """Timezone-aware UTC (published, else updated); None if absent."""
    summary: str
    """Plain text, paragraphs separated by a blank line."""
    content_html: str
    """The entry's full content HTML (or summary HTML) as given, for a "feed content" view."""
    author: str
    """One clean line, "" if unknown."""
    id_from_feed: bool = True
    """Whether the feed gave `id`; False when it stands in for a missing one (the link, or the
    hash). Only then does the link identify the story: distinct ids sharing a link (podcast
    episodes all linking to the show's page) are distinct stories."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed: its name, home page and stories in document order."""

    title: str
    link: str | None
    """The site's home page."""
    entries: list[FeedEntry]
    """In document order, de-duplicated by id (the link standing in for a missing id), without
    blank entries."""
