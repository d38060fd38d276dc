"""The offline library: polite refreshes, prefetch, search, state, retention and integrity.

Everything runs against the loopback server and real SQLite files in temp dirs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from loopback import LoopbackServer, StallingServer, only_127_0_0_1_is_public, rss_linking_to
from waiting import POLL_SECONDS, WAIT_LIMIT_SECONDS

from reader.config import Settings
from reader.library import Library
from reader.net import HttpClient
from reader.store import _SCHEMA_V1, SCHEMA_VERSION, Store

FEEDS = ["/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/rss1.xml"]


def library_for(data_dir: Path, urls: list[str], **settings: object) -> Library:
    return Library(Settings(data_dir=data_dir, feeds=tuple(urls), **settings))  # type: ignore[arg-type]


async def test_unchanged_feed_costs_a_304_and_changes_nothing(http_server, tmp_path: Path) -> None:
    library = library_for(tmp_path, [http_server.url("/feeds/rss2.xml")])
    try:
        [first] = await library.refresh()
        assert first.new_stories == 3
        before = await library.stories()
        [second] = await library.refresh()
        assert second.new_stories == 0 and second.error is None
        conditional = [
            headers for path, headers in http_server.requests if path == "/feeds/rss2.xml"
        ][-1]
        assert "if-none-match" in conditional or "if-modified-since" in conditional
        assert await library.stories() == before
    finally:
        await library.aclose()


async def test_every_story_of_a_feed_sharing_links_reaches_the_library(
    http_server, tmp_path: Path
) -> None:
    podcast = (Path(__file__).parent / "fixtures" / "feeds" / "podcast.xml").read_bytes()
    rss = {"Content-Type": "application/rss+xml"}
    # Served without validators, so every refresh parses and saves it again.
    url = http_server.route("/podcast.xml", body=podcast, headers=rss)
    mirror = http_server.route("/mirror/podcast.xml", body=podcast, headers=rss)
    sponsor = http_server.url("/feeds/sponsor.atom")
    library = library_for(tmp_path, [url, sponsor])
    try:
        assert sorted(o.new_stories for o in await library.refresh()) == [2, 5]
        assert [o.new_stories for o in await library.refresh()] == [0, 0]
        titles = [s.title for s in await library.stories()]
        assert len(titles) == 7 and "[Sponsor] Harbour Maps" in titles
        assert [t for t in titles if t.startswith("Episode")] == [
            f"Episode {n}: {name}"
            for n, name in [
                (5, "Salt marshes"),
                (4, "Lighthouse keepers"),
                (3, "Rogue waves"),
                (2, "Ferry timetables"),
                (1, "Reading the tide"),
            ]
        ]
    finally:
        await library.aclose()
    # The same feed under a second address: the same ids and links, so no story twice.
    library = library_for(tmp_path, [url, mirror])
    try:
        assert [o.new_stories for o in await library.refresh()] == [0, 0]
        assert len(await library.stories()) == 5  # the episodes, each once
    finally:
        await library.aclose()


async def test_429_is_respected_until_retry_after(http_server, tmp_path: Path) -> None:
    http_server.route("/feeds/busy.xml", status=429, headers={"Retry-After": "600"})
    library = library_for(tmp_path, [http_server.url("/feeds/busy.xml")])
    try:
        [outcome] = await library.refresh()
        assert outcome.error and "429" in outcome.error
        [again] = await library.refresh()
        assert again.skipped and "waiting until" in again.skipped
        assert http_server.hits["/feeds/busy.xml"] == 1
    finally:
        await library.aclose()


async def test_prefetch_then_read_everything_offline(http_server, tmp_path: Path) -> None:
    urls = [http_server.url(path) for path in FEEDS]
    library = library_for(tmp_path, urls)
    try:
        await library.refresh()
        progress = []
        report = await library.prefetch(lambda r: progress.append((r.done, r.total)))
        assert report.total == 12 and report.cached == 4 and report.failed == 8
        assert progress[-1] == (12, 12)
        # Failures wait before a retry: a second run asks for nothing.
        hits = sum(http_server.hits.values())
        again = await library.prefetch()
        assert again.total == 0 and sum(http_server.hits.values()) == hits
    finally:
        await library.aclose()
    http_server.stop()

    library = library_for(tmp_path, urls)
    try:
        outcomes = await library.refresh()
        assert all(o.error for o in outcomes)
        stories = await library.stories()
        readable = [s for s in stories if s.is_cached]
        assert len(readable) == 4
        for story in readable:
            outcome = await library.open_article(story)
            assert outcome.from_cache and outcome.document and outcome.document.blocks
    finally:
        await library.aclose()


async def test_search_finds_words_of_cached_articles(http_server, tmp_path: Path) -> None:
    library = library_for(tmp_path, [http_server.url(path) for path in FEEDS])
    try:
        await library.refresh()
        await library.prefetch()
        hits = await library.search("hydrophones")
        assert [s.link for s in hits] == [http_server.url("/site/quiet-harbour.html")]
        assert await library.search("hydropho")  # the last word is a prefix
        assert (await library.search("chip fab"))[0].link.endswith("chip-fab.html")
        for hostile in ['"', "NEAR(a b", "title:x", "*", "a OR", "-", "(((", "\x00"]:
            await library.search(hostile)
    finally:
        await library.aclose()


async def test_filters_read_state_and_saved(http_server, tmp_path: Path) -> None:
    library = library_for(tmp_path, [http_server.url("/feeds/rss2.xml")])
    try:
        await library.refresh()
        stories = await library.stories()
        await library.mark_read(stories[0])
        await library.set_saved(stories[1], True)
        assert len(await library.stories("unread")) == 2
        assert [s.id for s in await library.stories("saved")] == [stories[1].id]
        assert len(await library.mark_all_read()) == 2
        assert await library.stories("unread") == []
    finally:
        await library.aclose()


def test_retention_keeps_saved_articles(http_server, tmp_path: Path) -> None:
    from reader.document import Document, Paragraph, Span
    from reader.feeds import FeedEntry, ParsedFeed

    store = Store(tmp_path / "lib.sqlite3")
    entries = [
        FeedEntry(f"id{n}", f"Story {n}", f"https://e.example/{n}", None, "", "", "")
        for n in range(4)
    ]
    store.save_feed("https://e.example/feed", ParsedFeed("E", None, entries), now=0)
    document = Document(blocks=[Paragraph((Span("word " * 2000),))])
    for n in range(4):
        store.save_article(f"https://e.example/{n}", document, now=1000 + n)
    saved = next(s for s in store.stories() if s.link == "https://e.example/0")
    store.set_saved(saved.id)
    # By age: everything is older than a day at t = 3 days, but the saved one stays.
    removed = store.prune(max_age_days=1, max_bytes=10**9, now=3 * 86_400)
    assert removed == 3
    assert store.article("https://e.example/0") is not None
    assert store.stats().articles == 1
    # By size: the saved article stays even when it alone is over the limit.
    assert store.prune(max_age_days=365, max_bytes=1, now=3 * 86_400) == 0


def test_an_older_library_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in _SCHEMA_V1.split(";\n"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO feeds (url, title) VALUES ('https://o.example/f', 'Old')")
        db.execute(
            "INSERT INTO stories (feed_id, guid, link, title, first_seen, sort_time, is_read)"
            " VALUES (1, 'g', 'https://o.example/a', 'An old story', 0, 0, 1)"
        )
        db.execute(
            "INSERT INTO articles (url, document, fetched) VALUES ('https://o.example/a', ?, 0)",
            (
                '{"title": "An old story", "blocks": [{"kind": "paragraph", "spans": '
                '[{"text": "Lighthouses and ferries", "style": "text", "href": null}]}]}',
            ),
        )
        db.execute("PRAGMA user_version = 1")
    store = Store(path)
    [story] = store.stories()
    assert story.title == "An old story" and story.is_read and story.is_cached
    assert [s.id for s in store.search("ferries")] == [story.id]
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_damaged_library_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    store = Store(path)
    assert store.recovered_from is not None and store.recovered_from.exists()
    assert store.recovered_from.read_bytes().startswith(b"this is not a database")
    assert store.stories() == []


def test_two_instances_write_at_once(tmp_path: Path) -> None:
    from reader.feeds import FeedEntry, ParsedFeed

    path = tmp_path / "library.sqlite3"
    stores = [Store(path), Store(path)]
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for batch in range(20):
                entries = [
                    FeedEntry(
                        f"{index}-{batch}-{n}",
                        "t",
                        f"https://x.example/{index}/{batch}/{n}",
                        None,
                        "",
                        "",
                        "",
                    )
                    for n in range(10)
                ]
                stores[index].save_feed(
                    f"https://x.example/{index}", ParsedFeed("X", None, entries)
                )
                stores[index].stories()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(Store(path).stories()) == 400


def committed_articles(database: Path) -> int:
    """Articles another process has committed to `database` so far (0 before it exists)."""
    if not database.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return int(db.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or busy for a moment
        return 0


def test_sigkill_during_sync_loses_nothing_committed(http_server, tmp_path: Path) -> None:
    # Slow article pages keep the sync busy long enough to be killed in the middle of it.
    for n in range(30):
        http_server.route(
            f"/slow/{n}.html",
            body=b"<html><body><p>slow</p></body></html>",
            headers={"Content-Type": "text/html"},
            delay=0.3,
        )
    items = "".join(
        f"<item><title>Slow {n}</title><link>{{{{BASE}}}}/slow/{n}.html</link>"
        f"<guid>slow-{n}</guid></item>"
        for n in range(30)
    )
    http_server.route(
        "/feeds/slow.xml",
        body=f"<rss version='2.0'><channel><title>Slow</title>{items}</channel></rss>".encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    code = (
        "import sys; from pathlib import Path; from reader.config import Settings;"
        "from reader.sync import run_sync;"
        "sys.exit(run_sync(Settings(data_dir=Path(sys.argv[1]), feeds=(sys.argv[2],))))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path), http_server.url("/feeds/slow.xml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Kill it as soon as some articles are committed (and the others, 0.3 s each, are not):
    # waiting for that state, not for a time, holds however loaded the machine is.
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while committed_articles(tmp_path / "library.sqlite3") < 1:
        assert time.monotonic() < deadline, "no article was ever committed"
        assert process.poll() is None, process.communicate()
        time.sleep(POLL_SECONDS)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    with sqlite3.connect(tmp_path / "library.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(tmp_path / "library.sqlite3")
    assert len(store.stories()) == 30
    assert 1 <= store.stats().articles < 30


async def test_a_page_that_overruns_its_cleaning_deadline_is_abandoned() -> None:
    from reader.cleaner import CleanError, PageCleaner

    page = (Path(__file__).parent / "fixtures/site/quiet-harbour.html").read_bytes()
    cleaner = PageCleaner(timeout=0.0001)
    try:
        with pytest.raises(CleanError, match="gave up cleaning"):
            await cleaner.clean(page, "http://127.0.0.1/a", "text/html")
        cleaner.timeout = 30
        document, text = await cleaner.clean(page, "http://127.0.0.1/a", "text/html")
        assert document.title and "hydrophone" in text
    finally:
        cleaner.close()


@pytest.mark.parametrize(
    ("body", "content_type", "named"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf", "a PDF document"),
        (b"%PDF-1.4 labelled as a web page", "text/html", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/html", "an image (PNG)"),
        (b"GIF89a\x01\x00", "image/gif", "an image (GIF)"),
        (b"   \n\t ", "text/html", "the page is empty"),
        (b"", "text/html", "the page is empty"),
    ],
)
async def test_what_is_not_a_page_is_named(
    http_server, tmp_path: Path, body: bytes, content_type: str, named: str
) -> None:
    http_server.route("/thing", body=body, headers={"Content-Type": content_type})
    library = library_for(tmp_path, [])
    try:
        outcome = await library.open_url(http_server.url("/thing"))
        assert outcome.document is None and named in (outcome.error or "")
    finally:
        await library.aclose()


def test_sync_prints_a_summary_and_fails_when_any_feed_fails(http_server, tmp_path: Path) -> None:
    import io

    from reader.sync import run_sync

    out, err = io.StringIO(), io.StringIO()
    missing = http_server.url("/feeds/missing.xml")
    feeds = (http_server.url("/feeds/rss2.xml"), missing)
    assert run_sync(Settings(data_dir=tmp_path, feeds=feeds), out=out, err=err) == 1
    assert out.getvalue().strip() == (
        # The cached article's lead picture (the quiet-harbour fixture's) is kept too.
        f"1/2 feeds updated, 3 new stories, 1 article cached, 2 failed, 1 picture;"
        f" failed feeds: {missing}"
    )
    assert "missing.xml" in err.getvalue() and "404" in err.getvalue()
    out = io.StringIO()
    dead = (http_server.url("/feeds/missing.xml"),)
    assert run_sync(Settings(data_dir=tmp_path, feeds=dead), out=out, err=io.StringIO()) == 1


def test_cache_command_reports_and_prunes(
    http_server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from reader.cli import main

    feed = http_server.url("/feeds/rss2.xml")
    assert main(["sync", "--feed", feed, "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["cache", "--data-dir", str(tmp_path)]) == 0
    report = dict(line.split("\t") for line in capsys.readouterr().out.splitlines())
    assert report["stories"] == "3 (3 unread, 0 saved)"
    assert report["articles"].startswith("1 cached")
    assert main(["cache", "prune", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "pruned 0 cached articles" in out.err


def guarded_library(data_dir: Path, urls: list[str], **settings: object) -> Library:
    """A library whose client sees 127.0.0.1 as public and the rest of loopback as private."""
    client = HttpClient(user_agent="newsreader-tests", is_private=only_127_0_0_1_is_public)
    return Library(
        Settings(data_dir=data_dir, feeds=tuple(urls), **settings),  # type: ignore[arg-type]
        client=client,
    )


async def test_prefetch_from_a_public_feed_never_enters_the_network(
    http_server: LoopbackServer, lan_server: LoopbackServer, tmp_path: Path
) -> None:
    links = [lan_server.url("/site/quiet-harbour.html"), lan_server.url("/site/chip-fab.html")]
    feed = http_server.route("/feeds/links.xml", body=rss_linking_to(links))
    library = guarded_library(tmp_path, [feed])
    try:
        [outcome] = await library.refresh()
        assert outcome.new_stories == 2
        report = await library.prefetch()
        assert (report.cached, report.failed) == (0, 2)
        assert lan_server.requests == []
    finally:
        await library.aclose()


async def test_prefetch_from_a_feed_in_the_network_may_stay_there(
    http_server: LoopbackServer, lan_server: LoopbackServer, tmp_path: Path
) -> None:
    neighbour = LoopbackServer(host="127.0.0.3")
    try:
        # Its links may go to its own network; a public site it links to may not redirect in.
        bounce = http_server.redirect("/bounce", lan_server.url("/site/river-cleanup.html"))
        links = [
            neighbour.url("/site/quiet-harbour.html"),
            lan_server.url("/site/chip-fab.html"),
            bounce,
        ]
        feed = lan_server.route("/feeds/links.xml", body=rss_linking_to(links))
        library = guarded_library(tmp_path, [feed])
        try:
            await library.refresh()
            report = await library.prefetch()
            assert (report.cached, report.failed) == (2, 1)
            assert "/site/river-cleanup.html" not in lan_server.hits
        finally:
            await library.aclose()
    finally:
        neighbour.stop()


async def test_a_public_feed_redirecting_into_the_network_fails(
    http_server: LoopbackServer, lan_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = http_server.redirect("/feeds/moved.xml", lan_server.url("/feeds/rss2.xml"))
    library = guarded_library(tmp_path, [feed])
    try:
        [outcome] = await library.refresh()
        assert outcome.error and outcome.error.startswith("blocked: 127.0.0.2 is a local")
        assert lan_server.requests == []
    finally:
        await library.aclose()


async def test_the_setting_lets_a_public_feed_reach_the_network(
    http_server: LoopbackServer, lan_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = http_server.route(
        "/feeds/links.xml", body=rss_linking_to([lan_server.url("/site/quiet-harbour.html")])
    )
    client = HttpClient(
        user_agent="newsreader-tests",
        is_private=only_127_0_0_1_is_public,
        allow_private_network=True,
    )
    settings = Settings(data_dir=tmp_path, feeds=(feed,), allow_private_network=True)
    library = Library(settings, client=client)
    try:
        await library.refresh()
        assert (await library.prefetch()).cached == 1
    finally:
        await library.aclose()


async def test_a_429_with_an_unreadable_retry_after_still_backs_off(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    # "²".isdigit() is True: it used to end as "unexpected error: ValueError", no back-off.
    http_server.route("/feeds/busy.xml", status=429, headers={"Retry-After": "²"})
    library = library_for(tmp_path, [http_server.url("/feeds/busy.xml")])
    try:
        [outcome] = await library.refresh()
        assert outcome.error == "HTTP 429 Too Many Requests"
        [again] = await library.refresh()
        assert again.skipped and "waiting until" in again.skipped
        assert http_server.hits["/feeds/busy.xml"] == 1
    finally:
        await library.aclose()


async def test_a_host_that_times_out_is_skipped_for_the_rest_of_the_prefetch(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    hung = StallingServer()
    try:
        links = [hung.url(f"/story-{n}.html") for n in range(8)]
        feed = http_server.route("/feeds/hung.xml", body=rss_linking_to(links))
        # A short deadline for articles only (every one is on the hung host); two at a time
        # per host, so two requests time out and the six waiting behind them are skipped.
        library = library_for(tmp_path, [feed], article_timeout=0.5, prefetch_per_host=2)
        try:
            await library.refresh()
            report = await library.prefetch()
            assert (report.cached, report.failed, report.skipped) == (0, 2, 6)
            assert hung.connections == 2
            # Skipped is not failed: those six are tried again next time, the two wait.
            assert (await library.prefetch(limit=100)).total == 6
        finally:
            await library.aclose()
    finally:
        hung.stop()
