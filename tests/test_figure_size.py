"""A figure keeps the size its <img> declares, so the reading view reserves the picture's shape
before it arrives; documents cached before the size was kept still load."""

from __future__ import annotations

from reader.document import Document, Figure
from reader.extract import extract

SENTENCE = (
    "The council met on Tuesday, and after a long debate it agreed to repair the old bridge, "
    "which has been closed to lorries since the spring floods damaged its piers. "
)


def _article(figures: str) -> str:
    story = "".join(f"<p>{SENTENCE} Paragraph {i}.</p>" for i in range(4))
    return f"<html><body><article>{story}{figures}{story}</article></body></html>"


def test_declared_width_and_height_are_kept() -> None:
    doc = extract(
        _article(
            "<figure><img src='/a.jpg' width='640' height='360px' alt='A'>"
            "<figcaption>One</figcaption></figure>"
            "<figure><img src='/b.jpg' width='800' alt='B'><figcaption>Two</figcaption></figure>"
            "<figure><img src='/c.jpg' width='100%' height='9999999' alt='C'>"
            "<figcaption>Three</figcaption></figure>"
        ),
        "https://img.example/story",
    )
    figures = [block for block in doc.blocks if isinstance(block, Figure)]
    assert [(f.src, f.width, f.height) for f in figures] == [
        ("https://img.example/a.jpg", 640, 360),
        # One side alone gives no shape; a percentage or an absurd number is no size.
        ("https://img.example/b.jpg", None, None),
        ("https://img.example/c.jpg", None, None),
    ]


def test_a_declared_zero_is_still_a_tracking_pixel() -> None:
    doc = extract(
        _article("<figure><img src='/pixel.gif' width='0' height='0'></figure>"),
        "https://img.example/story",
    )
    assert not [block for block in doc.blocks if isinstance(block, Figure)]


def test_the_size_survives_the_cache_and_old_documents_load() -> None:
    document = Document(blocks=[Figure("https://img.example/a.jpg", "A", "One", 640, 360)])
    assert Document.from_dict(document.to_dict()).blocks == document.blocks
    old = {"blocks": [{"kind": "figure", "src": "https://img.example/a.jpg", "alt": "A"}]}
    assert Document.from_dict(old).blocks == [Figure("https://img.example/a.jpg", "A")]
    odd = {"blocks": [{"kind": "figure", "src": None, "width": "640", "height": True}]}
    assert Document.from_dict(odd).blocks == [Figure(None)]
