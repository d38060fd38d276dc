"""The app with a Fever account (a real coldsweat on loopback, through a CountingProxy): its
stories and groups on screen, and `m`, `s` and reading reach the server; offline, the cached
stories show and a change waits for the next sync."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from coldsweat_server import SHARED_ITEMS, ColdsweatAccount, ColdsweatServer
from counting_proxy import CountingProxy
from textual.widgets import OptionList
from ui_support import FROZEN_NOW, article_text, screen_text, settle, wait_for_article
from waiting import wait_until

from reader.accounts.fever import FeverServer
from reader.accounts.service import SyncedAccount
from reader.config import Settings
from reader.library import Library
from reader.net import HttpClient
from reader.ui.app import NewsReaderApp
from reader.ui.screens.feeds import FeedPicker
from reader.ui.widgets.story_list import StoryList

MARS = "Mars sample return: the first tubes are sealed and waiting"


@pytest.fixture
def proxy(coldsweat: ColdsweatServer) -> Iterator[CountingProxy]:
    counting = CountingProxy(coldsweat.fever_url.removesuffix("/fever/"))
    try:
        yield counting
    finally:
        counting.stop()


def account_app(data_dir: Path, proxy: CountingProxy, account: ColdsweatAccount) -> NewsReaderApp:
    """The real app on a library in `data_dir` with `account` and no feed of its own."""

    def opener(client: HttpClient) -> list[SyncedAccount]:
        server = FeverServer(client, proxy.url("/fever/"), account.api_key)
        return [SyncedAccount(f"fever {account.email}", proxy.url("/fever/"), server)]

    settings = Settings(data_dir=data_dir, prefetch=False)
    return NewsReaderApp(Library(settings, accounts=opener), clock=lambda: FROZEN_NOW)


def story_list(app: NewsReaderApp) -> StoryList:
    return app.screen.query_one(StoryList)


async def test_the_account_stories_show_and_m_and_s_reach_the_server(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    app = account_app(tmp_path, proxy, coldsweat_account)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        stories = story_list(app).stories
        assert len(stories) == SHARED_ITEMS
        assert "1/1" not in screen_text(app) and "failed" not in screen_text(app)
        newest = story_list(app).highlighted
        assert newest is not None
        item = coldsweat_account.item_id(newest.title)
        await pilot.press("m", "s")
        await settle(app)
        await app.library.accounts.wait_sent()
        assert item not in coldsweat_account.unread_ids()
        assert coldsweat_account.saved_ids() == {item}
        # Read on the phone: shown read here after the next refresh.
        coldsweat_account.mark(coldsweat_account.item_id(MARS), "read")
        await pilot.press("r")
        await settle(app)
        assert next(s for s in story_list(app).stories if s.title == MARS).is_read
        # The feeds pane: the server's groups are folders.
        await pilot.press("F")
        await settle(app)
        assert isinstance(app.screen, FeedPicker)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0] == f"All feeds  ({SHARED_ITEMS - 2} unread)"
        assert labels.index("Space") + 1 == next(
            i for i, label in enumerate(labels) if label.startswith("  Orbit Weekly")
        )
        assert "Towns" in labels


async def test_reading_marks_read_on_the_server_and_v_shows_the_servers_copy(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    app = account_app(tmp_path, proxy, coldsweat_account)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        stories = story_list(app).stories
        story_list(app).cursor = next(i for i, s in enumerate(stories) if s.title == MARS)
        await pilot.press("enter")
        await wait_for_article(app)
        # The article itself, fetched from its link and cleaned by our cleaner...
        assert "nitrogen-filled cabinet" in article_text(app)
        assert "Three Forks" not in article_text(app)
        await app.library.accounts.wait_sent()
        assert coldsweat_account.item_id(MARS) not in coldsweat_account.unread_ids()
        # ...and the server's copy of the story one key away.
        await pilot.press("v")
        await settle(app)
        assert "Three Forks" in article_text(app)


async def test_offline_the_cached_stories_show_and_a_save_waits_for_the_next_sync(
    tmp_path: Path, proxy: CountingProxy, coldsweat_account: ColdsweatAccount
) -> None:
    app = account_app(tmp_path, proxy, coldsweat_account)
    async with app.run_test(size=(120, 30)):
        await settle(app)
    proxy.refuse()
    app = account_app(tmp_path, proxy, coldsweat_account)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        assert len(story_list(app).stories) == SHARED_ITEMS
        # The account's failure, named once, in one line.
        [status] = [line for line in screen_text(app).splitlines() if "failed" in line]
        assert status.count(proxy.url("/fever/")) == 1 and "Server disconnected" in status
        saved = story_list(app).highlighted
        assert saved is not None
        await pilot.press("s")
        await settle(app)
        await app.library.accounts.wait_sent()
    assert coldsweat_account.saved_ids() == set()
    proxy.forward()
    app = account_app(tmp_path, proxy, coldsweat_account)
    async with app.run_test(size=(120, 30)):
        await settle(app)  # the start-up refresh syncs
        await wait_until(lambda: app.library.store.pending_count() == 0, "the queue to be sent")
    assert coldsweat_account.saved_ids() == {coldsweat_account.item_id(saved.title)}
