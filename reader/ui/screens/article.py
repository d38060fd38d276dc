"""The reading screen: one story's article, cleaned, with next and previous without going back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal, cast
from urllib.parse import urlsplit

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.dom import DOMNode
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from reader.browser import open_in_browser
from reader.document import Block, meta_line, text_blocks
from reader.library import ArticleOutcome, Library
from reader.sanitize import clean_block, clean_line
from reader.store import StoreError, Story
from reader.ui.failures import ReportsWorkerFailures
from reader.ui.screens.article_pictures import ArticlePictures
from reader.ui.screens.links import LinkChoice, LinkPicker
from reader.ui.widgets.article_view import MAX_MEASURE, MIN_MEASURE, ArticleView
from reader.ui.widgets.page_layout import Page

if TYPE_CHECKING:
    from reader.ui.app import NewsReaderApp

ViewMode = Literal["article", "feed", "page"]
MODE_LABELS: dict[ViewMode, str] = {
    "article": "Article",
    "feed": "Feed summary",
    "page": "Full page text",
}
MEASURE_STEP = 4
"""Columns added or removed by one press of + or -."""
REFETCH_NOTICE_SECONDS = 4
"""How long the outcome of R stays on screen: long enough to read a one-line reason."""
LOADING_INDICATOR_DELAY = 0.15
"""Seconds an article may take before the loading indicator shows, so cached ones never flash."""
POSITION_SAVE_DELAY = 0.5
"""Seconds of stillness before the reading position is written: one write per pause, not per
line scrolled."""


def open_link(node: DOMNode, url: str | None) -> None:
    """Hand `url` to the system browser off the UI thread, and say if that could not happen."""

    def launch() -> None:
        if not open_in_browser(url):
            message = f"Could not open a browser for {clean_line(url or 'this story', 200)}"
            node.app.call_from_thread(node.app.notify, message, severity="warning", markup=False)

    node.app.run_worker(launch, thread=True, group="browser", exit_on_error=False)


def saved_notice(is_saved: bool) -> str:
    """What saving or unsaving a story says, in the list and in the reader alike."""
    return "Saved: kept offline for good" if is_saved else "No longer saved"


def story_meta(story: Story) -> str:
    """Source and date of a story, for when there is no article to give its own."""
    date = story.published.strftime("%Y-%m-%d") if story.published else ""
    return " · ".join(part for part in (story.source, story.author, date) if part)


@dataclass(slots=True)
class _Visit:
    """A page seen in this screen: a story's article or a followed link, and where it was left."""

    url: str | None
    story: Story | None
    fraction: float = 0.0
    link_text: str = ""
    """The words of the followed link: the page's title until the page gives its own."""


