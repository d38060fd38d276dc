"""One picture of an article full-screen: as large as the window allows, aspect kept."""

from __future__ import annotations

import asyncio
from typing import ClassVar, Literal

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Static

from reader.pictures.model import PictureOutcome
from reader.sanitize import clean_line
from reader.ui.graphics.encode import DrawError, PictureCells, draw
from reader.ui.graphics.modes import CellPixels, DrawMode, picture_box, pixels_per_cell
from reader.ui.graphics.output import GraphicsOut
from reader.ui.widgets.picture_rows import picture_row, placeholder_row

PictureChoice = Literal["browser"]


class PictureView(Widget):
    """A picture centred in the widget, redrawn at each size; its reason if there is none."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"picture-view--placeholder"}

    def __init__(
        self,
        outcome: PictureOutcome | None,
        label: str,
        mode: DrawMode,
        cell: CellPixels,
        graphics: GraphicsOut | None,
    ) -> None:
        super().__init__()
        self.graphics = graphics
        self.outcome = outcome
        self.label = label
        self.mode = mode
        self.cell = cell
        self.cells: PictureCells | None = None
        self._box: tuple[int, int] = (0, 0)

    def show(self, outcome: PictureOutcome) -> None:
        """Draw the picture that arrived (or say why it did not)."""
        self.outcome = outcome
        self._box = (0, 0)
        self.on_resize(None)
        self.refresh()

    def _wanted_box(self) -> tuple[int, int]:
        picture = self.outcome.picture if self.outcome else None
        if picture is None or self.mode == "off":
            return self.size.width, self.size.height
        size = (picture.width, picture.height)
        return picture_box(
            size, self.size.width, self.size.height, pixels_per_cell(self.mode, self.cell)
        )

    def on_resize(self, _event: events.Resize | None) -> None:
        box = self._wanted_box()
        picture = self.outcome.picture if self.outcome else None
        if box != self._box and picture is not None and self.mode != "off":
            self._box = box
            self._release()
            self.run_worker(self._encode(box), exclusive=True, exit_on_error=False)

    async def _encode(self, box: tuple[int, int]) -> None:
        picture = self.outcome.picture if self.outcome else None
        assert picture is not None
        background = self.background_colors[1].rgb
        try:
            cells = await asyncio.to_thread(
                draw, picture.data, self.mode, box[0], box[1], self.cell, background
            )
        except DrawError as error:
            self.outcome = PictureOutcome(None, str(error))
        else:
            if box == self._box:
                self.cells = cells
        self.refresh()

    def _release(self) -> None:
        """Forget the cells drawn, freeing their picture in the terminal (Kitty keeps it)."""
        if self.cells is not None and self.graphics is not None:
            self.graphics.send(self.cells.release())
        self.cells = None

    def on_unmount(self) -> None:
        self._release()

    def _reason(self) -> str:
        if self.mode == "off":
            return f"▣ {self.label} · pictures are off in this terminal; o opens it in the browser"
        if self.outcome is None:
            return f"▣ {self.label} · loading…"
        if self.outcome.picture is None:
            return f"▣ {self.label} · {self.outcome.error or 'no picture'}"
        return f"▣ {self.label}"

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        base = self.rich_style
        columns, rows = self._box if self.cells is not None else (width, height)
        top = (height - rows) // 2
        row = y - top
        if not 0 <= row < rows:
            return Strip.blank(width, base)
        left = (width - columns) // 2
        if self.cells is None:
            style = self.get_component_rich_style("picture-view--placeholder")
            cells = placeholder_row(row, rows, columns, self._reason(), style)
        else:
            region = self.content_region
            graphics = self.graphics if self.screen.is_active else None
            cells = picture_row(self.cells, row, region.x + left, region.y + y, graphics)
        strip = Strip(Segment.apply_style([Segment(" " * left), *cells], base))
        return strip.adjust_cell_length(width, base)


class PictureScreen(Screen[PictureChoice | None]):
    """A picture full-screen with its caption; `o` opens it in the browser, Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss(None)", "Back", id="close_picture"),
        Binding("o", "dismiss('browser')", "Browser", id="picture_in_browser"),
    ]

    def __init__(
        self,
        src: str,
        outcome: PictureOutcome | None,
        alt: str,
        caption: str,
        mode: DrawMode,
        cell: CellPixels,
        graphics: GraphicsOut | None,
    ) -> None:
        super().__init__()
        self.src = src
        label = clean_line(alt, 300) or "picture"
        self.picture = PictureView(outcome, label, mode, cell, graphics)
        self.caption = clean_line(caption, 1000)

    def show(self, outcome: PictureOutcome) -> None:
        """The picture arrived while this screen was open."""
        self.picture.show(outcome)

    def compose(self) -> ComposeResult:
        yield self.picture
        yield Static(Text(self.caption), id="picture-caption")
        yield Footer()
