"""Feed autodiscovery: `<link rel="alternate">` parsing, then the whole search on loopback pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.feeds import FeedError
from reader.feeds.address import feed_url
from reader.feeds.discover import (
    COMMON_FEED_PATHS,
    MAX_CHECKED_LINKS,
    FeedLink,
    discover_feeds,
    find_feed_links,
)
from reader.net import FetchError, HttpClient

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "http://127.0.0.1:8000"
FEED_BODY = (FIXTURES / "feeds" / "rss2.xml").read_bytes()
RSS_HEADERS = {"Content-Type": "application/rss+xml"}


def page(name: str) -> bytes:
    return (FIXTURES / "discover" / name).read_bytes().replace(b"{{BASE}}", BASE.encode())


@pytest.fixture
async def client():
    async with HttpClient(user_agent="newsreader-tests") as http:
        yield http


def test_alternate_links_are_found_resolved_and_deduplicated() -> None:
    found = find_feed_links(page("blog.html"), f"{BASE}/discover/blog.html")
    assert found == [
        FeedLink(f"{BASE}/wp-json/wp/v2/pages/7", "JSON (REST API)", "application/json"),
        FeedLink(f"{BASE}/feeds/rss2.xml", "Harbour Gazette » Feed", "application/rss+xml"),
        FeedLink(f"{BASE}/feeds/atom.xml", "Orbit Weekly", "application/atom+xml"),
        FeedLink(f"{BASE}/feeds/feed.json", "Circuit Ledger (JSON Feed)", "application/feed+json"),
    ]


def test_links_resolve_against_the_page_without_a_base_element() -> None:
    html = '<link rel="alternate" type="application/atom+xml" href="../atom">'
    assert [f.url for f in find_feed_links(html, "https://blog.example/posts/x.html")] == [
        "https://blog.example/atom"
    ]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<p>no head at all</p>",
        '<link rel="alternate" type="application/xml" href="/sitemap.xml">',
        '<link rel="alternate" type="text/html" hreflang="de" href="/de/">',
        '<link rel="alternate" type="application/rss+xml" href="data:text/xml,<rss/>">',
        '<link rel="stylesheet" type="application/rss+xml" href="/rss">',
    ],
)
def test_pages_without_feed_links_give_none(html: str) -> None:
    assert find_feed_links(html, "https://example.com/") == []


def test_feed_addresses_as_people_type_them() -> None:
    assert feed_url("example.com/blog", add_scheme=True) == "https://example.com/blog"
    assert feed_url("example.com/blog") is None  # from a file, a bare path is a mistake
    assert feed_url("feed://example.com/rss") == "http://example.com/rss"
    assert feed_url("feed:https://example.com/rss") == "https://example.com/rss"
    assert feed_url("http://") is None and feed_url("localhost", add_scheme=True) is None
    assert feed_url("javascript:alert(1)", add_scheme=True) is None


async def test_an_address_that_is_a_feed_is_the_answer(http_server, client) -> None:
    url = http_server.url("/feeds/atom.xml")
    [found] = await discover_feeds(client, url)
    assert (found.url, found.title, found.via) == (url, "Orbit Weekly", "address")
    assert found.feed is not None and found.feed.entries
    assert http_server.hits["/feeds/atom.xml"] == 1  # nothing else probed


async def test_a_page_gives_its_announced_feeds(http_server, client) -> None:
    found = await discover_feeds(client, http_server.url("/discover/blog.html"))
    assert [f.url for f in found] == [
        http_server.url(path) for path in ("/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json")
    ]
    assert all(f.via == "link" and f.feed is None for f in found)
    assert http_server.hits["/feed"] == 0  # no probing when the page links to feeds


async def test_links_of_an_open_type_are_offered_only_when_they_are_feeds(
    http_server, client
) -> None:
    http_server.route(
        "/wp-json/wp/v2/pages/7",
        body=b'{"id": 7, "title": {"rendered": "About"}, "version": "v2"}',
        headers={"Content-Type": "application/json"},
    )
    http_server.route(
        "/sitemap.xml",
        body=b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://quay.example/</loc></url></urlset>",
        headers={"Content-Type": "text/xml"},
    )
    found = await discover_feeds(client, http_server.url("/discover/maybe-types.html"))
    # A JSON Feed behind application/json, RSS behind text/xml; not the REST API, the sitemap,
    # Atom announced as JSON nor a JSON Feed announced as XML.
    assert [(f.url, f.title, f.via, f.format) for f in found] == [
        (http_server.url("/feeds/feed.json"), "Circuit Ledger", "link", "JSON Feed"),
        (http_server.url("/feeds/rss2.xml"), "Harbour Gazette", "link", ""),
    ]
    assert all(f.feed is not None and f.feed.entries for f in found)
    for path in ("/wp-json/wp/v2/pages/7", "/sitemap.xml", "/feeds/atom.xml"):
        assert http_server.hits[path] == 1
    assert http_server.hits["/feed"] == 0  # the page's links answered: no probing


async def test_only_the_first_links_of_an_open_type_are_fetched(http_server, client) -> None:
    links = "".join(
        f'<link rel="alternate" type="text/xml" href="/feeds/rss2.xml?n={n}">'
        for n in range(MAX_CHECKED_LINKS + 3)
    )
    url = http_server.route("/many.html", body=links, headers={"Content-Type": "text/html"})
    found = await discover_feeds(client, url)
    assert len(found) == MAX_CHECKED_LINKS
    assert http_server.hits["/feeds/rss2.xml"] == MAX_CHECKED_LINKS


async def test_a_page_without_links_finds_feeds_at_common_paths(http_server, client) -> None:
    http_server.route("/index.xml", body=FEED_BODY, headers=RSS_HEADERS)
    http_server.redirect("/feed", "/index.xml")  # the same feed under two paths: listed once
    http_server.route("/rss", body=page("plain.html"), headers={"Content-Type": "text/html"})
    http_server.route("/discover/atom.xml", body=(FIXTURES / "feeds" / "atom.xml").read_bytes())
    found = await discover_feeds(client, http_server.url("/discover/plain.html"))
    assert [(f.url, f.via) for f in found] == [
        (http_server.url("/feed"), "probe"),
        (http_server.url("/discover/atom.xml"), "probe"),
    ]
    assert found[0].title == "Harbour Gazette" and found[0].feed is not None
    assert http_server.hits["/rss"] == 1  # probed, but an HTML page is not a feed


async def test_nothing_found_is_a_feed_error_naming_the_paths(http_server, client) -> None:
    with pytest.raises(FeedError, match="no feed found") as raised:
        await discover_feeds(client, http_server.url("/discover/plain.html"))
    assert all(path in str(raised.value) for path in COMMON_FEED_PATHS[:3])


async def test_fetch_failures_are_fetch_errors(http_server, client) -> None:
    with pytest.raises(FetchError, match="404"):
        await discover_feeds(client, http_server.url("/discover/missing.html"))
    with pytest.raises(FetchError, match="not a web address"):
        await discover_feeds(client, "mailto:someone@example.com")
    http_server.stop()
    with pytest.raises(FetchError, match="cannot connect"):
        await discover_feeds(client, http_server.url("/discover/blog.html"))
