"""OPML subscription lists: what people bring from their last reader, and what we give back.

Real exports are loose: `xmlUrl` spelled `xmlurl` or `XMLURL`, titles in `title` or `text` or
neither, folders nested several deep, attributes from a dozen readers. `parse_opml` takes all of
that and raises only FeedError. The file is untrusted XML, so it is read by expat with every
DOCTYPE refused before anything in it is declared: no entity expansion (billion laughs), no
external entities.

Folders are paths: an outline "Tech" holding an outline "Rust" holding a feed gives the feed the
folder "Tech/Rust", and `to_opml` nests them back the same way, so a round trip is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from reader.feeds.address import feed_url
from reader.feeds.common import MAX_FEED_BYTES, MAX_FEED_TITLE_CHARS
from reader.feeds.model import FeedError
from reader.sanitize import clean_line

MAX_OPML_FEEDS = 10_000
"""Feeds kept from one file: heavy users have a few hundred; more is a dump or an attack."""
MAX_FOLDER_DEPTH = 8
"""Folder levels kept; deeper outlines are filed in their eighth-level ancestor. Real exports
nest one or two deep."""
FOLDER_SEPARATOR = "/"
"""Joins nested folder names into one path, as the store keeps it."""
EXPORT_TITLE = "newsreader subscriptions"
"""The <title> of an exported file."""
INDENT = "  "

# An "&" that starts no entity or character reference: hand-edited and generated lists put them
# raw in titles and query strings.
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z_:][\w.:-]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")
_FEED_TYPE = "rss"
"""The `type` attribute OPML 2.0 gives subscription outlines, whatever the feed's format."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One subscription from an OPML file."""

    url: str
    """Absolute http(s) feed URL (`feed://` addresses already turned into http)."""
    title: str
    """The name the file gives it (`text`, else `title`); "" when it has none."""
    folder: str = ""
    """Nested folder names joined by "/", "" at the top level."""


class SubscriptionLike(Protocol):
    """What `to_opml` needs of a subscription: the store's `Subscription` and `OpmlFeed` fit."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def folder(self) -> str: ...


class _Refused(Exception):
    """Raised from an expat handler to stop at a declaration we will not process."""


class _OutlineReader:
    """Collects feeds from expat's element events, keeping the folder path of each outline."""

    def __init__(self) -> None:
        self.feeds: list[OpmlFeed] = []
        self.root: str | None = None
        self._seen: set[str] = set()
        # One entry per open element: the folder name an outline adds to the path, or None.
        self._stack: list[str | None] = []
        self._in_body = False

    @property
    def folder(self) -> str:
        """The folder path of the outlines currently open."""
        names = [name for name in self._stack if name]
        return FOLDER_SEPARATOR.join(names[:MAX_FOLDER_DEPTH])

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if self.root is None:
            self.root = tag
        name = tag.lower()
        if name == "body":
            self._in_body = True
        if name != "outline" or not self._in_body:
            self._stack.append(None)
            return
        attrs = {key.lower(): value for key, value in attributes.items()}
        label = clean_line(attrs.get("text") or attrs.get("title"), MAX_FEED_TITLE_CHARS)
        if "xmlurl" not in attrs:
            self._stack.append(label)  # an outline without a feed is a folder
            return
        url = feed_url(attrs["xmlurl"])
        if url is not None and url not in self._seen and len(self.feeds) < MAX_OPML_FEEDS:
            self._seen.add(url)
            self.feeds.append(OpmlFeed(url, label, self.folder))
        # Outlines inside a feed outline (some readers nest items) stay in the feed's folder.
        self._stack.append(None)

    def end(self, tag: str) -> None:
        self._stack.pop()
        if tag.lower() == "body":
            self._in_body = False


def _refuse_doctype(*_args: object) -> None:
    raise _Refused("a DOCTYPE declaration")


def _refuse_entity(*_args: object) -> None:
    raise _Refused("an entity declaration")


