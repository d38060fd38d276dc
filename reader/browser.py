"""Handing a link to the user's graphical web browser."""

from __future__ import annotations

import webbrowser

from reader.sanitize import is_web_url

CONSOLE_BROWSERS = frozenset({"lynx", "w3m", "links", "elinks", "www-browser", "browsh"})
"""Text-mode browsers would fight the reader for the terminal, so they are never launched."""


def open_in_browser(url: str | None) -> bool:
    """Open an http(s) `url` in a graphical browser; False if it is not a web link or none runs."""
    if not url or not is_web_url(url):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in CONSOLE_BROWSERS:
        return False
    try:
        return bool(browser.open(url, new=2))
    except OSError:
        return False
