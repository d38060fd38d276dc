"""What the picture service hands the reading view."""

from __future__ import annotations

from dataclasses import dataclass

NOT_DOWNLOADED = "not downloaded"
"""What the picture service says when it holds no copy and was asked not to fetch one."""


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture decoded, scaled to what a terminal can show and re-encoded by us (PNG or
    JPEG): `data` is safe to open, whatever the source was."""

    src: str
    """The http(s) address it came from (an article's Figure.src)."""
    width: int
    height: int
    data: bytes


@dataclass(frozen=True, slots=True)
class PictureOutcome:
    """A picture, or why there is none to draw (the placeholder shows `error`)."""

    picture: Picture | None
    error: str | None = None
    """One line for the placeholder: "not downloaded", "too large (50000×50000)", "not an
    image", a fetch error."""
    store_error: str | None = None
    """Why the picture could not be kept in the library (disk full…); it is shown all the same."""
