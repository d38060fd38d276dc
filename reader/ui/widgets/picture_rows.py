"""One row of a picture as the reading view and the full-screen view draw it: the picture's
cells once it is encoded, else a placeholder of the same size saying why it is not there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from reader.sanitize import clean_line
from reader.ui.graphics.output import GraphicsOut

if TYPE_CHECKING:
    from reader.ui.graphics.encode import PictureCells


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
    cells: PictureCells, row: int, x: int, y: int, graphics: GraphicsOut | None
) -> list[Segment]:
    """The cells of `row`, drawn at screen cell (`x`, `y`); what the terminal needs besides
    them (a transmission, a Sixel row) goes to `graphics` (None: a screen not in front, whose
    pictures must not draw over the one that is)."""
    if graphics is not None:
        graphics.send(cells.sequence(row, x, y))
    return cells.rows[row]
