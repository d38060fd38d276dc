"""Fetching one web page for reading: what is a page, and what is a PDF or an image instead.

Used by the library (opening and prefetching articles) and by `newsreader read`.
"""

from __future__ import annotations

from reader.config import Settings
from reader.net import FetchError, FetchResult, HttpClient, Reach, TimedOutHosts
from reader.sanitize import clean_line, is_web_url

BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a compressed file"),
)
"""Leading bytes of files that are never web pages, whatever their Content-Type says."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
"""Content types cleaned as pages; an absent type is given the benefit of the doubt."""


async def fetch_page(
    client: HttpClient,
    url: str,
    settings: Settings,
    *,
    reach: Reach = Reach.USER_CHOICE,
    timed_out: TimedOutHosts | None = None,
) -> FetchResult:
    """Fetch the HTML page at `url`; FetchError with a clear reason when there is none."""
    if not is_web_url(url):
        raise FetchError("not an http(s) link")
    result = await client.get(
        url,
        timeout=settings.article_timeout,
        max_bytes=settings.max_article_bytes,
        reach=reach,
        timed_out=timed_out,
    )
    if not result.content.strip():
        raise FetchError("the page is empty")
    if (kind := not_html(result.content_type, result.content)) is not None:
        raise FetchError(f"not an HTML page: {kind}")
    return result


def not_html(content_type: str, content: bytes) -> str | None:
    """What a response is when it is not a web page (a PDF, an image…), from its type or bytes.

    The bytes win: servers label PDFs and images text/html often enough.
    """
    head = content[:16].lstrip()
    for magic, kind in BINARY_SIGNATURES:
        if head.startswith(magic):
            return kind
    if content_type == "application/pdf":
        return "a PDF document"
    if content_type.startswith(("image/", "video/", "audio/")):
        return f"{content_type.split('/')[0]} ({clean_line(content_type, 60)})"
    if content_type not in HTML_TYPES:
        return clean_line(content_type, 60)
    return None
