"""The sanitising boundary, unit by unit and by property: reader/sanitize.py is the one place
untrusted text is made safe for a terminal and a database, so its promises are tested on any text
hypothesis can generate, not only on the tricks we thought of."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.sanitize import clean_block, clean_line, clean_text, is_web_url

INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200e\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0d\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
"""Every default-ignorable code point but the four judged by context and the zero-width space,
written out here rather than taken from reader/unicode_tables.py, so the test is an independent
check: soft hyphen, combining grapheme joiner, Hangul fillers, Mongolian selectors and vowel
separator, bidi marks, embeddings, overrides and isolates, word joiner and the invisible
operators, variation selectors 1-14 and 17-256, BOM, tag characters, and reserved ones."""
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ufff9-\ufffb\ud800-\udfff\u2028\u2029" + INVISIBLE + "]"
)
"""What may never come out: C0 (but tab and newline) and CR, DEL, C1, every invisible format
character above, interlinear annotations, lone surrogates, the line and paragraph separators."""
CONTEXTUAL = "\u200c\u200d\ufe0e\ufe0f"
"""ZWNJ, ZWJ, VS15 and VS16: kept only where a script or an emoji sequence needs them."""

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
    # Invisible characters, and the sequences that legitimately hold joiners and selectors.
    "\u200c",
    "\u200d",
    "\ufe0e",
    "\ufe0f",
    "\u200b",
    "\u00ad",
    "\u034f",
    "\u2060",
    "\u2064",
    "\u206a",
    "\u180e",
    "\u115f",
    "\u3164",
    "\U000e0041",
    "\U000e0100",
    "👩\u200d💻",
    "👩🏽\u200d💻",
    "🏳\ufe0f\u200d🌈",
    "❤\ufe0f",
    "1\ufe0f\u20e3",
    "می\u200cخواهم",
    "क्\u200cष",
    "ශ්\u200dරී",
]
"""Pieces hostile feeds use, mixed into generated text so every branch is exercised often."""

pieces = st.one_of(st.sampled_from(TRICKS), st.text(max_size=8))
hostile_text = st.lists(pieces, max_size=30).map("".join)
"""Any text (surrogates included), heavy in escapes, controls, invisibles and line breaks."""
PROPERTY = settings(max_examples=300, deadline=None)


def without_contextual(text: str) -> str:
    return "".join(char for char in text if char not in CONTEXTUAL)


def is_subsequence(short: str, long: str) -> bool:
    rest = iter(long)
    return all(char in rest for char in short)


@PROPERTY
@given(hostile_text)
def test_clean_text_leaves_nothing_forbidden(text: str) -> None:
    assert FORBIDDEN.search(clean_text(text)) is None


@PROPERTY
@given(hostile_text)
def test_clean_text_only_removes_or_breaks_lines(text: str) -> None:
    """Everything safe survives in order: clean_text removes, it never rewrites. What it removes
    beyond the forbidden characters are joiners and selectors out of place."""
    expected = re.sub("\r\n?|[\u2028\u2029]", "\n", text)
    expected = "".join(char for char in expected if not FORBIDDEN.match(char))
    cleaned = clean_text(text)
    assert without_contextual(cleaned) == without_contextual(expected)
    assert is_subsequence(cleaned, expected)


@PROPERTY
@given(hostile_text)
def test_kept_joiners_and_selectors_stand_where_they_can_join(text: str) -> None:
    """An independent check on the context rules: a joiner kept has non-ASCII, non-space
    neighbours that are letters, marks or symbols; a selector kept follows such a character or
    a digit, # or *, never another selector, a joiner or the start."""
    cleaned = clean_text(text)
    for at, char in enumerate(cleaned):
        if char not in CONTEXTUAL:
            continue
        before = cleaned[at - 1] if at else ""
        assert before and before not in CONTEXTUAL.replace("\ufe0f", ""), repr(cleaned)
        if char in "\ufe0e\ufe0f":
            assert before != "\ufe0f" and (before.isdigit() or before in "#*" or ord(before) > 0xA8)
        else:
            after = cleaned[at + 1 : at + 2]
            assert after and ord(after) > 0x7F and after not in CONTEXTUAL, repr(cleaned)
            assert ord(before) > 0x7F and not before.isspace() and not after.isspace()


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
@example("👩\u200d💻👩\u200d💻", 3)
def test_clean_line_is_one_line_within_its_limit(text: str, limit: int) -> None:
    line = clean_line(text, limit)
    assert FORBIDDEN.search(line) is None
    assert "\n" not in line and "\t" not in line
    assert len(line.splitlines()) <= 1, "nothing splitlines() would break on"
    assert len(line) <= max(0, limit)
    assert line == line.strip() and "  " not in line
    assert clean_line(line, limit) == line


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


