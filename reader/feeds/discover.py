"""Feed autodiscovery: from the address of any page to the feeds it publishes.

People paste a site's address, not its feed's. `discover_feeds` tries, in order: the address
itself (it may already be a feed), the page's `<link rel="alternate">` feeds, then the paths
where blog engines and static site generators put feeds. `find_feed_links` is the pure middle step:
HTML in, links out, no I/O.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from reader.extract.decode import decode_html
from reader.feeds.address import feed_url
from reader.feeds.common import MAX_FEED_BYTES, MAX_FEED_TITLE_CHARS, web_link
from reader.feeds.model import FeedError, ParsedFeed
from reader.feeds.parse import parse_feed
from reader.net import FetchError, HttpClient
from reader.sanitize import clean_line

FEED_TYPES: dict[str, str] = {
    "application/rss+xml": "RSS",
    "application/x-rss+xml": "RSS",
    "application/rdf+xml": "RSS",  # RSS 1.0 is RDF; pages announce it with this type
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
}
"""`<link type>` values that announce a feed, and the format each names. Plain
`application/json` is left out: WordPress announces its REST API with it on every page."""

COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",  # WordPress (and many others); redirects to /feed/
    "/rss.xml",  # Drupal, Gatsby, many static sites
    "/atom.xml",  # Jekyll (older), Octopress
    "/feed.xml",  # Jekyll's jekyll-feed
    "/index.xml",  # Hugo
    "/rss",  # Ghost, Tumblr, Medium publications
    "/feed.json",  # JSON Feed by convention (micro.blog, Hugo sites that add it)
    "/feeds/posts/default",  # Blogger
    "/atom",  # Ghost's Atom, Substack-style hosts
)
"""Paths probed, in order, when a page links to no feed: where common engines put theirs."""

PROBE_TIMEOUT = 10.0
"""Seconds for each probe of a common path: a missing feed should not make adding one slow."""
MAX_LINKS = 50
"""Feed links kept from one page: real pages have one to five (main, comments, categories)."""

Via = Literal["address", "link", "probe"]
"""How a feed was found: the address was a feed, the page linked to it, or a common path."""


@dataclass(frozen=True, slots=True)
class DiscoveredFeed:
    """A feed found for an address, with what a picker shows about it."""

    url: str
    """Absolute http(s) URL of the feed."""
    title: str
    """The feed's title (from the feed, or the link's `title`); "" if neither gives one."""
    via: Via
    format: str = ""
    """"RSS", "Atom" or "JSON Feed" when the page's link says so; "" otherwise."""
    feed: ParsedFeed | None = field(default=None, compare=False, repr=False)
    """The parsed feed when discovery already fetched it (`address` and `probe`), so the caller
    can store its stories without fetching it again; None for a link not yet fetched."""


def find_feed_links(
    html: bytes | str, base_url: str, *, content_type: str | None = None
) -> list[DiscoveredFeed]:
    """The feeds a page announces with `<link rel="alternate" type=…>`, in page order.

    Links are resolved against `<base href>` or `base_url`; only http(s) URLs are kept, each once.
    `content_type` (the HTTP header) helps decode `html` when it is bytes.
    """
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    tree = LexborHTMLParser(text)
    base = base_url
    if (base_node := tree.css_first("base[href]")) is not None:
        base = web_link(base_node.attributes.get("href"), base_url) or base_url
    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for node in tree.css("link[rel][href][type]"):
        attrs = node.attributes
        rels = (attrs.get("rel") or "").lower().split()
        mime = (attrs.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" not in rels or mime not in FEED_TYPES:
            continue
        url = web_link(attrs.get("href"), base)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = clean_line(attrs.get("title"), MAX_FEED_TITLE_CHARS)
        found.append(DiscoveredFeed(url, title, "link", FEED_TYPES[mime]))
        if len(found) == MAX_LINKS:
            break
    return found


async def fetch_feed(client: HttpClient, url: str, *, timeout: float | None = None) -> ParsedFeed:
    """Fetch and parse the feed at `url`; raises FetchError or FeedError with a clear reason."""
    result = await client.get(url, timeout=timeout, max_bytes=MAX_FEED_BYTES)
    content_type = result.headers.get("content-type")
    return await asyncio.to_thread(parse_feed, result.content, result.url, content_type)


async def discover_feeds(client: HttpClient, url: str) -> list[DiscoveredFeed]:
    """The feeds at or behind `url`, best first; never empty.

    `url` may be typed as people do (`example.com/blog`, `feed://…`). Raises FetchError when the
    address is not a web address or cannot be fetched, FeedError when nothing there is a feed.
    """
    address = feed_url(url, add_scheme=True)
    if address is None:
        raise FetchError("not a web address (expected something like https://example.com/)")
    page = await client.get(address, max_bytes=MAX_FEED_BYTES)
    content_type = page.headers.get("content-type")
    try:
        feed = await asyncio.to_thread(parse_feed, page.content, page.url, content_type)
    except FeedError:
        pass  # an ordinary page: look for the feeds it links to
    else:
        return [DiscoveredFeed(address, feed.title, "address", feed=feed)]
    # Decoding and parsing a big page takes milliseconds: off the caller's event loop.
    links = await asyncio.to_thread(
        find_feed_links, page.content, page.url, content_type=content_type
    )
    if links:
        return links
    probed = await _probe(client, page.url)
    if probed:
        return probed
    raise FeedError(
        "no feed found: the page links to none, and none of "
        f"{', '.join(COMMON_FEED_PATHS)} is a feed"
    )


def _probe_urls(page_url: str) -> list[str]:
    """Common feed paths at the site's root, then under the page's folder when it has one."""
    folder = urlsplit(page_url).path.rsplit("/", 1)[0]
    urls = [urljoin(page_url, path) for path in COMMON_FEED_PATHS]
    if folder:
        urls += [urljoin(page_url, folder + path) for path in COMMON_FEED_PATHS]
    return [url for url in dict.fromkeys(urls) if url != page_url]


async def _probe(client: HttpClient, page_url: str) -> list[DiscoveredFeed]:
    """The common paths that answer with a real feed, each distinct feed once."""

    async def attempt(url: str) -> DiscoveredFeed | None:
        try:
            feed = await fetch_feed(client, url, timeout=PROBE_TIMEOUT)
        except (FetchError, FeedError):
            return None  # most sites have most of these paths missing: not worth reporting
        return DiscoveredFeed(url, feed.title, "probe", feed=feed)

    found: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for candidate in await asyncio.gather(*(attempt(url) for url in _probe_urls(page_url))):
        if candidate is None or candidate.feed is None:
            continue
        # /feed, /feed/ and /rss often serve one feed: the same entries mean the same feed.
        entries = [entry.id for entry in candidate.feed.entries]
        signature = hashlib.sha256(repr((candidate.title, entries)).encode()).hexdigest()
        if signature not in seen:
            seen.add(signature)
            found.append(candidate)
    return found
