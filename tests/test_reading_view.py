"""The reading view's defects of issue 12: where a story opens, the sideways scrollbar, the width
limit, fetching again, a failed followed link, saving, and the top margin. Driven with Pilot."""

from __future__ import annotations

from pathlib import Path

from loopback import LoopbackServer
from textual.pilot import Pilot
from ui_support import article_text, make_app, settle

from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.widgets.article_view import SIDE_MARGIN
from reader.ui.widgets.story_list import StoryList

LONG_STORIES = 3
"""Stories of the hand-made long feed, each with an article many screens long."""
WIDE_CODE_LINE = "result = compute(" + ", ".join(f"argument_{n}" for n in range(12)) + ")"
"""A line of code of ~170 cells: wider than any reading column."""


def long_article(title: str, paragraphs: int = 40, code: str = "") -> str:
    """A plain article page of `paragraphs` paragraphs, with an optional code block after the
    first; every paragraph names its number so a test can tell where the view is."""
    body = "".join(
        f"<p>Paragraph {n} of {title}: the council met again on the harbour wall and spoke at "
        f"length about the tides, the ferry and the winter timetable for the islands.</p>"
        + (f"<pre><code>{code}</code></pre>" if n == 1 and code else "")
        for n in range(1, paragraphs + 1)
    )
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )


def serve_long_feed(server: LoopbackServer, *, code: str = "", extra_links: str = "") -> str:
    """Program a feed of LONG_STORIES long articles (the first holding `code` and the links of
    `extra_links`); returns the feed's URL."""
    items = []
    for n in range(1, LONG_STORIES + 1):
        page = long_article(f"Long story {n}", code=code if n == 1 else "")
        if n == 1 and extra_links:
            page = page.replace("</article>", f"<p>See also {extra_links}.</p></article>")
        server.route(f"/long/{n}.html", body=page, headers={"Content-Type": "text/html"})
        # Story 1 is the newest, so it is listed first and `n` goes on to story 2.
        items.append(
            f"<item><title>Long story {n}</title><link>{{{{BASE}}}}/long/{n}.html</link>"
            f"<guid>long-{n}</guid><pubDate>Mon, {20 - n} Oct 2025 09:00:00 +0000</pubDate>"
            f"<description>Summary of long story {n}.</description></item>"
        )
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Long Desk</title>'
        f"{''.join(items)}</channel></rss>"
    )
    return server.route(
        "/long/feed.xml", body=feed, headers={"Content-Type": "application/rss+xml"}
    )


async def open_first(app: NewsReaderApp, pilot: Pilot) -> ArticleScreen:
    """Open the story at the top of the list and wait for its article."""
    await settle(app)
    app.screen.query_one(StoryList).cursor = 0
    await pilot.press("enter")
    await settle(app)
    assert isinstance(app.screen, ArticleScreen)
    return app.screen


