"""Write reader/unicode_tables.py from the Unicode Character Database.

The sanitiser needs four sets of code points that Python's `unicodedata` does not expose
(Default_Ignorable_Code_Point, Extended_Pictographic, the bases of emoji variation sequences,
and the scripts that use ZWJ and ZWNJ). They are generated once, kept in the repository, and
regenerated when Unicode moves on: `python tools/make_unicode_tables.py [UCD directory]`.
The default directory is Debian's `unicode-data` package (`apt-get install unicode-data`).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

UCD = Path("/usr/share/unicode")
OUTPUT = Path(__file__).resolve().parents[1] / "reader" / "unicode_tables.py"

JOINER_SCRIPTS = {
    # Arabic-family scripts: ZWNJ stops two letters joining (Persian "می‌خواهم"), ZWJ forces it.
    "Arabic": "Arab",
    "Syriac": "Syrc",
    "Thaana": "Thaa",
    "Nko": "Nkoo",
    "Mandaic": "Mand",
    "Mongolian": "Mong",
    # Brahmic scripts: ZWNJ and ZWJ choose between a conjunct, a half form and a visible virama
    # (Sinhala "ශ්‍රී", Malayalam chillus, Devanagari eyelash ra).
    "Devanagari": "Deva",
    "Bengali": "Beng",
    "Gurmukhi": "Guru",
    "Gujarati": "Gujr",
    "Oriya": "Orya",
    "Tamil": "Taml",
    "Telugu": "Telu",
    "Kannada": "Knda",
    "Malayalam": "Mlym",
    "Sinhala": "Sinh",
    "Myanmar": "Mymr",
    "Khmer": "Khmr",
}
"""Scripts whose spelling needs ZWJ/ZWNJ between letters (The Unicode Standard, 23.2)."""

_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*([^#]*?)\s*#\s*(\S+)")


def ranges_with(path: Path, wanted: str) -> Iterator[tuple[int, int, str]]:
    """(first, last, general category) of each line of a UCD file whose field is `wanted`."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if (found := _LINE.match(line)) and found.group(3) == wanted:
            first = int(found.group(1), 16)
            yield first, int(found.group(2) or found.group(1), 16), found.group(4)


def merged(code_points: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted code points as inclusive ranges."""
    spans: list[tuple[int, int]] = []
    for point in sorted(set(code_points)):
        if spans and spans[-1][1] == point - 1:
            spans[-1] = (spans[-1][0], point)
        else:
            spans.append((point, point))
    return spans


def ranges_source(spans: list[tuple[int, int]]) -> str:
    """The ranges as the lines of a Python tuple of (first, last) pairs."""
    parts = [f"(0x{a:04X}, 0x{b:04X})," for a, b in spans]
    lines, line = [], ""
    for part in parts:
        if len(line) + len(part) > 90:
            lines.append(line.rstrip())
            line = ""
        line += part + " "
    lines.append(line.rstrip())
    return "\n".join(f"    {text}" for text in lines)


def main(ucd: Path) -> None:
    ignorable, printable = [], []
    for a, b, category in ranges_with(
        ucd / "DerivedCoreProperties.txt", "Default_Ignorable_Code_Point"
    ):
        ignorable += range(a, b + 1)
        # str.isprintable() is False exactly for the categories C* and Z* (but the space).
        if category[0] not in "CZ":
            printable += range(a, b + 1)
    pictographic = [
        p
        for a, b, _ in ranges_with(ucd / "emoji" / "emoji-data.txt", "Extended_Pictographic")
        for p in range(a, b + 1)
    ]
    variation = ucd / "emoji" / "emoji-variation-sequences.txt"
    bases = [
        int(line.split()[0], 16)
        for line in variation.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    letters: list[int] = []
    for name in JOINER_SCRIPTS:
        for a, b, category in ranges_with(ucd / "Scripts.txt", name):
            if category[0] in "LM":
                letters += range(a, b + 1)
    # Marks and letters shared by several scripts (Arabic harakat, tatweel) are "Inherited" or
    # "Common" in Scripts.txt; their script extensions say which scripts use them.
    codes = set(JOINER_SCRIPTS.values())
    for line in (ucd / "ScriptExtensions.txt").read_text(encoding="utf-8").splitlines():
        found = _LINE.match(line)
        if found and codes & set(found.group(3).split()) and found.group(4)[0] in "LM":
            first = int(found.group(1), 16)
            letters += range(first, int(found.group(2) or found.group(1), 16) + 1)
    version = (ucd / "ReadMe.txt").read_text(encoding="utf-8")
    found_version = re.search(r"Version (\d+\.\d+\.\d+)", version)
    tables = {
        "DEFAULT_IGNORABLE": (ignorable, "Default_Ignorable_Code_Point: invisible by definition."),
        "PRINTABLE_IGNORABLE": (printable, "Default-ignorable code points isprintable() passes."),
        "EXTENDED_PICTOGRAPHIC": (pictographic, "Extended_Pictographic: what emoji ZWJ joins."),
        "EMOJI_VARIATION_BASES": (bases, "Characters with a text and an emoji presentation."),
        "JOINER_SCRIPT_LETTERS": (letters, "Letters and marks of scripts that use ZWJ and ZWNJ."),
    }
    out = [
        '"""Code point sets the sanitiser needs, from the Unicode Character Database'
        f" {found_version.group(1) if found_version else ''}.",
        "",
        "Generated by tools/make_unicode_tables.py: do not edit; regenerate instead.",
        "Each is a tuple of inclusive (first, last) code point ranges.",
        '"""',
        "",
        "# Several ranges a line, as generated: not for the formatter.",
        "# fmt: off",
        "",
    ]
    for name, (points, doc) in tables.items():
        out += [f"{name} = (", ranges_source(merged(points)), ")", f'"""{doc}"""', ""]
    OUTPUT.write_text("\n".join(out).rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else UCD)
