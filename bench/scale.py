"""The library at scale: first frame, cursor, paging, search and memory with 100,000 stories.

    python bench/scale.py [--stories 100000] [--articles 20000]

Builds two libraries once (kept in bench/out/): a small one of 100 stories and a large one of
`--stories` stories across 100 feeds with `--articles` cached articles, then, each in a fresh
process, runs the real app headless at 120x40 and measures:
- start → first frame showing the story list (the frame the user sees);
- a cursor move and a PageDown, each until the next frame is drawn;
- full-text searches through the library service (words of a Zipf-distributed vocabulary, from
  the 30th most common to the 1000th, and pairs of them);
- the process's peak resident memory.
The feeds point at a closed port on 127.0.0.1, so refreshes fail at once, as on a train.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from reader.config import Settings
from reader.document import Document, Heading, Paragraph, Span
from reader.feeds import FeedEntry, ParsedFeed
from reader.store import Store

OUT = Path(__file__).resolve().parent / "out"
FEEDS = 100
VOCABULARY = 8000
"""Distinct words in the generated text, drawn with Zipf's law as in real prose."""
ZIPF_EXPONENT = 1.1
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = [1 / (rank**ZIPF_EXPONENT) for rank in range(1, VOCABULARY + 1)]
    return words, weights


CLOSED_PORT_FEED = "http://127.0.0.1:9/feed-{n}.xml"
SEARCH_RANKS = (30, 60, 120, 250, 500, 1000)
"""Vocabulary ranks searched for: common words to rarer ones (rank 1 is the most common)."""


def _sentence(rng: random.Random, words: int) -> str:
    vocabulary, weights = _WORDS
    return " ".join(rng.choices(vocabulary, weights, k=words)).capitalize() + "."


_WORDS = _vocabulary(random.Random(11))


def searches() -> list[str]:
    """Single words of the SEARCH_RANKS, and pairs of them."""
    words = [_WORDS[0][rank - 1] for rank in SEARCH_RANKS]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def build(path: Path, stories: int, articles: int) -> None:
    """A library of `stories` stories over FEEDS feeds, `articles` of them with cached text."""
    rng = random.Random(7)
    store = Store(path)
    per_feed = stories // FEEDS
    now = time.time()
    for feed in range(FEEDS):
        entries = [
            FeedEntry(
                id=f"{feed}-{n}",
                title=_sentence(rng, 9),
                link=f"https://site{feed}.example/story/{n}",
                published=None,
                summary=_sentence(rng, 30),
                content_html="",
                author="",
            )
            for n in range(per_feed)
        ]
        store.save_feed(
            CLOSED_PORT_FEED.format(n=feed),
            ParsedFeed(f"Feed {feed}", None, entries),
            now=now - rng.random() * 86_400 * 30,
        )
    links = [s.link for s in store.stories()[:articles] if s.link]
    for link in links:
        blocks = [Heading((Span(_sentence(rng, 5)),))] + [
            Paragraph((Span(" ".join(_sentence(rng, 15) for _ in range(5))),)) for _ in range(8)
        ]
        store.save_article(link, Document(url=link, title="A story", blocks=blocks))
    store.close()


def library_path(stories: int, articles: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"library-{stories}-{articles}" / "library.sqlite3"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        build(path, stories, articles)
        print(f"built {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


async def measure(data_dir: Path) -> dict[str, float]:
    """One run of the app on `data_dir`: the figures for one library."""
    started = time.perf_counter()
    from textual.strip import Strip

    from reader.library import Library
    from reader.ui.app import NewsReaderApp
    from reader.ui.widgets.story_list import StoryList

    painted: list[float] = []
    original = StoryList.render_line

    def render_line(widget: StoryList, y: int) -> Strip:
        if widget.stories and not painted:
            painted.append(time.perf_counter())
        return original(widget, y)

    StoryList.render_line = render_line  # type: ignore[method-assign]
    feeds = tuple(CLOSED_PORT_FEED.format(n=n) for n in range(FEEDS))
    library = Library(Settings(data_dir=data_dir, feeds=feeds, prefetch=False))
    app = NewsReaderApp(library)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        while not painted:
            await asyncio.sleep(0.0005)
        figures["first_frame_ms"] = (painted[0] - started) * 1000
        while any(worker.is_running for worker in app.workers):
            await asyncio.sleep(0.01)
        await pilot.pause()
        story_list = app.screen.query_one(StoryList)
        figures["stories_listed"] = len(story_list.stories)
        for name, action in (("cursor_ms", "cursor_down"), ("page_down_ms", "page_down")):
            times = []
            for _ in range(20):
                painted.clear()
                start = time.perf_counter()
                await story_list.run_action(action)
                while not painted:
                    await asyncio.sleep(0.0002)
                times.append((painted[0] - start) * 1000)
            figures[name] = statistics.median(times)
        search_times = []
        for text in searches() * 3:
            start = time.perf_counter()
            await library.search(text)
            search_times.append((time.perf_counter() - start) * 1000)
        figures["search_median_ms"] = statistics.median(search_times)
        figures["search_max_ms"] = max(search_times)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def run_in_fresh_process(data_dir: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure))))
        return
    small = library_path(100, 20).parent
    large = library_path(args.stories, args.articles).parent
    rows = {}
    for label, data_dir in (("100 stories", small), (f"{args.stories:,} stories", large)):
        runs = [run_in_fresh_process(data_dir) for _ in range(args.runs)]
        rows[label] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    keys = list(next(iter(rows.values())))
    print(f"{'':22}" + "".join(f"{label:>22}" for label in rows))
    for key in keys:
        print(f"{key:22}" + "".join(f"{row[key]:>22.1f}" for row in rows.values()))
    first = [row["first_frame_ms"] for row in rows.values()]
    print(f"first frame, large / small: {first[1] / first[0]:.2f}x")


if __name__ == "__main__":
    main()
