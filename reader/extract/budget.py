"""Cheap checks, before parsing, that a page can be cleaned in bounded time and memory.

Lexbor's parse time grows with the product of the number of open elements and the number of
block tags that follow (each block start or `</p>` searches the stack of open elements):
measured on this machine, 5,000 nested `<div>`s parse in 14 ms, 20,000 in 0.33 s and 50,000
in 4.6 s; 100,000 unclosed `<b>` followed by 45,000 `<p>x</p>` took 24 s. So the budget bounds
the nesting depth of every element that stays open (void and self-closing-by-rule elements such
as `<br>`, `<p>`, `<li>`, `<td>` do not). Thousands of attributes on one element are the other
quadratic case (see MAX_TAG_CHARS).
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_HTML_CHARS = 8_000_000
"""Pages longer than this are given up on. The largest of the 181 benchmark pages is ~1.6 MB;
8 MB leaves room for heavy real pages while keeping parse under ~100 ms and memory modest."""

MAX_DEPTH = 4_000
"""Deepest nesting of elements we parse: 4,000 open elements cost ~10 ms of parse per 10,000
block tags after them (measured above), so with MAX_TAGS the worst case stays well under a
second. Real pages nest under ~100 deep; the benchmark pages never come close."""

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

_LONG_TAG = re.compile(rf"<[a-zA-Z][^>]{{{MAX_TAG_CHARS}}}")
# Any tag but void ones and those closed implicitly by their next sibling (<p>, <li>, <td>...),
# which never pile up on the stack of open elements.
_NESTING_TAG = re.compile(
    r"<(/?)(?!(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr|keygen"
    r"|p|li|dt|dd|td|th|tr|tbody|thead|tfoot|colgroup|option|optgroup|rb|rt|rtc|rp|html|head"
    r"|body)[\s>/])[a-zA-Z]",
    re.IGNORECASE,
)
# Inside <svg> and <math>, "<path/>" closes itself; in HTML, "<b/>" stays open. Foreign
# regions are cut out before counting, and what remains is counted the HTML way.
_FOREIGN = re.compile(r"<(svg|math)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_STEP = {"": 1, "/": -1}


def nesting_depth(html: str) -> int:
    """An estimate of how deeply elements nest in `html` (upper-bound but for misnesting).

    Opening and closing tags are counted as +1/-1 and the running maximum kept, all in C
    (regex, map, accumulate, max), but still ~0.4 ms on a typical page, so `over_budget` calls
    it only when a cheaper bound cannot rule a deep nest out.
    """
    steps = _NESTING_TAG.findall(_FOREIGN.sub("", html))
    if not steps:
        return 0
    return max(0, max(accumulate(map(_STEP.__getitem__, steps))))


def over_budget(html: str, encoded: bytes | None = None) -> str:
    """Why `html` is too costly to clean, or "" when it is within budget.

    `encoded` is `html` as UTF-8, when the caller has it for the parser: its tags are counted
    there ("<" and "/" are single bytes in UTF-8, so the counts are the same), in bytes just
    written and still in the CPU cache, rather than in a first pass over the text.
    """
    if len(html) > MAX_HTML_CHARS:
        return f"page too large to clean ({len(html):,} characters)"
    if len(html) > MAX_TAG_CHARS and _LONG_TAG.search(html):
        return f"page has a tag too long to clean (over {MAX_TAG_CHARS:,} characters)"
    # Fewer opening tags than the budget cannot nest deeper than it. These C-speed counts spare
    # the regex scan (~0.4 ms) on ordinary pages: every benchmark page has under 4,000 "<".
    tags = html.count("<") if encoded is None else encoded.count(b"<")
    if tags > MAX_TAGS:
        return f"page has too many elements to clean ({tags:,} tags)"
    if tags <= MAX_DEPTH:
        return ""
    closing = html.count("</") if encoded is None else encoded.count(b"</")
    if tags - closing <= MAX_DEPTH:
        return ""
    depth = nesting_depth(html)
    if depth > MAX_DEPTH:
        return f"page nests too deeply to clean ({depth:,} levels of elements)"
    return ""
