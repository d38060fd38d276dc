"""Unit tests for the cleaning engine: seed acceptance, metadata, blocks, encodings, limits."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from reader.document import (
    Document,
    Figure,
    Heading,
    ListBlock,
    Paragraph,
    Preformatted,
    Quote,
    Rule,
    Table,
)
from reader.extract import extract

FIXTURES = Path(__file__).parent / "fixtures" / "site"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
SEED = SHARED / "corpus" / "seed"


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def _story(paragraphs: int = 6) -> str:
    sentence = (
        "The council met on Tuesday, and after a long debate it agreed to repair the old bridge, "
        "which has been closed to lorries since the spring floods damaged its piers."
    )
    return "".join(f"<p>{sentence} Paragraph {i}.</p>" for i in range(paragraphs))


def _kinds(doc: Document) -> list[str]:
    return [block.kind for block in doc.blocks]


def test_the_engine_is_headless_and_offline() -> None:
    """Importing and running the cleaner pulls in neither the UI nor the HTTP client."""
    code = (
        "import sys; from reader.extract import extract; extract('<p>x</p>'); "
        "bad = {'textual', 'httpx', 'rich'} & set(sys.modules); assert not bad, bad"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- seed acceptance ---------------------------------------------------------------------------


@pytest.mark.skipif(not SEED.is_dir(), reason="../shared/corpus/seed is absent (not in a checkout)")
def test_seed_article_keeps_the_story_and_drops_the_furniture() -> None:
    truth = json.loads((SEED / "truth.json").read_text(encoding="utf-8"))["seed-article"]
    doc = extract((SEED / "seed-article.html").read_bytes(), truth["url"])
    assert doc.is_article, doc.note
    assert doc.title == truth["title"]
    assert doc.byline == truth["byline"]
    assert doc.published is not None and doc.published.startswith(truth["published"])
    assert doc.site_name == truth["site_name"]
    assert truth["caption"] in doc.text
    headings = [b for b in doc.blocks if isinstance(b, Heading)]
    # truth.json lists the headings in its own order, not the page's.
    assert sorted(h.spans[0].text for h in headings) == sorted(truth["headings"])
    for paragraph in truth["body"].split("\n\n"):
        assert paragraph in doc.text
    for furniture in truth["must_not_contain"]:
        assert furniture not in doc.text


# -- our own fixture pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "site", "kinds"),
    [
        ("quiet-harbour.html", "Harbour Gazette", {"quote", "figure", "heading"}),
        ("mars-sample.html", "Orbit Weekly", {"list", "heading"}),
        ("chip-fab.html", "Circuit Ledger", {"pre", "table", "heading"}),
        ("river-cleanup.html", "Valley Courier", {"paragraph"}),
    ],
)
def test_fixture_pages_come_out_clean(name: str, site: str, kinds: set[str]) -> None:
    doc = extract((FIXTURES / name).read_bytes(), f"https://news.example/{name}")
    assert doc.is_article, doc.note
    assert doc.site_name == site
    assert doc.title and " | " not in doc.title and " - " not in doc.title
    assert kinds <= set(_kinds(doc))
    for furniture in (
        "Related stories",
        "Advertisement",
        "ADVERTISEMENT",
        "Subscribe",
        "Sign up",
        "©",
        "Copyright",
        "Share",
        "Tweet",
        "Privacy",
    ):
        assert furniture not in doc.text, furniture
    assert doc.title not in doc.text


def test_quiet_harbour_metadata() -> None:
    doc = extract(
        (FIXTURES / "quiet-harbour.html").read_bytes(),
        "https://harbourgazette.example/coast/quiet-harbour",
    )
    assert doc.authors == ["Mara Lindqvist"]
    assert doc.title == "The quiet harbour that learned to listen"
    assert doc.published == "2026-03-14T07:30:00+00:00"
    assert doc.modified == "2026-03-14T11:05:00+00:00"
    assert doc.language == "en-GB"
    assert doc.image == "https://harbourgazette.example/media/2026/03/harbour-hydrophone.jpg"
    assert doc.canonical_url == "https://harbourgazette.example/coast/quiet-harbour"
    figure = next(b for b in doc.blocks if isinstance(b, Figure))
    assert figure.caption.startswith("Volunteers lower a hydrophone")
    assert "By Mara" not in doc.text


def test_everything_page_has_every_block_kind() -> None:
    doc = extract(
        (FIXTURES / "everything.html").read_bytes(), "https://testdesk.example/guides/every-block"
    )
    kinds = set(_kinds(doc))
    assert {"heading", "paragraph", "list", "quote", "pre", "table", "figure", "rule"} <= kinds
    levels = {b.level for b in doc.blocks if isinstance(b, Heading)}
    assert levels == {2, 3}
    first = doc.blocks[0]
    assert isinstance(first, Paragraph)
    styles = {span.style for span in first.spans}
    assert {"em", "strong", "code", "link"} <= styles
    links = [span for span in first.spans if span.style == "link"]
    assert [span.href for span in links] == ["https://testdesk.example/guides/links"]
    nested = next(b for b in doc.blocks if isinstance(b, ListBlock) and not b.ordered)
    assert any(
        isinstance(block, ListBlock) and block.ordered for item in nested.items for block in item
    )
    pre = next(b for b in doc.blocks if isinstance(b, Preformatted))
    assert "    if line.strip():" in pre.text
    table = next(b for b in doc.blocks if isinstance(b, Table))
    assert table.header and table.rows[0] == ("Block", "Shown as")
    quote = next(b for b in doc.blocks if isinstance(b, Quote))
    assert len(quote.blocks) == 2
    assert any(isinstance(b, Rule) for b in doc.blocks)


# -- metadata sources --------------------------------------------------------------------------


def test_json_ld_graph_and_arrays() -> None:
    head = """<script type="application/ld+json">{"@graph": [{"@type": "WebSite", "name": "Site"},
      {"@type": ["NewsArticle"], "headline": "From the graph", "datePublished": "2026-01-02",
       "author": [{"name": "A One"}, {"name": "B Two"}], "image": {"url": "/i.jpg"},
       "publisher": {"name": "Graph News"}}]}</script>"""
    doc = extract(_page("<article>" + _story() + "</article>", head), "https://a.example/x")
    assert doc.title == "From the graph"
    assert doc.authors == ["A One", "B Two"]
    assert doc.byline == "A One and B Two"
    assert doc.published == "2026-01-02"
    assert doc.site_name == "Graph News"
    assert doc.image == "https://a.example/i.jpg"


def test_json_ld_author_by_reference() -> None:
    head = """<script type="application/ld+json">{"@graph": [
      {"@type": "Person", "@id": "https://a.example/#/person/1", "name": "Ref Erenced"},
      {"@type": "BlogPosting", "headline": "Linked by id", "author": {"@id": "https://a.example/#/person/1"}}
    ]}</script>"""
    doc = extract(_page(_story(), head))
    assert doc.authors == ["Ref Erenced"]


def test_opengraph_twitter_and_meta_fallbacks() -> None:
    head = """<title>Ignored | Site</title><meta property="og:title" content="OG title - Site">
      <meta property="og:site_name" content="Site"><meta name="author" content="By C Three">
      <meta name="twitter:image" content="https://cdn.example/t.png">
      <meta name="description" content="Plain description">"""
    doc = extract(_page(_story(), head), "https://a.example/x")
    assert doc.title == "OG title"
    assert doc.authors == ["C Three"]
    assert doc.image == "https://cdn.example/t.png"
    assert doc.description == "Plain description"


def test_page_fallbacks_title_and_time() -> None:
    body = "<h1>The Real Headline Here</h1><time datetime='2025-05-05T10:00'>May 5</time>"
    doc = extract(_page(body + _story(), "<title>The Real Headline Here | Paper</title>"))
    assert doc.title == "The Real Headline Here"
    assert doc.published == "2025-05-05T10:00"


@pytest.mark.parametrize(
    ("meta_date", "expected"),
    [
        ("2024-03-05T10:00:00+01:00", "2024-03-05T10:00:00+01:00"),
        ("Tue, 05 Mar 2024 09:00:00 GMT", "2024-03-05T09:00:00+00:00"),
        ("March 5, 2024, 10:00 AM EST", "2024-03-05"),
        ("5 Mar 2024", "2024-03-05"),
    ],
)
def test_dates_come_out_as_iso_8601(meta_date: str, expected: str) -> None:
    head = f'<meta property="article:published_time" content="{meta_date}">'
    assert extract(_page(_story(), head)).published == expected


def test_placeholder_dates_are_skipped() -> None:
    head = (
        '<meta property="article:published_time" content="0001-01-01T00:00:00">'
        '<meta name="date" content="2023-07-08">'
    )
    assert extract(_page(_story(), head)).published == "2023-07-08"


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    deep = '<script type="application/ld+json">' + "[" * 50_000 + "</script>"
    doc = extract(_page(_story(), head + deep + "<title>Fallback title here now</title>"))
    assert doc.title == "Fallback title here now"


# -- body --------------------------------------------------------------------------------------


def test_links_are_absolute_and_only_web() -> None:
    body = (
        "<article><p>Read <a href='/a/b'>relative</a>, <a href='javascript:evil()'>js</a>, "
        "<a href='data:text/html,x'>data</a> and <a href='https://ok.example/'>absolute</a>, "
        "in a paragraph long enough, with commas, to be the article body of this page.</p>"
        + _story()
        + "</article>"
    )
    doc = extract(_page(body), "https://site.example/dir/page")
    hrefs = [s.href for b in doc.blocks if isinstance(b, Paragraph) for s in b.spans if s.href]
    assert hrefs == ["https://site.example/a/b", "https://ok.example/"]
    assert "js" in doc.text and "data" in doc.text


def test_lazy_images_and_noscript() -> None:
    body = (
        "<article>"
        + _story(3)
        + "<figure><img src='data:image/gif;base64,R0lGOD' data-src='/big.jpg' alt='Lazy'>"
        "<figcaption>A lazy caption</figcaption></figure>"
        + "<figure><img src='data:,' srcset='/s.jpg 400w, /l.jpg 800w'></figure>"
        + "<figure><noscript><img src='/ns.jpg' alt='No script'></noscript></figure>"
        + _story(3)
        + "</article>"
    )
    doc = extract(_page(body), "https://img.example/story")
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert [f.src for f in figures] == [
        "https://img.example/big.jpg",
        "https://img.example/s.jpg",
        "https://img.example/ns.jpg",
    ]
    assert figures[0].caption == "A lazy caption" and figures[0].alt == "Lazy"


def test_furniture_inside_the_article_is_dropped() -> None:
    body = (
        "<nav><a href='/'>Home</a></nav><article>"
        + _story(3)
        + "<div class='share-buttons'><a href='#'>Facebook</a><a href='#'>Twitter</a></div>"
        + "<div class='ad-container'>Advertisement</div>"
        + "<div class='related-links'><h3>Read more</h3><ul><li><a href='/1'>Other story one</a>"
        "</li><li><a href='/2'>Other story two</a></li></ul></div>"
        + _story(3)
        + "<div class='newsletter-signup'><p>Sign up for our newsletter</p></div>"
        + "</article><aside><p>Sidebar text that is not part of the story at all.</p></aside>"
        + "<footer><p>Copyright 2026</p></footer>"
    )
    text = extract(_page(body)).text
    for furniture in (
        "Home",
        "Facebook",
        "Advertisement",
        "Other story",
        "newsletter",
        "Sidebar",
        "Copyright",
    ):
        assert furniture not in text
    assert text.count("Paragraph") == 6


# -- encodings ---------------------------------------------------------------------------------

_WORDS = {
    "shift_jis": "東京で新しい図書館が開館しました。多くの市民が訪れ、本を借りていきました。",
    "gb18030": "北京今天举行了新闻发布会，介绍了城市交通的最新情况和未来的发展计划。",
    "windows-1251": "Вчера в Москве открылась новая библиотека, и многие жители пришли туда.",
    "iso-8859-7": "Η νέα βιβλιοθήκη άνοιξε χθες στην Αθήνα και πολλοί πολίτες την επισκέφθηκαν.",
    "iso-8859-2": "Wczoraj w Krakowie otwarto nową bibliotekę, którą odwiedziło wielu mieszkańców.",
    "windows-1252": "Le café de la gare a rouvert ses portes, à la grande joie des habitués.",
}


def _encoded_page(text: str, charset: str, declare: str | None) -> bytes:
    meta = f'<meta charset="{declare}">' if declare else ""
    html = _page("<article>" + f"<p>{text}</p>" * 8 + "</article>", meta)
    return html.encode(charset)


@pytest.mark.parametrize("charset", sorted(_WORDS))
def test_declared_legacy_charsets_decode(charset: str) -> None:
    doc = extract(_encoded_page(_WORDS[charset], charset, charset))
    assert _WORDS[charset] in doc.text


@pytest.mark.parametrize("charset", ["shift_jis", "windows-1251", "gb18030"])
def test_charset_from_content_type(charset: str) -> None:
    data = _encoded_page(_WORDS[charset], charset, None)
    doc = extract(data, content_type=f"text/html; charset={charset}")
    assert _WORDS[charset] in doc.text


def test_utf8_labelled_as_cp1252_and_the_reverse() -> None:
    text = _WORDS["windows-1252"]
    assert text in extract(_encoded_page(text, "utf-8", "windows-1252")).text
    assert text in extract(_encoded_page(text, "cp1252", "utf-8")).text
    assert (
        text
        in extract(
            _encoded_page(text, "utf-8", None), content_type="text/html; charset=ISO-8859-1"
        ).text
    )


def test_unsafe_or_binary_charset_labels_are_ignored() -> None:
    text = _WORDS["windows-1252"]
    for label in ("utf-7", "cp037", "base64"):
        assert text in extract(_encoded_page(text, "utf-8", label)).text


def test_bom_wins() -> None:
    text = _WORDS["windows-1251"]
    data = b"\xef\xbb\xbf" + _encoded_page(text, "utf-8", "windows-1251")
    assert text in extract(data).text


# -- not an article ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html></html>",
        _page("<script>" + "var x = 1;" * 1000 + "</script>"),
        _page("<p>Too short.</p>"),
        _page(
            "<ul>"
            + "".join(
                f"<li><h3><a href='/s{i}'>Headline number {i} about the news today</a></h3>"
                f"<p><a href='/s{i}'>A teaser for story {i}, with a few words.</a></p></li>"
                for i in range(40)
            )
            + "</ul>"
        ),
    ],
    ids=["empty", "no-body", "script-only", "too-short", "listing"],
)
def test_not_an_article(html: str) -> None:
    doc = extract(html, "https://news.example/")
    assert not doc.is_article
    assert doc.note


def _front_page() -> str:
    blurb = (
        "Officials said on Tuesday that the plan, which has been debated for months, would go "
        "ahead despite objections from residents and business owners."
    )
    cards = "".join(
        f"<article class='card'><a href='/story-{i}'><img src='/i{i}.jpg'></a>"
        f"<h3><a href='/story-{i}'>Headline number {i} about the council and its plans</a></h3>"
        f"<p>{blurb}</p><span>{i} hours ago</span></article>"
        for i in range(12)
    )
    return _page(
        "<header><nav><a href='/'>Home</a></nav></header>"
        f"<main><section class='top-stories'><h2>Top stories</h2>{cards}</section></main>"
    )


def test_front_page_of_story_cards_is_a_listing() -> None:
    doc = extract(_front_page(), "https://planet.example/news/")
    assert not doc.is_article
    assert "list of stories" in doc.note


def test_site_root_is_not_an_article() -> None:
    doc = extract(_page("<article>" + _story() + "</article>"), "https://planet.example/")
    assert not doc.is_article
    assert "home page" in doc.note
    assert extract(
        _page("<article>" + _story() + "</article>"), "https://planet.example/a"
    ).is_article


def test_never_raises_on_odd_arguments() -> None:
    assert isinstance(extract(b"\xff\xfe\x00<\x00p", "javascript:alert(1)"), Document)
    assert extract("<p>x</p>", "ftp://x").url is None


# -- pathological inputs -----------------------------------------------------------------------


def _extracted(html: str | bytes) -> Document:
    """The Document for a pathological page. Each test asserts what comes back (often a refusal
    by a budget, before any slow work); how long it takes is bench/hostile_inputs.py's business."""
    doc = extract(html)
    assert isinstance(doc, Document)
    return doc


