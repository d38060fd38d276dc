"""How counts are worded for people: one place, so the CLI, sync and the UI agree."""

from __future__ import annotations


def counted(count: int, one: str, many: str | None = None) -> str:
    """A count and its noun: "1 story", "2 stories" (`many` defaults to `one` + "s")."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
