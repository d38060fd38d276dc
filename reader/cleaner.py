"""Page cleaning in worker processes, so a runaway parse is killed rather than waited for.

selectolax's parse time grows quadratically with nesting depth and a small page of misnested
tags can take seconds and gigabytes. The extractor's budget check catches the known shapes; this
is the backstop for the unknown ones: each page is cleaned in a separate process with a deadline,
and a process that overruns it is killed. Workers are kept warm and reused between pages.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

from reader.document import Document

CLEAN_TIMEOUT = 15.0
"""Seconds one page may take to clean: the worst page of the 181-page corpus takes ~0.1 s."""
WORKER_PROCESSES = 2
"""Pages cleaned at once: one per core of a small machine."""
WORKER_MEMORY = 2 * 1024**3
"""Address space a cleaning process may use (2 GiB): a misnested page that would take
gigabytes fails with MemoryError, reported as a message, instead of swapping the machine."""
STOP_TIMEOUT = 1.0
"""Seconds a killed worker is given to exit before it is left to the OS."""


class CleanError(Exception):
    """Cleaning a page failed or was abandoned; str(err) says why, for the user."""


def _serve(connection: Connection) -> None:
    """A worker's loop: clean each page it is sent, until the pipe closes."""
    from reader.extract import extract
    from reader.extract.page_text import page_text

    _limit_memory()

    while True:
        try:
            content, url, content_type = connection.recv()
        except (EOFError, OSError):
            return
        try:
            document = extract(content, url, content_type)
            reply: tuple[str, Any, str] = (
                "ok",
                document.to_dict(),
                page_text(content, content_type),
            )
        except Exception as error:  # report any failure; the parent turns it into a message
            reply = ("error", type(error).__name__, "")
        connection.send(reply)


def _limit_memory() -> None:
    """Cap this process's address space where the platform allows it."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform, or a lower hard limit is already set


def _context() -> BaseContext:
    """Fork from a clean server process with the extractor preloaded where the OS allows it.

    The server (and multiprocessing's resource tracker) start here, at once. They are handed
    the process's real stderr: inside the running app `sys.stderr` is Textual's capture, whose
    file descriptor is -1, and they would fail to launch.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["reader.extract", "reader.extract.page_text"])
        with contextlib.redirect_stderr(sys.__stderr__):
            forkserver.ensure_running()
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    """One cleaning process and the pipe to it. Its methods block: call them from a thread."""

    def __init__(self, context: BaseContext) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    def clean(self, content: bytes, url: str, content_type: str | None, timeout: float) -> Any:
        self.connection.send((content, url, content_type))
        if not self.connection.poll(timeout):
            raise TimeoutError
        return self.connection.recv()

    def stop(self) -> None:
        self.connection.close()
        self.process.kill()
        self.process.join(STOP_TIMEOUT)


class PageCleaner:
    """Cleans pages off the event loop and out of process, each under a deadline."""

    def __init__(self, processes: int = WORKER_PROCESSES, timeout: float | None = None) -> None:
        self.timeout = CLEAN_TIMEOUT if timeout is None else timeout
        self._slots = asyncio.Semaphore(processes)
        self._idle: list[_Worker] = []
        self._context = _context()

    async def clean(
        self, content: bytes, url: str, content_type: str | None
    ) -> tuple[Document, str]:
        """The cleaned article and the page's full text; CleanError if the page defeats it."""
        async with self._slots:
            worker = self._idle.pop() if self._idle else await asyncio.to_thread(self._start)
            try:
                status, document, text = await asyncio.to_thread(
                    worker.clean, content, url, content_type, self.timeout
                )
            except TimeoutError:
                await asyncio.to_thread(worker.stop)
                raise CleanError(f"gave up cleaning the page after {self.timeout:.0f} s") from None
            except (EOFError, OSError):
                await asyncio.to_thread(worker.stop)
                raise CleanError("the cleaner stopped on this page") from None
            except BaseException:
                # Cancelled mid-page: the worker may still be busy with it, so it is not reused.
                await asyncio.shield(asyncio.to_thread(worker.stop))
                raise
            self._idle.append(worker)
        if status != "ok":
            reason = "the page needs too much memory" if document == "MemoryError" else document
            raise CleanError(f"cleaning failed ({reason})")
        return Document.from_dict(document), text

    def _start(self) -> _Worker:
        return _Worker(self._context)

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their page is done or abandoned)."""
        while self._idle:
            self._idle.pop().stop()
