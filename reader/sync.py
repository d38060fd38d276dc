"""`newsreader sync`: refresh every feed and cache new articles, without the UI (cron-friendly).

A progress bar when stderr is a terminal, nothing but the summary line when piped. The exit status
is 0 when every feed was updated and 1 when any feed failed, was skipped or was left by the time
limit, or the library could not store (disk full, busy, read-only); the summary line names the
feeds that failed, so a cron mail says which. Articles that could not be cached do not count:
they are retried by the next run.
The whole run has a deadline, and a host that times out once is not asked again in the run, so
one server that never answers cannot hold a cron job for an hour.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from typing import TextIO

from reader.accounts.service import saved_accounts
from reader.config import SYNC_MAX_TIME, Settings
from reader.library import FeedOutcome, Library, PrefetchReport
from reader.net import TimedOutHosts
from reader.sanitize import clean_line
from reader.store import StoreError
from reader.wording import counted

BAR_WIDTH = 24
"""Cells of the progress bar drawn on a terminal."""
MAX_HOSTS_NAMED = 3
"""Hosts that timed out named in the summary line; the rest are counted."""
MAX_FEEDS_NAMED = 3
"""Failed feeds named in the summary line (each is on its own line above it); the rest counted."""


@dataclass(slots=True)
class SyncReport:
    """What a sync did: feeds fetched and failed, stories new, articles cached and failed,
    and what it skipped or left for the next run."""

    feeds: int = 0
    failed_feeds: int = 0
    """Feeds that failed, or were skipped because their host had timed out."""
    failed_names: list[str] = field(default_factory=list)
    """The names of the feeds that failed, in the order they did."""
    finished_feeds: int = 0
    new_stories: int = 0
    articles_cached: int = 0
    articles_failed: int = 0
    articles_left: int = 0
    pictures_cached: int = 0
    """Articles of this batch not reached (skipped, or cut off by the time limit)."""
    timed_out_hosts: tuple[str, ...] = ()
    skipped_requests: int = 0
    """Requests not sent because their host had already timed out."""
    stopped_after: float | None = None
    """The time limit, when the run hit it."""
    store_error: str | None = None
    """Why the library stopped storing (disk full, busy, read-only); what it stored is kept."""

    @property
    def all_failed(self) -> bool:
        """Whether no source was updated and all of them failed or were cut off (exit 1)."""
        unfinished = self.feeds - self.finished_feeds
        return self.feeds > 0 and self.failed_feeds + unfinished == self.feeds

    @property
    def failed(self) -> bool:
        """Whether the run must exit non-zero: a feed failed or was not reached, or the library
        could not store."""
        unfinished = self.feeds - self.finished_feeds
        return self.failed_feeds > 0 or unfinished > 0 or self.store_error is not None

    def summary(self) -> str:
        """One line for the end of a run."""
        updated = self.finished_feeds - self.failed_feeds
        line = (
            f"{updated}/{self.feeds} feeds updated, "
            f"{counted(self.new_stories, 'new story', 'new stories')}, "
            f"{counted(self.articles_cached, 'article')} cached"
            + (f", {self.articles_failed} failed" if self.articles_failed else "")
            + (f", {counted(self.pictures_cached, 'picture')}" if self.pictures_cached else "")
        )
        if self.failed_names:
            line += f"; failed feeds: {_named(self.failed_names, MAX_FEEDS_NAMED)}"
        if self.timed_out_hosts:
            hosts = _named(list(self.timed_out_hosts), MAX_HOSTS_NAMED)
            line += f"; timed out: {hosts} ({self.skipped_requests} requests skipped)"
        if self.stopped_after is not None:
            left = self.feeds - self.finished_feeds
            line += f"; stopped at the {self.stopped_after:g} s limit"
            if left or self.articles_left:
                line += f" ({left} feeds, {self.articles_left} articles left for the next run)"
        return line


def _named(names: list[str], limit: int) -> str:
    """The first `limit` of `names`, then how many more: "a, b, c and 2 more"."""
    text = ", ".join(clean_line(name, 80) for name in names[:limit])
    more = len(names) - limit
    return text + (f" and {more} more" if more > 0 else "")


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


async def sync(
    library: Library, progress: _Progress, *, max_time: float = SYNC_MAX_TIME
) -> SyncReport:
    """Refresh every feed, then prefetch the articles of new stories, all within `max_time`
    seconds; a host that times out is skipped for the rest of the run."""
    report = SyncReport()
    errors: list[str] = []
    timed_out = TimedOutHosts()

    def on_feed(outcome: FeedOutcome, done: int, total: int) -> None:
        report.feeds, report.finished_feeds = total, done
        report.new_stories += outcome.new_stories
        if outcome.error:
            report.failed_feeds += 1
            report.failed_names.append(outcome.title)
            errors.append(f"{clean_line(outcome.title, 80)}: {outcome.error}")
        if outcome.store_error:
            report.failed_feeds += 1
            report.store_error = outcome.store_error
        progress.show("Refreshing feeds", done, total)

    def on_article(prefetch: PrefetchReport) -> None:
        report.articles_cached, report.articles_failed = prefetch.cached, prefetch.failed
        report.pictures_cached = prefetch.pictures
        report.articles_left = prefetch.total - prefetch.cached - prefetch.failed
        progress.show("Caching articles", prefetch.done, prefetch.total)

    deadline = asyncio.timeout(max_time)
    try:
        report.feeds = await library.sources_count()
        async with deadline:
            await library.refresh(on_feed, timed_out=timed_out)
            if library.settings.prefetch and not (report.all_failed or report.store_error):
                prefetched = await library.prefetch(on_article, timed_out=timed_out)
                report.store_error = prefetched.store_error
    except TimeoutError:
        if not deadline.expired():
            raise
        report.stopped_after = max_time
    except StoreError as error:  # A read-only library, or a read that failed: say so, sum up.
        report.store_error = str(error)
    report.timed_out_hosts = tuple(timed_out.hosts)
    report.skipped_requests = timed_out.skipped
    progress.clear()
    for line in errors:
        print(f"newsreader: {line}", file=progress.stream)
    if report.store_error:
        print(f"newsreader: {clean_line(report.store_error, 300)}", file=progress.stream)
    return report


def run_sync(
    settings: Settings,
    *,
    max_time: float = SYNC_MAX_TIME,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run a sync to completion or to its time limit; the exit status for the command line."""
    out = out or sys.stdout
    progress = _Progress(err or sys.stderr)

    async def main() -> SyncReport:
        library = Library(settings, accounts=saved_accounts(settings.data_dir))
        if library.store.recovery_note:
            print(
                f"newsreader: {clean_line(library.store.recovery_note, 300)}", file=progress.stream
            )
        try:
            return await sync(library, progress, max_time=max_time)
        finally:
            await library.aclose()

    report = asyncio.run(main())
    print(report.summary(), file=out)
    return 1 if report.failed else 0
