"""Markdown rendering of a Document: every block kind, and page text that must stay literal."""

from __future__ import annotations

from pathlib import Path

from reader.document import (
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Span,
    Table,
)
from reader.extract import extract
from reader.formats import escape, to_markdown

SITE = Path(__file__).parent / "fixtures" / "site"


def para(*spans: Span) -> Paragraph:
    return Paragraph(spans)


def body(*blocks) -> str:
    """The Markdown of `blocks` alone: without a title or URL, the head is just the meta line."""
    meta, rest = to_markdown(Document(blocks=list(blocks))).split("\n\n", 1)
    assert meta == "*1 min read*"
    return rest.rstrip("\n")


def test_head_has_title_meta_and_source() -> None:
    document = Document(
        url="https://news.example/a story",
        title="Tides *rise*",
        authors=["Ines Okafor", "Sam Lee"],
        site_name="Orbit Weekly",
        published="2025-06-03T11:20:00Z",
        blocks=[para(Span("Text."))],
    )
    assert to_markdown(document) == (
        "# Tides \\*rise\\*\n\n"
        "*Orbit Weekly · Ines Okafor and Sam Lee · 2025-06-03 · 1 min read*\n\n"
        "<https://news.example/a%20story>\n\n"
        "Text.\n"
    )


def test_inline_styles_hug_their_text() -> None:
    assert body(
        para(
            Span("Plain "),
            Span("emphasis ", "em"),
            Span("and"),
            Span(" strong", "strong"),
            Span(", "),
            Span("x = `y`", "code"),
            Span(" and "),
            Span("a link", "link", "https://example.com/a_(b)"),
        )
    ) == (
        "Plain *emphasis* and **strong**, `` x = `y` `` and [a link](https://example.com/a_%28b%29)"
    )


def test_headings_lists_quotes_code_figures_tables_rules() -> None:
    assert body(
        Heading((Span("Section"),), level=1),
        Heading((Span("Deep"),), level=7),
        ListBlock(
            (
                (para(Span("one")), ListBlock(((para(Span("nested")),),), ordered=True)),
                (para(Span("two")),),
            )
        ),
        Quote((para(Span("said")), para(Span("twice")))),
        Preformatted("code ```\n  indented\n"),
        Figure("https://img.example/x.png", "alt [1]", "A caption"),
        Table((("Name", "Value"), ("a|b", "1")), header=True),
        Table((("x", "y"),)),
        Rule(),
    ) == (
        "## Section\n\n"
        "###### Deep\n\n"
        "- one\n\n  1. nested\n- two\n\n"
        "> said\n>\n> twice\n\n"
        "````\ncode ```\n  indented\n````\n\n"
        "![alt \\[1\\]](https://img.example/x.png)\n\n*A caption*\n\n"
        "| Name | Value |\n| --- | --- |\n| a\\|b | 1 |\n\n"
        "|  |  |\n| --- | --- |\n| x | y |\n\n"
        "---"
    )


def test_page_text_that_looks_like_markdown_stays_literal() -> None:
    assert escape("# 1 rated") == "\\# 1 rated"
    assert escape("2024. A year") == "2024\\. A year"
    assert escape("- not a list\n> not a quote") == "\\- not a list\n\\> not a quote"
    assert escape("[x](javascript:alert(1)) <b>") == "\\[x\\](javascript:alert(1)) \\<b\\>"
    assert escape("a_b * c") == "a\\_b \\* c"


def test_empty_blocks_leave_no_gaps() -> None:
    assert body(para(), Quote(()), ListBlock(()), Table(()), para(Span("kept"))) == "kept"


def test_a_real_article_renders_every_paragraph() -> None:
    document = extract((SITE / "quiet-harbour.html").read_bytes(), "https://harbour.example/a")
    markdown = to_markdown(document)
    assert markdown.startswith(f"# {escape(document.title)}\n\n*")
    for block in document.blocks:
        if isinstance(block, Paragraph):
            first_word = block.spans[0].text.split()[0]
            assert escape(first_word) in markdown
