"""The look of the list and the reading view, pinned as SVG snapshots at 100x30."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_support import make_app, settle, wait_for_article
from waiting import wait_until

from reader.ui.widgets.story_list import StoryList

FEEDS = ["/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/rss1.xml"]
SIZE = (100, 30)


def test_story_list(snap_compare, http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(p) for p in FEEDS])

    async def loaded(pilot: Pilot) -> None:
        await settle(pilot.app)
        await pilot.press("g")

    assert snap_compare(app, terminal_size=SIZE, run_before=loaded)


def test_article_view(snap_compare, http_server, tmp_path: Path) -> None:
    app = make_app(tmp_path, [http_server.url(p) for p in FEEDS])

    async def open_article(pilot: Pilot) -> None:
        await settle(pilot.app)
        story_list = pilot.app.screen.query_one(StoryList)
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "quiet-harbour" in (s.link or "")
        )
        await pilot.press("enter")
        await wait_for_article(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_article)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
def test_reader_every_block_kind(
    snap_compare, http_server, tmp_path: Path, theme: str, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, [http_server.url("/feeds/reading.xml")])

    async def open_everything(pilot: Pilot) -> None:
        pilot.app.theme = theme
        await settle(pilot.app)
        story_list = pilot.app.screen.query_one(StoryList)
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "everything" in (s.link or "")
        )
        await pilot.press("enter")
        await wait_for_article(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_everything)


def test_story_list_scrolled_at_80x24(snap_compare, http_server, tmp_path: Path) -> None:
    """Issue 12: the age column stays whole when the list scrolls, with no sideways band, and
    the footer keeps `? Keys` and `q Quit`."""
    from loopback import rss_linking_to

    links = [http_server.url(f"/story/{n}") for n in range(61)]
    app = make_app(tmp_path, [http_server.route("/many.xml", body=rss_linking_to(links, "Many"))])

    async def scrolled(pilot: Pilot) -> None:
        await settle(pilot.app)
        await pilot.press("G")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=scrolled)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
@pytest.mark.parametrize("page", ["pictured.html", "broken-pictures.html"])
def test_pictures_in_the_article(
    snap_compare, http_server, tmp_path: Path, page: str, size: tuple[int, int]
) -> None:
    """Issue 14: the lead picture and the figures drawn in half-blocks in the column, captions
    and numbers under them; a broken picture and a decompression bomb say why instead."""
    from test_pictures_view import serve

    app = make_app(tmp_path, [serve(http_server, page)], images="halfcell")

    async def open_pictured(pilot: Pilot) -> None:
        await settle(pilot.app)
        await pilot.press("enter")
        screen = await wait_for_article(pilot.app)
        await wait_until(lambda: not screen.view.pictures_pending, "the pictures in view")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_pictured)


def test_a_picture_full_screen(snap_compare, http_server, tmp_path: Path) -> None:
    """Issue 14: Enter on the lead picture shows it as large as the window allows."""
    from test_pictures_view import serve

    from reader.ui.screens.picture import PictureScreen

    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")

    async def full_screen(pilot: Pilot) -> None:
        await settle(pilot.app)
        await pilot.press("enter")
        await wait_for_article(pilot.app)
        await pilot.press("enter")
        await wait_until(lambda: isinstance(pilot.app.screen, PictureScreen), "the picture")
        screen = pilot.app.screen
        assert isinstance(screen, PictureScreen)
        await wait_until(lambda: screen.picture.cells is not None, "the picture drawn")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=full_screen)
