"""Decoding, scaling and re-encoding one picture: the job the picture workers run.

Only here is Pillow handed bytes from strangers, and only in a worker process (reader.workers)
with a deadline and an address-space limit. The pixel count is read from the header, which
Image.open parses without decoding, and refused above MAX_PICTURE_PIXELS before any pixel is
decoded; Pillow's own bomb check is armed at the same cap for what the header does not tell
(later GIF frames). What comes out is our own PNG or JPEG, never the source's bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageOps, UnidentifiedImageError, features

MAX_PICTURE_PIXELS = 40_000_000
"""Largest picture decoded (40 megapixels, e.g. 8000×5000): above any news photo we have met
(a 50 MP camera original is rare on the web); decoding it as RGBA takes about 160 MB."""
MAX_PICTURE_WIDTH = 1600
"""Widest picture kept: a 200-column terminal at 8 px a cell, as the issue suggests."""
MAX_PICTURE_HEIGHT = 4800
"""Tallest picture kept: three widths, so a long infographic stays legible without keeping a
40-megapixel strip."""
JPEG_QUALITY = 85
"""Re-encoding quality of photos: no visible loss at terminal sizes, about 10× smaller than PNG."""
BASE_FORMATS = ("JPEG", "PNG", "GIF")
"""Formats always decoded: Pillow's oldest, most fuzzed decoders."""
OPTIONAL_FORMATS = {"webp": "WEBP", "avif": "AVIF"}
"""Formats decoded where this Pillow was built with them (PIL.features name → format)."""

Decoded = tuple[int, int, bytes]
"""Width, height and our re-encoded PNG or JPEG bytes."""


class PictureRefused(Exception):
    """The picture will not be decoded; str(err) is the one line its placeholder shows."""


def allowed_formats() -> tuple[str, ...]:
    """The formats Image.open may try: the base ones, and WebP and AVIF where Pillow has them."""
    extra = tuple(name for feature, name in OPTIONAL_FORMATS.items() if features.check(feature))
    return BASE_FORMATS + extra


def decode_picture(data: bytes) -> Decoded | str:
    """The worker's job: the picture scaled and re-encoded, or the one-line reason it is not.

    Refusals are returned, not raised, so the parent can tell them from a crashing decoder.
    """
    Image.MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
    try:
        with _opened(data) as image:
            return _scaled_and_encoded(image)
    except PictureRefused as refusal:
        return str(refusal)
    except Image.DecompressionBombError:
        return "too large"  # a later GIF frame larger than the header said
    except UnidentifiedImageError:
        return "not an image"
    except (OSError, SyntaxError, ValueError, EOFError):
        # Pillow's report of truncated or corrupt data (SyntaxError is a PNG's broken chunk).
        return "broken image"


@contextmanager
def _opened(data: bytes) -> Iterator[Image.Image]:
    """The picture opened lazily (only its header read), refused if it has too many pixels."""
    # Pillow's check would refuse a bomb here too, but without saying its size; ours says it.
    Image.MAX_IMAGE_PIXELS = None
    try:
        image = Image.open(io.BytesIO(data), formats=allowed_formats())
    finally:
        Image.MAX_IMAGE_PIXELS = MAX_PICTURE_PIXELS
    with image:
        width, height = image.size
        if width * height > MAX_PICTURE_PIXELS:
            raise PictureRefused(f"too large ({width}×{height})")
        if width < 1 or height < 1:
            raise PictureRefused("broken image")
        yield image


def _scaled_and_encoded(image: Image.Image) -> Decoded:
    """The first frame, upright, at most MAX_PICTURE_WIDTH × MAX_PICTURE_HEIGHT, as our PNG
    (when it has transparency) or JPEG."""
    # A JPEG decodes straight at a fraction of its size (DCT scaling): far less work and
    # memory. Pillow picks the smallest fraction still at least this large in both directions.
    image.draft("RGB", _fitted(image.size))
    image.load()
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    frame = upright.convert("RGBA" if has_alpha else "RGB")
    frame.thumbnail(_fitted(frame.size), Image.Resampling.LANCZOS)
    # Pillow writes some of the source's metadata back by itself (a JPEG's comment, its EXIF,
    # ICC profile): only pixels go out.
    frame.info.clear()
    out = io.BytesIO()
    if has_alpha:
        frame.save(out, "PNG", optimize=False)
    else:
        frame.save(out, "JPEG", quality=JPEG_QUALITY)
    return frame.width, frame.height, out.getvalue()


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down, aspect kept, to fit MAX_PICTURE_WIDTH × MAX_PICTURE_HEIGHT."""
    width, height = size
    scale = min(1.0, MAX_PICTURE_WIDTH / width, MAX_PICTURE_HEIGHT / height)
    return max(1, round(width * scale)), max(1, round(height * scale))