def parse_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML document, in document order, each URL once; raises only FeedError.

    Outlines whose `xmlUrl` is not an http(s) (or `feed:`) address are skipped; an outline with
    no `xmlUrl` is a folder for the outlines inside it. A document that is not well-formed only
    because of raw "&" in it (common: other readers accept it) is read with them escaped.
    """
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"OPML file larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise FeedError("not an OPML file: it is empty")
    try:
        reader = _read_leniently(data)
    except _Refused as refused:
        raise FeedError(f"not a usable OPML file: it contains {refused}") from None
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise FeedError(f"not a valid OPML file: {reason} (line {error.lineno})") from None
    except (ValueError, LookupError) as error:  # e.g. an encoding expat and Python do not know
        raise FeedError(f"not a valid OPML file: {clean_line(str(error), 160)}") from None
    if reader.root is None or reader.root.lower() != "opml":
        found = clean_line(reader.root, 40) if reader.root else "nothing"
        raise FeedError(f"not an OPML file: the document is <{found}>, not <opml>")
    return reader.feeds


def _read_leniently(data: bytes) -> _OutlineReader:
    """The outlines of `data`, read again with bare "&" escaped if it is not well-formed.

    The second reading refuses what the first does: DOCTYPEs and entity declarations. Raises
    the error of the last reading.
    """
    try:
        return _read(data)
    except expat.ExpatError:
        lenient = _escape_bare_ampersands(data)
        if lenient == data:
            raise
        return _read(lenient)


def _read(data: bytes) -> _OutlineReader:
    """The outlines of `data` read by expat, every DOCTYPE and entity declaration refused."""
    reader = _OutlineReader()
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.Parse(data, True)
    return reader


def _escape_bare_ampersands(data: bytes) -> bytes:
    """`data` with every "&" that starts no entity or character reference written as "&amp;".

    References are left alone, so an undefined entity is still an error. Only for encodings
    where "&" is the byte 0x26: in UTF-16 or UTF-32 (NUL bytes) `data` is returned unchanged.
    """
    if b"\x00" in data:
        return data
    return _BARE_AMPERSAND.sub(b"&amp;", data)


@dataclass
class _Folder:
    """A folder while exporting: its feeds and subfolders in the order first seen."""

    feeds: list[SubscriptionLike] = field(default_factory=list)
    folders: dict[str, _Folder] = field(default_factory=dict)


def to_opml(subscriptions: Iterable[SubscriptionLike]) -> str:
    """An OPML 2.0 document of `subscriptions`, folders as nested outlines.

    In each folder its feeds come first, then its subfolders, each in the order first seen; given
    subscriptions sorted by folder (as the store lists them), `parse_opml` reads back the same
    feeds in the same order.
    """
    root = _Folder()
    for subscription in subscriptions:
        folder = root
        names = (clean_line(name, MAX_FEED_TITLE_CHARS) for name in subscription.folder.split("/"))
        for name in filter(None, names):
            folder = folder.folders.setdefault(name, _Folder())
        folder.feeds.append(subscription)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"{INDENT}<head>",
        f"{INDENT * 2}<title>{EXPORT_TITLE}</title>",
        f"{INDENT}</head>",
        f"{INDENT}<body>",
        *_outlines(root, depth=2),
        f"{INDENT}</body>",
        "</opml>",
    ]
    return "\n".join(lines) + "\n"


def _outlines(folder: _Folder, depth: int) -> Iterable[str]:
    """The outline lines of a folder's contents, indented `depth` levels."""
    pad = INDENT * depth
    for feed in folder.feeds:
        title = quoteattr(clean_line(feed.title, MAX_FEED_TITLE_CHARS))
        yield (
            f'{pad}<outline type="{_FEED_TYPE}" text={title} title={title} '
            f"xmlUrl={quoteattr(feed.url)}/>"
        )
    for name, subfolder in folder.folders.items():
        label = quoteattr(name)
        yield f"{pad}<outline text={label} title={label}>"
        yield from _outlines(subfolder, depth + 1)
        yield f"{pad}</outline>"
