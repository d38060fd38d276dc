"""Untrusted work in worker processes, so a runaway job is killed rather than waited for.

Cleaning a page and decoding a picture both run code (selectolax, Pillow's decoders) on bytes
from strangers, where one input can take seconds and gigabytes. `WorkerPool` runs one job
function in warm, reused processes, each with an address-space limit, and gives every call a
deadline: a process that overruns it is killed. The page cleaner and the picture decoder are
two pools of this one mechanism.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sys
from collections.abc import Callable
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any

STOP_TIMEOUT = 1.0
"""Seconds a killed worker is given to exit before it is left to the OS."""
PRELOADED_MODULES = ("reader.extract", "reader.extract.page_text", "reader.pictures.decode")
"""What the fork server imports once so every worker starts with it: there is one fork server
per process, so it preloads for every pool, whichever starts first."""

Job = Callable[..., Any]
"""A module-level function a worker runs; it is sent to the worker by reference (pickled)."""


class WorkerError(Exception):
    """A job that did not finish: abandoned, killed, or raising."""


class WorkerTimeout(WorkerError):
    """The job overran its deadline and its worker was killed."""


class WorkerStopped(WorkerError):
    """The worker died under the job (a crash, or killed by the OS)."""


class WorkerFailed(WorkerError):
    """The job raised; str(err) is the exception's type name (MemoryError when it hit the
    address-space limit), never its message, which may quote the input."""


def _serve(connection: Connection, job: Job, memory: int) -> None:
    """A worker's loop: run `job` on each set of arguments it is sent, until the pipe closes."""
    _limit_memory(memory)
    while True:
        try:
            args = connection.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, Any] = ("ok", job(*args))
        except Exception as error:  # report any failure; the parent turns it into a message
            reply = ("error", type(error).__name__)
        connection.send(reply)


def _limit_memory(memory: int) -> None:
    """Cap this process's address space where the platform allows it."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform, or a lower hard limit is already set


def _context() -> BaseContext:
    """Fork from a clean server process with the jobs' modules preloaded where the OS allows it.

    The server (and multiprocessing's resource tracker) start here, at once. They are handed
    the process's real stderr: inside the running app `sys.stderr` is Textual's capture, whose
    file descriptor is -1, and they would fail to launch.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOADED_MODULES))
        with contextlib.redirect_stderr(sys.__stderr__):
            forkserver.ensure_running()
        return context
    return multiprocessing.get_context("spawn")


class _Worker:
    """One worker process and the pipe to it. Its methods block: call them from a thread."""

    def __init__(self, context: BaseContext, job: Job, memory: int) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, job, memory), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    def call(self, args: tuple[Any, ...], timeout: float) -> Any:
        self.connection.send(args)
        if not self.connection.poll(timeout):
            raise TimeoutError
        return self.connection.recv()

    def stop(self) -> None:
        self.connection.close()
        self.process.kill()
        self.process.join(STOP_TIMEOUT)


class WorkerPool:
    """Runs `job` off the event loop and out of process, at most `processes` at once, each
    call under a deadline and every process under `memory` bytes of address space."""

    def __init__(self, job: Job, *, processes: int, memory: int) -> None:
        self._job = job
        self._memory = memory
        self._slots = asyncio.Semaphore(processes)
        self._idle: list[_Worker] = []
        self._context = _context()

    async def run(self, *args: Any, timeout: float) -> Any:
        """What `job(*args)` returns; WorkerTimeout, WorkerStopped or WorkerFailed if it does
        not return within `timeout` seconds."""
        async with self._slots:
            worker = self._idle.pop() if self._idle else await asyncio.to_thread(self._start)
            try:
                status, value = await asyncio.to_thread(worker.call, args, timeout)
            except TimeoutError:
                await asyncio.to_thread(worker.stop)
                raise WorkerTimeout from None
            except (EOFError, OSError):
                await asyncio.to_thread(worker.stop)
                raise WorkerStopped from None
            except BaseException:
                # Cancelled mid-job: the worker may still be busy with it, so it is not reused.
                await asyncio.shield(asyncio.to_thread(worker.stop))
                raise
            self._idle.append(worker)
        if status != "ok":
            raise WorkerFailed(value)
        return value

    def _start(self) -> _Worker:
        return _Worker(self._context, self._job, self._memory)

    def close(self) -> None:
        """Stop every idle worker (busy ones stop when their job is done or abandoned)."""
        while self._idle:
            self._idle.pop().stop()
