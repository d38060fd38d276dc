"""Time and peak memory of cleaning the hostile page shapes of issue 10, in-process and through
`newsreader read`.

Each measurement runs in a fresh interpreter: `extract()` on the page, then `newsreader read`
fetching it from a server on 127.0.0.1. Peak memory is the largest resident set among the
processes measured and the ones they waited for (getrusage RUSAGE_CHILDREN), so for `read` it
covers the cleaning worker too. Figures are wall-clock on whatever else the machine is doing.

    .venv/bin/python bench/attacks.py [--timeout SECONDS] [--scale N] [--only TEXT]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STORY = "".join(
    f"<p>The council met on Tuesday and agreed, after a long debate, to repair the old bridge "
    f"that the spring floods closed. Paragraph {i}.</p>"
    for i in range(6)
)
PARAGRAPH = "<p>word word word word. Another sentence here, with a comma.</p>"


def shapes(scale: int) -> dict[str, str]:
    """The page shapes, at the sizes the issue reports (scale 1)."""
    return {
        "select, 40,000 options": "<select>" + "<option>choice" * (40_000 // scale) + "</select>",
        '"<div></x>" x 60,000': "<div></x>" * (60_000 // scale),
        "<svg> then 60,000 <div>": "<svg>" + "<div>" * (60_000 // scale) + "</svg>",
        "10,000 paragraphs in <div></x>": f"<div>{PARAGRAPH}</x>" * (10_000 // scale),
    }


EXTRACT = """
import sys, time
from reader.extract import extract
html = open(sys.argv[1], encoding="utf-8").read()
start = time.perf_counter()
document = extract(html, "http://127.0.0.1/page")
print(f"{time.perf_counter() - start:.2f} s; {document.note or 'article'}")
"""


def _serve(page: bytes) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


PROBE = """
import resource, subprocess, sys, time
timeout, command = float(sys.argv[1]), sys.argv[2:]
start = time.perf_counter()
try:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    printed = done.stdout.strip().splitlines()
    if done.returncode == 0 and len(printed) > 1:
        outcome = f"printed the article ({len(printed)} lines)"
    else:
        outcome = (printed or done.stderr.strip().splitlines() or [""])[-1]
except subprocess.TimeoutExpired:
    outcome = f"killed after {timeout:.0f} s"
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"{time.perf_counter() - start:6.2f} s {peak:6.0f} MB  {outcome[:90]}")
"""


def _measure(command: list[str], timeout: float) -> str:
    """Run `command` in a child; its outcome, wall time and the children's peak memory."""
    probe = [sys.executable, "-c", PROBE, str(timeout), *command]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(probe, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per measurement")
    parser.add_argument("--scale", type=int, default=1, help="divide every size by N")
    parser.add_argument("--only", default="", help="measure only shapes whose name has this")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        for name, body in shapes(args.scale).items():
            if args.only not in name:
                continue
            # The paragraphs are the page's only text, so the cleaner walks the whole nest.
            article = "" if PARAGRAPH in body else f"<article>{STORY}</article>"
            page = f"<!DOCTYPE html><html><body>{article}{body}</body></html>"
            path = Path(scratch) / "page.html"
            path.write_text(page, encoding="utf-8")
            server = _serve(page.encode())
            url = f"http://127.0.0.1:{server.server_address[1]}/page.html"
            print(f"{name} ({len(page) / 1024:,.0f} KB)")
            extract_run = _measure([sys.executable, "-c", EXTRACT, str(path)], args.timeout)
            print(f"  extract()         {extract_run}")
            read = [sys.executable, "-m", "reader", "--data-dir", scratch, "read", url]
            print(f"  newsreader read   {_measure(read, args.timeout)}")
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
