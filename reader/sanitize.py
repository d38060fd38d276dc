"""The one boundary for text from strangers: nothing reaches a terminal or a database raw.

Every title, summary, article text, URL, header and error message from the network passes through
`clean_text` (or `clean_line`) before it is stored or shown. Textual and Rich strip only a few
control characters, so ESC sequences (CSI, OSC 52 clipboard writes, OSC 8 links, window titles),
C1 controls and bidi overrides would otherwise reach the terminal even from a `markup=False` widget.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates
# (which can reorder what a line appears to say); lone surrogates (which SQLite and terminals
# reject); the BOM and other zero-width format characters that only hide text.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(text: str | None) -> str:
    """Text with every control, escape and invisible-reordering character removed.

    Carriage returns become newlines so a stray CR cannot overwrite a line on screen.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE.sub("", text)


def clean_line(text: str | None, limit: int = 1000) -> str:
    """`clean_text` folded to one line of collapsed spaces, at most `limit` characters.

    For titles, names and messages that a list row or a status line shows.
    """
    text = _SPACES.sub(" ", clean_text(text).replace("\n", " ").replace("\t", " ")).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_block(text: str | None) -> str:
    """`clean_text` for running text: spaces collapsed, at most one blank line in a row."""
    lines = [_SPACES.sub(" ", line).strip() for line in clean_text(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def is_web_url(url: str | None) -> bool:
    """Whether `url` is an absolute http(s) URL: the only kind we fetch, open or follow."""
    if not url:
        return False
    head = url.strip()[:8].lower()
    return head.startswith(("http://", "https://")) and clean_line(url) == url.strip()