class ArticleScreen(ArticlePictures, ReportsWorkerFailures, Screen[int]):
    """Shows the article of `stories[index]`; dismissed with the id of the story last shown."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace,q", "back", "Back", id="back"),
        Binding("n", "next_story", "Next", id="next_story"),
        Binding("p", "previous_story", "Previous", id="previous_story"),
        Binding("space", "space", "Page down / next", show=False, id="page_down_or_next"),
        Binding("l", "links", "Links", id="links"),
        Binding("v", "cycle_view", "View", id="cycle_view"),
        Binding("o", "open_in_browser", "Browser", id="open_in_browser"),
        Binding("c", "copy_url", "Copy URL", show=False, id="copy_url"),
        Binding("R", "refetch", "Fetch again", show=False, id="refetch"),
        Binding("s", "toggle_saved", "Save", show=False, id="toggle_saved"),
        Binding("plus,equals_sign", "wider", "Wider", show=False, id="wider"),
        Binding("minus", "narrower", "Narrower", show=False, id="narrower"),
        Binding("z", "zen", "Zen", show=False, id="zen"),
        Binding("i", "toggle_pictures", "Pictures on/off", show=False, id="toggle_pictures"),
        Binding("enter", "open_picture", "Picture full-screen", show=False, id="open_picture"),
        Binding("question_mark", "app.help", "Keys", id="help"),
    ]

    def __init__(self, library: Library, stories: Sequence[Story], index: int) -> None:
        super().__init__()
        self.library = library
        self.stories = list(stories)
        """The list being read, updated here when a story is saved or unsaved."""
        self.index = index
        self.visit = _Visit(self.story.link, self.story)
        self.history: list[_Visit] = []
        """Pages left by following a link, most recent last; Back returns to them."""
        self.outcome: ArticleOutcome | None = None
        self.feed_blocks: list[Block] = []
        """What the feed says of the story being read: the summary view and the fallback."""
        self.mode: ViewMode = "article"
        self._save_timer: Timer | None = None
        self._loading_visit: _Visit | None = None
        """The visit whose page is being loaded, while it is."""
        self._init_pictures()

    @property
    def story(self) -> Story:
        """The story of the list being read (a followed link keeps its story)."""
        return self.stories[self.index]

    @property
    def reader_app(self) -> NewsReaderApp:
        """The app, with the settings this screen shares with the next one."""
        return cast("NewsReaderApp", self.app)

    @property
    def view(self) -> ArticleView:
        """The scrolling article column."""
        return self.query_one(ArticleView)

    def compose(self) -> ComposeResult:
        app = self.reader_app
        yield ArticleView(
            id="article", pictures=app.picture_mode, cell=app.cell_pixels, graphics=app.graphics
        )
        with Horizontal(id="reader-status"):
            yield Static("", id="reader-label", markup=False)
            yield Static("", id="reader-progress", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.view.measure = self.reader_app.reading_width
        self.view.focus()
        self._load(self.visit)

    def _load(self, visit: _Visit, *, restore: float | None = None, refetch: bool = False) -> None:
        self.visit = visit
        self.mode = "article"
        self._new_page_pictures(visit.url)
        self.load_page(visit, restore, refetch)

    @work(exclusive=True, group="article", exit_on_error=False)
    async def load_page(self, visit: _Visit, restore: float | None, refetch: bool) -> None:
        """Open the page of `visit` (cache first), show it, and mark its story read."""
        view = self.view
        # Only a fetch that takes a while shows the indicator: a cached article appears at once.
        self._loading_visit = visit
        spinner = self.set_timer(LOADING_INDICATOR_DELAY, partial(self._show_loading, visit))
        try:
            if visit.url is None:
                self.outcome = ArticleOutcome(None, "this story has no link to an article")
            else:
                self.outcome = await self.library.open_url(visit.url, refetch=refetch)
        finally:
            if self._loading_visit is visit:
                self._loading_visit = None
            spinner.stop()
            view.loading = False
        story = visit.story if visit is self._story_visit() else None
        if story is not None:
            self.feed_blocks = await self.library.feed_content(story)
        position = self.outcome.position if restore is None else restore
        self._show_current(position if position < 1.0 else 0.0)
        if self.outcome.store_error:
            self.notify(self.outcome.store_error, severity="warning", markup=False)
        # After showing it: a busy library makes this wait, and a read-only one keeps no state.
        if story is not None and not self.library.read_only:
            await self.library.mark_read(story)

    def _show_loading(self, visit: _Visit) -> None:
        """Show the loading indicator, unless the page of `visit` arrived meanwhile: on a busy
        machine the timer's call can come after the load stopped the timer, and the indicator
        then covered the article for good."""
        if self._loading_visit is visit:
            self.view.loading = True

    def _story_visit(self) -> _Visit:
        return self.history[0] if self.history else self.visit

    def _show_current(self, fraction: float = 0.0) -> None:
        """Show the current page in the current mode."""
        self.view.show_page(self._page(), fraction)
        self._ask_for_pictures()  # after the text, which never waits for them
        self.call_after_refresh(self._update_status)

    def _page(self) -> Page:
        outcome, story, url = self.outcome, self.visit.story, self.visit.url
        document = outcome.document if outcome else None
        has_article = document is not None and document.is_article and bool(document.blocks)
        if story is not None:
            title, meta, address = story.title, story_meta(story), ""
        else:
            host = urlsplit(url).hostname if url else None
            title, meta, address = self.visit.link_text or host or "Link", "", url or ""
        summary = self.feed_blocks or text_blocks("The feed gives no summary for this story.")
        if self.mode == "feed" and story is not None:
            return Page(title, meta, summary)
        if self.mode == "page":
            text = clean_block(outcome.page_text) if outcome else ""
            notice = "" if text else "The page's full text is not stored for this story."
            return Page(title, meta, text_blocks(text), notice, address)
        if has_article and document is not None:
            if not document.site_name and story is not None:
                document = replace(document, site_name=story.source)
            return Page(document.title or title, meta_line(document), document.blocks)
        if document is not None:
            reason = f"This page does not look like an article ({document.note or 'no text'})."
        else:
            reason = f"The article could not be loaded: {outcome.error if outcome else '?'}."
        if story is None:  # a followed link has no feed summary to fall back on
            return Page(title, meta, [], f"{reason} Press o to open it in your browser.", address)
        return Page(
            title,
            meta,
            summary,
            f"{reason} Showing the feed's summary; press o to open the page in your browser.",
        )

    def _update_status(self) -> None:
        parts = [MODE_LABELS[self.mode]]
        if self.visit.story is not None and not self.history:
            parts.append(clean_line(self.story.source, 60))
            parts.append(f"story {self.index + 1} of {len(self.stories)}")
        else:
            parts.append("followed link · Esc returns")
        self.query_one("#reader-label", Static).update(Text("  ·  ".join(parts)))
        self.query_one("#reader-progress", Static).update(
            Text(f"{round(self.view.fraction * 100)}%")
        )

    @on(ArticleView.Scrolled)
    def _scrolled(self) -> None:
        self.query_one("#reader-progress", Static).update(
            Text(f"{round(self.view.fraction * 100)}%")
        )
        self.visit.fraction = self.view.fraction
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(POSITION_SAVE_DELAY, self._save_position)

    def _save_position(self) -> None:
        outcome = self.outcome
        if self.library.read_only or not (outcome and outcome.document):
            return  # A read-only library keeps no reading positions.
        if self.mode == "article" and self.visit.url:
            self.save_position(self.visit.url, self.view.fraction)

    @work(group="position", exit_on_error=False)
    async def save_position(self, url: str, fraction: float) -> None:
        """Store the reading position of `url`."""
        await self.library.save_position(url, fraction)

    def _leave(self) -> None:
        """Save where the reader is before the page changes."""
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_position()

    def _go_to(self, index: int) -> None:
        if not 0 <= index < len(self.stories):
            self.notify("No more stories this way.", timeout=2)
            return
        self._leave()
        self.index = index
        self.history.clear()
        self._load(_Visit(self.story.link, self.story))

    def action_next_story(self) -> None:
        self._go_to(self.index + 1)

    def action_previous_story(self) -> None:
        self._go_to(self.index - 1)

    def action_space(self) -> None:
        if self.view.at_end:
            self.action_next_story()
        else:
            self.view.action_page_down()

    def action_back(self) -> None:
        self._leave()
        if self.history:
            visit = self.history.pop()
            self._load(visit, restore=visit.fraction)
        else:
            self.dismiss(self.story.id)

    def action_cycle_view(self) -> None:
        modes: list[ViewMode] = ["article", "page"]
        if self.visit.story is not None and not self.history:
            modes.insert(1, "feed")
        self.mode = (
            modes[(modes.index(self.mode) + 1) % len(modes)] if self.mode in modes else "article"
        )
        self._show_current()

    def action_links(self) -> None:
        links = self.view.links
        if not links:
            self.notify("This page has no links.", timeout=2)
            return
        self.app.push_screen(LinkPicker(links), self._link_chosen)

    def _link_chosen(self, choice: LinkChoice | None) -> None:
        if choice is None:
            return
        if choice.action == "browser":
            open_link(self, choice.url)
        elif choice.action == "picture":
            self.show_picture(choice.url)
        elif choice.action == "copy":
            self._copy(choice.url)
        else:
            self._leave()
            self.visit.fraction = self.view.fraction
            self.history.append(self.visit)
            words = next((link.text for link in self.view.links if link.url == choice.url), "")
            self._load(_Visit(choice.url, None, link_text=words))

    def _copy(self, url: str) -> None:
        self.app.copy_to_clipboard(url)
        self.notify(f"Copied {clean_line(url, 200)}", timeout=2, markup=False)

    def action_copy_url(self) -> None:
        if self.visit.url:
            self._copy(self.visit.url)

    def action_open_in_browser(self) -> None:
        open_link(self, self.visit.url)

    def _open_in_browser(self, url: str) -> None:
        open_link(self, url)

    def action_refetch(self) -> None:
        if self.visit.url is None:
            self.notify("This story has no link to fetch.", timeout=2)
            return
        self._leave()
        self.refetch_page(self.visit)

    @work(exclusive=True, group="article", exit_on_error=False)
    async def refetch_page(self, visit: _Visit) -> None:
        """Fetch and clean the page of `visit` again. What is on screen stays if that fails
        (offline, say): a cached copy is worth more than the reason it could not be renewed."""
        assert visit.url is not None
        self.notify("Fetching the article again…", timeout=REFETCH_NOTICE_SECONDS)
        outcome = await self.library.open_url(visit.url, refetch=True)
        if visit is not self.visit:  # the reader moved on meanwhile
            return
        if outcome.document is None:
            kept = self.outcome is not None and self.outcome.document is not None
            self.notify(
                clean_line(f"Could not fetch the article again: {outcome.error}", 300)
                + ("; showing the cached copy" if kept else ""),
                severity="warning",
                timeout=REFETCH_NOTICE_SECONDS,
                markup=False,
            )
            return
        self.outcome = outcome
        self.mode = "article"
        self._show_current(self.view.fraction if self.view.fraction < 1.0 else 0.0)
        self.notify("Fetched again: this is the page as it is now", timeout=REFETCH_NOTICE_SECONDS)

    def action_toggle_saved(self) -> None:
        story = self.story
        self.stories[self.index] = replace(story, is_saved=not story.is_saved)
        self.set_saved(story, not story.is_saved)

    @work(group="state", exit_on_error=False)
    async def set_saved(self, story: Story, is_saved: bool) -> None:
        """Save the story being read (kept offline for good) or unsave it."""
        try:
            await self.library.set_saved(story, is_saved)
        except StoreError:
            self.stories = [story if s.id == story.id else s for s in self.stories]
            raise  # reported as every worker failure is (ReportsWorkerFailures)
        self.notify(saved_notice(is_saved))

    def _set_measure(self, wanted: int) -> None:
        """Use `wanted` columns, or the nearest the window and the limits allow, and say so."""
        widest = self.view.widest_measure
        measure = max(MIN_MEASURE, min(widest, wanted))
        if wanted > measure:
            limit = (
                "the widest there is" if measure == MAX_MEASURE else "the widest this window shows"
            )
            message = f"Reading width {measure} columns: {limit}"
        elif wanted < measure:
            message = f"Reading width {measure} columns: the narrowest there is"
        else:
            message = f"Reading width {measure} columns"
        self.reader_app.set_reading_width(measure)
        self.view.measure = measure
        self.notify(message, timeout=1.5)

    def action_wider(self) -> None:
        self._set_measure(self.view.column_width + MEASURE_STEP)

    def action_narrower(self) -> None:
        # From what is shown, so a width saved on a bigger screen gives way at the first press.
        self._set_measure(self.view.column_width - MEASURE_STEP)

    def action_zen(self) -> None:
        self.toggle_class("-zen")
