"""Page cleaning in worker processes, so a runaway parse is killed rather than waited for.

selectolax's parse time grows quadratically with nesting depth and a small page of misnested
tags can take seconds and gigabytes. The extractor's budget check catches the known shapes; this
is the backstop for the unknown ones: each page is cleaned in a separate process (a
reader.workers pool) with a deadline, and a process that overruns it is killed. Workers are kept
warm and reused between pages.
"""

from __future__ import annotations

from typing import Any

from reader.document import Document
from reader.workers import WorkerFailed, WorkerPool, WorkerStopped, WorkerTimeout

CLEAN_TIMEOUT = 15.0
"""Seconds one page may take to clean: the worst page of the 181-page corpus takes ~0.1 s."""
WORKER_PROCESSES = 2
"""Pages cleaned at once: one per core of a small machine."""
WORKER_MEMORY = 2 * 1024**3
"""Address space a cleaning process may use (2 GiB): a misnested page that would take
gigabytes fails with MemoryError, reported as a message, instead of swapping the machine."""


class CleanError(Exception):
    """Cleaning a page failed or was abandoned; str(err) says why, for the user."""


def clean_page(content: bytes, url: str, content_type: str | None) -> tuple[dict[str, Any], str]:
    """The worker's job: the cleaned article (as a dict, to cross the pipe) and the page's text."""
    from reader.extract import extract
    from reader.extract.page_text import page_text

    document = extract(content, url, content_type)
    return document.to_dict(), page_text(content, content_type)


class PageCleaner:
    """Cleans pages off the event loop and out of process, each under a deadline."""

    def __init__(self, processes: int = WORKER_PROCESSES, timeout: float | None = None) -> None:
        self.timeout = CLEAN_TIMEOUT if timeout is None else timeout
        self._pool = WorkerPool(clean_page, processes=processes, memory=WORKER_MEMORY)

    async def clean(
        self, content: bytes, url: str, content_type: str | None
    ) -> tuple[Document, str]:
        """The cleaned article and the page's full text; CleanError if the page defeats it."""
        try:
            document, text = await self._pool.run(content, url, content_type, timeout=self.timeout)
        except WorkerTimeout:
            raise CleanError(f"gave up cleaning the page after {self.timeout:.0f} s") from None
        except WorkerStopped:
            raise CleanError("the cleaner stopped on this page") from None
        except WorkerFailed as error:
            reason = "the page needs too much memory" if str(error) == "MemoryError" else error
            raise CleanError(f"cleaning failed ({reason})") from None
        return Document.from_dict(document), text

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their page is done or abandoned)."""
        self._pool.close()
