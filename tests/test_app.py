"""The whole path a user walks, driven with Pilot against feeds on a loopback server."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ui_support import article_text, list_lines, make_app, screen_text, settle, wait_for_article

from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.story_list import StoryList

FEEDS = ["/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/rss1.xml"]


def feed_urls(http_server, paths=FEEDS) -> list[str]:
    return [http_server.url(path) for path in paths]


async def test_lists_stories_of_every_format_newest_first(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, feed_urls(http_server))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        story_list = app.screen.query_one(StoryList)
        stories = story_list.stories
        sources = {story.source for story in stories}
        assert {"Harbour Gazette", "Orbit Weekly", "Circuit Ledger", "Valley Courier"} <= sources
        times = [story.sort_time for story in stories]
        assert times == sorted(times, reverse=True)
        assert all(story.link and story.link.startswith("http://127.0.0.1") for story in stories)
        assert "Updated" in screen_text(app)
        lines = list_lines(app)
        assert all("●" in line for line in lines), "every story starts unread"


async def test_open_read_next_and_back(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, feed_urls(http_server))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        target = next(i for i, s in enumerate(story_list.stories) if "quiet-harbour" in s.link)
        story_list.cursor = target
        await pilot.press("enter")
        await wait_for_article(app)
        assert isinstance(app.screen, ArticleScreen)
        text = article_text(app)
        assert "Harbour Gazette" in text
        assert "Related" not in text and "Subscribe" not in text
        first = app.screen.story
        await pilot.press("n" if target < len(story_list.stories) - 1 else "p")
        await settle(app)
        assert app.screen.story.id != first.id
        next_story = app.screen.story
        await pilot.press("escape")
        await settle(app)
        assert isinstance(app.screen, StoriesScreen)
        story_list = app.screen.query_one(StoryList)
        assert story_list.highlighted.id == next_story.id
        read = {s.id for s in story_list.stories if s.is_read}
        assert {first.id, next_story.id} <= read
        assert story_list.highlighted.is_cached or "missing" in (next_story.link or "")
        await pilot.press("q")
    assert app.return_code == 0


async def test_cached_article_reads_offline_after_restart(http_server, tmp_path: Path) -> None:
    urls = feed_urls(http_server)
    app = make_app(tmp_path, urls)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        # Prefetch cached every article that exists, before any was opened.
        cached = {s.link for s in story_list.stories if s.is_cached}
        assert cached == {s.link for s in story_list.stories if "missing" not in (s.link or "")}
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "quiet-harbour" in s.link
        )
        await pilot.press("enter")
        await wait_for_article(app)
        online_text = article_text(app)
    http_server.stop()

    app = make_app(tmp_path, urls)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        assert "Offline" in screen_text(app)
        story_list = app.screen.query_one(StoryList)
        assert {s.link for s in story_list.stories if s.is_cached} == cached
        # Every prefetched story opens offline; the one read online reads exactly as it did.
        for link in cached:
            story_list = app.screen.query_one(StoryList)
            story_list.cursor = next(i for i, s in enumerate(story_list.stories) if s.link == link)
            await pilot.press("enter")
            await settle(app)
            text = article_text(app)
            assert "could not be loaded" not in text and len(text.split()) > 100
            if "quiet-harbour" in link:
                assert text == online_text
            await pilot.press("escape")
            await settle(app)
        story_list = app.screen.query_one(StoryList)
        uncached = next(s for s in story_list.stories if not s.is_cached)
        story_list.cursor = story_list.stories.index(uncached)
        await pilot.press("enter")
        await wait_for_article(app)
        text = article_text(app)
        assert "could not be loaded" in text
        assert uncached.summary.split("\n")[0][:40] in text


async def test_failing_feed_shows_its_error_and_others_load(http_server, tmp_path: Path) -> None:
    http_server.route("/feeds/down.xml", status=500, body=b"oops")
    app = make_app(tmp_path, [*feed_urls(http_server), http_server.url("/feeds/down.xml")])
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app)
        await pilot.pause()
        status = screen_text(app)
        assert "1 of 5 feeds failed" in status
        assert "500" in status
        sources = {s.source for s in app.screen.query_one(StoryList).stories}
        assert "Harbour Gazette" in sources and "Orbit Weekly" in sources


async def test_markup_in_titles_shows_literally(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/markup.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        lines = "\n".join(list_lines(app))
        assert "[bold]" in lines or "[/red]" in lines
        assert "\x1b" not in lines and "\x07" not in lines
        await pilot.press("enter")
        await wait_for_article(app)
        assert isinstance(app.screen, ArticleScreen)
        assert "\x1b" not in article_text(app)
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code == 0


async def test_cursor_stays_on_its_story_when_new_stories_arrive(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/rss2.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        await pilot.press("j")
        held = story_list.highlighted
        library = app.screen.library
        library.settings = replace(library.settings, feeds=tuple(feed_urls(http_server)))
        await pilot.press("r")
        await settle(app)
        assert len(story_list.stories) > 3
        assert story_list.highlighted.id == held.id


async def test_an_untouched_cursor_stays_on_the_newest_story_as_feeds_arrive(
    http_server, tmp_path: Path
) -> None:
    # The feeds answer in any order: one with older stories may arrive first. Until the user
    # puts the cursor somewhere, it stays on the newest story, not on whichever came first.
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/rss2.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        assert story_list.cursor == 0
        library = app.screen.library
        library.settings = replace(library.settings, feeds=tuple(feed_urls(http_server)))
        await pilot.press("r")
        await settle(app)
        newest = max(story_list.stories, key=lambda story: story.sort_time)
        assert story_list.cursor == 0 and story_list.highlighted.id == newest.id


async def test_keys_screen_lists_bindings(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/rss2.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict((desc, keys) for keys, desc in app.screen.keys)
        assert "r" in rows["Refresh"] and "q" in rows["Quit"]
        await pilot.press("escape")
        assert isinstance(app.screen, StoriesScreen)


async def test_the_mouse_selects_and_opens_stories(http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, feed_urls(http_server))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        await pilot.click(StoryList, offset=(10, 2))
        assert story_list.cursor == 2
        assert isinstance(app.screen, StoriesScreen)
        await pilot.click(StoryList, offset=(10, 2))
        await settle(app)
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.story.id == story_list.stories[2].id


async def test_a_late_loading_indicator_never_covers_the_article(
    http_server, tmp_path: Path
) -> None:
    """On a busy machine the indicator's timer can call back after the page arrived and
    stopped it: it covered the article for good (the view kept no size and no focus)."""
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/rss2.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("enter")
        screen = await wait_for_article(app)
        screen._show_loading(screen.visit)  # the timer's call, come late
        await settle(app)
        assert not screen.view.loading and screen.view.size.height > 0


async def test_a_missing_article_falls_back_on_the_feed_content(
    http_server, tmp_path: Path
) -> None:
    app = make_app(tmp_path, feed_urls(http_server, ["/feeds/rss2.xml"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        story_list = app.screen.query_one(StoryList)
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "missing-02" in (s.link or "")
        )
        await pilot.press("enter")
        await wait_for_article(app)
        text = article_text(app)
        assert "could not be loaded: HTTP 404" in text
        assert "• Tours run daily at 10:00 and 14:00." in text
        assert "Ellery Point light[1]" in text  # the feed's own link, numbered
