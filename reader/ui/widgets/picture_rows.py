"""One row of a picture as the reading view and the full-screen view draw it: the picture's
cells once it is encoded, else a placeholder of the same size saying why it is not there."""

from __future__ import annotations

from rich.segment import ControlType, Segment
from rich.style import Style
from rich.text import Text

from reader.sanitize import clean_line
from reader.ui.graphics.encode import PictureCells

ZERO_WIDTH: list[tuple[ControlType, int]] = [(ControlType.CURSOR_FORWARD, 0)]
"""Marks a segment as a control, so Rich and Textual give it no width: our escape sequences
(Kitty's transmission, Sixel rows) then never count as cells."""


def placeholder_row(row: int, rows: int, columns: int, text: str, style: Style) -> list[Segment]:
    """Row `row` of a `rows` × `columns` box in `style`, its middle row saying `text`."""
    if row != rows // 2 or not text:
        return [Segment(" " * columns, style)]
    words = Text(clean_line(text, 500), style, justify="center", no_wrap=True)
    words.truncate(columns, overflow="ellipsis", pad=False)
    lead = max(0, (columns - words.cell_len) // 2)
    return [
        Segment(" " * lead, style),
        Segment(words.plain, style),
        Segment(" " * max(0, columns - lead - words.cell_len), style),
    ]


def picture_row(
    cells: PictureCells, row: int, first: int, last: int, back: int
) -> tuple[list[Segment], Segment | None]:
    """The cells of `row` and the control to write after the whole line, if any (see
    PictureCells.controls): rows `first`..`last` are in view, the line's end `back` cells
    right of the picture's left edge."""
    controls = cells.controls(row, first, last, back)
    return cells.rows[row], Segment(controls, None, ZERO_WIDTH) if controls else None
