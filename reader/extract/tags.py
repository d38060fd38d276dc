"""The HTML vocabulary of the block walk: which tags end a paragraph, which are skipped with
their content, which are plain inline text, and which give inline text a style."""

from __future__ import annotations

from reader.document import InlineStyle

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "address",
        "center",
        "details",
        "summary",
        "dd",
        "dt",
        "dl",
        "fieldset",
        "figcaption",
        "hgroup",
        "caption",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "form",
        "legend",
    }
)
"""Tags that end the current paragraph (those in SKIP_TAGS never get this far)."""
SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "template",
        "svg",
        "math",
        "canvas",
        "iframe",
        "object",
        "embed",
        "noscript",
        "button",
        "input",
        "select",
        "textarea",
        "nav",
        "aside",
        "footer",
        "header",
        "head",
        "title",
        "meta",
        "link",
        "audio",
        "video",
        "map",
        "dialog",
        "label",
        "menu",
        "source",
        "track",
        "wbr",
        "area",
        "base",
        "param",
    }
)
FLUSH_ONLY = BLOCK_TAGS | {"table"}
"""Tags whose close only ends the current paragraph (see BlockBuilder._leave)."""
PLAIN_INLINE = frozenset(
    {
        "span",
        "font",
        "small",
        "sup",
        "sub",
        "u",
        "s",
        "mark",
        "abbr",
        "time",
        "q",
        "ins",
        "del",
        "bdi",
        "bdo",
        "data",
        "big",
        "strike",
        "nobr",
    }
)
"""Inline tags whose text is kept as plain text: walked through without a check."""
STYLE_OF: dict[str, InlineStyle] = {
    "em": "em",
    "i": "em",
    "cite": "em",
    "dfn": "em",
    "var": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}
STYLE_RANK = {"text": 0, "em": 1, "strong": 2, "code": 3, "link": 4}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
