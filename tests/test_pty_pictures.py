"""Pictures in a real pseudo-terminal (issue 14): the Kitty and Sixel paths write only
well-formed sequences of our own encoders, and a hostile picture address or alt text never
reaches the terminal raw.

The stream the app writes is parsed from end to end: every ESC must start one of the shapes
below (Textual's CSI sequences, its pointer-shape OSC 22 and cursor saves, our Kitty APC and
Sixel DCS, each terminated).
"""

from __future__ import annotations

import base64
import os
import re
import sys
from pathlib import Path

import pytest
from loopback import LoopbackServer, rss_linking_to
from pty_terminal import Terminal, child_env

pty = pytest.importorskip("pty", reason="the pty module (a POSIX pseudo-terminal) is unavailable")
if not hasattr(os, "openpty"):  # pragma: no cover - Windows
    pytest.skip("os.openpty is unavailable on this platform", allow_module_level=True)

HOSTILE_ALT = "Clip \x1b]52;c;SEFDSw==\x07 title \x1b]2;PWNED\x07 bell \x07 csi \u009b2J nel \u0085"
"""Alt text carrying OSC 52 (write the clipboard), OSC 2 (set the title), BEL and C1 controls."""
RAW_QUERY = "?a=\x1b]52;c;SEFDSw==\x07&c=\u009b"
"""The same in a picture's address, raw: the cleaner drops such an address."""
ENCODED_QUERY = "?b=%1B]2;PWNED%07&c=%C2%9B"
"""Percent-encoded: a valid address, fetched, and shown in the `l` picker as text."""
PAYLOADS = (b"\x1b]52;", b"\x1b]2;", "\u009b".encode(), "\u0085".encode())

CSI = rb"\x1b\[[0-?]*[ -/]*[@-~]"
POINTER = rb"\x1b\]22;[a-z-]+\x07"
"""Textual's own OSC 22, the mouse pointer's shape (ended by BEL)."""
SIMPLE = rb"\x1b[78=>]"
KITTY = rb"\x1b_G[a-zA-Z]=[A-Za-z0-9]+(?:,[a-zA-Z]=[A-Za-z0-9]+)*(?:;[A-Za-z0-9+/=]*)?\x1b\\"
SIXEL = (
    rb'\x1bP0;1q"1;1;\d+;\d+(?:#\d+;2;\d{1,3};\d{1,3};\d{1,3})*(?:#\d+|!\d+[?-~]|[?-~$-])*\x1b\\'
)
SEQUENCE = re.compile(b"|".join((CSI, POINTER, SIMPLE, KITTY, SIXEL)))


def hostile_page(server: LoopbackServer) -> str:
    """A feed of one story whose article has pictures with hostile addresses and alt text."""
    raw = server.url("/pictures/alpha.png") + RAW_QUERY
    src = server.url("/pictures/photo.jpg") + ENCODED_QUERY
    paragraph = (
        "<p>The harbour master counted the lanterns back in at the bar, as she has done for "
        "twenty-two years, and said she would keep counting while the tide brought them home.</p>"
    )
    page = (
        "<html><head><title>Lanterns</title></head><body><article><h1>Lanterns</h1>"
        f"<figure><img src='{src}' alt='{HOSTILE_ALT}' width='400' height='300'>"
        f"<figcaption>Caption {HOSTILE_ALT}</figcaption></figure>{paragraph * 2}"
        f"<figure><img src='{raw}' alt='Raw {HOSTILE_ALT}'></figure>{paragraph * 2}"
        "</article></body></html>"
    )
    server.route("/lanterns.html", body=page.encode(), headers={"Content-Type": "text/html"})
    return server.route("/lanterns.xml", body=rss_linking_to([server.url("/lanterns.html")]))


def unknown_escapes(stream: bytes) -> list[bytes]:
    """Each ESC of `stream` that does not start a whole sequence of the known shapes, with
    what follows it."""
    bad = []
    start = 0
    while (at := stream.find(b"\x1b", start)) >= 0:
        match = SEQUENCE.match(stream, at)
        if match is None:
            bad.append(stream[at : at + 40])
            start = at + 1
        else:
            start = match.end()
    return bad


def run_reader(server: LoopbackServer, tmp_path: Path, images: str, marker: bytes) -> bytes:
    """Open the hostile story in the real app with `images`, wait for `marker` (our encoder's
    output), list the links, show the picture full-screen, go back and quit."""
    feed = hostile_page(server)
    env = child_env(tmp_path)
    env["COLORTERM"] = "truecolor"
    Path(env["NEWSREADER_CONFIG"]).write_text(f'images = "{images}"\n', encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "reader",
        "--feed",
        feed,
        "--data-dir",
        env["NEWSREADER_DATA_DIR"],
    ]
    terminal = Terminal(argv, env)
    try:
        steps = [terminal.read_until(b"articles cached")]
        steps.append(terminal.press_and_wait(b"\r", b"story 1 of "))
        steps.append(terminal.read_until(marker))
        steps.append(terminal.press_and_wait(b"l", b"Links ("))
        steps.append(terminal.press_and_wait(b"\x1b", b"story 1 of "))
        steps.append(terminal.press_and_wait(b"\r", marker))  # the picture full-screen
        steps.append(terminal.press_and_wait(b"q", b"story 1 of "))
        terminal.press(b"q")
        steps.append(terminal.read_until(b"Updated", len(terminal.output) - 1))
        terminal.press(b"q")
        code = terminal.close()
    finally:
        terminal.kill()
    stream = bytes(terminal.output)
    tail = stream[-1500:].decode("utf-8", "replace")
    assert all(steps), f"steps: {steps}; last output: {tail!r}"
    assert code == 0, f"exit code {code}; last output: {tail!r}"
    assert b"Traceback" not in stream, tail
    return stream


@pytest.mark.parametrize(
    ("images", "marker"), [("kitty", b"\x1b_Ga=p,U=1"), ("sixel", b'\x1bP0;1q"1;1;')]
)
def test_pictures_write_only_our_well_formed_sequences(
    http_server: LoopbackServer, tmp_path: Path, images: str, marker: bytes
) -> None:
    stream = run_reader(http_server, tmp_path, images, marker)
    assert unknown_escapes(stream) == []
    for payload in PAYLOADS:
        assert payload not in stream, f"{payload!r} reached the terminal"
    assert b"\x07" not in re.sub(POINTER, b"", stream), "a BEL reached the terminal"
    assert b"Clip" in stream and b"Caption" in stream, "the alt text and caption were shown"
    if images == "kitty":
        data = b"".join(re.findall(rb"\x1b_Ga=t,f=100[^;]*;([A-Za-z0-9+/=]*)", stream))
        assert base64.b64decode(data[:64] + b"=" * (-len(data[:64]) % 4)).startswith(b"\x89PNG")
    else:
        assert len(re.findall(SIXEL, stream)) >= 2, "rows of the picture drawn in Sixel"
