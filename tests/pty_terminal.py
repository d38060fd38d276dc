"""A child process on a real pseudo-terminal, every byte it writes kept: what the terminal
sees, which Pilot cannot show (tests/test_pty.py, tests/test_pty_pictures.py)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS, LINES = 120, 36
DEADLINE = 120.0
"""Seconds after which the child is killed, whatever happens: a guard against a hang, far above
a run on a loaded machine (every step waits for what it needs to see, not for a time)."""


class Terminal:
    """A child process on a pseudo-terminal, with everything it wrote kept in `output`."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = os.openpty()
        os.set_blocking(master, False)
        self.master = master
        self.output = bytearray()
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=ROOT,
            start_new_session=True,  # the pty becomes its controlling terminal
            close_fds=True,
        )
        os.close(slave)

    @property
    def time_left(self) -> float:
        """Seconds until the whole run's deadline."""
        return DEADLINE - (time.monotonic() - self.started)

    def read_for(self, seconds: float) -> None:
        """Collect output for `seconds` (or until the child exits or the deadline passes).

        Reading all the time matters: a child whose terminal buffer is full blocks on write.
        """
        until = time.monotonic() + min(seconds, max(0.0, self.time_left))
        while (wait := until - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(wait, 0.1))
            if ready and not self._drain():
                return
            if self.process.poll() is not None:
                self._drain()
                return

    def read_until(self, marker: bytes, since: int = 0) -> bool:
        """Collect output until `marker` is written after byte `since` of the output; False if
        the child exits or the run's deadline passes first."""
        while marker not in self.output[since:] and self.time_left > 0:
            self.read_for(0.1)
            if self.process.poll() is not None:
                break
        return marker in self.output[since:]

    def press_and_wait(self, keys: bytes, marker: bytes) -> bool:
        """Type `keys`, then collect output until `marker` is drawn in answer to them."""
        since = len(self.output)
        self.press(keys)
        return self.read_until(marker, since)

    def _drain(self) -> bool:
        """Read what is there; False at end of file (the child closed the terminal)."""
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except BlockingIOError:
                return True
            except OSError:  # EIO: the child has gone and the slave side is closed
                return False
            if not chunk:
                return False
            self.output += chunk

    def press(self, keys: bytes) -> None:
        """Type `keys` as a user would."""
        os.write(self.master, keys)

    def close(self) -> int | None:
        """Wait for the child within the deadline, kill it past it; its exit code if it exited."""
        while self.process.poll() is None and self.time_left > 0:
            self.read_for(0.1)
        code = self.process.poll()
        self.kill()
        return code

    def kill(self) -> None:
        """Kill the child if it still runs and close the terminal; safe to call twice."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        if self.master >= 0:
            self._drain()
            os.close(self.master)
            self.master = -1


def child_env(tmp_path: Path) -> dict[str, str]:
    """A minimal environment on temporary directories: the user's settings stay untouched."""
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TERM": "xterm-256color",
        "COLUMNS": str(COLUMNS),
        "LINES": str(LINES),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "NEWSREADER_CONFIG": str(config),
        "NEWSREADER_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(ROOT),
        "BROWSER": "false",  # never a real browser, should anything try
        "NO_PROXY": "*",
        "no_proxy": "*",
    }
