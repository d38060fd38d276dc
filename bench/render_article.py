"""How long a cached 10,000-word article takes to appear after Enter, and to scroll.

    python bench/render_article.py [--words 10000] [--runs 5]

Builds a library in a temp dir holding one story whose article (every block kind, repeated to the
word count) is already cached, then runs the real app headless: sends Enter on the story and times
until the reading view draws its first line of the article (the frame the user sees); then times
PageDown until the next frame is drawn. Pilot's own per-key overhead is left out. Prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
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


def long_document(words: int) -> Document:
    """An article of about `words` words holding every block kind."""
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
            blocks.append(Figure(None, "A photograph", "A caption"))
    return Document(url=STORY_URL, title="A very long article", site_name="Bench", blocks=blocks)


def build_library(data_dir: Path, words: int) -> int:
    store = Store(Settings(data_dir=data_dir).database_path)
    entry = FeedEntry(
        "1", "A very long article", STORY_URL, datetime(2025, 1, 1, tzinfo=UTC), "summary", "", ""
    )
    store.save_feed(FEED_URL, ParsedFeed("Bench", None, [entry]))
    document = long_document(words)
    store.save_article(STORY_URL, document)
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


async def time_open(data_dir: Path, pages: int) -> tuple[float, list[float]]:
    """Seconds from Enter to the article's first painted line; seconds per PageDown repaint."""
    settings = Settings(data_dir=data_dir, feeds=(FEED_URL,))
    app = NewsReaderApp(Library(settings))
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
        scrolls = []
        for _ in range(pages):
            clock.first_paint = None
            start = time.perf_counter()
            view.action_page_down()
            while clock.first_paint is None:
                await asyncio.sleep(0.0005)
            scrolls.append(clock.first_paint - start)
    return opened, scrolls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    opens, scrolls = [], []
    with tempfile.TemporaryDirectory() as tmp:
        words = build_library(Path(tmp), args.words)
        for _ in range(args.runs):
            opened, paged = asyncio.run(time_open(Path(tmp), 10))
            opens.append(opened)
            scrolls.extend(paged)
    print(f"article: {words} words; {args.runs} runs at 120x40")
    print(
        f"Enter → first frame of the article: median {statistics.median(opens) * 1000:.0f} ms, "
        f"max {max(opens) * 1000:.0f} ms"
    )
    print(
        f"PageDown → next frame:              median {statistics.median(scrolls) * 1000:.1f} ms, "
        f"max {max(scrolls) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
