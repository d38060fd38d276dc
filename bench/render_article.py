"""How long a cached 10,000-word article takes to appear after Enter, and to scroll.

    python bench/render_article.py [--words 10000] [--runs 5] [--pictures [halfcell|kitty|sixel]]

Builds a library in a temp dir holding one story whose article (every block kind, repeated to the
word count) is already cached, then runs the real app headless: sends Enter on the story and times
until the reading view draws its first line of the article (the frame the user sees); then times
PageDown until the next frame is drawn. Pilot's own per-key overhead is left out. Prints figures.

With --pictures, every figure of the article has a picture (1600 × 900, as the picture service
keeps them) already in the library, drawn in half-blocks (or Kitty or Sixel: encoded as in a
terminal, though headless nothing is written): the app draws them as it would offline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from textual import events
from textual.strip import Strip

from reader.config import Settings
from reader.document import (
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Span,
    Table,
)
from reader.feeds import FeedEntry, ParsedFeed
from reader.library import Library
from reader.pictures.model import Picture
from reader.settings import UserConfig
from reader.store import Store
from reader.ui.app import NewsReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.widgets.article_view import ArticleView

FEED_URL = "http://127.0.0.1:9/feed.xml"
STORY_URL = "http://127.0.0.1:9/article.html"
SENTENCE = (
    "The harbour master said the new timetable would give crews more rest between winter "
    "crossings, and that the council had listened to the fishermen's concerns. "
)


PICTURE_SIZE = (1600, 900)
"""The widest a picture is kept (reader.pictures), in the shape of most lead pictures."""


def picture_src(number: int) -> str:
    return f"http://127.0.0.1:9/picture-{number}.jpg"


def long_document(words: int, pictures: bool = False) -> Document:
    """An article of about `words` words holding every block kind; a figure every 4 sections,
    with a picture when `pictures` is set (else only its alt text, as before pictures)."""
    blocks = []
    section = 0
    while Document(blocks=blocks).word_count < words:
        section += 1
        blocks.append(Heading((Span(f"Section {section}"),), level=2))
        for _ in range(6):
            blocks.append(
                Paragraph(
                    (
                        Span(SENTENCE * 2),
                        Span("emphasis", "em"),
                        Span(" and a "),
                        Span("link", "link", "https://example.org/x"),
                        Span(". " + SENTENCE),
                    )
                )
            )
        if section % 4 == 0:
            item = (Paragraph((Span("An item of a list"),)),)
            blocks.append(ListBlock((item, item, item)))
            blocks.append(Quote((Paragraph((Span(SENTENCE),)),)))
            blocks.append(Preformatted("def f(x):\n    return x * 2\n"))
            blocks.append(Table((("a", "b"), ("1", "2")), header=True))
            src = picture_src(section) if pictures else None
            blocks.append(Figure(src, "A photograph", "A caption"))
    return Document(url=STORY_URL, title="A very long article", site_name="Bench", blocks=blocks)


def photograph(number: int) -> bytes:
    """A JPEG of PICTURE_SIZE with detail everywhere (a fractal), as a photograph has."""
    from io import BytesIO

    from PIL import Image

    left = -2.0 + 0.1 * (number % 5)
    image = Image.effect_mandelbrot(PICTURE_SIZE, (left, -1.0, left + 3.0, 1.0), 60)
    buffer = BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def build_library(data_dir: Path, words: int, pictures: bool) -> int:
    store = Store(Settings(data_dir=data_dir).database_path)
    entry = FeedEntry(
        "1", "A very long article", STORY_URL, datetime(2025, 1, 1, tzinfo=UTC), "summary", "", ""
    )
    store.save_feed(FEED_URL, ParsedFeed("Bench", None, [entry]))
    document = long_document(words, pictures)
    store.save_article(STORY_URL, document)
    figures = [block for block in document.blocks if isinstance(block, Figure) and block.src]
    for number, figure in enumerate(figures if pictures else []):
        assert figure.src is not None
        picture = Picture(figure.src, *PICTURE_SIZE, photograph(number))
        store.save_picture(picture, article=STORY_URL)
    store.close()
    return document.word_count


class _PaintClock:
    """Notes when the reading view first draws a line of a page: the moment the user sees it."""

    def __init__(self) -> None:
        self.first_paint: float | None = None
        original = ArticleView.render_line

        def render_line(view: ArticleView, y: int) -> Strip:
            if view.page is not None and self.first_paint is None:
                self.first_paint = time.perf_counter()
            return original(view, y)

        ArticleView.render_line = render_line  # type: ignore[method-assign]


async def time_open(
    data_dir: Path, pages: int, pictures: str
) -> tuple[float, list[float], list[float]]:
    """Seconds from Enter to the article's first painted line; seconds per PageDown repaint;
    and, with pictures, seconds from each PageDown that brought a picture into view until it
    is drawn."""
    settings = Settings(data_dir=data_dir, feeds=(FEED_URL,))
    config = UserConfig(images=pictures or "off")
    app = NewsReaderApp(Library(settings), config=config)
    clock = _PaintClock()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = time.perf_counter()
        app.post_message(events.Key("enter", "\r"))
        while clock.first_paint is None:
            await asyncio.sleep(0.001)
        opened = clock.first_paint - start
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        view = app.screen.view
        while view.pictures_pending:
            await asyncio.sleep(0.001)
        scrolls, drawn = [], []
        for _ in range(pages):
            clock.first_paint = None
            start = time.perf_counter()
            view.action_page_down()
            while clock.first_paint is None:
                await asyncio.sleep(0.0005)
            scrolls.append(clock.first_paint - start)
            if view.pictures_pending:
                while view.pictures_pending:
                    await asyncio.sleep(0.0005)
                drawn.append(time.perf_counter() - start)
    return opened, scrolls, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--pictures",
        nargs="?",
        const="halfcell",
        default="",
        choices=["halfcell", "kitty", "sixel"],
        help="a picture in every figure, drawn this way (default halfcell)",
    )
    args = parser.parse_args()
    # Headless, the app draws pictures only if it believes the terminal has colour (Rich reads
    # COLORTERM): say so, as the tests do.
    os.environ["COLORTERM"] = "truecolor"
    opens, scrolls, drawn = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        words = build_library(Path(tmp), args.words, bool(args.pictures))
        for _ in range(args.runs):
            opened, paged, pictured = asyncio.run(time_open(Path(tmp), 10, args.pictures))
            opens.append(opened)
            scrolls.extend(paged)
            drawn.extend(pictured)
    kind = f"a picture in each figure ({args.pictures})" if args.pictures else "no pictures"
    print(f"article: {words} words, {kind}; {args.runs} runs at 120x40")
    print(
        f"Enter → first frame of the article: median {statistics.median(opens) * 1000:.0f} ms, "
        f"max {max(opens) * 1000:.0f} ms"
    )
    print(
        f"PageDown → next frame:              median {statistics.median(scrolls) * 1000:.1f} ms, "
        f"max {max(scrolls) * 1000:.1f} ms"
    )
    if drawn:
        print(
            f"PageDown → pictures in view drawn:  median {statistics.median(drawn) * 1000:.1f} ms,"
            f" max {max(drawn) * 1000:.1f} ms ({len(drawn)} PageDowns brought one into view)"
        )


if __name__ == "__main__":
    sys.exit(main())
