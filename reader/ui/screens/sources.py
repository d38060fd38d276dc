"""The Sources screen: the user's feeds, to add (by page or feed URL), rename, disable or remove."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.library import Library, SourceKind
from reader.sanitize import clean_line
from reader.store import StoreError, Subscription
from reader.ui.failures import ReportsWorkerFailures
from reader.ui.widgets.story_list import format_age

# The network and feed modules load on first use, not at start-up (see reader/library/core.py).
if TYPE_CHECKING:
    from reader.feeds.discover import DiscoveredFeed


ADD_TITLE = "Add a feed: a feed's URL, or any page of the site"


class Prompt(ModalScreen[str | None]):
    """One line of input in a box; Enter gives the text, Escape gives None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, value: str = "", placeholder: str = "", error: str = "") -> None:
        """`error`, when given, says why the last try with `value` failed."""
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.title_text), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder)
            if self.error:
                yield Static(Text(clean_line(self.error, 300)), classes="dialog-error")
            yield Static(Text("Enter to confirm · Esc to cancel"), classes="dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class FeedChooser(ModalScreen["DiscoveredFeed | None"]):
    """Pick one of several feeds a page announces."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, found: list[DiscoveredFeed], subscribed: frozenset[str]) -> None:
        """`subscribed`: the user's feeds, marked in the list."""
        super().__init__()
        self.found = found
        self.subscribed = subscribed

    def compose(self) -> ComposeResult:
        options = [
            Option(
                Text.assemble(
                    clean_line(feed.title, 70) or "(untitled)",
                    ("  ✓ already in your feeds" if feed.url in self.subscribed else "", "italic"),
                    (f"  {feed.format}  " if feed.format else "  ", "dim"),
                    (clean_line(feed.url, 100), "dim"),
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
            for feed in self.found
        ]
        with Vertical(classes="dialog"):
            yield Static(Text(f"The page offers {len(self.found)} feeds"), classes="dialog-title")
            yield OptionList(*options)
            yield Static(Text("Enter subscribes · Esc cancels"), classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option_index])


class SourcesScreen(ReportsWorkerFailures, Screen[None]):
    """Every feed the user reads, with its state; changes apply to the next refresh."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "back", "Back", id="back"),
        Binding("a", "add", "Add", id="add_feed"),
        Binding("e", "rename", "Rename", id="rename_feed"),
        Binding("space", "toggle_enabled", "Enable/disable", id="toggle_feed"),
        Binding("d", "remove", "Remove", id="remove_feed"),
    ]

    def __init__(self, library: Library, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.library = library
        self.clock = clock
        self.subscriptions: list[Subscription] = []
        self.kind: SourceKind = "yours"
        """Whose feeds are listed: the user's own can be changed; the run's or built-in not."""
        self.changed = False
        """Whether anything changed, so the story list reloads on the way back."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Sources"), id="sources-title")
        yield DataTable(id="sources-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="sources-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("On", "Feed", "Folder", "Unread", "Updated", "Last error"):
            table.add_column(Text(label), key=label)
        table.focus()
        self.load_feeds()

    @property
    def selected(self) -> Subscription | None:
        """The feed under the cursor."""
        table = self.query_one(DataTable)
        if not self.subscriptions or table.cursor_row < 0:
            return None
        return self.subscriptions[min(table.cursor_row, len(self.subscriptions) - 1)]

    def set_status(self, message: str) -> None:
        self.query_one("#sources-status", Static).update(Text(clean_line(message, 300)))

    @work(exclusive=True, group="sources", exit_on_error=False)
    async def load_feeds(self) -> None:
        """Show the feeds in use: the same ones the feeds pane (F) counts."""
        self.kind, self.subscriptions = await self.library.sources()
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        now = self.clock()
        for sub in self.subscriptions:
            table.add_row(
                Text("✓" if sub.enabled else "·"),
                Text(clean_line(sub.title, 60)),
                Text(clean_line(sub.folder, 30)),
                Text(str(sub.unread), justify="right"),
                Text(updated_text(sub, now)),
                Text(clean_line(sub.last_error or "", 60), style="italic"),
                key=sub.url,
            )
        if self.subscriptions:
            table.move_cursor(row=min(max(row, 0), len(self.subscriptions) - 1))
        self.set_status(sources_line(self.kind, len(self.subscriptions)))

    def _changeable(self) -> Subscription | None:
        """The feed under the cursor, if it is one of the user's own, which alone can change."""
        if self.kind != "yours":
            self.set_status(sources_line(self.kind, len(self.subscriptions)))
            return None
        return self.selected

    def action_add(self, url: str = "", error: str = "") -> None:
        """Ask for a URL to add; after a failure, again with the URL typed and why it failed."""
        self.app.push_screen(
            Prompt(ADD_TITLE, value=url, placeholder="https://…", error=error), self._add_url
        )

    def _add_url(self, url: str | None) -> None:
        if url:
            self.discover(url if "://" in url else f"https://{url}")

    @work(exclusive=True, group="sources-network", exit_on_error=False)
    async def discover(self, url: str) -> None:
        """Find the feeds at `url`; subscribe, asking first when there are several."""
        from reader.feeds import FeedError
        from reader.net import FetchError

        self.set_status(f"Looking for feeds at {url}…")
        try:
            found = await self.library.discover(url)
        except (FetchError, FeedError) as error:
            self.set_status(f"No feed added: {error}")
            self.action_add(url, f"No feed found there: {error}")
            return
        subscribed = frozenset(sub.url for sub in await self.library.subscriptions())
        if len(found) == 1:
            self.subscribe(found[0], subscribed)
        else:
            self.app.push_screen(
                FeedChooser(found, subscribed), partial(self._chosen, subscribed=subscribed)
            )

    def _chosen(self, found: DiscoveredFeed | None, subscribed: frozenset[str]) -> None:
        if found is not None:
            self.subscribe(found, subscribed)

    @work(exclusive=True, group="sources-network", exit_on_error=False)
    async def subscribe(self, found: DiscoveredFeed, subscribed: frozenset[str]) -> None:
        """Subscribe to one discovered feed and store its stories, unless it is already ours."""
        from reader.feeds import FeedError
        from reader.net import FetchError

        name = clean_line(found.title or found.url, 80)
        if found.url in subscribed:
            self.set_status(f"{name} is already in your feeds: nothing added")
            return
        self.set_status(f"Adding {found.url}…")
        try:
            carried, new = await self.library.subscribe(found)
        except (FetchError, FeedError, StoreError) as error:
            self.set_status(f"Could not add {found.url}: {error}")
            self.action_add(found.url, f"Could not add it: {error}")
            return
        self.changed = True
        self.set_status(f"Added {name}: {carried} stories ({new} new)")
        self.load_feeds()

    def action_rename(self) -> None:
        if (sub := self._changeable()) is None:
            return

        def renamed(name: str | None) -> None:
            if name:
                self.change_feed(sub.url, name=name)

        self.app.push_screen(Prompt("Rename the feed", value=sub.title), renamed)

    def action_toggle_enabled(self) -> None:
        if (sub := self._changeable()) is not None:
            self.change_feed(sub.url, enabled=not sub.enabled)

    def action_remove(self) -> None:
        if (sub := self._changeable()) is None:
            return

        def confirmed(answer: str | None) -> None:
            if (answer or "").lower() == "yes":
                self.remove_feed(sub.url)

        prompt = Prompt(f"Remove {clean_line(sub.title, 60)}? Type yes to confirm")
        self.app.push_screen(prompt, confirmed)

    @work(group="sources", exit_on_error=False)
    async def change_feed(
        self, url: str, *, name: str | None = None, enabled: bool | None = None
    ) -> None:
        """Rename, enable or disable a feed."""
        await self.library.update_subscription(url, name=name, enabled=enabled)
        self.changed = True
        self.load_feeds()

    @work(group="sources", exit_on_error=False)
    async def remove_feed(self, url: str) -> None:
        """Unsubscribe from a feed."""
        await self.library.unsubscribe(url)
        self.changed = True
        self.load_feeds()

    def action_back(self) -> None:
        self.dismiss(None)


def sources_line(kind: SourceKind, count: int) -> str:
    """The Sources status line: which feeds these are, and how to add one."""
    feeds = f"{count} feed{'s' if count != 1 else ''}"
    if kind == "this run":
        return f"This run reads the {feeds} given with --feed · a adds one to your own feeds"
    if kind == "built-in":
        return f"You read the {count} built-in feeds until you add one: a, by page or feed URL"
    return f"{feeds} · a adds one from a page or feed URL"


def updated_text(sub: Subscription, now: float) -> str:
    """When the feed last came in; a failed last try says so rather than "now"."""
    if sub.last_fetched is None:
        return "never"
    age = format_age(now - sub.last_fetched)
    return f"failed {age}" if sub.last_error else age
