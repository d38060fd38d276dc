"""Which way pictures are drawn here, from the setting and the environment, and at what size.

The terminal is never queried: a query needs stdin in raw mode before Textual starts (costing
start-up time and a lost key press in terminals that do not answer) or fights Textual's input
thread after. The environment variables terminals set are enough to pick a protocol they
support, and the setting overrides a wrong guess.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

DrawMode = Literal["kitty", "sixel", "halfcell", "off"]

DEFAULT_CELL_PIXELS = (10, 20)
"""Pixels of a terminal cell when the terminal does not say (the ioctl gives 0 in many
terminals and in a pty): a VT340's cell, and close to the 8–12 × 16–24 of common fonts."""
DEFAULT_ASPECT = 16 / 9
"""Width over height of a picture whose size is not known yet: the shape of most lead pictures
on news sites, so the placeholder is rarely far from the picture that replaces it."""
MAX_SCREEN_SHARE = 0.6
"""Of the reading view's rows, those one picture may take: a tall portrait still leaves a few
lines of the story on screen, and a landscape picture at 72 columns fits well under it."""
MIN_PICTURE_ROWS = 3
"""Rows a picture gets however small the window: fewer and it is a stripe, not a picture."""

_KITTY_TERMS = ("xterm-kitty", "xterm-ghostty")
_KITTY_PROGRAMS = ("ghostty",)
_SIXEL_PROGRAMS = ("wezterm", "mlterm")
_SIXEL_TERMS = ("foot", "mlterm", "yaft", "contour")


@dataclass(frozen=True, slots=True)
class CellPixels:
    """The size of one terminal cell in pixels, which Kitty and Sixel pictures are drawn at."""

    width: int
    height: int


DEFAULT_CELL = CellPixels(*DEFAULT_CELL_PIXELS)


def choose_mode(setting: str, env: Mapping[str, str], color_system: str | None) -> DrawMode:
    """The way to draw pictures: the setting, unless there is no colour to draw with.

    "auto" picks Kitty in kitty and Ghostty (the only terminals that show Kitty's Unicode
    placeholders, which let a picture scroll with the text), Sixel where it is known to work,
    half-blocks in tmux (which passes neither protocol through by default) and elsewhere.
    NO_COLOR (set at all, as Textual reads it), or a terminal of 16 colours or none, gets the
    alt text whatever the setting; Kitty needs true colour too.
    """
    if "NO_COLOR" in env or color_system in (None, "standard", "windows"):
        return "off"
    if setting in ("sixel", "halfcell", "off"):
        return setting  # type: ignore[return-value]  # narrowed by the check above
    if setting == "kitty":
        # The cells name their picture by a 24-bit colour, which fewer colours would change.
        return "kitty" if color_system == "truecolor" else "halfcell"
    if env.get("TMUX"):
        return "halfcell"
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    is_kitty = term in _KITTY_TERMS or env.get("KITTY_WINDOW_ID") or program in _KITTY_PROGRAMS
    if is_kitty and color_system == "truecolor":
        return "kitty"
    if (
        program in _SIXEL_PROGRAMS
        or term.startswith(_SIXEL_TERMS)
        or env.get("KONSOLE_VERSION")
        or env.get("WT_SESSION")
    ):
        return "sixel"
    return "halfcell"


def cell_pixels(fd: int | None) -> CellPixels:
    """The cell size the terminal on `fd` reports (TIOCGWINSZ, which asks the kernel, not the
    terminal), or DEFAULT_CELL_PIXELS when it reports none."""
    if fd is not None:
        try:
            import fcntl  # POSIX only: elsewhere the default cell is used
            import termios

            rows, columns, width, height = struct.unpack(
                "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
            )
        except (ImportError, OSError):
            rows = columns = width = height = 0
        if rows and columns and width >= columns and height >= rows:
            return CellPixels(width // columns, height // rows)
    return CellPixels(*DEFAULT_CELL_PIXELS)


def terminal_cell_pixels() -> CellPixels:
    """The cell size of the terminal the app draws on (standard output), or the default."""
    stdout = sys.__stdout__
    try:
        fd = stdout.fileno() if stdout is not None and stdout.isatty() else None
    except (OSError, ValueError):
        fd = None
    return cell_pixels(fd)


def pixels_per_cell(mode: DrawMode, cell: CellPixels) -> CellPixels:
    """What one cell holds of the picture: two pixels stacked in half-blocks, else the cell."""
    return CellPixels(1, 2) if mode == "halfcell" else cell


def picture_box(
    size: tuple[int, int] | None, max_columns: int, max_rows: int, cell: CellPixels
) -> tuple[int, int]:
    """Columns and rows for a picture of `size` pixels (None: not known yet), aspect kept,
    never wider than its own pixels, within the column and the rows given."""
    max_columns, max_rows = max(1, max_columns), max(1, max_rows)
    if size is None or size[0] <= 0 or size[1] <= 0:
        width, height = float(max_columns * cell.width), max_columns * cell.width / DEFAULT_ASPECT
    else:
        width, height = float(size[0]), float(size[1])
    columns = max(1, min(max_columns, math.ceil(width / cell.width)))
    rows = max(1, round(columns * cell.width * height / width / cell.height))
    if rows > max_rows:
        rows = max_rows
        columns = max(1, min(columns, round(rows * cell.height * width / height / cell.width)))
    return columns, rows
