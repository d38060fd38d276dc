"""Where our encoders' escape sequences wait for the frame that drew their cells."""

from __future__ import annotations


class GraphicsOut:
    """Our encoders' escape sequences waiting for the frame that drew their cells.

    They never travel inside the frame's lines: Textual crops lines by counting characters as
    cells (Strip.crop, and the partial updates that use it) and would cut a sequence in two,
    and Rich's Segment.divide drops what follows a line's last cell. The app writes them to
    the terminal right after each frame (NewsReaderApp.post_display_hook).
    """

    def __init__(self) -> None:
        self._pending: list[str] = []

    def send(self, sequence: str) -> None:
        if sequence:
            self._pending.append(sequence)

    def take(self) -> str:
        """Everything waiting, in order; nothing waits after."""
        out, self._pending = "".join(self._pending), []
        return out
