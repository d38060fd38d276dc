"""Feed addresses as people write them, turned into the absolute http(s) URLs we fetch.

OPML files from old readers carry `feed://` and `feed:https://` URLs (the scheme browsers once
registered for feed readers), and people type `example.com/blog` without a scheme.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from reader.feeds.common import MAX_URL_CHARS
from reader.sanitize import clean_line, is_web_url

FEED_SCHEME = "feed:"
"""The pseudo-scheme: `feed://host/path` means http, `feed:https://host/path` wraps a URL."""
# A typed host with a dot, maybe a port: "example.com", "news.example.org:8080". Anything else
# without "http(s)://" (mailto:, a path, user@host) is refused rather than guessed at.
_BARE_HOST = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::[0-9]{1,5})?")
DEFAULT_SCHEME = "https://"
"""Prefixed to an address typed without a scheme: almost every site serves https now."""


def feed_url(text: str | None, *, add_scheme: bool = False) -> str | None:
    """The http(s) URL `text` stands for, or None when it is not a web address.

    `add_scheme` accepts a bare `host/path` (typed by a person) as https; addresses from files are
    taken only as written, since a relative path there is a mistake, not a shorthand.
    """
    address = clean_line(text, MAX_URL_CHARS + 1)
    if not address or len(address) > MAX_URL_CHARS or any(c.isspace() for c in address):
        return None
    if address[: len(FEED_SCHEME)].lower() == FEED_SCHEME:
        rest = address[len(FEED_SCHEME) :]
        address = rest if is_web_url(rest) else "http:" + rest
    elif add_scheme and _BARE_HOST.fullmatch(address.split("/", 1)[0]):
        address = DEFAULT_SCHEME + address
    return address if is_web_url(address) and _has_host(address) else None


def _has_host(url: str) -> bool:
    """Whether `url` names a host with a valid port: "http://" or "http://a:x" do not."""
    try:
        parts = urlsplit(url)
        return bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False
