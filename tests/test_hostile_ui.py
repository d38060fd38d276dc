"""Hostile text in every widget: nothing from a feed or a page reaches the terminal as a control
character, an escape sequence, a bidi override, markup or an action.

The feeds and the page under tests/fixtures/hostile/ carry CSI, OSC 52 (clipboard), OSC 2 (window
title), OSC 8 (hyperlink) and DCS sequences, C1 controls, bidi overrides, Textual/Rich markup
(including `[@click=…]` actions), lone surrogates and NULs, in every field a widget shows. Each test
drives the real app with Pilot against the loopback server and reads what is drawn three ways:
the widgets' own content (what the code hands to Textual), the composed screen (segments with
their styles, so a `@click` action or a link would show up as style metadata), and the exact
terminal output the driver would write (so anything that survived would show up as bytes).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from loopback import FIXTURES, LoopbackServer
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static
from ui_support import article_text, list_lines, make_app, settle, wait_for_article
from waiting import wait_until

from reader.config import Settings
from reader.library import Library
from reader.settings import load_config
from reader.ui.app import NewsReaderApp, binding_ids
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.feeds import FeedPicker
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.links import LinkPicker
from reader.ui.screens.search import SearchScreen
from reader.ui.screens.sources import SourcesScreen
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.page_layout import TOP_MARGIN
from reader.ui.widgets.story_list import StoryList

HOSTILE = FIXTURES / "hostile"
FEED = "/hostile/feed.xml"
"""Well-formed XML: C1 and bidi as character references, escapes inside escaped HTML."""
RAW_FEED = "/hostile/feed-raw.xml"
"""The same tricks as raw bytes (not well-formed XML): ESC, BEL, NUL, C1, bidi."""
SIZE = (120, 40)

INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0d\uffa0\U000e0000-\U000e0fff"
)
"""Invisible characters: soft hyphen, Hangul fillers, bidi controls, word joiner and invisible
operators, variation selectors but VS15/VS16, tag characters (see tests/test_sanitize.py)."""
FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
"""C0 controls but tab and newline, DEL, C1 controls, and the invisible characters."""
CSI = re.compile(r"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]")
"""A CSI sequence: Textual's own colours and cursor moves; anything else after ESC is not ours."""
MARKUP = ("[bold]x[/]", "[/red]", "[@click=app.quit]quit[/]", "[link=file:///etc/passwd]x[/link]")
"""Markup from the fixtures that must be shown as the characters they are."""
PAYLOADS = (
    "\x1b]52;c;SEFDSw==",
    "\x1b]2;PWNED",
    "\x1b]8;;file:///etc/passwd",
    "\x1bP1$qDCSPAYLOAD",
    "\x1b[2J",
    "\u202e",
)
"""The feeds' escape sequences, as they would appear if any reached the terminal."""


def assert_clean(text: str, where: str) -> None:
    """No forbidden code point in `text` (a widget's content or a rendered screen)."""
    found = FORBIDDEN.search(text)
    assert found is None, f"{where}: {found.group()!r} at {found.start()} in {text!r}"


def plain(renderable: object) -> str:
    """The characters a Text, Content or str shows, never parsed as markup."""
    if isinstance(renderable, Text | Content):
        return renderable.plain
    assert isinstance(renderable, str), f"unexpected renderable {renderable!r}"
    return renderable


def check_screen(app: App[None], where: str) -> str:
    """Check everything drawn on the screen in front; returns its text, one line a row.

    The composed strips must carry no forbidden code point, no `@click` action and no hyperlink;
    the terminal output the driver would write for a full repaint must hold no escape sequence
    but CSI; the SVG screenshot must hold no forbidden code point either.
    """
    strips = app.screen._compositor.render_strips()
    rows: list[str] = []
    for strip in strips:
        rows.append("".join(segment.text for segment in strip))
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            actions = [key for key in style.meta if key == "@click"]
            assert not actions, f"{where}: action {style.meta} on {segment.text!r}"
            assert not style.link, f"{where}: hyperlink {style.link!r} on {segment.text!r}"
    text = "\n".join(rows)
    assert_clean(text, f"{where} (screen)")
    output = app.screen._compositor.render_update(full=True).render_segments(app.console)
    residue = CSI.sub("", output)
    assert_clean(residue, f"{where} (terminal output without CSI)")
    for payload in PAYLOADS:
        assert payload not in output, f"{where}: {payload!r} reached the terminal"
    svg = app.export_screenshot()
    assert_clean(svg, f"{where} (SVG screenshot)")
    assert "file:///etc/passwd" not in re.findall(r'href="([^"]*)"', svg)
    return text


