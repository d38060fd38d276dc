"""OPML: a real-world export imports, hostile XML is refused, and export then import is exact."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.feeds import FeedError
from reader.feeds.opml import OpmlFeed, parse_opml, to_opml
from reader.sanitize import clean_line

BASE = "http://127.0.0.1:8000"
OPML_FIXTURES = Path(__file__).parent / "fixtures" / "opml"
REAL_WORLD = (OPML_FIXTURES / "real-world.opml").read_bytes().replace(b"{{BASE}}", BASE.encode())


def opml(body: str, head: str = '<?xml version="1.0"?>') -> bytes:
    return f'{head}<opml version="2.0"><head/><body>{body}</body></opml>'.encode()


def test_a_real_world_export_imports_with_folders_and_odd_attributes() -> None:
    assert parse_opml(REAL_WORLD) == [
        OpmlFeed(f"{BASE}/feeds/rss2.xml", "Harbour Gazette", ""),
        OpmlFeed(f"{BASE}/feeds/feed.json", "Circuit Ledger", "Tech"),  # lower-case xmlurl
        OpmlFeed(f"{BASE}/feeds/atom.xml", "", "Tech"),  # XMLURL, no text or title
        # The duplicate of atom.xml deeper down is dropped; the title is cleaned to one line.
        OpmlFeed(f"{BASE}/feeds/rss1.xml", "Valley Courier édition", "Tech/Science/Space"),
        OpmlFeed("http://podcasts.example.org/show.xml", "Podcast via feed scheme", "Old links"),
        OpmlFeed("https://blog.example.net/atom", "Wrapped feed scheme", "Old links"),
        # An outline with no name is no folder level.
        OpmlFeed("https://noname.example.com/rss", "In a folder with no name", ""),
        OpmlFeed("https://untitled.example.com/feed", "", ""),
        OpmlFeed("https://markup.example.com/feed?a=1&b=2", "Notes [bold]markup[/] & <tags>", ""),
    ]


def test_title_falls_back_to_the_title_attribute() -> None:
    [feed] = parse_opml(opml('<outline title="Only a title" xmlUrl="https://a.example/rss"/>'))
    assert feed.title == "Only a title"


def test_a_feed_outline_holding_outlines_keeps_them_in_its_folder() -> None:
    body = (
        '<outline text="News"><outline text="A" xmlUrl="https://a.example/rss">'
        '<outline text="B" xmlUrl="https://b.example/rss"/></outline></outline>'
    )
    assert [f.folder for f in parse_opml(opml(body))] == ["News", "News"]


def test_outlines_outside_the_body_are_not_feeds() -> None:
    data = (
        b'<opml version="2.0"><head><outline xmlUrl="https://head.example/rss"/></head>'
        b'<body><outline xmlUrl="https://body.example/rss"/></body></opml>'
    )
    assert [f.url for f in parse_opml(data)] == ["https://body.example/rss"]


def test_legacy_encodings_are_read() -> None:
    data = opml(
        '<outline text="Caf\xe9" xmlUrl="https://a.example/rss"/>',
        head='<?xml version="1.0" encoding="ISO-8859-1"?>',
    )
    assert parse_opml(data.decode().encode("latin-1"))[0].title == "Café"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<rss version='2.0'><channel/></rss>", "<rss>, not <opml>"),
        (b"<html><body><p>Not here</p></body></html>", "<html>, not <opml>"),
        (b"<opml><body><outline text='cut off'", "line 1"),
        (b"\x00\xff garbage", "not a valid OPML file"),
        (b'<?xml version="1.0" encoding="no-such-codec"?><opml/>', "not a valid OPML file"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://a.example/"/></body></opml>',
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml/>',
            "DOCTYPE",
        ),
        (b"<opml><body>&undefined;</body></opml>", "undefined entity"),
    ],
)
def test_bad_documents_raise_only_feed_error(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse_opml(data)
    assert reason in str(raised.value)


def test_raw_ampersands_are_read_as_other_readers_do() -> None:
    data = (OPML_FIXTURES / "ampersands.opml").read_bytes().replace(b"{{BASE}}", BASE.encode())
    assert parse_opml(data) == [
        OpmlFeed(f"{BASE}/feeds/rss2.xml?a=1&b=2", "Harbour & Coast", "News & Politics"),
        OpmlFeed(f"{BASE}/feeds/atom.xml", "Science & Tech & more & R&D", "News & Politics"),
        OpmlFeed(f"{BASE}/feeds/feed.json?x&y=&z", "Q&A", "News & Politics"),
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # A raw "&" does not let a DOCTYPE, an entity or an undefined reference through.
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;">]>'
            b'<opml><body><outline text="R&D &b;" xmlUrl="https://a.example/"/></body></opml>',
            "DOCTYPE",
        ),
        (b'<!ENTITY a "x"><opml><body><outline text="R&D &a;"/></body></opml>', "line 1"),
        (b'<opml><body><outline text="R&D &undefined;"/></body></opml>', "undefined entity"),
        (b'<opml><body><outline text="R&D"></body></opml>', "mismatched tag"),
        # UTF-16 is not rewritten byte by byte: it stays refused rather than garbled.
        ('<opml><body><outline text="R&D"/></body></opml>'.encode("utf-16"), "not well-formed"),
    ],
)
def test_the_lenient_reading_refuses_what_the_strict_one_does(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse_opml(data)
    assert reason in str(raised.value)


def test_export_nests_folders_and_escapes_attributes() -> None:
    text = to_opml(
        [
            OpmlFeed("https://a.example/rss?x=1&y=2", 'Quotes "and" <angles>', ""),
            OpmlFeed("https://b.example/rss", "B", "Tech/Rust"),
            OpmlFeed("https://c.example/rss", "C", "Tech"),
        ]
    )
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert 'xmlUrl="https://a.example/rss?x=1&amp;y=2"' in text
    assert (
        "&lt;angles&gt;" in text and parse_opml(text.encode())[0].title == 'Quotes "and" <angles>'
    )
    tech = text.index('<outline text="Tech"')
    assert tech < text.index('<outline text="Rust"') < text.index("https://b.example/rss")
    # Within Tech its own feed comes before the subfolder.
    assert text.index("https://c.example/rss") < text.index('<outline text="Rust"')


def test_round_trip_of_the_real_world_file_keeps_feeds_and_folders() -> None:
    feeds = parse_opml(REAL_WORLD)
    again = parse_opml(to_opml(feeds).encode())
    assert sorted(again, key=lambda f: f.url) == sorted(feeds, key=lambda f: f.url)
    assert to_opml(again) == to_opml(feeds)


# Names as the store keeps them: already through the sanitiser (which drops bidi controls).
_names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=20).map(
    lambda s: clean_line(" ".join(s.replace("/", " ").split()))
)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            _names,
            st.lists(_names.filter(bool), max_size=3).map("/".join),
        ),
        max_size=20,
        unique_by=lambda t: t[0],
    )
)
def test_round_trip_is_exact_for_feeds_sorted_by_folder(
    rows: list[tuple[int, str, str]],
) -> None:
    feeds = sorted(
        (OpmlFeed(f"https://feeds.example/{n}", title, folder) for n, title, folder in rows),
        key=lambda f: f.folder.split("/"),
    )
    assert parse_opml(to_opml(feeds).encode()) == feeds
