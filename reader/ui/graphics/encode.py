"""A picture (our own re-encoded PNG or JPEG) turned into terminal rows at one size in cells.

Runs in a thread: decoding and scaling take a few milliseconds for a 1600-pixel picture, the
Sixel encoding some tens; the reading view keeps showing the placeholder meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO

from PIL import Image
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from reader.ui.graphics import kitty
from reader.ui.graphics.modes import CellPixels, DrawMode
from reader.ui.graphics.sixel import encode_sixel_rows

PICTURE_FORMATS = ("PNG", "JPEG")
"""What the picture service re-encodes to: nothing else is opened here."""
HALF_BLOCK = "▀"
"""Upper half block: its foreground is the upper pixel, its background the lower one."""
SAVE_CURSOR, RESTORE_CURSOR = "\x1b7", "\x1b8"

RGB = tuple[int, int, int]


class DrawError(Exception):
    """The picture's bytes could not be decoded (they should always decode: we wrote them)."""


@dataclass(slots=True)
class PictureCells:
    """A picture encoded for the terminal at one size: what each of its rows draws."""

    mode: DrawMode
    columns: int
    rows: list[list[Segment]]
    """The cells of each row: half-blocks, Kitty placeholders, or blanks under a Sixel row."""
    transmit: str = ""
    """Kitty: the picture's transmission, sent once its first row is drawn."""
    row_images: list[str] = field(default_factory=list)
    """Sixel: the picture of each row, drawn over that row's blank cells."""
    sent: bool = False
    picture_id: int = 0
    """Kitty: the id the terminal knows the picture by."""

    def release(self) -> str:
        """What frees the picture in the terminal once these cells are no longer drawn."""
        return kitty.deletion(self.picture_id) if self.mode == "kitty" and self.sent else ""

    def sequence(self, row: int, x: int, y: int) -> str:
        """What to write to the terminal, after the frame that drew `row` at screen cell
        (`x`, `y`): Kitty's transmission the first time any row is drawn; a Sixel row each
        time (the frame's text over it erased it), put there with the cursor saved and
        restored around it."""
        if self.mode == "kitty" and not self.sent:
            self.sent = True
            return self.transmit
        if self.mode != "sixel":
            return ""
        return f"{SAVE_CURSOR}\x1b[{y + 1};{x + 1}H{self.row_images[row]}{RESTORE_CURSOR}"


def open_picture(data: bytes, background: RGB) -> Image.Image:
    """The picture as RGB, any transparency laid over `background`."""
    try:
        with Image.open(BytesIO(data), formats=PICTURE_FORMATS) as source:
            rgba = source.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise DrawError(f"could not be drawn ({type(error).__name__})") from error
    base = Image.new("RGBA", rgba.size, (*background, 255))
    return Image.alpha_composite(base, rgba).convert("RGB")


def draw(
    data: bytes, mode: DrawMode, columns: int, rows: int, cell: CellPixels, background: RGB
) -> PictureCells:
    """Our picture bytes decoded and encoded for `columns` × `rows` cells: run in a thread."""
    return encode(open_picture(data, background), mode, columns, rows, cell)


def encode(
    image: Image.Image, mode: DrawMode, columns: int, rows: int, cell: CellPixels
) -> PictureCells:
    """`image` drawn over `columns` × `rows` cells in `mode` (not "off")."""
    if mode == "halfcell":
        return _halfcell(image, columns, rows)
    if mode == "kitty":
        return _kitty(image, columns, rows, cell)
    return _sixel(image, columns, rows, cell)


def _halfcell(image: Image.Image, columns: int, rows: int) -> PictureCells:
    scaled = image.resize((columns, rows * 2), Image.Resampling.BILINEAR)
    pixels = scaled.tobytes()
    styles: dict[tuple[RGB, RGB], Style] = {}
    lines = []
    stride = columns * 3
    for row in range(rows):
        upper = pixels[2 * row * stride : (2 * row + 1) * stride]
        lower = pixels[(2 * row + 1) * stride : (2 * row + 2) * stride]
        segments: list[Segment] = []
        run_style: Style | None = None
        run = 0
        for column in range(0, stride, 3):
            top = (upper[column], upper[column + 1], upper[column + 2])
            bottom = (lower[column], lower[column + 1], lower[column + 2])
            style = styles.get((top, bottom))
            if style is None:
                style = styles[top, bottom] = Style(
                    color=Color.from_rgb(*top), bgcolor=Color.from_rgb(*bottom)
                )
            if style is not run_style and run:
                segments.append(Segment(HALF_BLOCK * run, run_style))
                run = 0
            run_style = style
            run += 1
        if run:
            segments.append(Segment(HALF_BLOCK * run, run_style))
        lines.append(segments)
    return PictureCells("halfcell", columns, lines)


def _kitty(image: Image.Image, columns: int, rows: int, cell: CellPixels) -> PictureCells:
    columns, rows = min(columns, kitty.MAX_SIDE), min(rows, kitty.MAX_SIDE)
    box = (columns * cell.width, rows * cell.height)
    if image.width > box[0] or image.height > box[1]:  # the terminal scales it into the box
        image = image.resize(box, Image.Resampling.LANCZOS)
    picture_id = kitty.next_id()
    # The cells carry the id in their foreground colour: 24 bits, red the highest byte.
    style = Style(
        color=Color.from_rgb(picture_id >> 16 & 255, picture_id >> 8 & 255, picture_id & 255)
    )
    lines = [[Segment(kitty.placeholder_row(row, columns), style)] for row in range(rows)]
    transmit = kitty.transmission(image, picture_id, columns, rows)
    return PictureCells("kitty", columns, lines, transmit=transmit, picture_id=picture_id)


def _sixel(image: Image.Image, columns: int, rows: int, cell: CellPixels) -> PictureCells:
    scaled = image.resize((columns * cell.width, rows * cell.height), Image.Resampling.LANCZOS)
    row_images = encode_sixel_rows(scaled, cell.height)
    blank = [[Segment(" " * columns)] for _ in range(rows)]
    return PictureCells("sixel", columns, blank, row_images=row_images)
