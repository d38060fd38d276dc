"""`newsreader sync`: refresh every feed and cache new articles, without the UI (cron-friendly).

A progress bar when stderr is a terminal, nothing but the summary line when piped. The exit status
is non-zero only when every source failed or the library could not store (disk full, busy,
read-only), so one dead feed does not page anyone at 3 a.m.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from typing import TextIO

from reader.config import Settings
from reader.library import FeedOutcome, Library, PrefetchReport
from reader.sanitize import clean_line
from reader.store import StoreError

BAR_WIDTH = 24
"""Cells of the progress bar drawn on a terminal."""


@dataclass(slots=True)
class SyncReport:
    """What a sync did: feeds fetched and failed, stories new, articles cached and failed."""

    feeds: int = 0
    failed_feeds: int = 0
    new_stories: int = 0
    articles_cached: int = 0
    articles_failed: int = 0
    store_error: str | None = None
    """Why the library stopped storing (disk full, busy, read-only); what it stored is kept."""

    @property
    def all_failed(self) -> bool:
        """Whether every source failed."""
        return self.feeds > 0 and self.failed_feeds == self.feeds

    @property
    def failed(self) -> bool:
        """Whether the run must exit non-zero: every source failed, or the library did."""
        return self.all_failed or self.store_error is not None

    def summary(self) -> str:
        """One line for the end of a run."""
        return (
            f"{self.feeds - self.failed_feeds}/{self.feeds} feeds updated, "
            f"{self.new_stories} new stories, {self.articles_cached} articles cached"
            + (f", {self.articles_failed} failed" if self.articles_failed else "")
        )


class _Progress:
    """A one-line bar redrawn in place on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()

    def show(self, label: str, done: int, total: int) -> None:
        if not self.live:
            return
        filled = BAR_WIDTH * done // total if total else 0
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        self.stream.write(f"\r{label:<18} {bar} {done}/{total}\x1b[K")
        self.stream.flush()

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


async def sync(library: Library, progress: _Progress) -> SyncReport:
    """Refresh every feed, then prefetch the articles of new stories."""
    report = SyncReport()
    errors: list[str] = []

    def on_feed(outcome: FeedOutcome, done: int, total: int) -> None:
        report.feeds = total
        report.new_stories += outcome.new_stories
        if outcome.error:
            report.failed_feeds += 1
            errors.append(f"{clean_line(outcome.title, 80)}: {outcome.error}")
        if outcome.store_error:
            report.failed_feeds += 1
            report.store_error = outcome.store_error
        progress.show("Refreshing feeds", done, total)

    def on_article(prefetch: PrefetchReport) -> None:
        progress.show("Caching articles", prefetch.done, prefetch.total)

    try:
        outcomes = await library.refresh(on_feed)
        report.feeds = len(outcomes)
        if library.settings.prefetch and not report.failed:
            prefetched = await library.prefetch(on_article)
            report.articles_cached, report.articles_failed = prefetched.cached, prefetched.failed
            report.store_error = prefetched.store_error
    except StoreError as error:  # A read-only library, or a read that failed: say so, sum up.
        report.store_error = str(error)
    progress.clear()
    for line in errors:
        print(f"newsreader: {line}", file=progress.stream)
    if report.store_error:
        print(f"newsreader: {clean_line(report.store_error, 300)}", file=progress.stream)
    return report


def run_sync(settings: Settings, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a sync to completion; the exit status for the command line."""
    out = out or sys.stdout
    progress = _Progress(err or sys.stderr)

    async def main() -> SyncReport:
        library = Library(settings)
        try:
            return await sync(library, progress)
        finally:
            await library.aclose()

    report = asyncio.run(main())
    print(report.summary(), file=out)
    return 1 if report.failed else 0
