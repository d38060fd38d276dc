"""Benchmark the cleaning engine against trafilatura and readability on the shared corpora.

Runs ../shared/eval/extract_bench.py (the scorer every extractor is measured with) over every
corpus in ../shared/corpus and prints one table: F1, precision, recall, empty pages and the median
and p90 milliseconds per page. trafilatura and readability-lxml are measured in the same run when
they import, in this interpreter or in the one given by --anchors-python (they are deliberately
not dependencies of newsreader).

    .venv/bin/python bench/extract.py [--anchors-python /work/anchors-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
SCORER = SHARED / "eval" / "extract_bench.py"
CORPORA = SHARED / "corpus"
PRODUCT = "reader.extract:extract"
ANCHORS = {"trafilatura": "trafilatura", "readability-lxml": "readability"}
"""Benchmark extractor name → the module that must import for it to run."""


def _imports(python: str, module: str) -> bool:
    probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True, check=False)
    return probe.returncode == 0


def _run(python: str, corpus: Path, extractors: list[str], out: Path, repeat: int) -> None:
    command = [
        python,
        str(SCORER),
        "run",
        "--corpus",
        str(corpus),
        "-e",
        ",".join(extractors),
        "--out",
        str(out),
        "--repeat",
        str(repeat),
        "--bootstrap",
        "200",
    ]
    if "product" in extractors:
        command += ["--product-module", PRODUCT, "--product-path", str(ROOT)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _row(summary_path: Path) -> str:
    s = json.loads(summary_path.read_text(encoding="utf-8"))
    name = s["meta"]["extractor"]
    name = "newsreader" if name == "product" else name
    return (
        f"| {name} | {s['f1']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} | {s['empty']} "
        f"| {s['failures']} | {s['median_ms']:.2f} | {s['p90_ms']:.2f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--anchors-python",
        default=os.environ.get("NEWSREADER_ANCHORS_PYTHON"),
        help="interpreter that has trafilatura/readability-lxml installed",
    )
    parser.add_argument("--repeat", type=int, default=1, help="time each page N times, keep min")
    args = parser.parse_args(argv)
    if not SCORER.is_file() or not CORPORA.is_dir():
        print(f"skipped: {SHARED.resolve()} (the shared corpora and scorer) is absent")
        return 0
    anchors_python = args.anchors_python or sys.executable
    anchors = [name for name, module in ANCHORS.items() if _imports(anchors_python, module)]
    missing = sorted(set(ANCHORS) - set(anchors))
    if missing:
        print(f"note: {', '.join(missing)} not importable by {anchors_python}; not measured")
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "truth.json").is_file())
    header = (
        "| extractor | F1 | P | R | empty | failures | median ms/page | p90 ms/page |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    with tempfile.TemporaryDirectory(prefix="newsreader-bench-") as tmp:
        out = Path(tmp)
        for corpus in corpora:
            _run(sys.executable, corpus, ["product"], out, args.repeat)
            if anchors:
                _run(anchors_python, corpus, anchors, out, args.repeat)
            print(
                f"\ncorpus {corpus.name} ({len(json.loads((corpus / 'truth.json').read_text()))}"
                " pages)"
            )
            print(header)
            for name in ["product", *anchors]:
                print(_row(out / corpus.name / f"{name}.summary.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