def test_deep_nesting_100k() -> None:
    doc = _extracted("<div>" * 100_000 + "deep" + "</div>" * 100_000)
    assert not doc.is_article and "deep" in doc.note


def test_unclosed_inline_tags_before_many_paragraphs() -> None:
    # Each </p> searches the stack of open elements: 100,000 open <b> made this take 24 s.
    doc = _extracted("<b>" * 100_000 + "<p>x</p>" * 45_000)
    assert not doc.is_article and "nests too deeply" in doc.note


def test_a_page_heavy_with_inline_svg_is_still_cleaned() -> None:
    icons = "<svg>" + '<path d="M0 0h1v1z"/>' * 3_000 + "</svg>"
    doc = _extracted(_page(icons + "<article>" + _story() + "</article>" + icons))
    assert doc.is_article, doc.note


def test_deep_inline_nesting() -> None:
    doc = _extracted("<span>" * 100_000 + "x" + "<b><i>" * 50_000)
    assert not doc.is_article and "nests too deeply" in doc.note


def test_misnested_formatting_tags() -> None:
    html = _page(_story(3) + "<b><i><u>text</b></i></u><p><em>a<strong>b</em>c</strong>" * 10_000)
    doc = _extracted(html)
    assert "Paragraph 2" in doc.text


def test_thousands_of_attributes() -> None:
    attrs = " ".join(f'data-a{i}="{i}"' for i in range(5_000))
    doc = _extracted(_page(f"<article {attrs}>" + _story() + "</article>"))
    assert doc.is_article


