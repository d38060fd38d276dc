"""The cleaning budget: pages that would nest too deeply are refused before lexbor parses them,
the estimate of the depth never falls below the tree lexbor really builds, and option tags, which
lexbor handles in quadratic time, never reach the parser."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from reader.extract import extract
from reader.extract.budget import ELEMENTS_PER_START_TAG, MAX_DEPTH, parser_input
from reader.extract.decode import decode_html
from reader.extract.nesting import TREE_BASE, nesting_depth
from reader.extract.page_text import page_text

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
DEEP = MAX_DEPTH + 500
"""Repetitions of an attack shape: just past the budget, so the shapes that slipped through the
old estimate build a tree deeper than MAX_DEPTH, and still parse in a blink."""
SOUP_PAGES = 400
SOUP_TAGS = 120
SOUP_NAMES = (
    "div p li ul ol b i a span x table tr td th tbody thead caption colgroup col svg math g "
    "foreignObject desc mi mo select option button h1 h2 dd dt dl form font nobr template "
    "br img hr object applet marquee ruby rb rt frameset body em strong code"
)
CORPUS_SAMPLE = 25
"""Every 25th page of each shared corpus (about 60 pages): a sample of real markup."""

STORY = "".join(
    f"<p>The council met on Tuesday and agreed, after a long debate, to repair the old bridge "
    f"that floods closed in the spring. Paragraph {i}.</p>"
    for i in range(6)
)


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


def tree_depth(html: str | bytes) -> int:
    """Levels of elements in lexbor's tree of `html`, <html> being level 1."""
    tree = LexborHTMLParser(html)
    deepest = 0
    stack = [(tree.root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        child = node.child if node is not None else None
        while child is not None:
            if child.tag not in ("-text", "_comment", "-comment"):
                stack.append((child, depth + 1))
            child = child.next
    return deepest


ATTACKS = {
    "unmatched end tags": "<div></x>" * DEEP,
    "divs after an svg": "<svg>" + "<div>" * DEEP + "</svg>",
    "svg elements": "<svg>" + "<g>" * DEEP + "</svg>",
    "lists in list items": "<ul><li>" * (DEEP // 2),
    "tables in cells": "<table><td>" * (DEEP // 3),
}


@pytest.mark.parametrize("body", ATTACKS.values(), ids=ATTACKS.keys())
def test_attack_shapes_nest_past_the_budget_and_are_refused(body: str) -> None:
    html = _page(STORY + body)
    assert tree_depth(html) > MAX_DEPTH  # the shape really is that deep...
    assert nesting_depth(html, MAX_DEPTH) > MAX_DEPTH  # ...the estimate sees it...
    document = extract(html)  # ...and the cleaner refuses it before parsing
    assert not document.is_article and not document.blocks
    assert (
        document.note == f"page nests too deeply to clean (over {MAX_DEPTH:,} levels of elements)"
    )
    assert page_text(html) == ""


def test_formatting_closed_by_paragraphs_is_counted_as_reopened() -> None:
    # Each <p> closes the <b>s, and the text after it opens them all again, one level deeper.
    shape = "".join(f"<p><b id={i}>x" for i in range(300))
    assert nesting_depth(shape, MAX_DEPTH) >= tree_depth(shape) > 300
    many = "".join(f"<p><b id={i}>x" for i in range(DEEP))
    assert "nests too deeply" in extract(_page(STORY + many)).note


def test_reopening_formatting_over_and_over_is_refused() -> None:
    # 300 <b>s closed and reopened by each of 300 </div>: the parser builds 90,000 elements
    # from 600 tags, however shallow the tree.
    shape = "<div>" * 300 + "".join(f"<b id={i}>" for i in range(300)) + "</div>x" * 300
    assert tree_depth(shape) < 1_000
    assert nesting_depth(shape, MAX_DEPTH) > MAX_DEPTH


def test_unmatched_end_tags_close_nothing() -> None:
    # Just within the budget, the same shape is cleaned: the refusal is about depth alone.
    html = _page(STORY + "<div></x>" * (MAX_DEPTH // 2))
    estimate = nesting_depth(html, MAX_DEPTH)
    assert tree_depth(html) <= estimate <= MAX_DEPTH
    assert extract(html).is_article


def test_many_options_never_reach_the_parser_and_the_article_survives() -> None:
    options = "".join(f"<option value={i}><b>choice {i}</b>" for i in range(MAX_DEPTH * 2))
    html = _page("<article>" + STORY + "</article><form><select>" + options + "</select></form>")
    encoded, reason = parser_input(html)
    assert reason == ""
    tree = LexborHTMLParser(encoded)
    assert tree.css("option, optgroup") == []
    assert tree.css_first("select") is not None  # the control itself stays, for the cleaner
    document = extract(html)
    assert document.is_article, document.note
    assert "Paragraph 5" in document.text and "choice" not in document.text


def test_a_page_with_a_few_form_controls_is_parsed_as_it_is() -> None:
    form = "<form><select><option>One<option>Two</select><textarea>Your comment</textarea></form>"
    html = _page("<article>" + STORY + "</article>" + form)
    encoded, reason = parser_input(html)
    assert reason == "" and encoded == html.encode()
    document = extract(html)
    assert document.is_article and "Your comment" not in document.text


def _soup(seed: int) -> str:
    """Random tag soup from the parts where the tree builder departs from +1/-1 counting."""
    names = SOUP_NAMES.split()
    extras = [
        "<script>x</script>",
        "<style>a</style>",
        "<!-- c -->",
        "<title>t</title>",
        "<textarea>q</textarea>",
        "text ",
        "<p/>",
        "<g/>",
        "<b x='>'>",
        "<a href=x/>",
        "</br>",
        "</p>",
    ]
    rng = random.Random(seed)
    parts = []
    for _ in range(SOUP_TAGS):
        roll = rng.random()
        name = rng.choice(names)
        if roll < 0.1:
            parts.append(rng.choice(extras))
        elif roll < 0.55:
            parts.append(f"<{name}>")
        elif roll < 0.6:
            parts.append(f"<{name} id={rng.randint(0, 3)}>")
        elif roll < 0.65:
            parts.append(f"<{name}/>")
        else:
            parts.append(f"</{name}>")
    return "".join(parts)


def test_the_estimate_is_an_upper_bound_on_tag_soup() -> None:
    for seed in range(SOUP_PAGES):
        html = _soup(seed)
        depth = tree_depth(html)
        assert nesting_depth(html, 10**6) >= depth, (seed, html)
        starts = html.count("<") - html.count("</")
        assert depth <= ELEMENTS_PER_START_TAG * starts + TREE_BASE + 1, (seed, html)


def _real_pages() -> list[Path]:
    pages = sorted(FIXTURES.rglob("*.html"))
    for corpus in sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []:
        pages += sorted(corpus.glob("*.html*"))[::CORPUS_SAMPLE]
    return pages


def test_the_estimate_is_a_close_upper_bound_on_real_pages() -> None:
    pages = _real_pages()
    assert pages
    for page in pages:
        data = page.read_bytes()
        html = decode_html(gzip.decompress(data) if page.suffix == ".gz" else data)
        depth = tree_depth(html.encode("utf-8", "ignore"))
        # Over by a few levels at most (a leaf it cannot see, reopened formatting elements).
        assert depth <= nesting_depth(html, 10**6) <= depth + 8, page.name


def test_the_scan_stops_once_past_the_limit() -> None:
    html = "<div>" * 100_000
    assert MAX_DEPTH < nesting_depth(html, MAX_DEPTH) <= MAX_DEPTH + 1
