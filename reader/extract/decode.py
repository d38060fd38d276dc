"""Page bytes to text: the declared charset, checked against what the bytes actually are.

Pages often lie about their encoding: a CMS template says UTF-8 while an old article body is
windows-1252, or a server header says ISO-8859-1 for a UTF-8 page. Strict UTF-8 is a strong test
(legacy text almost never validates as UTF-8 by accident), so it settles most disputes.
"""

from __future__ import annotations

import codecs
import re

SNIFF_BYTES = 4096
"""How far into the page to look for `<meta charset>`: the HTML standard's prescan reads 1,024
bytes; real pages put long comments and scripts first, so we allow four times that."""

UTF8_KEEP_RATIO = 20
"""A page declared UTF-8 with some invalid bytes stays UTF-8 (invalid bytes replaced) when its
valid multi-byte characters outnumber the broken ones by this much: a stray byte in an otherwise
UTF-8 page must not turn every accented letter into mojibake. Chosen by hand on made-up mixes."""

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)

# What browsers actually use for a label (the WHATWG Encoding standard): the Latin-1 family means
# windows-1252, Shift_JIS means its Microsoft superset, GB2312/GBK mean GB18030, and so on.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "x-mac-roman": "mac_roman",
    "utf8": "utf-8",
    # A page decoded from bytes cannot really be UTF-16 if its meta tag was readable as ASCII.
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
}


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec == "utf-7":
        # The HTML standard refuses UTF-7 (it smuggles markup past filters).
        return None
    try:
        # Only ASCII-compatible encodings can be declared inside the page (the HTML standard
        # ignores the rest): this turns away EBCDIC labels and Python's binary codecs.
        if "<a=".encode(codec) != b"<a=":
            return None
    except (LookupError, TypeError, ValueError):
        return None
    return codec


def declared_charset(data: bytes, content_type: str | None) -> str | None:
    """The codec the transport or the page itself declares, if any (transport first)."""
    if content_type:
        header = _HEADER_CHARSET.search(content_type)
        if header and (codec := _codec(header.group(1))):
            return codec
    meta = _META_CHARSET.search(data[:SNIFF_BYTES])
    if meta:
        return _codec(meta.group(1).decode("ascii", "replace"))
    return None


def _from_utf8_or_cp1252(data: bytes) -> str:
    """Bytes that failed strict UTF-8: UTF-8 with a few bad bytes, or really windows-1252."""
    text = data.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", "ignore")) - broken
    if valid >= UTF8_KEEP_RATIO * broken:
        return text
    return data.decode("cp1252", "replace")


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """The text of an HTML page given as bytes, whatever its declared or actual encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    declared = declared_charset(data, content_type)
    if declared != "utf-8" and not data.isascii():
        # Legacy text essentially never validates as UTF-8, so a clean decode wins over the label.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if declared is None or declared == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return _from_utf8_or_cp1252(data)
    return data.decode(declared, "replace")