def test_a_tag_with_too_many_attributes_is_refused_quickly() -> None:
    attrs = " ".join(f'data-a{i}="{i}"' for i in range(60_000))
    doc = _extracted(_page(f"<article {attrs}>" + _story() + "</article>"))
    assert not doc.is_article and "tag too long" in doc.note


def test_huge_inline_script() -> None:
    doc = _extracted(_page("<script>" + "x=1;" * 1_000_000 + "</script>" + _story()))
    assert doc.is_article


def test_one_paragraph_of_many_inline_tags() -> None:
    # Merging 90,000 runs of text must not be quadratic.
    doc = _extracted(_page("<p>" + "<span>word</span> " * 90_000 + "</p>"))
    assert doc.text.count("word") > 1_000


def test_too_many_elements_are_refused_quickly() -> None:
    doc = _extracted(_page("<p>A short paragraph, with a comma.</p>" * 150_000))
    assert not doc.is_article and "too many elements" in doc.note


def test_many_siblings() -> None:
    doc = _extracted(_page("<div><a href='/x'>link</a></div>" * 50_000))
    assert not doc.is_article and "too many elements" in doc.note


# -- fast paths that must agree with what they stand in for ---------------------------------


def test_folded_tail_furniture_agrees_with_the_ignorecase_pattern() -> None:
    from reader.extract import hints

    pieces = [
        "Subscribe", "sign up", "SignUp", "NEWSLETTER", "follow us", "Follow them!",
        "If you enjoyed this", "Disclaimer", "a disclaimer", "on Twitter", "von twitter",
        "Reporting by", "email him", "E-mail us", "e-mail the author", "contact usa",
        "@foo.com", "@x_y.org", "Copyright", "this story was updated", "the views expressed",
        "citation:", "delivered to your", "café", "©", "ſubscribe", "xyz", " ", "-", "on", "d",
        "Folgen Sie uns", "abonnez-vous", "Alle Rechte vorbehalten", "seguici", "Síguenos",
        "Posted in", "Filed under", "Tags:", "tagged :", "Tagged with", "Categories:",
        "Category :", "Kategorien:", "Publicado en", "Pubblicato in", "Geplaatst in",
        "Veroffentlicht in", "Veröffentlicht in", "Publie dans", "Publié dans", "Classe dans",
        "Etiquetas:", "Schlagworter:", "Categorias:", "categorie:", "tag", ":",
    ]  # fmt: skip
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(
            rng.choice(pieces) + rng.choice(["", " ", ".", "x", "_", "\n"])
            for _ in range(rng.randint(1, 4))
        )
        expected = hints.TAIL_FURNITURE.search(text) is not None
        assert hints.has_tail_furniture(text) == expected, text


