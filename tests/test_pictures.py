"""Pictures of articles (issue 14): fetched through the one client, checked, decoded out of
process, scaled, re-encoded by us, and refused in one line when they are hostile or broken.

Every picture is served by the loopback server from tests/fixtures/pictures/ (written by
tools/make_picture_fixtures.py); the library is a real SQLite file in a temp dir.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from loopback import LoopbackServer, StallingServer
from PIL import Image, features

from reader.config import Settings
from reader.library import Library
from reader.pictures.decode import MAX_PICTURE_HEIGHT, MAX_PICTURE_WIDTH

PICTURES = Path(__file__).parent / "fixtures" / "pictures"
PLANTED_NOTE = b"planted note"
"""Metadata tools/make_picture_fixtures.py hid in photo.jpg and alpha.png."""


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[Library]:
    """A library on a temp dir, its client and decoding processes closed at teardown."""
    library = Library(Settings(data_dir=tmp_path, feeds=(), article_timeout=5.0))
    try:
        yield library
    finally:
        await library.aclose()


def opened(data: bytes) -> Image.Image:
    """Our re-encoded bytes, opened (and fully decoded) for checking."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("name", "size", "format_", "mode"),
    [
        ("photo.jpg", (400, 300), "JPEG", "RGB"),
        ("alpha.png", (64, 48), "PNG", "RGBA"),
        ("photo.webp", (80, 60), "JPEG", "RGB"),
        ("animated.gif", (40, 30), "JPEG", "RGB"),
    ],
)
async def test_a_picture_is_decoded_and_re_encoded_by_us(
    library: Library,
    http_server: LoopbackServer,
    name: str,
    size: tuple[int, int],
    format_: str,
    mode: str,
) -> None:
    outcome = await library.picture(http_server.url(f"/pictures/{name}"))
    assert outcome.error is None and outcome.picture is not None
    picture = outcome.picture
    assert (picture.width, picture.height) == size
    assert PLANTED_NOTE not in picture.data  # our encoding, not the source's bytes
    image = opened(picture.data)
    assert (image.format, image.mode, image.size) == (format_, mode, size)


async def test_a_picture_request_asks_for_formats_we_decode(
    library: Library, http_server: LoopbackServer
) -> None:
    await library.picture(http_server.url("/pictures/photo.jpg"))
    [(_, headers)] = http_server.requests
    assert headers["accept"].startswith("image/webp,image/jpeg") and "svg" not in headers["accept"]


async def test_transparency_is_kept_as_png(library: Library, http_server: LoopbackServer) -> None:
    outcome = await library.picture(http_server.url("/pictures/alpha.png"))
    assert outcome.picture is not None
    image = opened(outcome.picture.data)
    assert image.getpixel((5, 5))[3] == 255 and image.getpixel((60, 5))[3] == 0


async def test_an_animated_gif_gives_its_first_frame(
    library: Library, http_server: LoopbackServer
) -> None:
    outcome = await library.picture(http_server.url("/pictures/animated.gif"))
    assert outcome.picture is not None
    red, green, blue = opened(outcome.picture.data).getpixel((20, 15))
    assert red > 200 and green < 60 and blue < 60  # the red first frame, not the blue second


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow decodes no AVIF")
async def test_avif_is_decoded_where_pillow_has_it(
    library: Library, http_server: LoopbackServer
) -> None:
    outcome = await library.picture(http_server.url("/pictures/photo.avif"))
    assert outcome.picture is not None
    assert (outcome.picture.width, outcome.picture.height) == (80, 60)


async def test_a_wide_picture_is_scaled_to_the_width_kept(
    library: Library, http_server: LoopbackServer
) -> None:
    outcome = await library.picture(http_server.url("/pictures/wide.png"))
    assert outcome.picture is not None
    assert (outcome.picture.width, outcome.picture.height) == (MAX_PICTURE_WIDTH, 200)
    image = opened(outcome.picture.data)
    assert image.size == (MAX_PICTURE_WIDTH, 200) and image.format == "JPEG"
    # The corners stay where they were: scaled, not cropped or turned.
    red, green, _ = image.getpixel((10, 10))
    assert red > 150 and green < 90
    _, green, blue = image.getpixel((MAX_PICTURE_WIDTH - 10, 10))
    assert green > 120 and blue < 100


