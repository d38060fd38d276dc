"""Pictures in the reading view (issue 14), driven with Pilot on the real app: a library in a
temp dir, pictures served by the loopback server from tests/fixtures/pictures/, drawn with
half-blocks (the deterministic renderer)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from loopback import LoopbackServer, StallingServer, rss_linking_to
from PIL import Image
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from ui_support import make_app, settle, wait_for_article
from waiting import wait_until

from reader.config import Settings
from reader.document import Figure, Paragraph, Span
from reader.extract import extract
from reader.pictures.model import Picture, PictureOutcome
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.links import LinkPicker
from reader.ui.screens.picture import PictureScreen
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.page_layout import Page

SITE = Path(__file__).parent / "fixtures" / "site"


def serve(server: LoopbackServer, page: str, text: str | None = None) -> str:
    """A feed of one story whose article is `page` of the fixture site (or `text`)."""
    body = text if text is not None else (SITE / page).read_text(encoding="utf-8")
    path = f"/pictured/{page}"
    server.route(path, body=body, headers={"Content-Type": "text/html"})
    return server.route(f"/pictured/{page}.xml", body=rss_linking_to([server.url(path)]))


async def open_story(pilot: Pilot, *, wait: bool = True) -> ArticleView:
    """Open the one story of the list; with `wait`, until every worker is done."""
    app = pilot.app
    assert isinstance(app, NewsReaderApp)
    await settle(app)
    await pilot.press("enter")
    if wait:
        screen = await wait_for_article(app)
    else:
        await wait_until(
            lambda: isinstance(app.screen, ArticleScreen) and app.screen.view.page is not None,
            "the article",
        )
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
    return screen.view


def drawn(view: ArticleView) -> list[str]:
    """The rows of the view as they are drawn now, without our escape sequences."""
    return [
        "".join(segment.text for segment in view.render_line(y) if not segment.control).strip()
        for y in range(view.scrollable_content_region.height)
    ]


def picture_lines(view: ArticleView, src: str) -> list[int]:
    return [
        index
        for index, line in enumerate(view._layout.lines)
        if line.picture is not None and line.picture.src == src
    ]


async def test_the_lead_picture_draws_in_place_at_its_shape(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")
    lead = http_server.url("/pictures/photo.jpg")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_story(pilot)
        await wait_until(lambda: lead in view.drawn_pictures, "the lead picture drawn")
        # 400 × 300 within 60% of the view's rows: 12 rows of half-blocks, 32 columns.
        rows = picture_lines(view, lead)
        assert len(rows) == int(view.size.height * 0.6)
        picture = view._layout.lines[rows[0]].picture
        assert picture is not None and picture.columns == round(len(rows) * 2 * 400 / 300)
        await pilot.pause()
        shown = drawn(view)
        assert sum("▀" * picture.columns in row for row in shown) >= len(rows) - 1
        assert any("The first lanterns leave the slipway at dusk. [1]" in row for row in shown)
        assert "Every autumn the village of Polwithen" in view.text()


async def test_a_broken_picture_and_a_bomb_say_why_in_their_placeholder(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve(http_server, "broken-pictures.html")], images="halfcell")
    async with app.run_test(size=(100, 60)) as pilot:
        view = await open_story(pilot)
        truncated = http_server.url("/pictures/truncated.jpg")
        bomb = http_server.url("/pictures/bomb.png")
        await wait_until(lambda: {truncated, bomb} <= set(view.outcomes), "both answered")
        await pilot.pause()
        shown = "\n".join(drawn(view))
        assert "▣ A decompression bomb · too large (50000×50000)" in shown
        assert f"▣ A picture cut short · {view.outcomes[truncated].error}" in shown
        assert view.outcomes[truncated].picture is None
        # The placeholders keep the shape the page declared: 400 × 300, 600 × 300.
        assert len(picture_lines(view, truncated)) == round(72 * 300 / 400 / 2)
        assert len(picture_lines(view, bomb)) == round(72 * 300 / 600 / 2)
        assert "▀" not in shown


async def test_the_text_never_waits_for_a_hung_picture(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    hung = StallingServer()
    try:
        page = (SITE / "pictured.html").read_text(encoding="utf-8")
        page = page.replace("{{BASE}}/pictures/photo.jpg", hung.url("/photo.jpg"))
        app = make_app(tmp_path, [serve(http_server, "hung.html", page)], images="halfcell")
        async with app.run_test(size=(100, 60)) as pilot:
            view = await open_story(pilot, wait=False)
            assert "Every autumn the village of Polwithen" in view.text()
            wide = http_server.url("/pictures/wide.png")
            await wait_until(lambda: wide in view.drawn_pictures, "the second picture drawn")
            await pilot.pause()
            shown = "\n".join(drawn(view))
            assert "▣ Lanterns on the water at dusk · loading…" in shown
            assert hung.url("/photo.jpg") not in view.outcomes
    finally:
        hung.stop()


async def test_i_hides_and_shows_the_pictures_of_this_article(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")
    lead = http_server.url("/pictures/photo.jpg")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_story(pilot)
        await wait_until(lambda: lead in view.drawn_pictures, "the lead picture drawn")
        await pilot.press("i")
        assert not picture_lines(view, lead)
        assert "▣ Lanterns on the water at dusk [1]" in view.text()
        await pilot.press("i")
        assert picture_lines(view, lead)
        await wait_until(lambda: "▀" in "".join(drawn(view)), "the picture drawn again")


async def test_enter_shows_the_picture_full_screen_and_o_opens_it_in_the_browser(
    http_server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str | None] = []
    monkeypatch.setattr(
        "reader.ui.screens.article.open_in_browser", lambda url: opened.append(url) or True
    )
    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")
    lead = http_server.url("/pictures/photo.jpg")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_story(pilot)
        await pilot.press("enter")
        await wait_until(lambda: isinstance(app.screen, PictureScreen), "the picture screen")
        screen = app.screen
        assert isinstance(screen, PictureScreen) and screen.src == lead
        await wait_until(lambda: screen.picture.cells is not None, "the picture drawn")
        cells = screen.picture.cells
        columns, rows = sum(len(segment.text) for segment in cells.rows[0]), len(cells.rows)
        assert rows == screen.picture.size.height  # as tall as the screen allows
        assert columns == round(rows * 2 * 400 / 300)
        await pilot.press("o")
        await wait_until(lambda: opened == [lead], "the browser asked to open the picture")
        assert app.screen is view.screen


async def test_the_link_picker_lists_the_pictures_and_shows_one(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_story(pilot)
        assert [(link.number, link.text, link.picture) for link in view.links] == [
            (1, "Picture: Lanterns on the water at dusk", True),
            (2, "Picture: The quay from the water", True),
            (3, "Picture: The harbour crest", True),
        ]
        await pilot.press("l")
        await wait_until(lambda: isinstance(app.screen, LinkPicker), "the link picker")
        await pilot.press("down", "down", "enter")
        await wait_until(lambda: isinstance(app.screen, PictureScreen), "the picture screen")
        assert isinstance(app.screen, PictureScreen)
        assert app.screen.src == http_server.url("/pictures/alpha.png")


async def test_offline_after_prefetch_the_pictures_draw_from_the_library(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    feed = serve(http_server, "pictured.html")
    article = http_server.url("/pictured/pictured.html")
    kept = [http_server.url(f"/pictures/{name}") for name in ("photo.jpg", "alpha.png")]
    app = make_app(tmp_path, [feed], images="halfcell")
    async with app.run_test(size=(80, 24)):
        await settle(app)  # the refresh prefetches the article and its pictures
        assert all(app.library.store.has_picture(src, article) for src in kept)
    # The cached article gains a picture that was never downloaded; then the network goes.
    never = http_server.url("/pictures/photo.webp")
    page = (
        (SITE / "pictured.html").read_text(encoding="utf-8").replace("{{BASE}}", http_server.base)
    )
    page = page.replace("</article>", f"<figure><img src='{never}' alt='Later'></figure></article>")
    store = Store(Settings(data_dir=tmp_path).database_path)
    store.save_article(article, extract(page, article))
    store.close()
    http_server.stop()
    app = make_app(tmp_path, [feed], images="halfcell")
    async with app.run_test(size=(80, 120)) as pilot:
        view = await open_story(pilot)
        await wait_until(lambda: set(kept) <= view.drawn_pictures, "the kept pictures drawn")
        await wait_until(lambda: never in view.outcomes, "the picture never downloaded")
        assert (view.outcomes[never].error or "").startswith("not downloaded: ")
        await pilot.pause()
        assert any(row.startswith("▣ Later · not downloaded: ") for row in drawn(view))


class ReadingColumn(App[None]):
    """The reading view alone, drawing pictures in half-blocks."""

    def compose(self) -> ComposeResult:
        yield ArticleView(pictures="halfcell")


def png(width: int, height: int) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_picture_arriving_above_the_view_keeps_the_line_being_read() -> None:
    src = "https://pictures.example/lead.png"
    paragraphs = [Paragraph((Span(f"Paragraph {n} of the story."),)) for n in range(80)]
    page = Page("A story", blocks=[Figure(src, "The lead picture"), *paragraphs])
    app = ReadingColumn()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        view.show_page(page)
        await pilot.pause()
        placeholder = len(picture_lines(view, src))
        view.scroll_to(y=placeholder + 30, animate=False, immediate=True)
        await pilot.pause()
        reading = drawn(view)[0]
        assert reading.startswith("Paragraph ")
        # A panorama: far shorter than the 16:9 placeholder it replaces.
        view.set_picture(src, PictureOutcome(Picture(src, 1600, 200, png(1600, 200))))
        await pilot.pause()
        assert len(picture_lines(view, src)) < placeholder
        assert drawn(view)[0] == reading


async def test_a_click_on_a_picture_shows_it_full_screen(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    app = make_app(tmp_path, [serve(http_server, "pictured.html")], images="halfcell")
    lead = http_server.url("/pictures/photo.jpg")
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_story(pilot)
        first = picture_lines(view, lead)[0]
        await pilot.click(ArticleView, offset=(40, first + 2 - round(view.scroll_y)))
        await wait_until(lambda: isinstance(app.screen, PictureScreen), "the picture screen")
        assert isinstance(app.screen, PictureScreen) and app.screen.src == lead
