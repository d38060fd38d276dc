"""The real app in a real pseudo-terminal, reading hostile feeds: none of their escape sequences
may appear in the bytes it writes to the terminal.

Pilot tests see what the widgets hold; only a terminal sees what the driver actually writes. So
this runs `python -m reader` as a child process on a pty, against the loopback server, captures
every byte, opens a story and quits, and searches the stream for the feeds' payloads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from loopback import LoopbackServer
from pty_terminal import Terminal, child_env

pty = pytest.importorskip("pty", reason="the pty module (a POSIX pseudo-terminal) is unavailable")
if not hasattr(os, "openpty"):  # pragma: no cover - Windows
    pytest.skip("os.openpty is unavailable on this platform", allow_module_level=True)

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
