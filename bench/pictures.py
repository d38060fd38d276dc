"""How long a picture takes to decode, scale and re-encode, and a decompression bomb to be refused.

    python bench/pictures.py [--runs 9]

Makes pictures of the sizes the web serves (a 1 MP thumbnail to a 40 MP camera original, at
MAX_PICTURE_PIXELS, in JPEG, PNG and WebP) with Pillow, with noise so the encoders cannot cheat,
and one flat 40 MP PNG with transparency (few bytes, the most decoding work allowed). Each goes
through the real decoding pool (reader.workers, as the library does: the pipe to a warm worker
included), then the 50,000 × 50,000 bomb of tests/fixtures/pictures/. Prints the median and p90
per picture, what came out, and the bomb's refusal time. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import time
from pathlib import Path

from PIL import Image

from reader.pictures.decode import decode_picture
from reader.pictures.service import DECODE_MEMORY, DECODE_PROCESSES, DECODE_TIMEOUT
from reader.workers import WorkerPool

BOMB = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pictures" / "bomb.png"
SIZES = (
    ("1 MP JPEG", (1200, 800), "JPEG", True),
    ("12 MP JPEG", (4000, 3000), "JPEG", True),
    ("40 MP JPEG", (8000, 5000), "JPEG", True),
    ("2 MP PNG", (1920, 1080), "PNG", True),
    ("12 MP PNG", (4000, 3000), "PNG", True),
    ("40 MP PNG α", (8000, 5000), "PNG", False),
    ("2 MP WebP", (1920, 1080), "WEBP", True),
)
"""The pictures timed: name, size, format, and whether it is noisy (else flat, with alpha: the
worst case a few hundred KB can ask of the decoder, every pixel decoded as RGBA)."""
NOISE_SIGMA = 40
"""Gaussian noise over a gradient: harder to compress than a photo (a 12 MP JPEG of 7 MB, where
a camera's is 3–5 MB), so the times are a bad case rather than a typical one."""


def make_picture(size: tuple[int, int], format_: str, noisy: bool) -> bytes:
    """A photo-like picture (a colour gradient under noise), or a flat one with transparency."""
    out = io.BytesIO()
    if not noisy:
        Image.new("RGBA", size, (10, 200, 30, 128)).save(out, format_)
        return out.getvalue()
    gradient = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, NOISE_SIGMA)
    image = Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.ROTATE_180)))
    image.save(out, format_, **({"quality": 90} if format_ != "PNG" else {"compress_level": 6}))
    return out.getvalue()


def percentile(times: list[float], fraction: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def timed(pool: WorkerPool, data: bytes, runs: int) -> tuple[list[float], object]:
    """Seconds for each of `runs` decodes through the pool, and the last result."""
    result: object = None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = await pool.run(data, timeout=DECODE_TIMEOUT * 10)
        times.append(time.perf_counter() - start)
    return times, result


async def main(runs: int) -> None:
    pool = WorkerPool(decode_picture, processes=DECODE_PROCESSES, memory=DECODE_MEMORY)
    try:
        await pool.run(BOMB.read_bytes(), timeout=DECODE_TIMEOUT * 10)  # start a worker
        print(f"{'picture':12} {'bytes in':>10} {'median s':>9} {'p90 s':>7}  out")
        for name, size, format_, noisy in SIZES:
            data = make_picture(size, format_, noisy)
            times, result = await timed(pool, data, runs)
            if isinstance(result, tuple):
                width, height, encoded = result
                out = f"{width}×{height}, {len(encoded) // 1024} KB"
            else:
                out = str(result)
            median, p90 = statistics.median(times), percentile(times, 0.9)
            print(f"{name:12} {len(data):>10,} {median:>9.3f} {p90:>7.3f}  {out}")
        bomb = BOMB.read_bytes()
        times, result = await timed(pool, bomb, runs)
        median, p90 = statistics.median(times), percentile(times, 0.9)
        print(
            f"{'bomb':12} {len(bomb):>10,} {median:>9.4f} {p90:>7.4f}  {result}"
            f"  (header only; the pipe to the worker included)"
        )
    finally:
        pool.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    asyncio.run(main(parser.parse_args().runs))
