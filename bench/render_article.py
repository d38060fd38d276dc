"""How long a cached 10,000-word article takes to appear after Enter, and to scroll.

    python bench/render_article.py [--words 10000] [--runs 5]

Builds a library in a temp dir holding one story whose article (every block kind, repeated to the
word count) is already cached, then drives the real app with Pilot: presses Enter on the story and
times until the article is laid out and painted; then times PageDown presses. Prints the figures.
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

FEED_URL = "http://127.0.0.1:9/feed.xml"
STORY_URL = "http://127.0.0.1:9/article.html"
SENTENCE = (
    "The harbour master said the new timetable would give crews more rest between winter "
    "crossings, and that the council had listened to the fishermen's concerns. "
)


def long_document(words: int) -> Document:
    """An article of about `words` words holding every block kind."""
    blocks = []
    paragraph_words = len(SENTENCE.split()) * 3
    section = 0
    while sum(len(b.spans[0].text.split()) for b in blocks if isinstance(b, Paragraph)) < words:
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
    del paragraph_words
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


async def time_open(data_dir: Path, pages: int) -> tuple[float, list[float]]:
    settings = Settings(data_dir=data_dir, feeds=(FEED_URL,))
    app = NewsReaderApp(Library(settings))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        for worker in list(app.workers):
            worker.cancel()
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("enter")
        while not (isinstance(app.screen, ArticleScreen) and app.screen.view.page is not None):
            await asyncio.sleep(0.001)
        await app.workers.wait_for_complete()
        await pilot.pause()
        opened = time.perf_counter() - start
        scrolls = []
        for _ in range(pages):
            start = time.perf_counter()
            await pilot.press("pagedown")
            await pilot.pause()
            scrolls.append(time.perf_counter() - start)
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
        f"Enter → article painted: median {statistics.median(opens) * 1000:.0f} ms, "
        f"max {max(opens) * 1000:.0f} ms"
    )
    print(
        f"PageDown → repainted:   median {statistics.median(scrolls) * 1000:.1f} ms, "
        f"max {max(scrolls) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
