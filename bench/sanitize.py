"""What cleaning one string costs: the sanitiser runs on every title, summary and paragraph.

    python bench/sanitize.py [--number 20000]

Prints the best of five timings, in microseconds a call, of `clean_text` on typical strings: the
printable fast path (ASCII, accented, CJK), text with an emoji sequence (joiners judged by
context) and a paragraph with no-break spaces (the full path).
"""

from __future__ import annotations

import argparse
import timeit

from reader.sanitize import clean_text

SAMPLES = {
    "ASCII title": "Researchers find a faster way to sort very large lists of numbers",
    "accented title": "Les chercheurs trouvent une façon plus rapide de trier les données",
    "CJK title": "研究人员发现了一种更快的排序方法" * 2,
    "title with emoji sequences": "Big news ❤️ for everyone 👩‍💻 today",
    "paragraph with no-break spaces": "word\u00a0word " * 60,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--number", type=int, default=20_000)
    number = parser.parse_args().number
    for name, text in SAMPLES.items():
        best = min(timeit.repeat(lambda text=text: clean_text(text), number=number, repeat=5))
        print(f"{name:32} {best / number * 1e6:7.2f} µs")


if __name__ == "__main__":
    main()
