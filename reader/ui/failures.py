"""One way for any screen's background work to fail: one line for the user, and the app goes on.

Textual drops the error of an `exit_on_error=False` worker silently, and its StateChanged message
does not bubble, so the app never hears of a screen's failure: each screen reports its own.
"""

from __future__ import annotations

from textual.widget import Widget
from textual.worker import Worker, WorkerState

from reader.sanitize import clean_line
from reader.store import StoreError

MAX_FAILURE_CHARS = 300
"""Longest failure line shown: one or two lines of a notification, whatever the error held."""


def failure_line(error: BaseException) -> str:
    """What a failed worker tells the user, in one clean line."""
    if isinstance(error, StoreError):
        text = str(error)
    elif isinstance(error, OSError):
        reason = error.strerror or str(error)
        text = f"{reason}: {error.filename}" if error.filename else reason
    else:
        text = f"Something went wrong: {type(error).__name__}: {error}"
    return clean_line(text, MAX_FAILURE_CHARS)


class ReportsWorkerFailures(Widget):
    """Mixin for screens: any of its workers that fails is reported in one line, then
    `worker_failed` lets the screen put itself right (a status line, a progress bar)."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen failed: say so and keep running."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and error is not None:
            self.log.error(f"worker {event.worker.name} failed: {error!r}")
            self.worker_failed(event.worker, failure_line(error))

    def worker_failed(self, worker: Worker[object], line: str) -> None:
        """Tell the user `line`; screens with a status line override this to show it there."""
        self.notify(line, title="Error", severity="error", timeout=10, markup=False)
