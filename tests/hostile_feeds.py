"""Oversized feeds, shared by the tests that check where they are cut and by
bench/hostile_inputs.py, which times it."""

from __future__ import annotations

from reader.feeds.xmlfeed import MAX_PARSE_TAGS

OVERSIZED_KINDS = ("rss", "rdf", "atom")


def oversized_feed(kind: str, base: str) -> bytes:
    """A feed of `kind` whose items hold ~20 tags each, ten times past the tag budget: the tag
    budget, not the entry cap, decides where the cut falls (at an item boundary)."""
    body = "".join(f"<p>{n}</p>" for n in range(9))
    count = MAX_PARSE_TAGS // 10
    if kind == "atom":
        entries = "".join(
            f"<entry><id>e{n}</id><title>Story {n}</title><link href='/s/{n}'/>"
            f"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>{body}</div>"
            "</content></entry>"
            for n in range(count)
        )
        return (
            f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'.encode()
        )
    if kind == "rdf":
        items = "".join(
            f"<item rdf:about='{base}/s/{n}'><title>Story {n}</title><link>{base}/s/{n}</link>"
            f"<description>{body.replace('<', '&lt;')}</description>{'<x/>' * 9}</item>"
            for n in range(count)
        )
        return (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel>'
            f"{items}</rdf:RDF>"
        ).encode()
    items = "".join(
        f"<item><guid>id-{n}</guid><link>{base}/s/{n}</link><title>Story {n}</title>"
        "<pubDate>Mon, 06 Jan 2025 10:00:00 +0000</pubDate>"
        f"<description><![CDATA[{body}]]></description></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Oversized</title><link>{base}/</link>{items}</channel></rss>"
    ).encode()
