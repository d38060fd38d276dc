"""Write the small hand-made pictures of tests/fixtures/pictures/ (run once; they are committed).

Each file stands for one kind of picture the service must handle: ordinary ones in every format
it decodes, one to scale down, and the hostile or broken ones it must refuse.
`python tools/make_picture_fixtures.py` regenerates them with the installed Pillow.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image, features
from PIL.PngImagePlugin import PngInfo

OUTPUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pictures"
HOSTILE_NOTE = b"\x1b]2;owned\x07 planted note"
"""Metadata hidden in the ordinary pictures: our re-encoding must never carry it along."""
ORIENTATION = 0x0112
"""The EXIF tag saying how a camera held the picture."""
BOMB_SIDE = 50_000
"""Width and height the bomb's header claims: 2.5 gigapixels, from a file of a few KB."""


def _photo(width: int, height: int) -> Image.Image:
    """Four flat colour quarters: tells the corners apart, and compresses to almost nothing."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((40, 160, 60), (width // 2, 0, width, height // 2))
    image.paste((40, 60, 200), (0, height // 2, width // 2, height))
    image.paste((230, 210, 50), (width // 2, height // 2, width, height))
    return image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def _bomb_png() -> bytes:
    """A PNG whose header says 50,000 × 50,000 grey pixels, with only a few rows of data: the
    header alone must be enough to refuse it."""
    header = struct.pack(">IIBBBBB", BOMB_SIDE, BOMB_SIDE, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (BOMB_SIDE + 1) * 4, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", rows)
        + _png_chunk(b"IEND", b"")
    )


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    photo = io.BytesIO()
    _photo(400, 300).save(photo, "JPEG", quality=70, comment=HOSTILE_NOTE)
    (OUTPUT / "photo.jpg").write_bytes(photo.getvalue())
    # Wider than MAX_PICTURE_WIDTH, so it must come back scaled to 1600 × 200.
    _photo(3200, 400).save(OUTPUT / "wide.png", optimize=True)
    # Taller than MAX_PICTURE_HEIGHT: 160 × 4800 once scaled.
    _photo(200, 6000).save(OUTPUT / "tall.png", optimize=True)
    # Stored 60 × 20 with EXIF orientation 6 ("turn 90° clockwise"): upright it is 20 × 60.
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    _photo(60, 20).save(OUTPUT / "rotated.jpg", quality=70, exif=exif)
    alpha = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    alpha.paste((250, 120, 0, 255), (0, 0, 32, 48))
    note = PngInfo()
    note.add_text("Comment", HOSTILE_NOTE.decode("latin-1"))
    alpha.save(OUTPUT / "alpha.png", pnginfo=note)
    frames = [Image.new("P", (40, 30), index) for index in (1, 2)]
    palette = [0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 9)
    for frame in frames:
        frame.putpalette(palette)
    frames[0].save(OUTPUT / "animated.gif", save_all=True, append_images=frames[1:], duration=100)
    _photo(80, 60).save(OUTPUT / "photo.webp", quality=80)
    if features.check("avif"):
        _photo(80, 60).save(OUTPUT / "photo.avif", quality=80)
    (OUTPUT / "truncated.jpg").write_bytes(photo.getvalue()[: len(photo.getvalue()) // 2])
    (OUTPUT / "bomb.png").write_bytes(_bomb_png())
    (OUTPUT / "drawing.svg").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
        '<rect width="40" height="30" fill="red"/></svg>\n'
    )
    (OUTPUT / "not-a-picture.html").write_text(
        "<!doctype html><title>Not a picture</title><p>A page where a picture should be.</p>\n"
    )


if __name__ == "__main__":
    main()
