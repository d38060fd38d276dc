"""Draw the lead picture of the quiet-harbour fixture article (run once; it is committed).

    python tools/make_harbour_picture.py

A dawn harbour, drawn with Pillow so the screenshots show a picture that reads as one (sky,
sea, breakwater, a small boat) rather than test colours, and stays a few tens of KB.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUTPUT = Path(__file__).resolve().parents[1] / "tests/fixtures/media/2026/03/harbour-hydrophone.jpg"
SIZE = (1200, 675)
"""The size the article's <img> declares."""
HORIZON = 380


def blend(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def harbour() -> Image.Image:
    width, height = SIZE
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    for y in range(HORIZON):  # dawn: deep blue above, warm near the horizon
        t = y / HORIZON
        draw.line([(0, y), (width, y)], blend((38, 52, 96), (246, 170, 110), t**1.6))
    draw.ellipse((760, HORIZON - 70, 900, HORIZON + 70), fill=(255, 214, 150))
    for y in range(HORIZON, height):  # the sea, darker towards the viewer, with a few ripples
        t = (y - HORIZON) / (height - HORIZON)
        base = blend((200, 140, 110), (22, 44, 70), t**0.7)
        ripple = 3 * math.sin(y * 0.45) * (1 - t)
        draw.line([(0, y), (width, y)], blend(base, (255, 220, 170), max(0.0, ripple / 40)))
    for y in range(HORIZON + 4, height, 9):  # the sun's path on the water
        half = 30 + (y - HORIZON) * 0.25
        draw.line([(830 - half, y), (830 + half, y)], (250, 200, 140), width=2)
    draw.polygon(  # the breakwater, from the left
        [(0, HORIZON - 30), (520, HORIZON - 6), (540, HORIZON + 10), (0, HORIZON + 40)],
        fill=(44, 40, 46),
    )
    draw.rectangle((440, HORIZON - 70, 462, HORIZON - 8), fill=(60, 54, 58))  # a light tower
    draw.rectangle((436, HORIZON - 82, 466, HORIZON - 70), fill=(230, 90, 60))
    hull = [(300, 520), (560, 520), (520, 575), (335, 575)]  # the boat, nearer
    draw.polygon(hull, fill=(30, 30, 36))
    draw.rectangle((390, 470, 450, 520), fill=(52, 50, 58))
    draw.line([(470, 520), (500, 380)], (30, 30, 36), width=6)  # the hydrophone's davit
    draw.line([(500, 380), (540, 600)], (90, 90, 96), width=2)
    for x, y in ((395, 440), (430, 448)):  # two people aboard
        draw.ellipse((x, y, x + 18, y + 18), fill=(28, 28, 32))
        draw.rectangle((x + 2, y + 16, x + 16, 470), fill=(28, 28, 32))
    return image.filter(ImageFilter.GaussianBlur(1.2))


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    harbour().save(OUTPUT, format="JPEG", quality=72, optimize=True)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
