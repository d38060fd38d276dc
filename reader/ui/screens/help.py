"""The keys screen: every binding in force on the screen it was opened from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

BOX_SHARE = 0.8
"""Of the screen's rows, those the box may take (its max-height in app.tcss)."""
BOX_CHROME_ROWS = 8
"""Rows of the box that are not keys: border, padding, the title and the hint with margins."""
MIN_KEY_ROWS = 3
"""Keys shown however small the terminal, so the box still says something."""
CLOSE_HINT = "Press Escape to close"
SCROLL_HINT = "More below: ↑ ↓ PgUp PgDn scroll · Escape closes"


class HelpScreen(ModalScreen[None]):
    """A box listing keys and what they do; any of Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self.keys:
            table.add_row(Text(keys), Text(description))
        with Vertical(id="help-box"):
            yield Static(Text(self.title_text), id="help-title")
            # Only the keys scroll: the title and the hint stay in view on a small terminal.
            with VerticalScroll(id="help-keys"):
                yield Static(table)
            yield Static(Text(CLOSE_HINT), id="help-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(self._update_hint)

    def on_resize(self, event: events.Resize) -> None:
        # The keys get what the box (80% of the screen) leaves: all of them from ~36 rows up.
        rows = int(event.size.height * BOX_SHARE) - BOX_CHROME_ROWS
        self.query_one("#help-keys").styles.max_height = max(MIN_KEY_ROWS, rows)
        self.call_after_refresh(self._update_hint)

    def _update_hint(self) -> None:
        """Say that the keys scroll, when some are out of view."""
        keys = self.query_one("#help-keys", VerticalScroll)
        hint = SCROLL_HINT if keys.max_scroll_y > 0 else CLOSE_HINT
        self.query_one("#help-hint", Static).update(Text(hint))


def describe_bindings(
    bindings: Iterable[Binding], key_display: Callable[[Binding], str]
) -> list[tuple[str, str]]:
    """(keys, description) rows, keys of one action joined, in the order first bound."""
    rows: dict[str, tuple[list[str], str]] = {}
    for binding in bindings:
        action = binding.action.removeprefix("app.")
        if not binding.description or action in ("help", "dismiss"):
            continue
        keys, _ = rows.setdefault(action, ([], binding.description))
        display = key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for keys, description in rows.values()]
