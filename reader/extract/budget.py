"""Cheap checks, before parsing, that a page can be cleaned in bounded time and memory.

Lexbor's parse time grows with the product of the number of open elements and the number of
block tags that follow (each block start or `</p>` searches the stack of open elements):
measured on this machine, 5,000 nested `<div>`s parse in 14 ms, 20,000 in 0.33 s and 50,000
in 4.6 s; 100,000 unclosed `<b>` followed by 45,000 `<p>x</p>` took 24 s. The cleaner's own
walks grow faster still with depth (4,000 nested paragraphs: 1.7 s; 10,000: 25 s). So the
budget bounds the depth of the tree lexbor will build, estimated by `nesting.nesting_depth`
(an upper bound: it follows the parser's rules, so `</x>` or an `<svg>` cannot hide a deep
nest). Thousands of attributes on one element are another quadratic case (see MAX_TAG_CHARS),
and so are `<option>`s in a `<select>` (see `_OPTION_TAG`).
"""

from __future__ import annotations

import re

from reader.extract.nesting import TREE_BASE, nesting_depth

MAX_HTML_CHARS = 8_000_000
"""Pages longer than this are given up on. The largest of the 181 benchmark pages is ~1.6 MB;
8 MB leaves room for heavy real pages while keeping parse under ~100 ms and memory modest."""

MAX_DEPTH = 4_000
"""Deepest tree we parse: 4,000 open elements cost ~10 ms of parse per 10,000 block tags after
them, and the cleaner ~1.7 s at worst (measured above), well inside the cleaner's deadline.
Real pages nest under ~100 deep: the deepest of the 181 + 1,382 benchmark pages is 39 levels."""

MAX_TAGS = 200_000
"""Most tags, opening and closing (counted as "<"), a page may have: about 100,000 elements.
Cleaning time grows with the element count (~10 µs an element on flat, degenerate pages); every
benchmark page has under 4,000 "<", so this leaves room for any real page and bounds the rest
to about a second."""

MAX_TAG_CHARS = 200_000
"""Longest single tag we parse. Lexbor's time grows faster than quadratically with the number
of attributes on one element (measured: 10,000 attributes 0.1 s, 20,000 0.8 s); 200,000
characters is ~11,000 attributes, ~0.15 s. Only pages longer than this can hold such a tag, so
ordinary pages skip the scan (~1 ms a MB)."""

OPTION_SCAN_TAGS = 4_000
"""Pages with more tags ("<") than this have their option tags taken out (see _OPTION_TAG):
fewer tags hold under 4,000 options, which lexbor parses in ~45 ms. Every benchmark page has
fewer, so none pays for the scan (~0.1 ms)."""

ELEMENTS_PER_START_TAG = 2
"""Most open elements one start tag can add, on average: a <td> straight in a <table> brings an
implied <tbody> and <tr> (two tags, four elements). Checked against lexbor on random tag soup."""

_LONG_TAG = re.compile(rf"<[a-zA-Z][^>]{{{MAX_TAG_CHARS}}}")
# Lexbor runs the <select>'s option bookkeeping on every <option> it inserts, so a select's
# parse time grows with the square of its options (10,000: 0.27 s; 20,000: 1.1 s; with each
# option's text in a <b>, 2.8 s). An option's text is never article text, and the cleaner drops
# every <select> anyway, so the option tags are taken out before parsing (their text stays).
# Whole selects are not cut out: where lexbor ends an unclosed one is its own business, and
# cutting too far would lose article text.
_OPTION_TAG = re.compile(r"</?opt(?:ion|group)(?=[\t\n\f\r />])[^>]*+(?:>|\Z)", re.IGNORECASE)


def parser_input(html: str) -> tuple[bytes, str]:
    """`html` as the UTF-8 bytes to parse, or b"" and why the page is too costly to clean.

    The parser takes UTF-8: encoding here (as selectolax would, dropping lone surrogates) lets
    the tags be counted on the bytes while they are still in the CPU cache.
    """
    if len(html) > MAX_HTML_CHARS:
        return b"", f"page too large to clean ({len(html):,} characters)"
    if len(html) > MAX_TAG_CHARS and _LONG_TAG.search(html):
        return b"", f"page has a tag too long to clean (over {MAX_TAG_CHARS:,} characters)"
    encoded = html.encode("utf-8", "ignore")
    tags = encoded.count(b"<")
    if tags > MAX_TAGS:
        return b"", f"page has too many elements to clean ({tags:,} tags)"
    if tags > OPTION_SCAN_TAGS:
        without_options = _OPTION_TAG.sub("", html)
        if without_options is not html:
            html = without_options
            encoded = html.encode("utf-8", "ignore")
    # "<" less "</" bounds the start tags, each of which adds at most ELEMENTS_PER_START_TAG
    # open elements (+1: a momentary <colgroup>), so these C-speed counts rule out a deep nest
    # on every benchmark page but the few largest, sparing them the scan (~2 µs a tag).
    starts = encoded.count(b"<") - encoded.count(b"</")
    if ELEMENTS_PER_START_TAG * starts + TREE_BASE + 1 <= MAX_DEPTH:
        return encoded, ""
    if nesting_depth(html, MAX_DEPTH) > MAX_DEPTH:
        return b"", f"page nests too deeply to clean (over {MAX_DEPTH:,} levels of elements)"
    return encoded, ""