def notices(app: NewsReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_next_story_opens_at_the_top_and_a_left_one_where_it_was_left(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve_long_feed(http_server)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first(app, pilot)
        await pilot.press("pagedown", "pagedown")
        await settle(app)
        left_at = screen.view.scroll_y
        assert 0 < left_at < screen.view.max_scroll_y
        await pilot.press("n")
        await settle(app)
        assert "Paragraph 1 of Long story 2" in article_text(app)
        assert screen.view.scroll_y == 0
        await pilot.press("G")
        await settle(app)
        assert screen.view.at_end
        await pilot.press("space")
        await settle(app)
        assert "Paragraph 1 of Long story 3" in article_text(app)
        assert screen.view.scroll_y == 0
        await pilot.press("p", "p")
        await settle(app)
        assert "Paragraph 1 of Long story 1" in article_text(app)
        assert abs(screen.view.scroll_y - left_at) <= 1


async def test_sideways_scrollbar_only_while_code_is_wider_than_the_column(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [http_server.url("/feeds/reading.xml")])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "linked" in (s.link or "")
        )
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        assert not screen.view.show_horizontal_scrollbar

    app = make_app(tmp_path / "wide", [serve_long_feed(http_server, code=WIDE_CODE_LINE)])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_first(app, pilot)
        view = screen.view
        await pilot.pause()  # the scrollbars follow the virtual size at the next layout
        assert view.show_horizontal_scrollbar
        start = view.scroll_x
        await pilot.press("right", "right")
        assert view.scroll_x > start
        code_row = next(i for i, line in enumerate(view.text().splitlines()) if "result" in line)
        shown = "".join(segment.text for segment in view.render_line(code_row))
        assert "result = compute(" not in shown and "argument_" in shown
        await pilot.press("left", "left")
        assert view.scroll_x == start
        # Wide enough for the whole line: the bar goes.
        screen.view.measure = 200
        await pilot.resize_terminal(240, 24)
        await settle(app)
        await pilot.pause()
        assert not view.show_horizontal_scrollbar


async def test_wider_stops_at_what_the_window_shows(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [serve_long_feed(http_server)])
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        screen = await open_first(app, pilot)
        widest = screen.view.widest_measure
        assert 120 - 2 * SIDE_MARGIN - 1 <= widest < 120
        for _ in range(20):
            await pilot.press("plus")
        assert screen.view.measure == widest == app.reading_width
        assert f"Reading width {widest} columns" in notices(app)[-1]
        assert "widest" in notices(app)[-1]
        await pilot.press("minus")
        assert screen.view.measure == widest - 4


async def test_fetch_again_offline_keeps_the_cached_copy(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [serve_long_feed(http_server)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_first(app, pilot)
        await pilot.press("R")
        await settle(app)
        assert "Fetched again" in notices(app)[-1]
        await pilot.press("pagedown", "pagedown")
        await settle(app)
        left_at = screen.view.scroll_y
        assert left_at > 0
        http_server.stop()
        await pilot.press("R")
        await settle(app)
        assert "Could not fetch the article again" in notices(app)[-1]
        assert "showing the cached copy" in notices(app)[-1]
        text = article_text(app)
        assert "Paragraph 40 of Long story 1" in text
        assert "could not be loaded" not in text
        assert screen.view.scroll_y == left_at


async def test_a_followed_link_that_fails_says_so_under_its_own_words(
    http_server, tmp_path: Path
) -> None:
    missing = "/nowhere/a-page-that-does-not-exist-on-this-server-at-all.html"
    links = f'<a href="{{{{BASE}}}}{missing}">the missing report</a>'
    app = make_app(tmp_path, [serve_long_feed(http_server, extra_links=links)])
    async with app.run_test(size=(60, 24)) as pilot:
        await open_first(app, pilot)
        await pilot.press("l", "enter")
        await settle(app)
        text = article_text(app)
        assert "could not be loaded" in text
        assert "feed's summary" not in text
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == "the missing report"
        url = http_server.url(missing)
        # The address is on one line, shortened if it must be, never broken mid-word.
        shown = next(line for line in lines if line.startswith("http://"))
        assert url.startswith(shown.rstrip("…")) and not any(
            line.startswith(("exist", "server", "at-all")) for line in lines
        )


async def test_s_saves_and_unsaves_the_story_being_read(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [serve_long_feed(http_server)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_first(app, pilot)
        story_id = screen.story.id
        await pilot.press("s")
        await settle(app)
        assert notices(app)[-1] == "Saved: kept offline for good"
        await pilot.press("s")
        await settle(app)
        assert notices(app)[-1] == "No longer saved"
        await pilot.press("s")
        await settle(app)
    store = Store(tmp_path / "library.sqlite3")
    try:
        assert [s.id for s in store.stories(None, show="saved")] == [story_id]
    finally:
        store.close()


async def test_the_title_has_a_top_margin(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [serve_long_feed(http_server)])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_first(app, pilot)
        lines = article_text(app).splitlines()
        assert lines[0] == ""
        assert lines[1].strip() == "Long story 1"