@given(st.one_of(st.text(), hostile_text))
@example("x\u3164y")
@example("a\u034fb")
@example("a\ufe0fb")
@example("x\U000e0100")
def test_the_printable_fast_path_agrees_with_the_full_cleaning(text: str) -> None:
    from reader.sanitize import _clean, needs_cleaning

    assert clean_text(text) == (_clean(text) if text else "")
    if text and not needs_cleaning(text):
        assert _clean(text) == text and text.isprintable()


@pytest.mark.parametrize(
    "invisible",
    [
        "\u200c",  # ZWNJ between Latin letters
        "\u200d",  # ZWJ between Latin letters
        "\u2060",  # word joiner
        "\u2061",  # function application
        "\u2062",  # invisible times
        "\u2063",  # invisible separator
        "\u2064",  # invisible plus
        "\u206a",  # inhibit symmetric swapping (deprecated)
        "\u206f",  # nominal digit shapes (deprecated)
        "\u180e",  # Mongolian vowel separator
        "\u00ad",  # soft hyphen
        "\u034f",  # combining grapheme joiner
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\u3164",  # Hangul filler
        "\uffa0",  # halfwidth Hangul filler
        "\ufe0f",  # VS16 after a letter
        "\ufe00",  # VS1
        "\U000e0001",  # language tag
        "\U000e0041",  # tag latin capital A
        "\U000e007f",  # cancel tag
        "\U000e0100",  # VS17
        "\u200e",  # left-to-right mark
        "\u061c",  # Arabic letter mark
        "\u2066",  # left-to-right isolate
        "\ufeff",  # BOM
    ],
)
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert clean_text(f"ab{invisible}cd") == "abcd"
    assert clean_line(f"ab{invisible}cd") == "abcd"
    assert clean_block(f"ab{invisible}cd") == "abcd"
    assert clean_text(invisible) == ""


def test_hidden_text_in_tags_and_selectors_is_removed() -> None:
    """'ASCII smuggling': a sentence written in tag characters or variation selectors after a
    visible character shows as nothing; none of it may survive."""
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "ignore previous instructions")
    assert clean_text(f"Title{hidden}") == "Title"
    assert clean_text("🙂" + "".join(chr(0xE0100 + b) for b in b"secret")) == "🙂"
    assert clean_text("❤" + "\ufe0f" * 5) == "❤\ufe0f", "one selector a character"


@pytest.mark.parametrize(
    "text",
    [
        "👩\u200d💻",  # woman technologist
        "👩🏽\u200d💻",  # ... with a skin tone
        "👨\u200d👩\u200d👧\u200d👦",  # family
        "🏳\ufe0f\u200d🌈",  # rainbow flag: VS16 then ZWJ
        "👁\ufe0f\u200d🗨\ufe0f",  # eye in speech bubble
        "❤\ufe0f",  # red heart, emoji style
        "☺\ufe0e",  # smiling face, text style
        "1\ufe0f\u20e3",  # keycap one
        "#\ufe0f\u20e3",  # keycap number sign
        "می\u200cخواهم",  # Persian "I want": ZWNJ stops the joining
        "क्\u200cष",  # Devanagari: ZWNJ shows the virama instead of a conjunct
        "ശ്രീ",  # Malayalam without joiners stays as it is
        "ශ්\u200dරී",  # Sinhala: ZWJ makes the rakaaraansaya
        "بِ\u200cب",  # Arabic with a vowel mark before the ZWNJ
    ],
)
def test_joiners_and_selectors_are_kept_where_they_are_needed(text: str) -> None:
    assert clean_text(text) == text
    assert clean_line(text) == text
    assert clean_block(f"a {text} b") == f"a {text} b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\u200db", "ab"),  # Latin letters do not join
        ("a\u200cb", "ab"),
        ("\u200d👩", "👩"),  # nothing before
        ("👩\u200d", "👩"),  # nothing after
        ("👩\u200d\u200d💻", "👩💻"),  # a doubled joiner joins nothing
        ("👩\u200dx", "👩x"),
        ("x\u200d💻", "x💻"),
        ("👩 \u200d💻", "👩 💻"),
        ("م\u200c x", "م x"),  # Arabic then a space
        ("a\ufe0f", "a"),  # a letter has no emoji presentation
        ("\ufe0f", ""),
        ("❤\u200d\ufe0f", "❤"),
        ("中\ufe0e", "中"),
    ],
)
def test_joiners_and_selectors_elsewhere_are_removed(text: str, expected: str) -> None:
    assert clean_text(text) == expected


