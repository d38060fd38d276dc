"""The Textual application: the screens, the stylesheet and the library they share."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from reader.library import Library
from reader.sanitize import clean_line
from reader.settings import DEFAULTS, UserConfig, key_list_problem, save_config
from reader.store import Story
from reader.ui.failures import failure_line
from reader.ui.graphics.modes import choose_mode, terminal_cell_pixels
from reader.ui.graphics.output import GraphicsOut
from reader.ui.screens.help import HelpScreen, describe_bindings
from reader.ui.screens.stories import StoriesScreen
from reader.ui.widgets.story_list import StoryList

NAVIGATION_ACTIONS = frozenset(
    {"cursor_up", "cursor_down", "first", "last", "page_up", "page_down"}
    | {"scroll_up", "scroll_down", "scroll_home", "scroll_end", "code_left", "code_right"}
)
"""Moving about: keys to press, not commands to look up in the palette."""
TEXTUAL_COMMANDS_KEPT = frozenset({"Theme"})
"""Textual's own palette commands worth listing: the theme, which newsreader remembers. The rest
(Quit, Keys, Maximize, Screenshot) repeat ours or are a developer's tools; the palette sorts
what it lists by name, so each one left in would sit among ours."""


def remappable() -> tuple[type[Screen[Any]] | type[Widget], ...]:
    """Everything whose bindings the `[keys]` table of the settings file may remap, by binding id.

    Imported here rather than at the top: only the story list is needed for the first frame.
    """
    from reader.ui.screens.article import ArticleScreen
    from reader.ui.screens.links import LinkPicker
    from reader.ui.screens.picture import PictureScreen
    from reader.ui.screens.search import SearchScreen
    from reader.ui.screens.sources import SourcesScreen
    from reader.ui.widgets.article_view import ArticleView

    return (
        StoriesScreen,
        ArticleScreen,
        SearchScreen,
        SourcesScreen,
        LinkPicker,
        PictureScreen,
        StoryList,
        ArticleView,
    )


MAX_KEY_DISPLAY_CHARS = 40
"""Longest key shown: "ctrl+shift+pagedown" fits; a longer one is not a key anyone presses."""


def stylesheet_dir() -> Path:
    """The `styles/` folder: inside the installed package, or at the top of a source checkout."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "styles"
    return installed if installed.is_dir() else package.parent / "styles"


def binding_ids() -> set[str]:
    """Every binding id a user can remap."""
    return {
        binding.id
        for owner in remappable()
        for binding in owner.BINDINGS
        if isinstance(binding, Binding) and binding.id
    }


