"""The reading view: links, views, width, position memory and moving on, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from ui_support import article_text, make_app, settle, static_text, wait_for_article
from waiting import wait_until

from reader.document import text_blocks
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.links import LinkPicker
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.article_view import ArticleView, Page
from reader.ui.widgets.story_list import StoryList

READING_FEED = "/feeds/reading.xml"


async def open_story(app: NewsReaderApp, pilot: Pilot, link_part: str) -> ArticleScreen:
    """Open the listed story whose link contains `link_part`, and wait for its article."""
    await settle(app)
    if isinstance(app.screen, ArticleScreen):
        await pilot.press("escape")
        await settle(app)
    story_list = app.screen.query_one(StoryList)
    story_list.cursor = next(
        i for i, s in enumerate(story_list.stories) if link_part in (s.link or "")
    )
    await pilot.press("enter")
    return await wait_for_article(app)


def status(screen: ArticleScreen) -> str:
    return static_text(screen.query_one("#reader-label", Static))


async def test_links_are_numbered_and_followed_in_the_reader(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        text = article_text(app)
        assert "first cleanup weekend[1]" in text
        assert "water recycling at the new chip plant[2]" in text
        assert [link.number for link in screen.view.links] == [1, 2]
        await pilot.press("l")
        assert isinstance(app.screen, LinkPicker)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 2
        await pilot.press("enter")
        await settle(app)
        assert app.screen is screen
        assert "Volunteers pull two tonnes of rubbish" in article_text(app)
        assert "followed link" in status(screen)
        assert screen.view.links == [] or all(link.url for link in screen.view.links)
        await pilot.press("escape")
        await settle(app)
        assert app.screen is screen
        assert "first cleanup weekend[1]" in article_text(app)
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, StoriesScreen)
        assert "linked.html" in (app.screen.query_one(StoryList).highlighted.link or "")


async def test_link_picker_copies_a_link(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_story(app, pilot, "linked.html")
        await pilot.press("l", "down", "c")
        assert app.clipboard == http_server.url("/site/chip-fab.html")
        assert isinstance(app.screen, ArticleScreen)


async def test_v_cycles_article_summary_and_full_page(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        assert status(screen).startswith("Article")
        assert "Related stories" not in article_text(app)
        await pilot.press("v")
        assert status(screen).startswith("Feed summary")
        assert "A follow-up that links to the stories it builds on." in article_text(app)
        await pilot.press("v")
        assert status(screen).startswith("Full page text")
        assert "Related stories" in article_text(app)
        await pilot.press("v")
        assert status(screen).startswith("Article")
        assert "Related stories" not in article_text(app)


async def test_reading_position_survives_a_restart(http_server, tmp_path: Path) -> None:
    feeds = [http_server.url(READING_FEED)]
    app = make_app(tmp_path, feeds)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_story(app, pilot, "everything.html")
        assert screen.view.max_scroll_y > 10
        await pilot.press("pagedown", "j", "j")
        left_at, fraction = screen.view.scroll_y, screen.view.fraction
        assert left_at > 0
        # Saved once the reader has been still for POSITION_SAVE_DELAY: wait for the write.
        url = screen.visit.url
        assert url

        def saved() -> bool:
            article = app.library.store.article(url)
            return article is not None and article.position == pytest.approx(fraction)

        await wait_until(saved, "the reading position in the store")

    app = make_app(tmp_path, feeds)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_story(app, pilot, "everything.html")
        await wait_until(
            lambda: screen.view.scroll_y == pytest.approx(left_at, abs=1),
            f"the article scrolled back to {left_at}",
        )


async def test_width_keys_reflow_and_carry_to_the_next_story(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        wide = max(len(line) for line in article_text(app).splitlines())
        await pilot.press("minus", "minus", "minus")
        await pilot.pause()
        assert screen.view.measure == 60
        narrow = max(len(line) for line in article_text(app).splitlines())
        assert narrow <= 60 < wide
        await pilot.press("n" if screen.index == 0 else "p")
        await settle(app)
        assert screen.view.measure == 60
        await pilot.press("plus")
        assert screen.view.measure == 64 == app.reading_width


async def test_space_at_the_end_goes_to_the_next_story(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        first = screen.story.id
        await pilot.press("G")
        await pilot.pause()
        assert screen.view.at_end
        await pilot.press("space")
        await settle(app)
        assert screen.story.id != first


async def test_zen_hides_everything_but_the_text(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(READING_FEED)])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        status_bar = screen.query_one("#reader-status")
        assert status_bar.display
        await pilot.press("z")
        await pilot.pause()
        assert not status_bar.display
        await pilot.press("z")
        await pilot.pause()
        assert status_bar.display


async def test_theme_and_width_are_saved_to_the_settings_file(http_server, tmp_path: Path) -> None:
    from ui_support import FROZEN_NOW

    from reader.config import Settings
    from reader.library import Library
    from reader.settings import load_config

    config_file = tmp_path / "config.toml"
    settings = Settings(data_dir=tmp_path, feeds=(http_server.url(READING_FEED),))
    app = NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW, config_file=config_file)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_story(app, pilot, "linked.html")
        app.theme = "nord"
        await pilot.press("minus")
        await settle(app)
        await app.workers.wait_for_complete()
    config, problems = load_config(config_file)
    assert problems == []
    assert (config.theme, config.reading_width) == ("nord", 68)

    app = NewsReaderApp(Library(settings), clock=lambda: FROZEN_NOW, config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_story(app, pilot, "linked.html")
        assert app.theme == "nord" and screen.view.measure == 68


class _ViewApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView(id="article")


async def test_a_saved_position_is_restored_before_the_scrollbar_is_laid_out() -> None:
    """On a loaded machine the scroll to a saved position can run before the layout pass that
    shows the scrollbar; Textual ignores an ordinary scroll then, and the position was lost
    (test_reading_position_survives_a_restart failed that way under load)."""
    app = _ViewApp()
    async with app.run_test(size=(80, 24)):
        view = app.query_one(ArticleView)
        text = "\n\n".join(f"Paragraph {n} of a long article, one line." for n in range(80))
        view.show_page(Page("A long article", blocks=text_blocks(text)), 0.5)
        assert not view.show_vertical_scrollbar, "no layout pass yet: the case under test"
        view._scroll_to_fraction()
        assert view.scroll_y == round(0.5 * view.max_scroll_y) > 0
