"""Start-up: launch → first frame of the story list in a real tmux pane, next to a bare Textual app.

    python bench/startup.py [--runs 10] [--stories 100000] [--articles 20000]

Each run starts a program in a fresh detached tmux pane at 120x40 and polls `capture-pane` until
the row it waits for is on screen: for the bare app (a Label and a Footer) its label, for
newsreader the newest story's title. The bare app, newsreader on a library of 100 stories and
newsreader on the large library (built once by bench/scale.py into bench/out/) take turns, in a
rotating order, so load on the machine falls on all three alike. The feeds point at a closed
port on 127.0.0.1, so the refresh fails at once, as offline. Prints each one's median and the
ratio to the bare app.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from scale import CLOSED_PORT_FEED, FEEDS, library_path

import reader
from reader.store import Store

PANE_SIZE = (120, 40)
POLL_INTERVAL = 0.005
"""Seconds between two looks at the pane: finer than the spread between runs (~±30 ms), coarse
enough that tmux answering does not steal much of the 2-core machine from the app."""
GIVE_UP_AFTER = 30.0
"""Seconds a program may take to show its first frame before the run is called failed."""
SESSION = f"newsreader-startup-{os.getpid()}"
PACKAGE = Path(reader.__file__).parent

BARE_APP = """\
from textual.app import App, ComposeResult
from textual.widgets import Footer, Label


class Bare(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Label("bare textual app ready")
        yield Footer()


Bare().run()
"""
BARE_MARKER = "bare textual app ready"


def tmux(*args: str) -> str:
    """Run one tmux command; its stdout."""
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def first_frame_seconds(command: Sequence[str], marker: str, cwd: Path) -> float:
    """Seconds from launching `command` in a new pane in `cwd` until `marker` shows in it."""
    width, height = PANE_SIZE
    started = time.perf_counter()
    # A neutral directory: `python -m` puts the working directory first on sys.path, so a
    # source checkout there would shadow the package PYTHONPATH names.
    size = ("-x", str(width), "-y", str(height))
    tmux("new-session", "-d", "-s", SESSION, "-c", str(cwd), *size, shlex.join(command))
    try:
        while time.perf_counter() - started < GIVE_UP_AFTER:
            if marker in tmux("capture-pane", "-p", "-t", SESSION):
                return time.perf_counter() - started
            time.sleep(POLL_INTERVAL)
        raise RuntimeError(f"{marker!r} never appeared for {shlex.join(command)}")
    finally:
        tmux("kill-session", "-t", SESSION)


def newest_title(data_dir: Path, feeds: tuple[str, ...]) -> str:
    """The start of the title on the list's first row: what its first frame must show."""
    store = Store(data_dir / "library.sqlite3")
    try:
        return store.stories(feeds, limit=1)[0].title[:40]
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="also run the newsreader of this source checkout (e.g. an older commit's "
        "`git archive`) on the large library, in the same rotation",
    )
    args = parser.parse_args()

    feeds = tuple(CLOSED_PORT_FEED.format(n=n) for n in range(FEEDS))
    with tempfile.TemporaryDirectory(prefix="newsreader-startup-") as work:
        times = measure(Path(work), feeds, args)

    bare = statistics.median(times["bare Textual app"])
    heading = f"first frame in tmux, {args.runs} runs"
    print(f"{heading:36}{'median':>9}{'min':>9}{'max':>9}{'ratio':>8}")
    for label, seconds in times.items():
        median = statistics.median(seconds)
        print(
            f"{label:36}{median * 1000:>7.0f}ms{min(seconds) * 1000:>7.0f}ms"
            f"{max(seconds) * 1000:>7.0f}ms{median / bare:>7.2f}x"
        )


def measure(work: Path, feeds: tuple[str, ...], args: argparse.Namespace) -> dict[str, list[float]]:
    """Seconds to the first frame of each contender, run after run, in turn."""
    feed_args = [part for url in feeds for part in ("--feed", url)]
    bare_script = work / "bare.py"
    bare_script.write_text(BARE_APP)
    contenders: dict[str, tuple[list[str], str]] = {
        "bare Textual app": ([sys.executable, str(bare_script)], BARE_MARKER)
    }
    runs = [
        ("newsreader, 100 stories", 100, 20, PACKAGE.parent),
        (f"newsreader, {args.stories:,} stories", args.stories, args.articles, PACKAGE.parent),
    ]
    if args.compare:
        runs.append((f"{args.compare.name}, {args.stories:,} stories", *runs[1][1:3], args.compare))
    for label, stories, articles, checkout in runs:
        data_dir = library_path(stories, articles).parent
        # An absent settings file: the defaults, never the user's own. The pane gets the tmux
        # server's environment, not ours: PYTHONPATH makes it run the package measured here.
        command = [
            "env",
            f"NEWSREADER_CONFIG={work / 'absent.toml'}",
            f"PYTHONPATH={checkout}",
            sys.executable,
            "-m",
            "reader",
            "--data-dir",
            str(data_dir),
            *feed_args,
        ]
        contenders[label] = (command, newest_title(data_dir, feeds))

    # Byte-compile newsreader first, as installing it does: with PYTHONDONTWRITEBYTECODE set
    # (as on these machines) a source checkout would otherwise be compiled at every start.
    for _, _, _, checkout in runs:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(checkout / "reader")], check=True
        )
    # A session of our own keeps the tmux server up, so no run pays for starting it.
    tmux("new-session", "-d", "-s", f"{SESSION}-keep", "sleep 86400")
    times: dict[str, list[float]] = {label: [] for label in contenders}
    try:
        labels = list(contenders)
        for run in range(args.runs):
            for label in labels[run % len(labels) :] + labels[: run % len(labels)]:
                command, marker = contenders[label]
                times[label].append(first_frame_seconds(command, marker, work))
    finally:
        tmux("kill-session", "-t", f"{SESSION}-keep")
    return times


if __name__ == "__main__":
    main()
