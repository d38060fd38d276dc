"""Property tests: whatever HTML-ish text or bytes come in, `extract` returns a Document."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.document import Document
from reader.extract import extract

_TAGS = [
    "div",
    "p",
    "span",
    "a",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "pre",
    "h1",
    "h2",
    "figure",
    "img",
    "blockquote",
    "script",
    "style",
    "article",
    "nav",
    "br",
    "noscript",
    "svg",
    "meta",
    "title",
    "head",
    "body",
    "html",
    "code",
    "em",
]
_ATTRS = [
    'class="content"',
    'class="share"',
    'id="main"',
    'href="/x"',
    'href="javascript:x"',
    'src="data:,"',
    'data-src="//cdn/x.jpg"',
    "hidden",
    'style="display:none"',
    'charset="shift_jis"',
    'type="application/ld+json"',
    'role="navigation"',
]

_tag = st.builds(
    lambda closing, name, attrs: (
        f"<{'/' if closing else ''}{name}{' ' if attrs else ''}{' '.join(attrs)}>"
    ),
    st.booleans(),
    st.sampled_from(_TAGS),
    st.lists(st.sampled_from(_ATTRS), max_size=3),
)
_chunk = st.one_of(
    _tag,
    st.text(max_size=40),
    st.sampled_from(["<", ">", "&amp;", "<!--", "]]>", '{"@type": "Article"', "\x00"]),
)
_html = st.lists(_chunk, max_size=120).map("".join)

_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_html, st.one_of(st.none(), st.sampled_from(["https://a.example/b/c", "nonsense", ""])))
def test_any_html_text_gives_a_document(html: str, url: str | None) -> None:
    doc = extract(html, url)
    assert isinstance(doc, Document)
    assert isinstance(doc.text, str)
    assert doc.is_article or doc.note
    # "Never raises" must not hide bugs: an internal error shows up as this note.
    assert "cleaning failed" not in doc.note


@_SETTINGS
@given(
    st.binary(max_size=2_000),
    st.one_of(
        st.none(),
        st.sampled_from(
            [
                "text/html",
                "text/html; charset=utf-8",
                "text/html; charset=bogus",
                "charset=shift_jis",
            ]
        ),
    ),
)
def test_any_bytes_give_a_document(data: bytes, content_type: str | None) -> None:
    doc = extract(data, None, content_type)
    assert isinstance(doc, Document)
    assert "cleaning failed" not in doc.note


@_SETTINGS
@given(_html)
def test_html_as_bytes_in_legacy_encodings(html: str) -> None:
    for charset in ("utf-8", "cp1252", "shift_jis", "gb18030"):
        data = html.encode(charset, "replace")
        assert isinstance(extract(data, content_type=f"text/html; charset={charset}"), Document)
