"""The library in the app: filters, search, state keys, the feeds pane, Sources, settings."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList
from ui_support import FROZEN_NOW, article_text, make_app, screen_text, settle, wait_for_article
from waiting import wait_until

from reader.config import Settings
from reader.library import Library
from reader.settings import UserConfig
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.feeds import FeedPicker
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.search import SearchScreen
from reader.ui.screens.sources import FeedChooser, Prompt, SourcesScreen
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.story_list import StoryList

FEEDS = ["/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/rss1.xml"]


def story_list(app: NewsReaderApp) -> StoryList:
    return app.screen.query_one(StoryList)


async def test_read_saved_and_filters(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(p) for p in FEEDS])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        first = story_list(app).highlighted
        await pilot.press("m")
        await settle(app)
        assert story_list(app).highlighted.is_read
        await pilot.press("j", "s")
        await settle(app)
        saved = story_list(app).highlighted
        assert saved.is_saved
        await pilot.press("f")  # unread only
        await settle(app)
        assert "showing unread" in screen_text(app)
        assert first.id not in {s.id for s in story_list(app).stories}
        await pilot.press("f")  # saved only
        await settle(app)
        assert [s.id for s in story_list(app).stories] == [saved.id]
        await pilot.press("f", "A")  # all again, then everything read
        await settle(app)
        assert all(s.is_read for s in story_list(app).stories)
        assert len(story_list(app).stories) == 12


async def test_search_as_you_type_and_open(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(p) for p in FEEDS])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"hydrophon")
        # Each search runs after a pause in typing, in a worker: wait for the one that finds it.
        results = app.screen.query_one(StoryList)
        expected = [http_server.url("/site/quiet-harbour.html")]
        await wait_until(
            lambda: [s.link for s in results.stories] == expected and "1 found" in screen_text(app),
            "the search result",
        )
        await settle(app)
        await pilot.press("enter")
        await wait_for_article(app)
        assert isinstance(app.screen, ArticleScreen)
        assert "hydrophone" in article_text(app)
        await pilot.press("escape", "escape")
        await settle(app)
        assert isinstance(app.screen, StoriesScreen)


async def test_feeds_pane_narrows_to_one_feed(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(p) for p in FEEDS])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("F")
        await settle(app)
        assert isinstance(app.screen, FeedPicker)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0].startswith("All feeds  (12 unread)")
        orbit = next(i for i, label in enumerate(labels) if label.startswith("Orbit Weekly"))
        options.highlighted = orbit
        await pilot.press("enter")
        await settle(app)
        assert {s.source for s in story_list(app).stories} == {"Orbit Weekly"}


async def test_offline_start_leaves_no_spinner(http_server, tmp_path: Path) -> None:
    urls = [http_server.url(p) for p in FEEDS]
    app = make_app(tmp_path, urls)
    async with app.run_test(size=(100, 30)):
        await settle(app)
    http_server.stop()
    app = make_app(tmp_path, urls)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        assert "Offline" in screen_text(app)
        assert not app.screen.query_one("#refresh-progress").display
        assert len(story_list(app).stories) == 12


async def test_sources_screen_adds_from_a_page_renames_and_disables(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [])
    # The user's own feeds; no refresh at start, which would try the built-in (real) feeds.
    app.library.settings = Settings(data_dir=tmp_path, refresh_on_start=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("S")
        await settle(app)
        assert isinstance(app.screen, SourcesScreen)
        assert "built-in feeds" in screen_text(app)
        await pilot.press("a")
        assert isinstance(app.screen, Prompt)
        app.screen.query_one(Input).value = http_server.url("/discover/blog.html")
        await pilot.press("enter")
        await settle(app)
        assert isinstance(app.screen, FeedChooser)  # the page offers several feeds
        await pilot.press("enter")
        await settle(app)
        sources = app.screen
        assert isinstance(sources, SourcesScreen)
        assert [s.title for s in sources.subscriptions] == ["Harbour Gazette"]
        await pilot.press("e")
        app.screen.query_one(Input).value = "The Gazette"
        await pilot.press("enter")
        await settle(app)
        await pilot.press("space")
        await settle(app)
        [sub] = sources.subscriptions
        assert (sub.title, sub.enabled) == ("The Gazette", False)
        assert sources.query_one(DataTable).row_count == 1
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, StoriesScreen)


async def test_a_remapped_key_works_and_is_listed(http_server, tmp_path: Path) -> None:
    config = UserConfig(keys={"refresh": "ctrl+r", "nonsense": "x"})
    settings = Settings(data_dir=tmp_path, feeds=(http_server.url("/feeds/rss2.xml"),))
    app = NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW, config=config)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(app)
        # Checked first: the settings notification goes after 12 s, which the refreshes below
        # can outlast on a loaded machine.
        assert any("nonsense" in n.message for n in app._notifications)
        hits = http_server.hits["/feeds/rss2.xml"]
        await pilot.press("r")
        await settle(app)
        assert http_server.hits["/feeds/rss2.xml"] == hits
        await pilot.press("ctrl+r")
        await settle(app)
        assert http_server.hits["/feeds/rss2.xml"] == hits + 1
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = {description: keys for keys, description in app.screen.keys}
        assert rows["Refresh"] == "^r"


def test_every_remappable_action_is_documented() -> None:
    from reader.ui.app import binding_ids

    documented = (Path(__file__).parents[1] / "docs" / "config.md").read_text()
    assert [name for name in sorted(binding_ids()) if f"| `{name}` |" not in documented] == []


async def test_feeds_pane_groups_feeds_by_folder(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [])
    library = app.library
    library.settings = Settings(data_dir=tmp_path)
    library.store.subscribe(http_server.url("/feeds/rss2.xml"), folder="Local")
    library.store.subscribe(http_server.url("/feeds/atom.xml"), folder="Science/Space")
    library.store.subscribe(http_server.url("/feeds/rss1.xml"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("F")
        await settle(app)
        options = app.screen.query_one(OptionList)
        labels = [
            (str(options.get_option_at_index(i).prompt), options.get_option_at_index(i).disabled)
            for i in range(options.option_count)
        ]
        assert labels == [
            ("All feeds  (9 unread)", False),
            ("Valley Courier  3/3", False),
            ("Local", True),
            ("  Harbour Gazette  3/3", False),
            ("Science/Space", True),
            ("  Orbit Weekly  3/3", False),
        ]


async def test_every_action_of_the_screen_is_in_the_command_palette(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [http_server.url("/feeds/rss2.xml")])
    async with app.run_test(size=(100, 30)):
        await settle(app)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert {"Refresh", "Search", "Filter", "Feeds", "Sources", "Save", "All read"} <= set(
            commands
        )
        hits = http_server.hits["/feeds/rss2.xml"]
        await commands["Refresh"].callback()
        await settle(app)
        assert http_server.hits["/feeds/rss2.xml"] == hits + 1


async def test_a_first_start_offline_says_why_the_list_is_empty(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["http://127.0.0.1:9/unreachable.xml"])
    async with app.run_test(size=(100, 30)):
        await settle(app)
        assert "no feed could be reached" in story_list(app).render_line(1).text
