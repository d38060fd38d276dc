"""Pictures kept offline (issue 14): prefetch stores each article's pictures, a cached picture
is served without the network, retention prunes them with their article, `cache` counts them.

Real parts only: the loopback server serves tests/fixtures/pictures/, the library is a real
SQLite file in a temp dir.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from loopback import LoopbackServer, StallingServer, only_127_0_0_1_is_public, rss_linking_to

from reader.config import Settings
from reader.document import Document, Paragraph, Span
from reader.library import Library
from reader.net import HttpClient
from reader.pictures.model import Picture
from reader.store import _SCHEMA_V1, Store

ARTICLE = Path(__file__).parent / "fixtures" / "pictures" / "article.html"
"""An article with a lead image and four figures: photo.jpg (lead and first figure),
alpha.png, bomb.png (refused) and wide.png."""
KEPT = ("photo.jpg", "alpha.png", "wide.png")


def library_for(data_dir: Path, feeds: list[str], **settings: object) -> Library:
    return Library(Settings(data_dir=data_dir, feeds=tuple(feeds), **settings))  # type: ignore[arg-type]


def serve_articles(server: LoopbackServer, paths: list[str]) -> str:
    """Serve the pictured article at each of `paths` and a feed linking to them all."""
    for path in paths:
        server.route(path, body=ARTICLE.read_bytes(), headers={"Content-Type": "text/html"})
    return server.route("/pictured.xml", body=rss_linking_to([server.url(p) for p in paths]))


async def test_prefetch_keeps_the_pictures_and_they_draw_offline(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = serve_articles(http_server, ["/lanterns.html"])
    library = library_for(tmp_path, [feed])
    try:
        await library.refresh()
        report = await library.prefetch()
        assert (report.cached, report.pictures, report.pictures_failed) == (1, 3, 1)
        assert http_server.hits["/pictures/photo.jpg"] == 1  # lead image and figure: once
    finally:
        await library.aclose()
    http_server.stop()

    library = library_for(tmp_path, [feed])
    try:
        for name in KEPT:
            outcome = await library.picture(http_server.url(f"/pictures/{name}"), fetch=False)
            assert outcome.error is None and outcome.picture is not None, name
        wide = await library.picture(http_server.url("/pictures/wide.png"), fetch=False)
        assert wide.picture is not None and (wide.picture.width, wide.picture.height) == (1600, 200)
        # The refused one says why, offline too; one never fetched was not downloaded.
        bomb = await library.picture(http_server.url("/pictures/bomb.png"), fetch=False)
        assert (bomb.picture, bomb.error) == (None, "too large (50000×50000)")
        other = await library.picture(http_server.url("/pictures/photo.webp"), fetch=False)
        assert (other.picture, other.error) == (None, "not downloaded")
    finally:
        await library.aclose()


async def test_with_pictures_off_prefetch_keeps_none(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = serve_articles(http_server, ["/lanterns.html"])
    library = library_for(tmp_path, [feed], prefetch_pictures=False)
    try:
        await library.refresh()
        report = await library.prefetch()
        assert (report.cached, report.pictures, report.pictures_failed) == (1, 0, 0)
        assert not any(path.startswith("/pictures/") for path in http_server.hits)
    finally:
        await library.aclose()


async def test_a_failed_picture_waits_and_a_shared_one_is_not_fetched_again(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = serve_articles(http_server, ["/first.html"])
    library = library_for(tmp_path, [feed])
    try:
        await library.refresh()
        await library.prefetch()
        serve_articles(http_server, ["/first.html", "/second.html"])
        await library.refresh()
        report = await library.prefetch()
        assert (report.cached, report.pictures, report.pictures_failed) == (1, 3, 0)
        for name in (*KEPT, "bomb.png"):
            assert http_server.hits[f"/pictures/{name}"] == 1, name
        # The second article keeps its own copies: they stay when the first one is pruned.
        for name in KEPT:
            src = http_server.url(f"/pictures/{name}")
            assert library.store.has_picture(src, http_server.url("/second.html")), name
    finally:
        await library.aclose()


async def test_a_hung_picture_server_costs_only_its_picture(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    hung = StallingServer()
    try:
        page = ARTICLE.read_text().replace("{{BASE}}/pictures/alpha.png", hung.url("/alpha.png"))
        http_server.route("/hung.html", body=page, headers={"Content-Type": "text/html"})
        feed = http_server.route("/hung.xml", body=rss_linking_to([http_server.url("/hung.html")]))
        library = library_for(tmp_path, [feed], article_timeout=1.0)
        try:
            await library.refresh()
            report = await library.prefetch()
            assert (report.cached, report.pictures, report.pictures_failed) == (1, 2, 2)
            slow = await library.picture(hung.url("/alpha.png"), fetch=False)
            assert slow.error == "timed out after 1 s"
        finally:
            await library.aclose()
    finally:
        hung.stop()


async def test_prefetch_from_a_public_feed_fetches_no_picture_from_the_network(
    http_server: LoopbackServer, lan_server: LoopbackServer, tmp_path: Path
) -> None:
    # 127.0.0.1 stands for the internet, 127.0.0.2 (lan_server) for the user's own network.
    page = ARTICLE.read_text().replace(
        "{{BASE}}/pictures/alpha.png", lan_server.url("/pictures/alpha.png")
    )
    http_server.route("/public.html", body=page, headers={"Content-Type": "text/html"})
    feed = http_server.route("/public.xml", body=rss_linking_to([http_server.url("/public.html")]))
    client = HttpClient(user_agent="newsreader-tests", is_private=only_127_0_0_1_is_public)
    library = Library(Settings(data_dir=tmp_path, feeds=(feed,)), client=client)
    try:
        await library.refresh()
        report = await library.prefetch()
        assert (report.cached, report.pictures, report.pictures_failed) == (1, 2, 2)
        assert lan_server.requests == []
        # Opened by the user, it may go there (their choice, as with a link they open).
        opened = await library.picture(lan_server.url("/pictures/alpha.png"))
        assert opened.picture is not None
    finally:
        await library.aclose()


def picture(src: str, size: int = 1000) -> Picture:
    return Picture(src, 10, 10, b"\x89PNG" + b"\x00" * size)


def store_with_articles(path: Path, count: int) -> Store:
    """A store with `count` stories, each with a cached article fetched at 1000 + n."""
    from reader.feeds import FeedEntry, ParsedFeed

    store = Store(path)
    entries = [
        FeedEntry(f"id{n}", f"Story {n}", f"https://e.example/{n}", None, "", "", "")
        for n in range(count)
    ]
    store.save_feed("https://e.example/feed", ParsedFeed("E", None, entries), now=0)
    document = Document(blocks=[Paragraph((Span("word " * 20),))])
    for n in range(count):
        store.save_article(f"https://e.example/{n}", document, now=1000 + n)
    return store


def test_retention_prunes_pictures_with_their_article_and_saved_keep_theirs(
    tmp_path: Path,
) -> None:
    store = store_with_articles(tmp_path / "lib.sqlite3", 3)
    for n in range(3):
        store.save_picture(
            picture(f"https://cdn.example/{n}.jpg"), article=f"https://e.example/{n}"
        )
    store.save_picture(picture("https://cdn.example/loose.jpg"), article=None, now=1000)
    saved = next(s for s in store.stories() if s.link == "https://e.example/0")
    store.set_saved(saved.id)
    store.prune(max_age_days=1, max_bytes=10**9, now=3 * 86_400)
    assert store.picture("https://cdn.example/0.jpg") is not None  # the saved story's
    for gone in ("1.jpg", "2.jpg", "loose.jpg"):
        assert store.picture(f"https://cdn.example/{gone}") is None, gone
    stats = store.stats()
    assert (stats.articles, stats.pictures, stats.picture_bytes) == (1, 1, 1004)


def test_pictures_count_in_the_size_limit(tmp_path: Path) -> None:
    store = store_with_articles(tmp_path / "lib.sqlite3", 3)
    for n in range(3):
        big = picture(f"https://cdn.example/{n}.jpg", size=100_000)
        store.save_picture(big, article=f"https://e.example/{n}")
    # The articles alone are far under the limit: only their pictures make the oldest go.
    assert store.prune(max_age_days=365, max_bytes=250_000, now=2000) == 1
    assert store.picture("https://cdn.example/0.jpg") is None
    assert store.picture("https://cdn.example/1.jpg") is not None


def test_over_the_size_limit_pictures_of_no_article_go_before_any_article(
    tmp_path: Path,
) -> None:
    store = store_with_articles(tmp_path / "lib.sqlite3", 2)
    store.save_picture(picture("https://cdn.example/loose.jpg", size=100_000), now=2000)
    assert store.prune(max_age_days=365, max_bytes=50_000, now=2000) == 0
    assert store.picture("https://cdn.example/loose.jpg") is None
    assert store.stats().articles == 2


def test_a_picture_of_no_cached_article_is_kept_on_its_own(tmp_path: Path) -> None:
    store = store_with_articles(tmp_path / "lib.sqlite3", 1)
    store.save_picture(picture("https://cdn.example/a.jpg"), article="https://e.example/none")
    assert store.picture("https://cdn.example/a.jpg") is not None
    assert not store.has_picture("https://cdn.example/a.jpg", "https://e.example/none")


def test_an_older_library_gains_the_pictures_table(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in _SCHEMA_V1.split(";\n"):
            if statement.strip():
                db.execute(statement)
        db.execute("PRAGMA user_version = 1")
    store = Store(path)
    store.save_picture(picture("https://cdn.example/a.jpg"))
    assert store.picture("https://cdn.example/a.jpg") == picture("https://cdn.example/a.jpg")


def test_sync_and_cache_report_the_pictures(
    http_server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    feed = serve_articles(http_server, ["/lanterns.html"])
    assert main(["sync", "--feed", feed, "--data-dir", str(tmp_path)]) == 0
    assert "1 article cached, 3 pictures" in capsys.readouterr().out
    assert main(["cache", "--data-dir", str(tmp_path)]) == 0
    report = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    count, _, rest = report["pictures"].partition(" cached (")
    assert count == "3" and rest.endswith("% of the library)")
    assert int(rest.split(", ")[1].split("%")[0]) > 0


async def test_a_picture_fetched_on_a_full_disk_is_shown_and_says_it_was_not_kept(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    from test_faults import fill_disk

    settings = Settings(data_dir=tmp_path, feeds=())
    store = Store(settings.database_path)
    fill_disk(store)
    library = Library(settings, store=store)
    try:
        outcome = await library.picture(http_server.url("/pictures/wide.png"))
    finally:
        await library.aclose()
    assert outcome.picture is not None and outcome.picture.width == 1600
    assert outcome.store_error is not None and "the disk is full" in outcome.store_error


async def test_prefetching_pictures_stops_at_a_full_disk_and_says_why(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    from test_faults import fill_disk

    from reader.net import Reach, TimedOutHosts

    url = http_server.route(
        "/full.html", body=ARTICLE.read_bytes(), headers={"Content-Type": "text/html"}
    )
    settings = Settings(data_dir=tmp_path, feeds=())
    library = Library(settings)
    try:
        opened = await library.open_url(url)
        assert opened.document is not None
        fill_disk(library.store)
        kept = await library.pictures.keep_pictures(
            opened.document, url, reach=Reach.USER_CHOICE, timed_out=TimedOutHosts()
        )
    finally:
        await library.aclose()
    assert kept.kept < len(KEPT) and kept.store_error is not None  # a tiny one may fit
    assert "the disk is full" in kept.store_error
