"""Benchmark the cleaning engine against trafilatura and readability on the shared corpora.

Runs ../shared/eval/extract_bench.py (the scorer every extractor is measured with) over every
corpus in ../shared/corpus and prints, per corpus, one table: F1, precision, recall, empty pages
(and how many of them an anchor found text on), catastrophic pages, and the median and p90
milliseconds per page. The dragnet corpus is also scored per half (TUNE and CHECK, see
`dragnet_half`). trafilatura and readability-lxml are measured in the same run when they import,
in this interpreter or in the one given by --anchors-python (they are deliberately not
dependencies of newsreader).

    .venv/bin/python bench/extract.py [--anchors-python /work/anchors-venv/bin/python]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
SCORER = SHARED / "eval" / "extract_bench.py"
CORPORA = SHARED / "corpus"
PRODUCT = "reader.extract:extract"
ANCHORS = {"trafilatura": "trafilatura", "readability-lxml": "readability"}
"""Benchmark extractor name → the module that must import for it to run."""

SPLIT_CORPUS = "dragnet"
"""The corpus scored per half as well: rules are tuned on its TUNE half only, and its CHECK
half is looked at only as a number, to catch fitting."""

CATASTROPHIC_F1 = 0.5
ANCHOR_GOOD_F1 = 0.8
"""A page is catastrophic when the cleaner scores page-F1 below 0.5 there while an anchor
scores at least 0.8 (issue 10's definition)."""


def dragnet_half(page_id: str) -> str:
    """ "tune" or "check": the deterministic split of a corpus into halves, by the parity of
    the CRC-32 of the page id (independent of the order and naming of the pages)."""
    return "tune" if zlib.crc32(page_id.encode("utf-8")) % 2 == 0 else "check"


def _imports(python: str, module: str) -> bool:
    probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True, check=False)
    return probe.returncode == 0


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_bench", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        "0",
    ]
    if "product" in extractors:
        command += ["--product-module", PRODUCT, "--product-path", str(ROOT)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _table(
    scorer: ModuleType,
    truth: dict[str, dict[str, Any]],
    outputs: dict[str, dict[str, dict[str, Any]]],
    ids: list[str],
) -> list[str]:
    """Rows of the table for the pages `ids`: one per extractor, the product first."""
    truths = {page_id: truth[page_id].get("body") or "" for page_id in ids}
    scores = {
        name: scorer.score_pages(
            truths, {page_id: pages.get(page_id, {}).get("text") for page_id in ids}, 0
        )
        for name, pages in outputs.items()
    }
    anchors = [name for name in outputs if name != "product"]
    best_anchor = {
        page_id: max((scores[name]["per_page"][page_id]["f1"] for name in anchors), default=0.0)
        for page_id in ids
    }
    rows = []
    for name, pages in outputs.items():
        s = scores[name]
        per_page = s["per_page"]
        empty = [page_id for page_id in ids if per_page[page_id]["pred_tokens"] == 0]
        found = sum(1 for page_id in empty if best_anchor[page_id] > 0) if anchors else "-"
        catastrophic: int | str = "-"
        if name == "product" and anchors:
            catastrophic = sum(
                1
                for page_id in ids
                if per_page[page_id]["f1"] < CATASTROPHIC_F1
                and best_anchor[page_id] >= ANCHOR_GOOD_F1
            )
        times = [pages[page_id]["ms"] for page_id in ids if pages.get(page_id, {}).get("ms")]
        label = "newsreader" if name == "product" else name
        rows.append(
            f"| {label} | {s['f1']:.3f} | {s['precision']:.3f} | {s['recall']:.3f} "
            f"| {len(empty)} | {found} | {catastrophic} "
            f"| {statistics.median(times) if times else 0:.2f} | {_percentile(times, 0.9):.2f} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    scorer = _scorer()
    anchors_python = args.anchors_python or sys.executable
    anchors = [name for name, module in ANCHORS.items() if _imports(anchors_python, module)]
    missing = sorted(set(ANCHORS) - set(anchors))
    if missing:
        print(f"note: {', '.join(missing)} not importable by {anchors_python}; not measured")
    corpora = sorted(p for p in CORPORA.iterdir() if (p / "truth.json").is_file())
    header = (
        "| extractor | F1 | P | R | empty | of them, an anchor found text | catastrophic "
        "| median ms/page | p90 ms/page |\n|---|---|---|---|---|---|---|---|---|"
    )
    with tempfile.TemporaryDirectory(prefix="newsreader-bench-") as tmp:
        out = Path(tmp)
        for corpus in corpora:
            _run(sys.executable, corpus, ["product"], out, args.repeat)
            if anchors:
                _run(anchors_python, corpus, anchors, out, args.repeat)
            truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
            outputs = {
                name: json.loads((out / corpus.name / f"{name}.json").read_text())["pages"]
                for name in ["product", *anchors]
            }
            ids = sorted(truth)
            groups = [(f"corpus {corpus.name} ({len(ids)} pages)", ids)]
            if corpus.name == SPLIT_CORPUS:
                for half in ("tune", "check"):
                    part = [page_id for page_id in ids if dragnet_half(page_id) == half]
                    title = f"corpus {corpus.name}, {half.upper()} half ({len(part)} pages)"
                    groups.append((title, part))
            for title, part in groups:
                print(f"\n{title}")
                print(header)
                print("\n".join(_table(scorer, truth, outputs, part)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
