"""The sanitising boundary, unit by unit and by property: reader/sanitize.py is the one place
untrusted text is made safe for a terminal and a database, so its promises are tested on any text
hypothesis can generate, not only on the tricks we thought of."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.sanitize import clean_block, clean_line, clean_text, is_web_url

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\u2028\u2029]"
)
"""What may never come out: C0 (but tab and newline) and CR, DEL, C1, bidi controls, the BOM and
interlinear annotations, lone surrogates, and the Unicode line and paragraph separators."""

TRICKS = [
    "\x1b[2J",
    "\x1b[31m",
    "\x1b]52;c;SEFDSw==\x07",
    "\x1b]2;PWNED\x07",
    "\x1b]8;;file:///etc/passwd\x07x\x1b]8;;\x07",
    "\x1bP1$qm\x1b\\",
    "\x9b31m",
    "\x85",
    "\u202e",
    "\u2066",
    "\ud800",
    "\x00",
    "\r",
    "\u2028",
    "[bold]x[/]",
    "[@click=app.quit]quit[/]",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "é",
    "中",
    "🙂",
]
"""Pieces hostile feeds use, mixed into generated text so every branch is exercised often."""

pieces = st.one_of(st.sampled_from(TRICKS), st.text(max_size=8))
hostile_text = st.lists(pieces, max_size=30).map("".join)
"""Any text (surrogates included), heavy in escapes, controls, spaces and line breaks."""
PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(hostile_text)
def test_clean_text_leaves_nothing_forbidden(text: str) -> None:
    assert FORBIDDEN.search(clean_text(text)) is None


@PROPERTY
@given(hostile_text)
def test_clean_text_only_removes_or_breaks_lines(text: str) -> None:
    """Everything safe survives in order: clean_text removes, it never rewrites."""
    expected = re.sub("\r\n?|[\u2028\u2029]", "\n", text)
    expected = "".join(char for char in expected if not FORBIDDEN.match(char))
    assert clean_text(text) == expected


@PROPERTY
@given(hostile_text)
def test_cleaning_is_idempotent(text: str) -> None:
    """Text cleaned at the feed layer and again at the widget comes out the same."""
    for clean in (clean_text, clean_line, clean_block, lambda t: clean_line(t, 7)):
        once = clean(text)
        assert clean(once) == once


@PROPERTY
@given(hostile_text, st.integers(min_value=-3, max_value=60))
@example("abc", 0)
@example("abcdef", 1)
@example("a\u2028b", 10)
def test_clean_line_is_one_line_within_its_limit(text: str, limit: int) -> None:
    line = clean_line(text, limit)
    assert FORBIDDEN.search(line) is None
    assert "\n" not in line and "\t" not in line
    assert len(line.splitlines()) <= 1, "nothing splitlines() would break on"
    assert len(line) <= max(0, limit)
    assert line == line.strip() and "  " not in line


@PROPERTY
@given(hostile_text)
def test_clean_block_keeps_at_most_one_blank_line(text: str) -> None:
    block = clean_block(text)
    assert FORBIDDEN.search(block) is None
    assert "\n\n\n" not in block
    assert block == block.strip()
    assert all(line == line.strip() for line in block.split("\n"))


@PROPERTY
@given(hostile_text)
def test_cleaned_text_is_storable(text: str) -> None:
    """What comes out encodes as UTF-8 (SQLite rejects lone surrogates) and holds no NUL."""
    for clean in (clean_text, clean_line, clean_block):
        out = clean(text)
        out.encode("utf-8")
        assert "\x00" not in out


def test_escape_sequences_lose_their_escape() -> None:
    """The visible remainder of a sequence stays (as harmless text); the ESC, BEL and ST go."""
    assert clean_text("a\x1b]2;PWNED\x07b") == "a]2;PWNEDb"
    assert clean_text("\x1b[2J\x1b[31mred") == "[2J[31mred"
    assert clean_text("\x1bP1$qm\x1b\\") == "P1$qm\\"
    assert clean_text("\x9b31m\x85") == "31m"
    assert clean_text("\u202eevil\u202c \u2066iso\u2069") == "evil iso"
    assert clean_text("x\ud800y\x00z") == "xyz"


def test_line_breaks() -> None:
    assert clean_text("a\r\nb\rc\u2028d\u2029e") == "a\nb\nc\nd\ne"
    assert clean_line(" a \n\n b\t\tc\u2028d ") == "a b c d"
    assert clean_block("a\n\n\n\n b \r\n\r\n\r\nc\u2029\u2029\u2029d") == "a\n\nb\n\nc\n\nd"


def test_markup_is_left_alone() -> None:
    """Markup is not the sanitiser's business: widgets show text literally. It must survive."""
    markup = "[bold]x[/] [/red] [link=file:///etc/passwd]x[/link] [@click=app.quit]q[/]"
    assert clean_text(markup) == markup
    assert clean_line(markup) == markup