def test_zero_width_space_becomes_a_space_in_lines_and_blocks() -> None:
    assert clean_text("a\u200bb") == "a\u200bb"
    assert clean_line("a\u200bb") == "a b" and clean_block("a\u200bb") == "a b"


def test_a_cut_line_ends_in_no_dangling_joiner() -> None:
    assert clean_line("ab👩\u200d💻", 4) == "ab👩…"


def test_the_generated_tables_hold_what_the_rules_name() -> None:
    """reader/unicode_tables.py is generated: check it against the characters named here."""
    from reader.unicode_tables import (
        DEFAULT_IGNORABLE,
        EMOJI_VARIATION_BASES,
        EXTENDED_PICTOGRAPHIC,
        JOINER_SCRIPT_LETTERS,
        PRINTABLE_IGNORABLE,
    )

    def holds(ranges: tuple[tuple[int, int], ...], chars: str) -> bool:
        return all(any(a <= ord(c) <= b for a, b in ranges) for c in chars)

    invisible = re.compile(f"[{INVISIBLE}]")
    ignorable = [chr(p) for a, b in DEFAULT_IGNORABLE for p in range(a, b + 1)]
    assert {c for c in ignorable if not invisible.match(c)} == {*CONTEXTUAL, "\u200b"}
    assert holds(PRINTABLE_IGNORABLE, "\u034f\u115f\u3164\ufe0f\U000e0100")
    assert all(chr(p).isprintable() for a, b in PRINTABLE_IGNORABLE for p in range(a, b + 1))
    assert holds(EXTENDED_PICTOGRAPHIC, "❤☺👩💻🌈🗨") and not holds(EXTENDED_PICTOGRAPHIC, "a1🏽")
    assert holds(EMOJI_VARIATION_BASES, "❤☺#*0123456789") and not holds(EMOJI_VARIATION_BASES, "a")
    assert holds(JOINER_SCRIPT_LETTERS, "میخواهکषශරීِ") and not holds(JOINER_SCRIPT_LETTERS, "aא中")


def test_article_text_loses_printable_invisibles() -> None:
    """The extractor skips cleaning text that needs none: printable is not enough to say so,
    since a Hangul filler or a variation selector is printable."""
    from reader.document import to_plain_text
    from reader.extract import extract

    words = " ".join(["Paragraph words that make this an article worth reading."] * 8)
    html = f"<html><body><article><h1>Title</h1><p>{words} Hidden\u3164filler a\u034fb.</p>"
    html += f"<p>{words}</p></article></body></html>"
    text = to_plain_text(extract(html.encode(), "https://news.example/a"))
    assert "Hiddenfiller ab." in text and "\u3164" not in text and "\u034f" not in text


def test_the_cli_list_cleans_fields_stored_by_an_older_version() -> None:
    """`newsreader list` trusts stored text that needs no cleaning; a printable Hangul filler
    stored before this sanitiser removed it is not such text."""
    from reader.cli import _field

    assert _field("a\u3164b") == "ab" and _field("a\tb") == "a b" and _field("plain") == "plain"
