"""Issue 12, "Story list and screens": each defect driven with Pilot on a loopback server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from loopback import rss_linking_to
from ui_support import make_app, settle

from reader.ui.widgets.story_list import StoryList, format_age


async def wait_until(pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition` holds (a typing pause, a worker), however slow."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def many_stories(http_server, count: int = 61) -> str:
    """A feed of `count` stories, enough to scroll the list at any terminal size tested."""
    links = [http_server.url(f"/story/{n}") for n in range(count)]
    return http_server.route("/many.xml", body=rss_linking_to(links, "Many"))


@pytest.mark.parametrize("size", [(80, 24), (120, 30)])
async def test_a_scrolling_list_keeps_its_age_column_whole(
    http_server, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, [many_stories(http_server)])
    async with app.run_test(size=size) as pilot:
        await settle(app)
        await pilot.pause()
        story_list = app.screen.query_one(StoryList)
        assert story_list.max_scroll_y > 0, "the list must scroll for this test"
        assert not story_list.show_horizontal_scrollbar
        visible = story_list.scrollable_content_region.width
        for y in (0, 5):
            line = story_list.render_line(y)
            story = story_list.stories[story_list.scroll_offset.y + y]
            age = format_age(app.clock() - story.sort_time)
            assert line.cell_length <= visible
            assert line.text.rstrip().endswith(" " + age)


async def test_the_palette_lists_each_action_once_ours_first(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [many_stories(http_server, 3)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        commands = list(app.get_system_commands(app.screen))
        titles = [command.title for command in commands]
        assert len(titles) == len(set(titles)), titles
        assert titles[0] == "Open"
        assert titles.index("All read") < titles.index("Theme")
        for generic in ("Focus Next", "Focus Previous", "Copy selected text", "Screenshot"):
            assert generic not in titles
        for command in commands:
            assert not command.help.startswith(command.title), command


async def test_the_link_picker_keeps_each_link_on_one_line_with_its_key_line(
    http_server, tmp_path: Path
) -> None:
    from textual.widgets import OptionList

    from reader.ui.screens.links import LinkPicker
    from reader.ui.widgets.page_layout import Link

    long_url = "https://example.org/" + "a-very-long-path-segment/" * 12 + "end"
    links = [Link(n, f"Link number {n} with some words", long_url) for n in range(1, 31)]
    app = make_app(tmp_path, [many_stories(http_server, 3)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        app.push_screen(LinkPicker(links))
        await pilot.pause()
        await pilot.pause()
        option_list = app.screen.query_one(OptionList)
        assert option_list.virtual_size.height == len(links), "one line per link"
        hint = app.screen.query_one("#link-hint")
        box = app.screen.query_one("#link-box")
        assert hint.region.height == 1
        assert option_list.region.bottom <= hint.region.y, "the list stops above the key line"
        assert box.region.contains_region(hint.region)
        assert app.screen.region.contains_region(box.region)


async def test_search_hints_shows_why_a_body_matched_and_drops_a_stale_unread_mark(
    http_server, tmp_path: Path
) -> None:
    from textual.widgets import Static
    from ui_support import static_text

    from reader.ui.screens.search import SearchScreen

    app = make_app(tmp_path, [http_server.url("/feeds/rss2.xml")])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        status = app.screen.query_one("#search-status", Static)
        assert "Type words to search" in static_text(status)
        await pilot.press(*"ninety")
        results = app.screen.query_one(StoryList)
        await wait_until(pilot, lambda: results.stories, "search results")
        await settle(app)
        assert len(results.stories) == 1 and not results.stories[0].is_read
        snippet = app.screen.query_one("#search-snippet", Static).content
        assert "every ninety minutes" in str(snippet)
        assert any(
            str(snippet)[span.start : span.end] == "ninety" and "bold" in str(span.style)
            for span in snippet.spans
        )
        await pilot.press("down", "enter")
        await settle(app)
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, SearchScreen)
        assert app.screen.query_one(StoryList).stories[0].is_read


def footer_keys(app) -> list[str]:
    """The keys the footer shows whole, in order: those scrolled or cut off are left out."""
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    keys = list(footer.query("FooterKey"))
    docked = [key for key in keys if key.styles.dock not in ("", "none")]
    return [
        key.key_display
        for key in keys
        if footer.region.contains_region(key.region)
        and key.region.width
        and not any(key is not d and key.region.overlaps(d.region) for d in docked)
    ]


async def test_the_story_footer_keeps_keys_and_quit_at_80x24(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [many_stories(http_server, 3)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.pause()
        shown = footer_keys(app)
        for key in ("r", "/", "F", "S", "?", "q"):
            assert key in shown, shown


async def test_keys_screen_at_80x24_scrolls_and_says_so(http_server, tmp_path: Path) -> None:
    from textual.containers import VerticalScroll
    from textual.widgets import Static
    from ui_support import static_text

    from reader.ui.screens.help import HelpScreen

    app = make_app(tmp_path, [many_stories(http_server, 3)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "the keys screen")
        await pilot.pause()
        hint = app.screen.query_one("#help-hint", Static)
        assert app.screen.region.contains_region(hint.region) and hint.region.height == 1
        assert "scroll" in static_text(hint)
        keys = app.screen.query_one(VerticalScroll)
        await pilot.press("end")
        await wait_until(pilot, lambda: keys.scroll_y == keys.max_scroll_y > 0, "scrolled")


async def test_all_read_can_be_undone_and_its_notice_leaves_the_status_line_clear(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [many_stories(http_server, 5)])
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        await pilot.press("A")
        await settle(app)
        assert all(story.is_read for story in story_list.stories)
        await wait_until(pilot, lambda: app.screen.query("Toast"), "the notice")
        await pilot.pause()
        status_bar = app.screen.query_one("#status-bar")
        for toast in app.screen.query("Toast"):
            assert "u undoes" in str(toast.render())
            assert not toast.region.overlaps(status_bar.region)
        await pilot.press("u")
        await settle(app)
        assert not any(story.is_read for story in story_list.stories)
        await wait_until(
            pilot,
            lambda: not any("u undoes" in str(t.render()) for t in app.screen.query("Toast")),
            "the offer to undo withdrawn",
        )


async def test_undo_of_all_read_lapses(http_server, tmp_path: Path, monkeypatch) -> None:
    from reader.ui.screens import stories

    monkeypatch.setattr(stories, "UNDO_SECONDS", 0.05)
    app = make_app(tmp_path, [many_stories(http_server, 5)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        screen = app.screen
        assert isinstance(screen, stories.StoriesScreen)
        await pilot.press("A")
        await settle(app)
        await wait_until(pilot, lambda: not screen.undoable and screen._undo_timer is None, "lapse")
        await pilot.press("u")
        await settle(app)
        assert all(story.is_read for story in screen.story_list.stories)


async def test_offline_with_the_built_in_feeds_names_them_and_says_nothing_is_cached(
    tmp_path: Path,
) -> None:
    from textual.widgets import OptionList, Static
    from ui_support import FROZEN_NOW, static_text

    from reader.config import DEFAULT_FEED_NAMES, Settings
    from reader.library import Library
    from reader.ui.app import NewsReaderApp

    # The built-in feeds, which the tests' resolver refuses: offline, as on a train.
    app = NewsReaderApp(Library(Settings(data_dir=tmp_path)), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        status = static_text(app.screen.query_one("#status", Static))
        assert "no feed could be reached" in status
        assert "showing cached stories" not in status
        await pilot.press("F")
        await settle(app)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        names = [label.split("  ")[0] for label in labels[1:]]
        assert names == sorted(DEFAULT_FEED_NAMES.values(), key=str.casefold)
        assert options.virtual_size.height == options.option_count, "one line a feed"
        hint = app.screen.query_one("#feeds-hint")
        assert app.screen.region.contains_region(hint.region) and hint.region.height == 1


async def test_sources_and_feeds_list_the_same_feeds_in_a_feed_run(
    http_server, tmp_path: Path
) -> None:
    from textual.widgets import DataTable, OptionList
    from ui_support import screen_text

    from reader.ui.screens.sources import SourcesScreen

    feeds = [http_server.url("/feeds/rss2.xml"), http_server.url("/feeds/atom.xml")]
    app = make_app(tmp_path, feeds)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("F")
        await settle(app)
        options = app.screen.query_one(OptionList)
        in_pane = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        await pilot.press("escape", "S")
        await settle(app)
        assert isinstance(app.screen, SourcesScreen)
        assert "--feed" in screen_text(app) and "built-in" not in screen_text(app)
        table = app.screen.query_one(DataTable)
        titles = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert sorted(titles) == ["Harbour Gazette", "Orbit Weekly"]
        for title in titles:
            assert any(label.strip().startswith(title) for label in in_pane)
        await pilot.press("d")
        await settle(app)
        assert isinstance(app.screen, SourcesScreen), "the run's feeds are not the user's to remove"


async def test_sources_add_keeps_a_failed_url_says_already_and_marks_subscribed(
    http_server, tmp_path: Path
) -> None:
    from textual.widgets import DataTable, Input, OptionList
    from ui_support import screen_text

    from reader.config import Settings
    from reader.ui.screens.sources import FeedChooser, Prompt, SourcesScreen

    app = make_app(tmp_path, [])
    app.library.settings = Settings(data_dir=tmp_path, refresh_on_start=False)
    missing = http_server.url("/nothing-here.html")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("S")
        await settle(app)
        await pilot.press("a")
        app.screen.query_one(Input).value = missing
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, Prompt), "the dialog stays, with the URL and why"
        assert app.screen.query_one(Input).value == missing
        assert "No feed found there" in screen_text(app)
        app.screen.query_one(Input).value = http_server.url("/feeds/rss2.xml")
        await pilot.press("enter")
        await settle(app)
        sources = app.screen
        assert isinstance(sources, SourcesScreen)
        assert [sub.title for sub in sources.subscriptions] == ["Harbour Gazette"]
        await pilot.press("a")
        app.screen.query_one(Input).value = http_server.url("/feeds/rss2.xml")
        await pilot.press("enter")
        await settle(app)
        assert "already in your feeds" in screen_text(app)
        await pilot.press("a")
        app.screen.query_one(Input).value = http_server.url("/discover/blog.html")
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, FeedChooser)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        marked = [label for label in labels if "already in your feeds" in label]
        assert len(marked) == 1 and "rss2.xml" in marked[0], labels
        await pilot.press("escape")
        await settle(app)
        assert sources.query_one(DataTable).row_count == 1


async def test_a_failed_refresh_is_not_shown_as_updated_now(http_server, tmp_path: Path) -> None:
    from reader.store import Subscription
    from reader.ui.screens.sources import updated_text

    failed = Subscription("u", "t", "", True, 100.0, "cannot connect", 0)
    fine = Subscription("u", "t", "", True, 100.0, None, 0)
    assert updated_text(failed, 130.0) == "failed now"
    assert updated_text(fine, 130.0) == "now"


async def test_two_feeds_with_the_same_stories_each_count_them(http_server, tmp_path: Path) -> None:
    from textual.widgets import OptionList

    links = [http_server.url(f"/shared/{n}") for n in range(3)]
    first = http_server.route("/first.xml", body=rss_linking_to(links, "First Wire"))
    second = http_server.route("/second.xml", body=rss_linking_to(links, "Second Wire"))
    app = make_app(tmp_path, [first])
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
    # The second feed arrives later and carries the very same stories.
    app = make_app(tmp_path, [first, second])
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        assert len(story_list.stories) == 3, "one row a story"
        assert {story.source for story in story_list.stories} == {"First Wire"}
        await pilot.press("F")
        await settle(app)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0].startswith("All feeds  (3 unread)"), "a shared story counts once"
        assert any(label.startswith("First Wire  3/3") for label in labels), labels
        [second_label] = [label for label in labels if label.startswith("Second Wire")]
        assert second_label.startswith("Second Wire  3/3") and "brought them first" in second_label
        options.highlighted = labels.index(second_label)
        await pilot.press("enter")
        await settle(app)
        assert len(app.screen.query_one(StoryList).stories) == 3
        assert app.library.store.carried_stories(second) == 3


async def test_a_feed_run_of_the_feed_that_came_second_lists_its_stories(
    http_server, tmp_path: Path
) -> None:
    from reader.config import Settings

    links = [http_server.url(f"/shared/{n}") for n in range(2)]
    first = http_server.route("/first.xml", body=rss_linking_to(links, "First Wire"))
    second = http_server.route("/second.xml", body=rss_linking_to(links, "Second Wire"))
    app = make_app(tmp_path, [first, second])
    async with app.run_test(size=(100, 30)):
        await settle(app)
    app = make_app(tmp_path, [second])
    app.library.settings = Settings(data_dir=tmp_path, feeds=(second,), refresh_on_start=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        assert len(app.screen.query_one(StoryList).stories) == 2


def test_a_snippet_marks_body_words_and_is_empty_for_a_title_hit(tmp_path: Path) -> None:
    from test_store import entry, feed

    from reader.store import Store

    store = Store(tmp_path / "lib.sqlite3")
    try:
        store.save_feed("https://a.example/feed", feed(entry(1)))
        [story] = store.stories()
        assert store.search_snippet("summary", story.id) == [("Summary", True), (" 1", False)]
        assert store.search_snippet("story", story.id) == [], "only the title matched"
        assert store.search_snippet("", story.id) == []
    finally:
        store.close()
