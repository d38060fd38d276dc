"""The real app in a real pseudo-terminal, reading hostile feeds: none of their escape sequences
may appear in the bytes it writes to the terminal.

Pilot tests see what the widgets hold; only a terminal sees what the driver actually writes. So
this runs `python -m reader` as a child process on a pty, against the loopback server, captures
every byte, opens a story and quits, and searches the stream for the feeds' payloads.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback import LoopbackServer

pty = pytest.importorskip("pty", reason="the pty module (a POSIX pseudo-terminal) is unavailable")
if not hasattr(os, "openpty"):  # pragma: no cover - Windows
    pytest.skip("os.openpty is unavailable on this platform", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
COLUMNS, LINES = 120, 36
DEADLINE = 120.0
"""Seconds after which the child is killed, whatever happens: a guard against a hang, far above
a run on a loaded machine (every step waits for what it needs to see, not for a time)."""
STORIES_READ = 15
"""Stories paged through with n: every story of the three feeds."""
PAYLOADS = (
    b"\x1b]52;c;SEFDSw==",  # OSC 52: write the clipboard
    b"\x1b]2;PWNED",  # OSC 2: set the window title
    b"\x1b]8;;file:///etc/passwd",  # OSC 8: a hyperlink to a local file
    b"\x1bP1$qDCSPAYLOAD",  # DCS: a device control string (DECRQSS)
    b"DCSPAYLOAD\x1b\\",  # the DCS's terminator right after its payload
    "\u202e".encode(),  # RIGHT-TO-LEFT OVERRIDE
    "\u2066".encode(),  # LEFT-TO-RIGHT ISOLATE
    "\u0085".encode(),  # NEL, a C1 control, as UTF-8
    "\u009b".encode(),  # CSI, a C1 control, as UTF-8
)


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


UNSAFE_APP = """
from textual.app import App
from textual.widgets import Static

class Unsafe(App):
    def compose(self):
        yield Static("title \\x1b]2;PWNED\\x07 clip \\x1b]52;c;SEFDSw==\\x07", markup=False)

    def on_mount(self):
        self.set_timer(1.0, self.exit)

Unsafe().run()
"""
"""A Textual app showing raw escapes in a `markup=False` Static: what the reader must not be."""


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


def test_the_harness_sees_escapes_that_do_reach_the_terminal(tmp_path: Path) -> None:
    """A control: Textual itself passes ESC sequences through, and this harness catches them."""
    terminal = Terminal([sys.executable, "-c", UNSAFE_APP], child_env(tmp_path))
    try:
        seen = terminal.read_until(b"\x1b]52;c;SEFDSw==")
    finally:
        terminal.kill()
    assert seen, "the pty stream should show the unsanitised OSC 52 sequence"
    assert b"\x1b]2;PWNED" in terminal.output


def test_no_feed_escape_reaches_the_terminal(http_server: LoopbackServer, tmp_path: Path) -> None:
    """Refresh three hostile feeds, read every story's article, quit: no payload in the stream."""
    env = child_env(tmp_path)
    argv = [
        sys.executable,
        "-m",
        "reader",
        "--feed",
        http_server.url("/hostile/feed-raw.xml"),
        "--feed",
        http_server.url("/hostile/feed.xml"),
        "--feed",
        http_server.url("/feeds/markup.xml"),
        "--data-dir",
        str(tmp_path / "data"),
    ]
    terminal = Terminal(argv, env)
    try:
        # The refresh ends with "Updated", and the articles are cached once it says so.
        drawn = terminal.read_until(b"articles cached")
        # Open the story under the cursor, then each next one, hostile page included: the
        # reader's status line says "story N of 15" once story N's page is drawn.
        read = [terminal.press_and_wait(b"\r", b"story 1 of ")]
        for number in range(2, STORIES_READ + 1):
            read.append(terminal.press_and_wait(b"n", f"story {number} of ".encode()))
        listed = terminal.press_and_wait(b"q", b"Updated")  # back to the list
        terminal.press(b"q")  # quit
        code = terminal.close()
    finally:
        terminal.kill()  # only does anything if a step above failed
    stream = bytes(terminal.output)
    tail = stream[-2000:].decode("utf-8", "replace")
    assert drawn, f"the story list never finished refreshing; last output: {tail!r}"
    assert all(read), f"stories read: {read}; last output: {tail!r}"
    assert listed, f"the list was not shown again; last output: {tail!r}"
    assert hits(http_server) == 3, "every feed was fetched from the loopback server"
    for payload in PAYLOADS:
        assert payload not in stream, f"{payload!r} reached the terminal"
    assert b"Traceback" not in stream, tail
    assert code == 0, f"exit code {code}; last output: {tail!r}"
    # The story titles were shown, as text: the run really displayed the hostile feeds.
    assert b"PWNED" in stream and b"[bold]" in stream
    assert b"Evil Site" in stream, "the hostile article page was shown"


def hits(server: LoopbackServer) -> int:
    """How many of the three feeds the child fetched."""
    return sum(
        1
        for path in ("/hostile/feed-raw.xml", "/hostile/feed.xml", "/feeds/markup.xml")
        if server.hits[path]
    )
