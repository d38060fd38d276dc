"""How long hostile and oversized inputs take to be parsed, cut or refused.

    python bench/hostile_inputs.py [--runs 3]

The tests assert what comes back for these inputs (a cut at an item boundary, a refusal by a
budget); a test asserts behaviour, never wall-clock time, since the suite must pass on a loaded
machine. The speed claims live here instead: each input is run `--runs` times in this process
and the median is printed beside the budget it was designed for. Nothing fails: read the figures
on an idle machine and compare them with the budgets.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hostile_feeds import oversized_feed

from reader.extract import extract
from reader.feeds import FeedError, parse_feed
from reader.feeds.xmlfeed import MAX_PARSE_BYTES

FEED_BUDGET_SECONDS = 3.0
"""What a hostile or oversized feed was designed to cost at most on a 2-core machine."""
PAGE_BUDGET_SECONDS = 2.0
"""What a pathological page was designed to cost at most on a 2-core machine."""
BASE = "http://127.0.0.1:8765"


def rss(items: str, head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"><channel>'
        f"<title>Bench</title><link>{BASE}/</link>{items}</channel></rss>"
    ).encode()


def item(n: int, description: str = "", title: str = "") -> str:
    return (
        f"<item><guid>id-{n}</guid><link>{BASE}/s/{n}</link><title>{title or f'Story {n}'}"
        f"</title><description>{description}</description></item>"
    )


def page(body: str) -> str:
    return f"<!DOCTYPE html><html><head></head><body>{body}</body></html>"


FEEDS: dict[str, Callable[[], bytes]] = {
    "oversized rss feed": lambda: oversized_feed("rss", BASE),
    "oversized rdf feed": lambda: oversized_feed("rdf", BASE),
    "oversized atom feed": lambda: oversized_feed("atom", BASE),
    "10 MB of small items": lambda: rss("<item><title>t</title></item>" * 290_000),
    "10,000 items": lambda: rss("".join(item(n) for n in range(10_000))),
    "a million empty elements": lambda: rss(item(1, "<x/>" * 1_000_000)),
    "200,000 levels of nesting": lambda: rss(item(1, "<x>" * 200_000 + "</x>" * 200_000)),
    "one item over the byte budget": lambda: rss(item(1, "a" * (MAX_PARSE_BYTES + 1))),
    "50,000 attributes": lambda: rss(item(1, title="<x " + 'a="1" ' * 50_000 + "/>")),
    "900,000 character references": lambda: rss(item(1, "&#65;&#x1F600;&#39;" * 300_000)),
    "quadratic entity blowup": lambda: rss(
        item(1, title="&a;" * 50_000), head=f'<!DOCTYPE rss [<!ENTITY a "{"x" * 50_000}">]>'
    ),
}  # fmt: skip
PAGES: dict[str, Callable[[], str]] = {
    "100,000 nested divs": lambda: "<div>" * 100_000 + "deep" + "</div>" * 100_000,
    "100,000 unclosed <b> then paragraphs": lambda: "<b>" * 100_000 + "<p>x</p>" * 45_000,
    "deep inline nesting": lambda: "<span>" * 100_000 + "x" + "<b><i>" * 50_000,
    "one paragraph of 90,000 inline tags": lambda: page(f"<p>{'<span>word</span> ' * 90_000}</p>"),
    "misnested formatting tags": lambda: page("<b><i>t</b></i><p><em>a<b>b</em>c</b>" * 10_000),
    "a 4 MB inline script": lambda: page("<script>" + "x=1;" * 1_000_000 + "</script><p>text</p>"),
    "150,000 paragraphs": lambda: page("<p>A short paragraph, with a comma.</p>" * 150_000),
    "50,000 sibling links": lambda: page("<div><a href='/x'>link</a></div>" * 50_000),
}  # fmt: skip


def median_seconds(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def parse_or_refuse(data: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(data, BASE + "/feed.xml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    print(f"{'input':44} {'median s':>9} {'budget s':>9}")
    for name, build_feed in FEEDS.items():
        data = build_feed()
        seconds = median_seconds(lambda data=data: parse_or_refuse(data), runs)
        print(f"{'feed: ' + name:44} {seconds:9.3f} {FEED_BUDGET_SECONDS:9.1f}")
    for name, build_page in PAGES.items():
        html = build_page()
        seconds = median_seconds(lambda html=html: extract(html), runs)
        print(f"{'page: ' + name:44} {seconds:9.3f} {PAGE_BUDGET_SECONDS:9.1f}")


if __name__ == "__main__":
    main()