class NewsReaderApp(App[None]):
    """newsreader in the terminal. The library and settings come in through the constructor."""

    TITLE = "newsreader"
    CSS_PATH = str(stylesheet_dir() / "app.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        library: Library,
        clock: Callable[[], float] = time.time,
        *,
        config: UserConfig = DEFAULTS,
        problems: Iterable[str] = (),
        config_file: Path | None = None,
        first_page: list[Story] | None = None,
    ) -> None:
        """`config_file` is where theme and width changes are saved; None saves nothing.
        `first_page`, the newest stories read before the app starts, goes in its first frame."""
        super().__init__()
        self.library = library
        self.first_page = first_page
        self.clock = clock
        self.config = config
        self.config_file = config_file
        self.problems = list(problems)
        self._settings_lock = threading.Lock()
        self.reading_width = config.reading_width
        """Columns of the reading column, carried from one article to the next."""
        self.picture_mode = choose_mode(config.images, os.environ, self.console.color_system)
        """How articles' pictures are drawn here: the setting, within what the terminal can."""
        self.cell_pixels = terminal_cell_pixels()
        """A terminal cell's size in pixels, which Kitty and Sixel pictures are scaled to."""
        self.graphics = GraphicsOut()
        """Our picture encoders' escape sequences, written after the frame that needs them."""
        # load_config has checked the keys already; a config built in code has not.
        invalid = {
            name: problem
            for name, keys in config.keys.items()
            if (problem := key_list_problem(keys))
        }
        self.problems += [
            f"[keys] {name}: {problem}; it keeps its default key"
            for name, problem in invalid.items()
        ]
        # A name no binding has is inert in the keymap; it is reported once the list is shown.
        self.set_keymap({key: value for key, value in config.keys.items() if key not in invalid})
        if config.theme in self.available_themes:
            self.theme = config.theme
        else:
            self.problems.append(f"theme {config.theme!r} is not a known theme; using the default")

    def get_default_screen(self) -> Screen[None]:
        return StoriesScreen(self.library, self.clock, first_page=self.first_page)

    def on_mount(self) -> None:
        for problem in self.problems:
            self._settings_problem(problem)
        self.theme_changed_signal.subscribe(self, lambda theme: self.remember(theme=theme.name))

    def on_stories_screen_first_page_shown(self) -> None:
        self.finish_start_up()

    @work(group="start-up", exit_on_error=False)
    async def finish_start_up(self) -> None:
        """Do what the first frame was spared, importing in threads so the list stays
        responsive: check the `[keys]` names against every screen, then load the network,
        feed and extraction modules so the first refresh or article does not wait for them."""
        await asyncio.to_thread(remappable)
        for name in sorted(set(self.config.keys) - binding_ids()):
            self._settings_problem(f"[keys] {name}: no such action; it keeps its default key")
        await self.library.load_services()

    def _settings_problem(self, problem: str) -> None:
        self.notify(
            clean_line(problem, 300), title="Settings", severity="warning", timeout=12, markup=False
        )

    async def on_unmount(self) -> None:
        await self.library.aclose()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A background task of the app itself failed: say so in one line and keep running
        (the screens report their own: see reader.ui.failures)."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            self.log.error(f"worker {event.worker.name} failed: {error!r}")
            self.notify(failure_line(error), title="Error", severity="error", markup=False)

    def post_display_hook(self) -> None:
        """Write the pictures' sequences of the frame just written (see GraphicsOut).

        Textual has no public call to write to the terminal; its own clipboard and bell use
        the driver the same way. Headless (tests), there is no terminal: they are dropped.
        """
        sequences = self.graphics.take()
        driver = self._driver
        if sequences and driver is not None and not self.is_headless:
            driver.write(sequences)
            driver.flush()

    def set_reading_width(self, width: int) -> None:
        """Use `width` columns for articles from now on, and remember it."""
        self.reading_width = width
        self.remember(reading_width=width)

    @work(group="settings", exit_on_error=False, thread=True)
    def remember(self, **values: int | str) -> None:
        """Save changed settings (theme, reading width) to the settings file, off the UI thread."""
        if self.config_file is None:
            return
        try:
            with self._settings_lock:  # two saves at once would each drop the other's change
                save_config(self.config_file, **values)
        except (OSError, ValueError) as error:
            self.call_from_thread(
                self.notify, f"Could not save settings: {error}", severity="warning", markup=False
            )

    def get_key_display(self, binding: Binding) -> str:
        """The key as the footer, the help screen and the command palette show it.

        Key names come from the settings file, so they are cleaned like any untrusted text.
        """
        return clean_line(super().get_key_display(binding), MAX_KEY_DISPLAY_CHARS)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """One entry per action of the screen in front, ours first, then those of Textual's
        own worth having (TEXTUAL_COMMANDS_KEPT). Textual's focus, selection and scrolling
        bindings carry no id and stay out: they crowded ours."""
        titles: set[str] = set()
        actions: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if (
                not (binding.id and binding.description)
                or binding.action in actions
                or binding.action in NAVIGATION_ACTIONS
            ):
                continue
            actions.add(binding.action)
            titles.add(binding.description)
            keys = self.get_key_display(binding)
            explained = f"{binding.tooltip}  ·  " if binding.tooltip else ""
            yield SystemCommand(
                binding.description,
                f"{explained}key {keys}",
                partial(self.run_action, binding.action, active.node),
            )
        for command in super().get_system_commands(screen):
            if command.title in TEXTUAL_COMMANDS_KEPT and command.title not in titles:
                yield command

    def action_help(self) -> None:
        """Show the keys of the screen in front, remaps included."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        # Ours all carry ids; of Textual's own (focus, selection, sideways scrolling) only the
        # command palette is worth a line.
        bindings = [
            active.binding
            for active in screen.active_bindings.values()
            if active.binding.id
            or active.binding.action in ("command_palette", "app.command_palette")
        ]
        self.push_screen(HelpScreen("Keys", describe_bindings(bindings, self.get_key_display)))
