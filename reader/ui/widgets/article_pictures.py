"""The pictures of the reading view: what the service said of each, the cells each is drawn
with at its laid-out size, encoded in a thread, and the placeholder until then."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual import events
from textual.message import Message
from textual.scroll_view import ScrollView

from reader.pictures.model import Picture, PictureOutcome
from reader.ui.graphics.encode import DrawError, PictureCells, draw
from reader.ui.graphics.modes import (
    MAX_SCREEN_SHARE,
    MIN_PICTURE_ROWS,
    CellPixels,
    DrawMode,
    pixels_per_cell,
)
from reader.ui.graphics.output import GraphicsOut
from reader.ui.widgets.page_layout import LaidOutPage, PicturePlan, PictureRow
from reader.ui.widgets.picture_rows import picture_row, placeholder_row

if TYPE_CHECKING:
    _View = ScrollView
else:
    _View = object

CellsKey = tuple[str, int, int]
"""A picture's address and the columns and rows it is drawn over."""


class PicturesInView(_View):
    """The reading view's pictures (mixed into ArticleView, which lays the page out)."""

    class PictureClicked(Message):
        """The picture at `src` was clicked: show it full-screen."""

        def __init__(self, src: str) -> None:
            super().__init__()
            self.src = src

    _layout: LaidOutPage

    def _init_pictures(
        self, mode: DrawMode, cell: CellPixels, graphics: GraphicsOut | None
    ) -> None:
        self.picture_mode: DrawMode = mode
        self.cell = cell
        self.graphics = graphics
        self._pictures_shown = mode != "off"
        self.outcomes: dict[str, PictureOutcome] = {}
        """What the picture service said of each picture of the page, by address."""
        self._cells: dict[CellsKey, PictureCells] = {}
        self._encoding: set[CellsKey] = set()

    if TYPE_CHECKING:  # provided by ArticleView, which lays the page out

        @property
        def view_width(self) -> int: ...

        def _relayout(
            self, moved: str | None = None, rows_before: tuple[int, int] | None = None
        ) -> None: ...

    @property
    def pictures_shown(self) -> bool:
        """Whether figures are drawn as pictures (else as their alt text)."""
        return self._pictures_shown and self.picture_mode != "off"

    @pictures_shown.setter
    def pictures_shown(self, shown: bool) -> None:
        self._pictures_shown = shown
        self._relayout()

    @property
    def drawn_pictures(self) -> set[str]:
        """The addresses of the pictures encoded for the terminal at their laid-out size."""
        return {src for src, _, _ in self._cells}

    @property
    def pictures_pending(self) -> bool:
        """Whether a picture in view still waits for the library or its encoding: what the
        screenshots and benchmarks wait for."""
        top = round(self.scroll_y)
        for line in self._layout.lines[top : top + self.scrollable_content_region.height]:
            row = line.picture
            if row is None:
                continue
            outcome = self.outcomes.get(row.src)
            if outcome is None or (
                outcome.picture is not None and (row.src, row.columns, row.rows) not in self._cells
            ):
                return True
        return False

    def forget_pictures(self) -> None:
        """Drop the pictures of the page before: a new page asks for its own."""
        self.outcomes.clear()
        for cells in self._cells.values():
            self._release(cells)
        self._cells.clear()

    def _release(self, cells: PictureCells) -> None:
        if self.graphics is not None:
            self.graphics.send(cells.release())

    def set_picture(self, src: str, outcome: PictureOutcome) -> None:
        """Draw the picture at `src` once it arrived, or say why it did not. A picture of
        another shape than its placeholder takes its own rows; a picture above the view then
        moves the view by as many rows, so the line being read stays put."""
        before = self._picture_rows(src)
        self.outcomes[src] = outcome
        if outcome.picture is None:
            self.refresh()  # the placeholder says why; its rows stay
        else:
            self._relayout(moved=src, rows_before=before)

    def _picture_rows(self, src: str) -> tuple[int, int] | None:
        """The first line and the rows of the picture at `src` as laid out, if it is."""
        for index, line in enumerate(self._layout.lines):
            if line.picture is not None and line.picture.src == src:
                return index, line.picture.rows
        return None

    def picture_in_view(self) -> str | None:
        """The address of the picture most in view: the first whose top row shows, else the
        first with any row showing."""
        top = round(self.scroll_y)
        shown = self._layout.lines[top : top + self.scrollable_content_region.height]
        rows = [line.picture for line in shown if line.picture is not None]
        whole = next((row.src for row in rows if row.row == 0), None)
        return whole or (rows[0].src if rows else None)

    def _picture_plan(self) -> PicturePlan | None:
        """How figures are laid out now: None while pictures are not shown."""
        if not self.pictures_shown:
            return None
        rows = max(MIN_PICTURE_ROWS, int(self.size.height * MAX_SCREEN_SHARE))
        sizes = {
            src: (outcome.picture.width, outcome.picture.height)
            for src, outcome in self.outcomes.items()
            if outcome.picture is not None
        }
        return PicturePlan(rows, pixels_per_cell(self.picture_mode, self.cell), sizes)

    def _picture_segments(
        self, row: PictureRow, index: int, y: int, picture_left: int
    ) -> list[Segment]:
        """One row of a picture (drawn on line `y` of the view), or of its placeholder."""
        key: CellsKey = (row.src, row.columns, row.rows)
        cells = self._cells.get(key)
        outcome = self.outcomes.get(row.src)
        if cells is None:
            if outcome is not None and outcome.picture is not None:
                self._encode_later(key, outcome.picture)
                status = row.label
            elif outcome is not None:
                status = f"{row.label} · {outcome.error or 'no picture'}"
            else:
                status = f"{row.label} · loading…"
            style = self.get_component_rich_style("article-view--picture")
            return placeholder_row(row.row, row.rows, row.columns, f"▣ {status}", style)
        region = self.content_region
        # Only the screen in front draws: a picture must not cover a dialog over it.
        graphics = self.graphics if self.screen.is_active else None
        return picture_row(cells, row.row, region.x + picture_left, region.y + y, graphics)

    def _encode_later(self, key: CellsKey, picture: Picture) -> None:
        """Encode `picture` for its box in a thread; the placeholder shows until it is done."""
        if key in self._encoding:
            return
        self._encoding.add(key)
        self.run_worker(self._encode(key, picture), group="picture-cells", exit_on_error=False)

    async def _encode(self, key: CellsKey, picture: Picture) -> None:
        src, columns, rows = key
        background = self.background_colors[1].rgb
        try:
            cells = await asyncio.to_thread(
                draw, picture.data, self.picture_mode, columns, rows, self.cell, background
            )
        except DrawError as error:
            self.outcomes[src] = PictureOutcome(None, str(error))
        else:
            for old in [old for old in self._cells if old[0] == src]:
                self._release(self._cells.pop(old))  # one size kept: the one laid out
            self._cells[key] = cells
        finally:
            self._encoding.discard(key)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._layout.lines):
            row = self._layout.lines[index].picture
            if row is not None:
                self.post_message(self.PictureClicked(row.src))
