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
from reader.feeds.parse import FeedKind, parse_feed
from reader.net import FetchError, HttpClient, Reach
from reader.sanitize import clean_line

FEED_TYPES: dict[str, str] = {
    "application/rss+xml": "RSS",
    "application/x-rss+xml": "RSS",
    "application/rdf+xml": "RSS",  # RSS 1.0 is RDF; pages announce it with this type
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
}
"""`<link type>` values that announce a feed, and the format each names."""
MAYBE_FEED_TYPES: dict[str, FeedKind] = {
    "application/json": "json",
    "text/xml": "xml",
}
"""`<link type>` values some sites announce their feed with, though they name no feed format,
and the kind of feed the target must parse as to be offered: WordPress announces its REST API
as `application/json` on every page, and `text/xml` can be any XML."""

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
"""Seconds for each probe of a common path or check of a MAYBE_FEED_TYPES link: a missing feed
should not make adding one slow."""
MAX_LINKS = 50
"""Feed links kept from one page: real pages have one to five (main, comments, categories)."""
MAX_CHECKED_LINKS = 8
"""MAYBE_FEED_TYPES links fetched per page to see whether they are feeds; the rest are left out.
Pages using these types carry one or two such links (a feed, WordPress's REST API): a few times
that, while bounding the requests one page can make us send."""

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
    """"RSS", "Atom" or "JSON Feed" when the page's link says so (or its target is a JSON Feed);
    "" otherwise."""
    feed: ParsedFeed | None = field(default=None, compare=False, repr=False)
    """The parsed feed when discovery already fetched it (`address`, `probe`, and a link that had
    to be checked), so the caller can store its stories without fetching it again; None for a
    link not yet fetched."""


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A page's `<link rel="alternate">` to a feed, or to what may be one."""

    url: str
    """Absolute http(s) URL of the target."""
    title: str
    """The link's `title`, "" if none."""
    type: str
    """The link's media type, lower case without parameters: a key of FEED_TYPES (a feed) or
    of MAYBE_FEED_TYPES (a feed only if the target parses as one)."""


def find_feed_links(
    html: bytes | str, base_url: str, *, content_type: str | None = None
) -> list[FeedLink]:
    """The feeds a page announces with `<link rel="alternate" type=…>`, in page order, with the
    links whose type leaves it open (MAYBE_FEED_TYPES).

    Links are resolved against `<base href>` or `base_url`; only http(s) URLs are kept, each once.
    `content_type` (the HTTP header) helps decode `html` when it is bytes.
    """
    text = decode_html(html, content_type) if isinstance(html, bytes) else html
    tree = LexborHTMLParser(text)
    base = base_url
    if (base_node := tree.css_first("base[href]")) is not None:
        base = web_link(base_node.attributes.get("href"), base_url) or base_url
    found: list[FeedLink] = []
    seen: set[str] = set()
    for node in tree.css("link[rel][href][type]"):
        attrs = node.attributes
        rels = (attrs.get("rel") or "").lower().split()
        mime = (attrs.get("type") or "").split(";", 1)[0].strip().lower()
        if "alternate" not in rels or (mime not in FEED_TYPES and mime not in MAYBE_FEED_TYPES):
            continue
        url = web_link(attrs.get("href"), base)
        if url is None or url in seen:
            continue
        seen.add(url)
        found.append(FeedLink(url, clean_line(attrs.get("title"), MAX_FEED_TITLE_CHARS), mime))
        if len(found) == MAX_LINKS:
            break
    return found


async def fetch_feed(
    client: HttpClient,
    url: str,
    *,
    timeout: float | None = None,
    kind: FeedKind | None = None,
    reach: Reach = Reach.USER_CHOICE,
) -> ParsedFeed:
    """Fetch and parse the feed at `url` (only a feed of `kind`, if given); raises FetchError or
    FeedError with a clear reason. `reach` bounds where it may connect (see `Reach`)."""
    result = await client.get(url, timeout=timeout, max_bytes=MAX_FEED_BYTES, reach=reach)
    content_type = result.headers.get("content-type")
    return await asyncio.to_thread(parse_feed, result.content, result.url, content_type, kind=kind)


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
    # The page, not the user, names these links: from a public page they must stay public.
    linked = await _linked_feeds(client, links, await client.reach_from(page.url))
    if linked:
        return linked
    probed = await _probe(client, page.url)
    if probed:
        return probed
    raise FeedError(
        "no feed found: the page links to none, and none of "
        f"{', '.join(COMMON_FEED_PATHS)} is a feed"
    )


async def _linked_feeds(
    client: HttpClient, links: list[FeedLink], reach: Reach
) -> list[DiscoveredFeed]:
    """The feeds among a page's links, in page order: those of a feed type as they are, the
    first MAX_CHECKED_LINKS of a MAYBE_FEED_TYPES type only if they parse as a feed of its kind."""
    checked = [link for link in links if link.type in MAYBE_FEED_TYPES][:MAX_CHECKED_LINKS]

    async def check(link: FeedLink) -> DiscoveredFeed | None:
        kind = MAYBE_FEED_TYPES[link.type]
        try:
            feed = await fetch_feed(client, link.url, timeout=PROBE_TIMEOUT, kind=kind, reach=reach)
        except (FetchError, FeedError):
            return None  # a REST API or some other XML: not a feed, nothing to report
        name = "JSON Feed" if kind == "json" else ""
        return DiscoveredFeed(link.url, feed.title or link.title, "link", name, feed=feed)

    results = dict(zip(checked, await asyncio.gather(*map(check, checked)), strict=True))
    found: list[DiscoveredFeed] = []
    for link in links:
        if link.type in FEED_TYPES:
            found.append(DiscoveredFeed(link.url, link.title, "link", FEED_TYPES[link.type]))
        elif (feed := results.get(link)) is not None:
            found.append(feed)
    return found


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