def test_plain_url_fast_path_agrees_with_is_web_url() -> None:
    from reader.extract.metadata import _PLAIN_WEB_URL
    from reader.sanitize import is_web_url

    chars = "abcAB09:/?#.-_@[]%~ \t\x7f\\\u00e9\u200e"
    rng = random.Random(11)
    for _ in range(50_000):
        scheme = rng.choice(["http://", "https://"])
        url = scheme + "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        if _PLAIN_WEB_URL.match(url):
            assert is_web_url(url), url


def test_an_element_matching_several_prune_selectors_is_removed_once() -> None:
    # <div class id role> matched three selectors of a list, and was decomposed three times.
    furniture = '<div class="sidebar" id="rail" role="complementary" style="x">Rail text</div>'
    doc = extract(_page(furniture + "<article>" + _story() + "</article>"))
    assert doc.is_article and "Rail text" not in doc.text


def test_caption_credit_fast_path_agrees_with_the_pattern() -> None:
    from reader.extract import hints

    pieces = [
        "Photo", "IMAGE", "images", "Credit", "credits", "source", "foto", " credit", ":",
        " : ", "(", ")", "[", "]", "Getty Images", "AP", " ", "A caption.", "\n", "Photos:",
        "é", "ſource",
    ]  # fmt: skip
    rng = random.Random(5)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        assert hints.without_caption_credit(text) == hints.CAPTION_CREDIT.sub("", text), text


def test_microdata_dates_in_the_body_are_read() -> None:
    page = (
        "<html><head><title>A story</title></head><body><article><h1>A story</h1>"
        '<p>By <span itemprop="author">Ann Example</span> · '
        '<time itemprop="datePublished" datetime="2024-03-05T08:00:00Z">5 March</time></p>'
        '<meta itemprop="dateModified" content="2024-03-06T09:30:00Z">'
        + "<p>"
        + "A sentence that makes this page long enough to count as an article. " * 20
        + "</p></article></body></html>"
    )
    document = extract(page, "https://news.example/a")
    assert document.published and document.published.startswith("2024-03-05")
    assert document.modified and document.modified.startswith("2024-03-06")
