"""The Textual application: the screens, the stylesheet and the library they share."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.library import Library
from reader.ui.screens.help import HelpScreen, describe_bindings
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.article_view import DEFAULT_MEASURE


def stylesheet_dir() -> Path:
    """The `styles/` folder: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "styles"
    return installed if installed.is_dir() else package.parent / "styles"


class NewsReaderApp(App[None]):
    """newsreader in the terminal. The library comes in through the constructor."""

    TITLE = "newsreader"
    CSS_PATH = str(stylesheet_dir() / "app.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, library: Library, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.library = library
        self.clock = clock
        self.reading_width = DEFAULT_MEASURE
        """Columns of the reading column, carried from one article to the next."""

    def get_default_screen(self) -> Screen[None]:
        return StoriesScreen(self.library, self.clock)

    async def on_unmount(self) -> None:
        await self.library.aclose()

    def action_help(self) -> None:
        """Show the keys of the screen in front."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        bindings = [active.binding for active in screen.active_bindings.values()]
        self.push_screen(HelpScreen("Keys", describe_bindings(bindings, self.get_key_display)))