@pytest.mark.parametrize(
    ("name", "size"),
    [("tall.png", (160, MAX_PICTURE_HEIGHT)), ("rotated.jpg", (20, 60))],
)
async def test_a_tall_picture_is_scaled_and_a_turned_one_comes_upright(
    library: Library, http_server: LoopbackServer, name: str, size: tuple[int, int]
) -> None:
    outcome = await library.picture(http_server.url(f"/pictures/{name}"))
    assert outcome.picture is not None
    assert (outcome.picture.width, outcome.picture.height) == size
    assert opened(outcome.picture.data).size == size


async def test_a_decompression_bomb_is_refused_from_its_header(
    library: Library, http_server: LoopbackServer
) -> None:
    assert (PICTURES / "bomb.png").stat().st_size < 4096
    outcome = await library.picture(http_server.url("/pictures/bomb.png"))
    assert outcome == type(outcome)(None, "too large (50000×50000)")


@pytest.mark.parametrize(
    ("path", "headers", "error"),
    [
        ("/pictures/drawing.svg", {}, "unsupported format (svg)"),
        ("/svg-as-png", {"Content-Type": "image/png"}, "unsupported format (svg)"),
        ("/pictures/not-a-picture.html", {}, "not an image"),
        ("/tiff", {"Content-Type": "image/tiff"}, "unsupported format (tiff)"),
        ("/pictures/truncated.jpg", {}, "broken image"),
    ],
)
async def test_what_is_not_a_picture_we_draw_says_so_in_one_line(
    library: Library,
    http_server: LoopbackServer,
    path: str,
    headers: dict[str, str],
    error: str,
) -> None:
    http_server.route("/svg-as-png", body=(PICTURES / "drawing.svg").read_bytes(), headers=headers)
    http_server.route("/tiff", body=b"II*\x00" + b"\x00" * 64, headers=headers)
    outcome = await library.picture(http_server.url(path))
    assert (outcome.picture, outcome.error) == (None, error)


@pytest.mark.parametrize(
    "src",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "/pictures/photo.jpg",
        "",
    ],
)
async def test_only_http_pictures_are_fetched(
    library: Library, http_server: LoopbackServer, src: str
) -> None:
    outcome = await library.picture(src)
    assert (outcome.picture, outcome.error) == (None, "not an http(s) picture")
    assert http_server.requests == []


async def test_a_fetch_failure_is_the_placeholder_s_line(
    library: Library, http_server: LoopbackServer
) -> None:
    outcome = await library.picture(http_server.url("/pictures/missing.jpg"))
    assert (outcome.picture, outcome.error) == (None, "HTTP 404 Not Found")
    http_server.redirect("/loop/a", "/loop/b")
    http_server.redirect("/loop/b", "/loop/a")
    outcome = await library.picture(http_server.url("/loop/a"))
    assert outcome.picture is None and outcome.error == "too many redirects (over 10)"


async def test_a_picture_over_the_size_cap_is_not_downloaded(
    library: Library, http_server: LoopbackServer
) -> None:
    from reader.pictures.service import MAX_PICTURE_BYTES

    url = http_server.route("/huge.jpg", body=b"\xff\xd8\xff" + b"\x00" * MAX_PICTURE_BYTES)
    outcome = await library.picture(url)
    assert (outcome.picture, outcome.error) == (None, "larger than 10 MB")


async def test_a_hung_server_costs_only_its_picture(tmp_path: Path) -> None:
    hung = StallingServer()
    library = Library(Settings(data_dir=tmp_path, feeds=(), article_timeout=0.5))
    try:
        outcome = await library.picture(hung.url("/slow.jpg"))
        assert (outcome.picture, outcome.error) == (None, "timed out after 0.5 s")
    finally:
        await library.aclose()
        hung.stop()


async def test_a_picture_that_overruns_its_decoding_deadline_took_too_long(
    library: Library, http_server: LoopbackServer
) -> None:
    library.pictures.decode_timeout = 0.0001
    outcome = await library.picture(http_server.url("/pictures/wide.png"))
    assert (outcome.picture, outcome.error) == (None, "took too long")
    library.pictures.decode_timeout = 30
    outcome = await library.picture(http_server.url("/pictures/wide.png"))
    assert outcome.picture is not None  # a fresh worker takes the next picture


async def test_not_downloaded_when_it_may_not_fetch(
    library: Library, http_server: LoopbackServer
) -> None:
    outcome = await library.picture(http_server.url("/pictures/photo.jpg"), fetch=False)
    assert (outcome.picture, outcome.error) == (None, "not downloaded")
    assert http_server.requests == []
