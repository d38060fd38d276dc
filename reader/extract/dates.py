"""Publication dates as the page writes them, read as ISO 8601 (placeholder years refused)."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from selectolax.lexbor import LexborHTMLParser

from reader.sanitize import clean_line

MIN_YEAR = 1990
MAX_YEAR = 2100
"""Years outside this range are placeholders, not publication dates (the web's news archives
start in the 1990s)."""

_ISO_DATE = re.compile(r"(\d{4})-\d{2}-\d{2}")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_EMAIL_DATE = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d")
_WRITTEN_DATE = re.compile(
    r"(?:(?P<day1>\d{1,2})\s+)?(?P<month>[A-Za-z]{3,9})\.?\s+(?:(?P<day2>\d{1,2}),?\s+)?"
    r"(?P<year>\d{4})"
)


def microdata_date(tree: LexborHTMLParser, prop: str) -> str | None:
    """A schema.org microdata date anywhere in the page (`<time itemprop=… datetime=…>`, or a
    `<meta itemprop=… content=…>` in the body, where the head scan does not look)."""
    node = tree.css_first(f'[itemprop="{prop}"]')
    if node is None:
        return None
    attrs = node.attributes
    return first_date(attrs.get("datetime"), attrs.get("content"), node.text(strip=True))


def first_date(*values: str | None) -> str | None:
    """The first of `values` that reads as a real date, in ISO 8601."""
    for value in values:
        date = _iso_date(value)
        if date:
            return date
    return None


def _iso_date(value: str | None) -> str | None:
    """A date as ISO 8601: kept as written when it already is one, converted from the e-mail
    form ("Tue, 19 Nov 2019 07:09:00 GMT") and from "November 19, 2019" or "19 Nov 2019".

    Placeholders are refused: CMS templates write "0001-01-01T00:00:00" for a story without
    a date.
    """
    value = clean_line(value, 100)
    if not value:
        return None
    iso = _ISO_DATE.match(value)
    if iso:
        return value if MIN_YEAR <= int(iso.group(1)) <= MAX_YEAR else None
    if _EMAIL_DATE.match(value):
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed.isoformat() if MIN_YEAR <= parsed.year <= MAX_YEAR else None
    # Any other written date keeps only its day: its clock time ("07:47 PM EST") is too
    # loosely written to convert safely.
    words = _WRITTEN_DATE.search(value)
    if words is None:
        return None
    month = _MONTHS.get(words.group("month")[:3].lower())
    year = int(words.group("year"))
    day = int(words.group("day1") or words.group("day2") or 0)
    if not month or not MIN_YEAR <= year <= MAX_YEAR or day > 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if day else f"{year:04d}-{month:02d}"