@pytest.mark.parametrize(
    ("limit", "expected"),
    [(1000, "abcdef"), (6, "abcdef"), (5, "abcd…"), (1, "…"), (0, ""), (-1, "")],
)
def test_clean_line_limit(limit: int, expected: str) -> None:
    assert clean_line("abcdef", limit) == expected


def test_empty_input() -> None:
    for clean in (clean_text, clean_line, clean_block):
        assert clean(None) == "" and clean("") == ""
    assert clean_line("\x1b\x07\u202e") == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://example.org/a/b?c=d#e",
        "HTTPS://EXAMPLE.ORG/",
        "http://127.0.0.1:8080/feed.xml",
        "http://[::1]:8080/",
        "https://user@example.org/",
        "https://example.org/[@click=app.quit]",  # odd but harmless: shown literally
        "  https://example.org/  ",  # callers strip
        "https://example.org/" + "a" * 4000,  # long tracking links are real
    ],
)
def test_is_web_url_accepts_http_with_a_host(url: str) -> None:
    assert is_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "   ",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "\x00javascript:alert(1)",
        "\x01http://example.org/",
        "\x1bhttp://example.org/",
        "\u202ehttp://example.org/",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.org/",
        "mailto:a@example.org",
        "//example.org/",
        "/relative/path",
        "example.org",
        "http:example.org",
        "http:/example.org",
        "http:\\\\example.org",
        "http://",
        "https://",
        "https:///path",
        "http://:80/",
        "http://user@/",
        "http://exa mple.org/",
        "http://[::1/",
        "http://example.org/\x1b]2;PWNED\x07",
        "http://example.org/\u202e",
        "http://example.org/\npath",
        "http://example.org/\rpath",
        "http://example.org/\u2028",
        "http://example.org/\x1f",  # str.strip() would have dropped it, and accepted the URL
        "http://example.org/\x85",
        "http://example.org/a\x85b",
        "http://example.org/\ud800",
        "http://example.org/  two-spaces",
    ],
)
def test_is_web_url_rejects_everything_else(url: str | None) -> None:
    assert not is_web_url(url)


@PROPERTY
@given(st.text(max_size=40))
def test_is_web_url_never_passes_a_forbidden_character(tail: str) -> None:
    """Once the surrounding ASCII whitespace callers strip is gone, an accepted URL is clean."""
    url = "https://example.org/" + tail
    if is_web_url(url):
        stripped = url.strip(" \t\n\r\f")
        assert FORBIDDEN.search(stripped) is None
        assert clean_line(stripped, len(stripped)) == stripped


@PROPERTY
@given(st.sampled_from(["javascript", "data", "file", "vbscript", "ftp", "about"]), st.text())
def test_is_web_url_rejects_other_schemes_in_any_case(scheme: str, rest: str) -> None:
    mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(scheme))
    for variant in (scheme, scheme.upper(), mixed):
        assert not is_web_url(f"{variant}:{rest}")
        assert not is_web_url(f" {variant}://{rest}")


@given(st.text())
def test_the_printable_fast_path_agrees_with_the_full_cleaning(text: str) -> None:
    from reader.sanitize import _LINE_BREAKS, _UNSAFE

    assert clean_text(text) == (_UNSAFE.sub("", _LINE_BREAKS.sub("\n", text)) if text else "")
