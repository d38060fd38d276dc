"""The one boundary for text from strangers: nothing reaches a terminal or a database raw.

Every title, summary, article text, URL, header and error message from the network passes through
`clean_text` (or `clean_line`) before it is stored or shown. Textual and Rich strip only a few
control characters, so ESC sequences (CSI, OSC 52 clipboard writes, OSC 8 links, window titles),
C1 controls and bidi overrides would otherwise reach the terminal even from a `markup=False` widget.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates
# (which can reorder what a line appears to say); lone surrogates (which SQLite and terminals
# reject); the BOM and other zero-width format characters that only hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Unicode's line and paragraph separators: `str.splitlines` and some terminals break lines there,
# so they count as newlines (a one-line title must stay one line).
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """Text with every control, escape and invisible-reordering character removed.

    Carriage returns (and U+2028/U+2029, the Unicode line and paragraph separators) become
    newlines so a stray CR cannot overwrite a line on screen.
    """
    if not text:
        return ""
    if text.isprintable():
        # Every character it would remove or change (controls, format characters such as the
        # bidi ones, separators, surrogates) is non-printable: a C-speed check spares the regexes.
        return text
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str | None, limit: int = 1000) -> str:
    """`clean_text` folded to one line of collapsed spaces, at most `limit` characters.

    For titles, names and messages that a list row or a status line shows.
    """
    if limit < 1:
        return ""
    text = _SPACES.sub(" ", clean_text(text).replace("\n", " ").replace("\t", " ")).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
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
