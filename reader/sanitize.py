"""The one boundary for text from strangers: nothing reaches a terminal or a database raw.

Every title, summary, article text, URL, header and error message from the network passes through
`clean_text` (or `clean_line`) before it is stored or shown. Textual and Rich strip only a few
control characters, so ESC sequences (CSI, OSC 52 clipboard writes, OSC 8 links, window titles),
C1 controls and bidi overrides would otherwise reach the terminal even from a `markup=False` widget.
Invisible characters (soft hyphens, word joiners, Hangul fillers, tag characters, variation
selectors, ...) go too, since they can hide text or make two strings look alike; only the joiners
and emoji selectors that a script or an emoji sequence needs are kept.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from urllib.parse import urlsplit

from reader.unicode_tables import (
    DEFAULT_IGNORABLE,
    EMOJI_VARIATION_BASES,
    EXTENDED_PICTOGRAPHIC,
    JOINER_SCRIPT_LETTERS,
    PRINTABLE_IGNORABLE,
)

Ranges = tuple[tuple[int, int], ...]
"""Inclusive (first, last) code point ranges, sorted, as in reader/unicode_tables.py."""

ZWNJ, ZWJ = "\u200c", "\u200d"
TEXT_STYLE, EMOJI_STYLE = "\ufe0e", "\ufe0f"
"""The invisible characters kept where they are needed (see `_kept_in_context`)."""
SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")
"""The first and last emoji modifiers: one may stand between a pictograph and its ZWJ."""
ZERO_WIDTH_SPACE = "\u200b"
"""Default-ignorable but kept: a line-break opportunity in Thai, Khmer or Lao text; `clean_line`
and `clean_block` turn it into a plain space."""


def _char_class(ranges: Ranges, without: str = "") -> str:
    """A regex character class of the code points in `ranges`, less those in `without`."""
    parts = []
    for first, last in ranges:
        for point in sorted(p for p in map(ord, without) if first <= p <= last):
            if first < point:
                parts.append((first, point - 1))
            first = point + 1
        if first <= last:
            parts.append((first, last))
    return "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in parts) + "]"


def _among(ranges: Ranges, starts: list[int], char: str) -> bool:
    """Whether `char` is in `ranges`, whose first code points are `starts` (a binary search)."""
    point = ord(char)
    index = bisect_right(starts, point) - 1
    return index >= 0 and point <= ranges[index][1]


def _member_test(ranges: Ranges) -> Callable[[str], bool]:
    """A fast membership test for one character; no regex, so nothing to compile at import."""
    return partial(_among, ranges, [first for first, _ in ranges])


_CONTEXTUAL_CHARS = ZWNJ + ZWJ + TEXT_STYLE + EMOJI_STYLE
# C0 controls except tab and newline, DEL, C1 controls; lone surrogates (which SQLite and
# terminals reject); the interlinear annotation characters; and every default-ignorable code point
# (bidi embeddings, overrides, isolates and marks, soft hyphen, word joiner and the invisible
# operators, Hangul fillers, variation selectors, tag characters, the BOM, ...), which terminals
# draw as nothing, so they can hide text, reorder it or make two strings look alike. The joiners
# and emoji selectors are judged by context afterwards, and the zero-width space is kept.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufff9-\ufffb\ud800-\udfff]|"
    + _char_class(DEFAULT_IGNORABLE, without=_CONTEXTUAL_CHARS + ZERO_WIDTH_SPACE)
)
_PRINTABLE_INVISIBLE = re.compile(_char_class(PRINTABLE_IGNORABLE))
_CONTEXTUAL = re.compile(f"[{_CONTEXTUAL_CHARS}]")
_is_pictograph = _member_test(EXTENDED_PICTOGRAPHIC)
_is_emoji_base = _member_test(EMOJI_VARIATION_BASES)
_is_joining_letter = _member_test(JOINER_SCRIPT_LETTERS)
# Unicode's line and paragraph separators: `str.splitlines` and some terminals break lines there,
# so they count as newlines (a one-line title must stay one line).
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """Text with every control, escape and invisible character removed, joiners kept in context.

    Carriage returns (and U+2028/U+2029, the Unicode line and paragraph separators) become
    newlines so a stray CR cannot overwrite a line on screen.
    """
    if not text:
        return ""
    return _clean(text) if needs_cleaning(text) else text


def needs_cleaning(text: str) -> bool:
    """False when `clean_text` surely returns `text` unchanged: a fast check for ordinary text.

    Every control, separator, surrogate and format character is non-printable, so a C-speed
    `isprintable()` spares the regexes for most strings; of what it passes, only a few printable
    default-ignorable characters (U+034F, the Hangul fillers, variation selectors) can need work,
    and an ASCII string (an O(1) check) holds none of them. A tab or newline counts as needing
    cleaning, so a False answer also means the text is one line with no tab.
    """
    if not text.isprintable():
        return True
    return not text.isascii() and _PRINTABLE_INVISIBLE.search(text) is not None


def _clean(text: str) -> str:
    """`clean_text` without the fast path."""
    # Three substring tests in C are much cheaper than one pass of the line-break regex.
    if "\r" in text or "\u2028" in text or "\u2029" in text:
        text = _LINE_BREAKS.sub("\n", text)
    return _CONTEXTUAL.sub(_kept_in_context, _UNSAFE.sub("", text))


def _kept_in_context(found: re.Match[str]) -> str:
    """The joiner or emoji selector `found` if its neighbours need it, else nothing.

    ZWNJ and ZWJ are kept between two letters (or marks) of a script that spells with them
    (Arabic, Persian, the Indic scripts, ...), and ZWJ also between two pictographs of an emoji
    sequence (a VS16 or skin tone may follow the first); VS15 and VS16 right after a character
    that has a text and an emoji presentation. Anywhere else they only hide text.
    """
    text, at, char = found.string, found.start(), found.group()
    before = text[at - 1] if at else ""
    if char in (TEXT_STYLE, EMOJI_STYLE):
        return char if before and _is_emoji_base(before) else ""
    after = text[at + 1 : at + 2]
    if not (before and after):
        return ""
    if _is_joining_letter(before) and _is_joining_letter(after):
        return char
    if char == ZWJ and _is_pictograph(after):
        if (before == EMOJI_STYLE or SKIN_TONES[0] <= before <= SKIN_TONES[1]) and at >= 2:
            before = text[at - 2]
        if _is_pictograph(before):
            return char
    return ""


def clean_line(text: str | None, limit: int = 1000) -> str:
    """`clean_text` folded to one line of collapsed spaces, at most `limit` characters.

    For titles, names and messages that a list row or a status line shows.
    """
    if limit < 1:
        return ""
    text = _SPACES.sub(" ", clean_text(text).replace("\n", " ").replace("\t", " ")).strip()
    if len(text) > limit:
        # A joiner left at the cut no longer joins anything, and would go on a second cleaning.
        text = text[: limit - 1].rstrip().rstrip(ZWNJ + ZWJ) + "…"
    return text


def clean_block(text: str | None) -> str:
    """`clean_text` for running text: spaces collapsed, at most one blank line in a row."""
    lines = [_SPACES.sub(" ", line).strip() for line in clean_text(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def is_web_url(url: str | None) -> bool:
    """Whether `url` is an absolute http(s) URL with a host: the only kind we fetch, open or follow.

    Surrounding ASCII whitespace is tolerated (callers strip it); anything `clean_line` would
    change, such as a control character or a line break, makes it no URL at all. Length is the
    caller's business: feeds keep links up to 4,096 characters.
    """
    if not url:
        return False
    # Only ASCII whitespace: str.strip() would also drop controls such as U+001F or U+0085.
    url = url.strip(" \t\n\r\f")
    if not url[:8].lower().startswith(("http://", "https://")) or clean_line(url, len(url)) != url:
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return bool(host) and not any(char.isspace() for char in parts.netloc)
