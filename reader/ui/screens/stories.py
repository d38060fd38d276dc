"""The main screen: every story, newest first, refreshed and prefetched in the background."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import Worker

from reader.library import FeedOutcome, Library, PrefetchReport
from reader.sanitize import clean_line
from reader.store import Story, StoryFilter
from reader.ui.failures import ReportsWorkerFailures
from reader.ui.refresh_status import error_summary, final_status, is_offline
from reader.ui.widgets.story_list import StoryList
from reader.wording import counted

# The screens this one opens are imported when first opened: the list's first frame does not
# need them, and importing them first (with their widgets) took ~20 ms of a ~250 ms start.

UNDO_SECONDS = 8.0
"""How long `u` can undo `A`: time to read the notice and react, short enough that a later `u`
cannot surprise anyone."""
FIRST_PAGE = 300
"""Stories loaded before the first frame; the rest follow at once, so a library of any size
shows its newest stories as fast as a small one."""
FILTERS: tuple[StoryFilter, ...] = ("all", "unread", "saved")


class StoriesScreen(ReportsWorkerFailures, Screen[None]):
    """The story list with a title bar, a status line for refreshes and a footer of keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("slash", "search", "Search", id="search"),
        Binding("f", "cycle_filter", "Filter", show=False, id="filter"),
        Binding("F", "pick_feed", "Feeds", id="feeds"),
        Binding("S", "sources", "Sources", id="sources"),
        Binding("n", "next_unread", "Next unread", show=False, id="next_unread"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="toggle_read"),
        Binding("A", "mark_all_read", "All read", show=False, id="mark_all_read"),
        Binding("u", "undo_all_read", "Undo all read", show=False, id="undo_all_read"),
        Binding("s", "toggle_saved", "Save", show=False, id="toggle_saved"),
        Binding("x", "stop_prefetch", "Stop caching", show=False, id="stop_prefetch"),
        Binding("R", "refetch", "Fetch article again", show=False, id="refetch"),
        # Filter and Browser are left out of the footer, which must fit `? Keys`, `q Quit` and
        # the palette's key into 80 columns; `?` and the palette list them.
        Binding("o", "open_in_browser", "Browser", show=False, id="open_in_browser"),
        Binding("question_mark", "app.help", "Keys", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    class FirstPageShown(Message):
        """The newest stories are on screen: start-up work that would delay them can run."""

    def __init__(
        self,
        library: Library,
        clock: Callable[[], float] = time.time,
        *,
        first_page: list[Story] | None = None,
    ) -> None:
        """`first_page`, the newest stories if already read, is shown before the first frame."""
        super().__init__()
        self.library = library
        self.initial_page = first_page
        self.clock = clock
        self.show: StoryFilter = "all"
        """Which stories the list shows: all, unread or saved."""
        self.feed: str | None = None
        """The one feed the list is narrowed to, or None for every source."""
        self.feed_title = ""
        self.feed_errors: dict[str, str] = {}
        """Feed title → why its last refresh failed, for the status line."""
        self.prefetcher: Worker[PrefetchReport] | None = None
        self.undoable: list[int] = []
        """Stories the last `A` marked read, while `u` can still make them unread again."""
        self._undo_timer: Timer | None = None
        self.first_page_shown = asyncio.Event()
        """Set once the first frame with the newest stories is drawn: the rest of the library
        and the start-up refresh wait for it, so they do not delay it."""

    def compose(self) -> ComposeResult:
        yield Static(id="title-bar", markup=False)
        yield StoryList(self.clock, id="stories")
        with Horizontal(id="status-bar"):
            yield Static("", id="status", markup=False)
            yield ProgressBar(id="refresh-progress", show_eta=False, show_percentage=False)
        yield Footer()

    @property
    def story_list(self) -> StoryList:
        """The list widget."""
        return self.query_one(StoryList)

    @property
    def progress(self) -> ProgressBar:
        """The bar beside the status line, shown while feeds or articles are fetched."""
        return self.query_one("#refresh-progress", ProgressBar)

    def on_mount(self) -> None:
        self.progress.display = False
        self.story_list.set_empty_text("No stories yet. Press r to refresh, S to add feeds.")
        self.story_list.focus()
        if self.initial_page is not None:
            self.story_list.set_stories(self.initial_page)
            self._update_title_bar()
        self.load_stories(first_page=True)
        if recovered := self.library.store.recovery_note:
            self.notify(
                f"{recovered[0].upper()}{recovered[1:]}.",
                severity="error",
                timeout=15,
                markup=False,
            )
        settings = self.library.settings
        if self.library.store.read_only:
            # Refreshing could store nothing: browse what is cached, and say why.
            self.set_status(f"Browsing only: the library {self.library.store.path} is read-only")
            return
        if settings.refresh_on_start:
            self.refresh_feeds()
        if settings.auto_refresh_minutes:
            self.set_interval(settings.auto_refresh_minutes * 60, self.refresh_feeds)

    def set_status(self, message: str) -> None:
        """Show one line of status (untrusted parts already cleaned by the caller)."""
        self.query_one("#status", Static).update(Text(clean_line(message, 400)))

    def worker_failed(self, worker: Worker[object], line: str) -> None:
        """A refresh or caching run that failed leaves its line in the status bar, not a stuck
        "Refreshing feeds…"; any other failure is a notification."""
        if worker.group not in ("refresh", "prefetch"):
            super().worker_failed(worker, line)
            return
        self.progress.display = False
        self.set_status(line)
        self.story_list.set_empty_text(f"No stories: {line}")

    def _update_title_bar(self) -> None:
        stories = self.story_list.stories
        unread = sum(not story.is_read for story in stories)
        count = len(stories)
        parts = [
            "newsreader",
            counted(count, "story", "stories"),
            f"{unread} unread",
        ]
        if self.show != "all":
            parts.append(f"showing {self.show}")
        if self.feed:
            parts.append(clean_line(self.feed_title, 60))
        self.query_one("#title-bar", Static).update(Text("  ·  ".join(parts)))

    @work(exclusive=True, group="stories", exit_on_error=False)
    async def load_stories(self, first_page: bool = False) -> None:
        """Show what the library knows, keeping the cursor where it is."""
        if first_page:
            try:
                newest = self.initial_page
                if newest is None:
                    newest = await self.library.stories(self.show, feed=self.feed, limit=FIRST_PAGE)
                    self.story_list.set_stories(newest)
                    self._update_title_bar()
                await self._next_frame()
            finally:
                self.first_page_shown.set()
                self.post_message(self.FirstPageShown())
            if len(newest) < FIRST_PAGE:
                return
        stories = await self.library.stories(self.show, feed=self.feed)
        self.story_list.set_stories(stories)
        self._update_title_bar()

    async def _next_frame(self) -> None:
        """Return once the screen has been drawn with what is set now."""
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_feeds(self) -> None:
        """Fetch every feed, merging new stories in as each feed arrives; then prefetch."""
        await self.first_page_shown.wait()
        await self.library.load_services()
        self.action_stop_prefetch(quiet=True)
        progress = self.progress
        progress.update(total=None, progress=0)
        progress.display = True
        self.feed_errors.clear()
        self.set_status("Refreshing feeds…")
        self.story_list.set_empty_text("Fetching your feeds…")

        def on_feed(outcome: FeedOutcome, done: int, total: int) -> None:
            progress.update(total=total, progress=done)
            if outcome.error:
                self.feed_errors[clean_line(outcome.title, 80)] = outcome.error
            self.set_status(f"Refreshing feeds {done}/{total}" + error_summary(self.feed_errors))
            if outcome.new_stories:
                self.load_stories()

        try:
            outcomes = await self.library.refresh(on_feed)
        finally:
            progress.display = False
        if any(outcome.new_stories or outcome.changed_stories for outcome in outcomes):
            # Once more at the end: a reload started by an earlier feed may have been replaced,
            # and an account's server may have changed what is read or saved.
            self.load_stories()
        offline = is_offline(outcomes)
        store_failed = any(outcome.store_error for outcome in outcomes)
        summary = final_status(
            outcomes,
            self.feed_errors,
            now=self.clock(),
            offline=offline,
            stories_shown=len(self.story_list.stories),
        )
        self.set_status(summary)
        self.story_list.set_empty_text(
            "No stories: no feed could be reached. Press r to try again."
            if offline
            else "No stories here. Press f to change the filter, S to add feeds, r to refresh."
        )
        if self.library.settings.prefetch and not offline and not store_failed:
            self.prefetcher = self.prefetch_articles(summary)

    @work(exclusive=True, group="prefetch", exit_on_error=False)
    async def prefetch_articles(self, summary: str) -> PrefetchReport:
        """Cache the articles of new stories so they read offline, showing how far it got;
        `summary` is the refresh's status line, which the result is added to."""
        progress = self.progress

        def on_article(report: PrefetchReport) -> None:
            progress.update(total=report.total, progress=report.done)
            self.set_status(f"Caching articles {report.done}/{report.total}  ·  x stops")

        progress.update(total=None, progress=0)
        progress.display = True
        try:
            report = await self.library.prefetch(on_article)
        finally:
            progress.display = False
        if report.total:
            failed = f", {report.failed} failed (retried later)" if report.failed else ""
            stopped = f"  ·  {report.store_error}" if report.store_error else ""
            self.set_status(f"{summary}  ·  {report.cached} articles cached{failed}{stopped}")
            self.load_stories()
        return report

    def on_story_list_opened(self, message: StoryList.Opened) -> None:
        stories = list(self.story_list.stories)
        index = next(i for i, story in enumerate(stories) if story.id == message.story.id)
        from reader.ui.screens.article import ArticleScreen

        self.app.push_screen(ArticleScreen(self.library, stories, index), self._on_article_closed)

    def _on_article_closed(self, story_id: int | None) -> None:
        if story_id is not None:
            self.story_list.select_story(story_id)
        self.load_stories()

    def action_refresh(self) -> None:
        self.refresh_feeds()

    def action_stop_prefetch(self, quiet: bool = False) -> None:
        if self.prefetcher is not None and self.prefetcher.is_running:
            self.prefetcher.cancel()
            self.progress.display = False
            if not quiet:
                self.set_status("Caching stopped; the rest waits for the next refresh")

    def action_open_in_browser(self) -> None:
        if (story := self.story_list.highlighted) is not None:
            from reader.ui.screens.article import open_link

            open_link(self, story.link)

    @work(group="refetch", exit_on_error=False)
    async def action_refetch(self) -> None:
        """Fetch and clean the highlighted story's article again, replacing the cached copy."""
        story = self.story_list.highlighted
        if story is None:
            return
        self.set_status(f"Fetching {clean_line(story.title, 80)} again…")
        outcome = await self.library.open_article(story, refetch=True)
        if outcome.document is None:
            self.set_status(f"Could not fetch the article again: {outcome.error}")
        else:
            self.set_status("Article fetched again and cached")
            self.load_stories()

    def action_cycle_filter(self) -> None:
        self.show = FILTERS[(FILTERS.index(self.show) + 1) % len(FILTERS)]
        self.load_stories()

    def action_pick_feed(self) -> None:
        from reader.ui.screens.feeds import FeedPicker

        self.app.push_screen(FeedPicker(self.library, self.feed), self._on_feed_picked)

    def _on_feed_picked(self, choice: tuple[str, str] | None) -> None:
        if choice is None:
            return
        url, title = choice
        self.feed, self.feed_title = (url or None), title
        self.load_stories()

    def action_sources(self) -> None:
        def closed(_: None) -> None:
            self.load_stories()

        from reader.ui.screens.sources import SourcesScreen

        self.app.push_screen(SourcesScreen(self.library, self.clock), closed)

    def action_search(self) -> None:
        def closed(_: None) -> None:
            self.load_stories()

        from reader.ui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.library, self.clock), closed)

    def action_next_unread(self) -> None:
        stories = self.story_list.stories
        start = self.story_list.cursor + 1
        for index in (*range(start, len(stories)), *range(start)):
            if not stories[index].is_read:
                self.story_list.cursor = index
                return
        self.notify("No unread stories.", timeout=2)

    def action_toggle_read(self) -> None:
        if (story := self.story_list.highlighted) is not None:
            self.change_story(story, is_read=not story.is_read)

    def action_toggle_saved(self) -> None:
        if (story := self.story_list.highlighted) is not None:
            self.change_story(story, is_saved=not story.is_saved)

    @work(group="state", exit_on_error=False)
    async def change_story(
        self, story: Story, *, is_read: bool | None = None, is_saved: bool | None = None
    ) -> None:
        """Store a change of read or saved state and redraw the story."""
        if is_read is not None:
            await self.library.mark_read(story, is_read)
        if is_saved is not None:
            await self.library.set_saved(story, is_saved)
            from reader.ui.screens.article import saved_notice

            self.notify(saved_notice(is_saved))
        self.load_stories()

    @work(group="state", exit_on_error=False)
    async def action_mark_all_read(self) -> None:
        """Mark every story of the sources in use read, undoable with `u` for a few seconds."""
        changed = await self.library.mark_all_read()
        if self._undo_timer is not None:
            self._undo_timer.stop()
        self.undoable = changed
        self._undo_timer = self.set_timer(UNDO_SECONDS, self._forget_undo)
        self.notify(
            f"Marked {len(changed)} stories read  ·  u undoes", timeout=UNDO_SECONDS, markup=False
        )
        self.load_stories()

    def _forget_undo(self) -> None:
        self.undoable = []
        self._undo_timer = None

    @work(group="state", exit_on_error=False)
    async def action_undo_all_read(self) -> None:
        """Make the stories the last `A` marked read unread again, while the offer stands."""
        story_ids, self.undoable = self.undoable, []
        if not story_ids:
            self.notify("Nothing to undo.", timeout=2)
            return
        if self._undo_timer is not None:
            self._undo_timer.stop()
            self._undo_timer = None
        await self.library.mark_unread(story_ids)
        self.app.clear_notifications()  # the offer to undo no longer stands
        self.notify(f"{len(story_ids)} stories unread again", timeout=2)
        self.load_stories()