def flat(text: str) -> str:
    """`text` with line breaks, box sides and runs of spaces folded: the reading view wraps."""
    return " ".join(text.replace("│", " ").split())


def statics_text(app: App[None]) -> Iterable[tuple[str, str]]:
    """(id, text) of every Static on the screen in front, as handed to Textual."""
    for widget in app.screen.query(Static):
        yield widget.id or type(widget).__name__, plain(widget.content)


def option_prompts(options: OptionList) -> list[str]:
    """The text of every option of an OptionList, as handed to Textual."""
    return [plain(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def hostile_app(server: LoopbackServer, data_dir: Path, *extra: str) -> NewsReaderApp:
    """The real app reading both hostile feeds (and any `extra` paths) from `server`."""
    return make_app(data_dir, [server.url(FEED), server.url(RAW_FEED), *map(server.url, extra)])


async def open_story(app: App[None], pilot: Pilot[None], title_start: str) -> ArticleScreen:
    """Open the story whose title starts with `title_start` and wait until it is shown."""
    story_list = app.screen.query_one(StoryList)
    story_list.cursor = next(
        i for i, s in enumerate(story_list.stories) if s.title.startswith(title_start)
    )
    await pilot.press("enter")
    return await wait_for_article(app)


async def test_story_list_title_bar_and_status_line(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.pause()
        story_list = app.screen.query_one(StoryList)
        assert len(story_list.stories) == 11, "every item of both feeds is listed"
        rows = list_lines(app)
        for row in rows:
            assert_clean(row, "story row")
        joined = "\n".join(rows)
        for markup in MARKUP:
            assert markup in joined, f"{markup!r} should show literally in the list"
        assert "Hostile [bold]Her" in joined, "the feed name shows literally in its column"
        # Widths too: a wide row is cut to the terminal, nothing spills.
        assert all(len(row) == 100 for row in rows)
        for where, text in statics_text(app):
            assert_clean(text, where)
        screen = check_screen(app, "stories")
        assert "[@click=app.quit]quit[/]" in screen
        await pilot.press("q")
    assert app.return_code == 0


async def test_invisible_characters_never_reach_the_screen(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """Characters drawn as nothing (fillers, joiners, tags, selectors) are gone from titles,
    summaries and feed names; the joiners an emoji or a Persian word needs are kept."""
    app = make_app(tmp_path, [http_server.url("/hostile/invisible.xml")])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        stories = app.screen.query_one(StoryList).stories
        titles = [story.title for story in stories]
        assert "Fillers and a grapheme joiner ab." in [story.summary for story in stories]
        assert sorted(titles) == [
            "Kept: 👩\u200d💻 ❤\ufe0f می\u200cخواهم",
            "Softhyphen, wordjoiner, invisibletimes andplus",
            "Tagged and selected texthere",
        ]
        assert "InvisibleInk Daily" in check_screen(app, "stories with invisible characters")
        await pilot.press("F")
        await settle(app)
        check_screen(app, "feeds pane with an invisible feed name")


async def test_title_bar_and_feeds_pane_show_a_hostile_feed_name(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("F")
        await settle(app)
        assert isinstance(app.screen, FeedPicker)
        prompts = option_prompts(app.screen.query_one(OptionList))
        for prompt in prompts:
            assert_clean(prompt, "feeds pane option")
        assert any("Hostile [bold]Herald[/] dlareH [@click=app.quit]quit[/]" in p for p in prompts)
        assert any(p.startswith("Raw ]2;PWNEDWire[2J") for p in prompts)
        check_screen(app, "feeds pane")
        # Narrow the list to the raw feed: its name goes to the title bar.
        options = app.screen.query_one(OptionList)
        options.highlighted = next(i for i, p in enumerate(prompts) if p.startswith("Raw "))
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, StoriesScreen)
        title = plain(app.screen.query_one("#title-bar", Static).content)
        assert_clean(title, "title bar")
        assert "Raw ]2;PWNEDWire[2J" in title and "[bold]Times[/]" in title
        check_screen(app, "title bar")


async def test_status_line_names_a_failing_hostile_feed(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """A feed with a hostile name refreshes once, then fails: its name goes into the status
    line, the feeds pane and the Sources table with the error."""
    raw = (HOSTILE / "feed-raw.xml").read_bytes()
    flaky = http_server.route("/hostile/flaky.xml", body=raw, headers={"Content-Type": "text/xml"})
    app = make_app(tmp_path, [http_server.url(FEED), flaky])
    app.library.store.subscribe(flaky, name="")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(app)
        http_server.route("/hostile/flaky.xml", status=500, body=b"down")
        await pilot.press("r")
        await settle(app)
        await pilot.pause()
        status = plain(app.screen.query_one("#status", Static).content)
        assert_clean(status, "status line")
        assert "1 of 2 feeds failed" in status
        assert "Raw ]2;PWNEDWire[2J" in status and "HTTP 500" in status
        check_screen(app, "status line")
        await pilot.press("F")
        await settle(app)
        prompts = option_prompts(app.screen.query_one(OptionList))
        failing = next(p for p in prompts if p.startswith("Raw "))
        assert_clean(failing, "feeds pane")
        assert "⚠ HTTP 500" in failing
        await pilot.press("escape")
        await pilot.press("S")
        await settle(app)
        assert isinstance(app.screen, SourcesScreen)
        table = app.screen.query_one(DataTable)
        # Sources lists the run's feeds, as the feeds pane does: the failing one among them.
        row = [plain(cell) for cell in table.get_row(flaky)]
        for cell in row:
            assert_clean(cell, "sources cell")
        assert row[1].startswith("Raw ]2;PWNEDWire[2J") and "HTTP 500" in row[5]


async def test_sources_table_with_a_hostile_name_and_folder(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = hostile_app(http_server, tmp_path)
    name = "N \x1b]2;PWNED\x07\x1b[2J\u202e[bold]x[/] [/red] [@click=app.quit]q[/]\x9b31m"
    folder = "Folder \x1b]52;c;SEFDSw==\x07[/]\u2066\x85"
    app.library.store.subscribe(http_server.url(FEED), name=name, folder=folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("S")
        await settle(app)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2  # the run's two feeds, the user's named one among them
        cells = [plain(cell) for cell in table.get_row(http_server.url(FEED))]
        for cell in cells:
            assert_clean(cell, "sources cell")
        assert cells[1] == "N ]2;PWNED[2J[bold]x[/] [/red] [@click=app.quit]q[/]31m"
        assert cells[2] == "Folder ]52;c;SEFDSw==[/]"
        for where, text in statics_text(app):
            assert_clean(text, where)
        check_screen(app, "sources")
        await pilot.press("escape")
        assert isinstance(app.screen, StoriesScreen)


async def test_feed_chooser_lists_hostile_titles(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """Adding a feed from a page that announces two feeds with hostile titles: the chooser shows
    them literally and the chosen one subscribes."""
    page = (
        "<html><head><title>x</title>"
        '<link rel="alternate" type="application/rss+xml" href="{{BASE}}/hostile/feed.xml"'
        ' title="One \x1b]2;PWNED\x07 [@click=app.quit]quit[/] \u202eeno">'
        '<link rel="alternate" type="application/rss+xml" href="{{BASE}}/hostile/feed-raw.xml"'
        ' title="Two &#27;]52;c;SEFDSw==&#7; [/red] \u0085">'
        "</head><body><p>A page that announces feeds.</p></body></html>"
    )
    url = http_server.route("/hostile/announce.html", body=page.encode())
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("S")
        await settle(app)
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = url
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        prompts = option_prompts(app.screen.query_one(OptionList))
        for prompt in prompts:
            assert_clean(prompt, "feed chooser option")
        assert prompts[0].startswith("One ]2;PWNED [@click=app.quit]quit[/] eno")
        assert prompts[1].startswith("Two ]52;c;SEFDSw== [/red]")
        check_screen(app, "feed chooser")
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, SourcesScreen)
        status = plain(app.screen.query_one("#sources-status", Static).content)
        assert_clean(status, "sources status")
        check_screen(app, "sources after adding")


async def test_reading_view_every_block_kind(http_server: LoopbackServer, tmp_path: Path) -> None:
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        screen = await open_story(app, pilot, "Hostile article")
        text = article_text(app)
        assert_clean(text, "reading view")
        lines = text.split("\n")[TOP_MARGIN:]
        assert lines[0].startswith("Hostile page ]2;PWNED[bold]x[/] [/red]"), "title, literal"
        meta = lines[2]
        assert meta.startswith("Evil Site ]52;c;SEFDSw==[@click=app.quit]quit[/] · Mallory")
        expected = [
            "Raw escapes [2J[31m clipboard ]52;c;SEFDSw== title ]2;PWNED",  # paragraph, raw
            "Numeric refs [2J ]52;c;SEFDSw== ]2;PWNED",  # paragraph, character references
            "[link=file:///etc/passwd]x[/link] [@click=app.quit]quit[/]",  # markup
            "Heading ]52;c;SEFDSw==[bold]x[/] [/red]",  # heading
            "Subheading ]2;PWNED 31m [link=file:///etc/passwd]x[/link]",  # subheading
            "• List item [2J[@click=app.quit]quit[/]",  # list
            "1. Nested P1$qDCSPAYLOAD\\ [bold]x[/]",  # nested ordered list
            "▌ Quoted ]52;c;SEFDSw== [/red]",  # quote
            "code [2J[31m ]52;c;SEFDSw==",  # code block
            "    indented ]2;PWNED P1$qDCSPAYLOAD\\ 31m",  # code: tab expanded, kept
            "]52;c;SEFDSw==[@click=app.quit]quit[/]",  # table cell
            "▣ Alt text ]2;PWNED [bold]x[/]",  # figure alt text (numbered [3] with the links)
            "Caption ]52;c;SEFDSw== [/red] ]8;;file:///etc/passwdx]8;;",  # caption
            "· · ·",  # rule
        ]
        for fragment in expected:
            assert flat(fragment) in flat(text), f"{fragment!r} missing from the reading view"
        # Code keeps its lines and indentation (a tab becomes spaces), so it is checked as lines.
        assert any(line.startswith("    indented ]2;PWNED") for line in lines)
        # Only the two http(s) links are numbered, and the picture after them; script, data and
        # file links are plain words.
        links = screen.view.links
        assert [(link.number, link.url) for link in links] == [
            (1, "https://example.org/safe"),
            (2, "https://example.org/[@click=app.quit]"),
            (3, http_server.url("/hostile/pixel.png")),
        ]
        assert "a web link ]2;PWNED[@click=app.quit]quit[/][1]" in flat(text)
        assert "markup in its address[2]" in flat(text)
        assert "[4]" not in text
        assert "a script link, a mixed-case script link, a tabbed script link, a data" in flat(text)
        for where, shown in statics_text(app):
            assert_clean(shown, where)
        label = plain(app.screen.query_one("#reader-label", Static).content)
        assert "Hostile [bold]Herald[/] dlareH [@click=app.quit]quit[/]" in label
        check_screen(app, "reading view")
        view = app.screen.query_one(ArticleView)
        await pilot.press("end")
        assert view.scroll_y > 0
        check_screen(app, "reading view, end")
        # The feed's summary view (v) of the same story.
        await pilot.press("v")
        await pilot.pause()
        summary = article_text(app)
        assert_clean(summary, "feed summary view")
        assert "]2;PWNED" in summary and "[@click=app.screenshot('x','/tmp')]snap[/]" in summary
        check_screen(app, "feed summary view")
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code == 0


async def test_reading_view_of_raw_bytes_and_missing_page(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await open_story(app, pilot, "Raw [2Jclear")
        text = article_text(app)
        assert_clean(text, "raw story")
        assert "Hostile page" in text, "the raw feed's story opens the hostile page"
        check_screen(app, "raw story")
        await pilot.press("escape")
        await settle(app)
        await open_story(app, pilot, "Missing page")
        text = article_text(app)
        assert_clean(text, "missing page")
        assert text.startswith("\n" * TOP_MARGIN + "Missing page ]2;PWNEDelif iso surrogate")
        assert "could not be loaded: HTTP 404 Not Found" in flat(text)
        assert "[link=file:///etc/passwd]x[/link] [@click=app.quit]quit[/]" in flat(text)
        check_screen(app, "missing page")


@pytest.mark.parametrize(
    ("title", "notice"),
    [
        ("A PDF", "could not be loaded: not an HTML page: a PDF document."),
        ("An image served as HTML", "could not be loaded: not an HTML page: an image (PNG)."),
        ("An empty page", "could not be loaded: the page is empty."),
        ("A page of whitespace", "could not be loaded: the page is empty."),
    ],
)
async def test_hostile_responses_are_named(
    http_server: LoopbackServer, tmp_path: Path, title: str, notice: str
) -> None:
    """A PDF, an image or an empty body is named as such; the feed's summary is shown instead."""
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await open_story(app, pilot, title)
        text = article_text(app)
        assert_clean(text, title)
        assert "Showing the feed's summary" in flat(text)
        assert notice in flat(text)
        check_screen(app, title)


async def test_hostile_content_type_in_the_notice(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """A page's Content-Type is the server's words: it reaches the notice cleaned and literal."""
    http_server.route(
        "/hostile/typed",
        body=b"<html><body><p>words</p></body></html>",
        headers={"Content-Type": "application/x-\x1b[2J\x07\u009b31m[@click=app.quit]q[/]"},
    )
    feed = (
        '<rss version="2.0"><channel><title>T</title><item><title>Typed</title>'
        "<link>{{BASE}}/hostile/typed</link><guid>typed</guid></item></channel></rss>"
    )
    route = http_server.route("/hostile/typed.xml", body=feed, headers={"Content-Type": "text/xml"})
    app = make_app(tmp_path, [route])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await open_story(app, pilot, "Typed")
        text = article_text(app)
        assert_clean(text, "notice")
        assert "not an HTML page: application/x-[2j31m[@click=app.quit]q[/]." in flat(text)
        check_screen(app, "notice")


async def test_link_picker_and_notifications(
    http_server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link picker's options are literal; a copy or a failed browser launch notifies with
    the URL literally (markup in a URL is no action)."""
    # Never launch a real browser: report failure, so the app says so in a notification.
    monkeypatch.setattr("reader.ui.screens.article.open_in_browser", lambda url: False)
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app)
        await open_story(app, pilot, "Hostile article")
        await pilot.press("l")
        await wait_until(lambda: isinstance(app.screen, LinkPicker), "the link picker")
        prompts = option_prompts(app.screen.query_one(OptionList))
        for prompt in prompts:
            assert_clean(prompt, "link picker option")
        assert prompts == [
            "[1] a web link ]2;PWNED[@click=app.quit]quit[/]  https://example.org/safe",
            "[2] a link with markup in its address  https://example.org/[@click=app.quit]",
            "[3] Picture: Alt text ]2;PWNED [bold]x[/] elif iso 31m  "
            + http_server.url("/hostile/pixel.png"),
        ]
        check_screen(app, "link picker")
        # The app shows "Copied" for two seconds only, so it is checked at once, not after the
        # browser step, which can take longer than that on a loaded machine.
        copied = "Copied https://example.org/[@click=app.quit]"
        await pilot.press("down", "c")
        await wait_until(
            lambda: any(n.message == copied for n in app._notifications), "the copy notification"
        )
        check_notifications(app)
        # The browser is opened (and its failure reported) from a thread worker.
        failed = "Could not open a browser for https://example.org/[@click=app.quit]"
        await pilot.press("l", "down", "O")
        await wait_until(
            lambda: any(n.message == failed for n in app._notifications),
            "the browser failure notification",
        )
        check_notifications(app)
        await wait_until(lambda: "Could not open a browser" in screen_rows(app), "the toast")
        screen = check_screen(app, "notifications")
        assert "https://example.org/[@click=app.quit]" in screen, "the toast shows it literally"
        assert app.is_running


def check_notifications(app: App[None]) -> None:
    """Every notification is clean text, and sent with markup off if it holds a bracket."""
    for notification in app._notifications:
        assert_clean(notification.message + notification.title, "notification")
        assert not notification.markup or "[" not in notification.message


def screen_rows(app: App[None]) -> str:
    """The text drawn on the screen in front, one line a row."""
    return "\n".join(
        "".join(segment.text for segment in strip)
        for strip in app.screen._compositor.render_strips()
    )


async def test_search_results(http_server: LoopbackServer, tmp_path: Path) -> None:
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        # The whole query at once: one search runs (typed keys may each start one), after a
        # pause in typing and in a worker, so wait for what it shows.
        app.screen.query_one(Input).value = "click"
        results = app.screen.query_one(StoryList)
        status = app.screen.query_one("#search-status", Static)
        await wait_until(lambda: "found" in plain(status.content), "the search status")
        await settle(app)
        assert len(results.stories) >= 2
        rows = [results._render_story(i, 100).text for i in range(len(results.stories))]
        for row in rows:
            assert_clean(row, "search result")
        assert any("[@click=app.quit]quit[/]" in row for row in rows)
        for where, text in statics_text(app):
            assert_clean(text, where)
        check_screen(app, "search")
        await pilot.press("down", "enter")
        await settle(app)
        assert isinstance(app.screen, ArticleScreen)
        assert_clean(article_text(app), "article from search")
        check_screen(app, "article from search")


async def test_help_screen(http_server: LoopbackServer, tmp_path: Path) -> None:
    """The keys screen over hostile content is clean, and rows it is given stay literal."""
    app = hostile_app(http_server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        check_screen(app, "help over the list")
        await pilot.press("escape")
        await open_story(app, pilot, "Hostile article")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        check_screen(app, "help over an article")
        await pilot.press("escape")
        await app.push_screen(HelpScreen("[/red] keys", [("[bold]k[/]", "[@click=app.quit]q[/]")]))
        await pilot.pause()
        shown = check_screen(app, "help with markup rows")
        assert "[/red] keys" in shown and "[bold]k[/]" in shown and "[@click=app.quit]q[/]" in shown
        assert app.is_running


async def test_hostile_key_names_never_reach_the_footer_or_the_help_screen(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """Key names come from the settings file: escape sequences, invisible characters and markup
    there are refused with their line, the actions keep their default keys, and nothing of them
    is drawn in the footer, the help screen or the settings notifications."""
    config, problems = load_config(HOSTILE / "config.toml", actions=binding_ids())
    assert dict(config.keys) == {"toggle_read": "M"}
    assert [problem.split(": ")[1] for problem in problems] == [
        "refresh",
        "search",
        "filter",
        "feeds",
        "sources",
    ]
    assert all(f"config.toml:{line}: " in p for line, p in zip(range(6, 11), problems, strict=True))
    # A config built in code skips load_config: the app checks the keys itself.
    config = dataclasses.replace(config, keys={**config.keys, "refresh": "\x1b]0;PWNED\x1b\\"})
    settings = Settings(data_dir=tmp_path, feeds=(http_server.url(FEED),))
    app = NewsReaderApp(Library(settings), config=config, problems=problems)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app)
        footer = check_screen(app, "footer with hostile keys").split("\n")[-1]
        assert "r Refresh  / Search  F Feeds  S Sources" in footer
        messages = [n.message for n in app._notifications]
        assert len(messages) == 6 and all("PWNED" not in m or "\\u001B]" in m for m in messages)
        for message in messages:
            assert_clean(message, "settings notification")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {description: keys for keys, description in app.screen.keys}
        assert (rows["Refresh"], rows["Search"], rows["Filter"]) == ("r", "/", "f")
        assert rows["Read/unread"] == "M", "the valid remap is in force"
        assert not any("PWNED" in keys or "[" in keys for keys in rows.values())
        check_screen(app, "help with hostile keys")
        # Whatever a binding holds, the key shown is clean text.
        hostile = Binding("\x1b]0;PWNED\x1b\\,x", "refresh", "Refresh")
        assert_clean(app.get_key_display(hostile), "key display")
        assert "\u3164" not in app.get_key_display(Binding("\u3164", "refresh"))


async def test_clicking_shown_markup_does_nothing(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    """Click every place where `[@click=` is drawn: the app keeps running and writes no file."""
    snaps = tmp_path / "snaps"
    snaps.mkdir()
    body = (HOSTILE / "feed.xml").read_bytes().replace(b"'/tmp'", f"'{snaps}'".encode())
    feed = http_server.route("/hostile/snap.xml", body=body, headers={"Content-Type": "text/xml"})
    app = make_app(tmp_path / "data", [feed])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.press("F", "down", "enter")  # the feed's name goes to the title bar
        await settle(app)
        clicked = 0
        for y, row in enumerate(check_screen(app, "before clicks").split("\n")):
            for match in re.finditer(re.escape("[@click="), row):
                if not isinstance(app.screen, StoriesScreen):
                    await pilot.press("escape")
                    await settle(app)
                await pilot.click(offset=(match.start() + 2, y))
                await settle(app)
                clicked += 1
                assert app.is_running
        assert clicked >= 2
        assert not any(snaps.iterdir()), "a click on shown text ran app.screenshot"
    assert app.return_code in (None, 0)


def test_fixtures_carry_the_payloads() -> None:
    """Guard against a fixture being 'fixed' into harmlessness: the raw bytes are there."""
    raw = (HOSTILE / "feed-raw.xml").read_bytes()
    page = (HOSTILE / "article.html").read_bytes()
    for data in (raw, page):
        for payload in (b"\x1b]52;c;SEFDSw==\x07", b"\x1b]2;PWNED\x07", b"\x1bP1$q", b"\x00"):
            assert payload in data
        assert "\u0085\u009b".encode() in data and "\u202e".encode() in data
    valid = (HOSTILE / "feed.xml").read_bytes()
    assert b"&amp;#27;]52;c;SEFDSw==" in valid and b"&#x202E;" in valid and b"&#155;" in valid
    assert (HOSTILE / "image-as-html.html").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (HOSTILE / "paper.pdf").read_bytes().startswith(b"%PDF-")
    assert (HOSTILE / "empty.html").read_bytes() == b""
    assert not (HOSTILE / "blank.html").read_bytes().strip()


class _UnsafeApp(App[None]):
    """What the checks exist to catch: untrusted text in widgets with markup on, unsanitised."""

    def __init__(self, text: str, markup: bool) -> None:
        super().__init__()
        self.text, self.markup = text, markup

    def compose(self) -> ComposeResult:
        yield Static(self.text, markup=self.markup)


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("title \x1b]2;PWNED\x07 here", False),
        ("clip \x1b]52;c;SEFDSw==\x07", False),
        ("C1 \x9b31m and \u202eevil", False),
        ("[@click=app.quit]quit[/]", True),
        ('[link="file:///etc/passwd"]x[/link]', True),
    ],
)
async def test_the_checks_catch_an_unsafe_widget(text: str, markup: bool) -> None:
    """The screen checks are not vacuous: raw escapes or live markup in a widget fail them."""
    app = _UnsafeApp(text, markup)
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        with pytest.raises(AssertionError):
            check_screen(app, "unsafe")
