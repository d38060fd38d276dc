"""Our picture encoders and the choice between them: pure functions on pictures made here with
Pillow. What reaches the terminal must be only sequences of these shapes."""

from __future__ import annotations

import base64
import re

import pytest
from PIL import Image

from reader.ui.graphics import kitty
from reader.ui.graphics.encode import PictureCells, encode
from reader.ui.graphics.modes import CellPixels, choose_mode, picture_box
from reader.ui.graphics.sixel import encode_sixel_rows

SIXEL = re.compile(r'\x1bP0;1q"1;1;(\d+);(\d+)(?:#\d+;2;\d{1,3};\d{1,3};\d{1,3})*([^\x1b]*)\x1b\\')
"""A whole Sixel image as ours are: DCS, raster size, colour definitions, sixel data, ST."""
SIXEL_DATA = re.compile(r"(?:#\d+|!\d+[?-~]|[?-~]|\$|-)*")
APC = re.compile(
    r"\x1b_G([a-zA-Z]=[A-Za-z0-9]+(?:,[a-zA-Z]=[A-Za-z0-9]+)*)(?:;([A-Za-z0-9+/=]*))?\x1b\\"
)


def stripes(width: int, height: int) -> Image.Image:
    """Red over blue, half and half: easy to check cell by cell."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width, height // 2))
    return image


@pytest.mark.parametrize(
    ("setting", "env", "colours", "mode"),
    [
        ("auto", {"TERM": "xterm-kitty"}, "truecolor", "kitty"),
        ("auto", {"TERM_PROGRAM": "ghostty"}, "truecolor", "kitty"),
        ("auto", {"TERM": "xterm-kitty"}, "256", "halfcell"),  # ids need 24-bit colour
        ("auto", {"TERM_PROGRAM": "WezTerm"}, "truecolor", "sixel"),
        ("auto", {"TERM": "foot"}, "truecolor", "sixel"),
        ("auto", {"KONSOLE_VERSION": "230804"}, "truecolor", "sixel"),
        (
            "auto",
            {"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"},
            "truecolor",
            "halfcell",
        ),
        ("auto", {"TERM": "xterm-256color"}, "256", "halfcell"),
        ("auto", {"TERM": "xterm-kitty", "NO_COLOR": ""}, "truecolor", "off"),
        ("sixel", {"NO_COLOR": "1"}, "truecolor", "off"),
        ("halfcell", {}, "standard", "off"),
        ("halfcell", {}, None, "off"),
        ("sixel", {"TMUX": "x"}, "truecolor", "sixel"),  # asked for: the user knows their tmux
        ("kitty", {}, "truecolor", "kitty"),
        ("off", {"TERM": "xterm-kitty"}, "truecolor", "off"),
    ],
)
def test_the_mode_follows_the_setting_and_the_environment(
    setting: str, env: dict[str, str], colours: str | None, mode: str
) -> None:
    assert choose_mode(setting, env, colours) == mode


def test_the_box_keeps_the_aspect_within_the_column_and_rows() -> None:
    halfcell = CellPixels(1, 2)
    # 400 × 300 at 72 columns: 72 wide, 72 × 300 / 400 / 2 = 27 rows; capped at 13 rows.
    assert picture_box((400, 300), 72, 40, halfcell) == (72, 27)
    assert picture_box((400, 300), 72, 13, halfcell) == (35, 13)
    # Never wider than its own pixels: a 40-pixel picture is 40 half-blocks.
    assert picture_box((40, 40), 72, 40, halfcell) == (40, 20)
    # Not known yet: the column's width at 16:9.
    assert picture_box(None, 64, 40, halfcell) == (64, 18)
    assert picture_box((400, 300), 72, 40, CellPixels(10, 20)) == (40, 15)


def test_half_blocks_carry_the_upper_and_lower_pixel() -> None:
    cells = encode(stripes(4, 4), "halfcell", 4, 2, CellPixels(1, 2))
    assert [[segment.text for segment in row] for row in cells.rows] == [["▀▀▀▀"], ["▀▀▀▀"]]
    upper, lower = cells.rows[0][0].style, cells.rows[1][0].style
    assert upper is not None and lower is not None
    assert upper.color and upper.color.triplet and upper.color.triplet.red == 255
    assert upper.bgcolor and upper.bgcolor.triplet and upper.bgcolor.triplet.red == 255
    assert lower.color and lower.color.triplet and lower.color.triplet.blue == 255
    assert cells.sequence(0, 0, 0) == ""


def test_sixel_rows_are_whole_dcs_sequences_of_our_shape() -> None:
    rows = encode_sixel_rows(stripes(30, 40), 20)
    assert len(rows) == 2
    for row in rows:
        match = SIXEL.fullmatch(row)
        assert match is not None, row[:80]
        assert (match.group(1), match.group(2)) == ("30", "20")
        assert SIXEL_DATA.fullmatch(match.group(3))
    # Red in every column of the first row's six-pixel bands: one colour, run-length coded.
    assert "!30~" in rows[0] and "!30~" in rows[1]


def test_a_sixel_row_is_drawn_where_its_cells_are_with_the_cursor_kept() -> None:
    cells = encode(stripes(30, 60), "sixel", 3, 3, CellPixels(10, 20))
    assert [len(row[0].text) for row in cells.rows] == [3, 3, 3]  # blank cells under it
    # Screen cell (7, 4) is row 5, column 8 in the terminal's numbering; each row every frame.
    assert cells.sequence(1, 7, 4) == "\x1b7\x1b[5;8H" + cells.row_images[1] + "\x1b8"
    assert cells.sequence(1, 7, 4) == cells.sequence(1, 7, 4)


def test_kitty_sends_the_picture_once_then_draws_placeholders() -> None:
    cells: PictureCells = encode(stripes(300, 200), "kitty", 6, 2, CellPixels(10, 20))
    sent = cells.sequence(0, 3, 2)
    chunks = APC.findall(sent)
    assert "".join(APC.split(sent)[::3]) == "", "nothing but APC sequences"
    keys = [dict(pair.split("=") for pair in found[0].split(",")) for found in chunks]
    picture_id = int(keys[0]["i"])
    assert keys[0]["a"] == "t" and keys[0]["f"] == "100" and keys[0]["q"] == "2"
    assert keys[-1] == {"a": "p", "U": "1", "i": str(picture_id), "c": "6", "r": "2", "q": "2"}
    assert all(len(found[1]) <= kitty.CHUNK for found in chunks)
    png = base64.b64decode("".join(found[1] for found in chunks[:-1]))
    assert png.startswith(b"\x89PNG")
    assert cells.sequence(1, 3, 3) == "", "sent once"
    assert cells.release() == f"\x1b_Ga=d,d=I,i={picture_id},q=2\x1b\\"
    row = cells.rows[1][0]
    assert row.text == "".join(
        kitty.PLACEHOLDER + chr(kitty.DIACRITICS[1]) + chr(kitty.DIACRITICS[c]) for c in range(6)
    )
    assert row.style is not None and row.style.color and row.style.color.triplet
    red, green, blue = row.style.color.triplet
    assert (red << 16) | (green << 8) | blue == picture_id
