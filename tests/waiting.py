"""Waiting for a state, never for a time: the suite must pass on a fully loaded machine."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

WAIT_LIMIT_SECONDS = 120.0
"""How long a wait for a state lasts before the test fails. Never a speed claim: far above what
the slowest wait takes on a 2-core machine running two suites at once (a few seconds), so only a
state that never comes (a broken test or app) reaches it, and fails instead of hanging."""
POLL_SECONDS = 0.01
"""Between two looks at the state waited for: lets timers, threads and servers run."""


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait until `condition()` holds: the state a test needs, however loaded the machine."""
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(POLL_SECONDS)
