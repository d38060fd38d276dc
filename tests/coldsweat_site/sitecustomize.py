"""Imported at start-up by every Python process of the coldsweat test server (its PYTHONPATH
starts with this directory): no name lookup or connection beyond loopback.

coldsweat asks https://icons.duckduckgo.com for the favicon of every feed it fetches without one
(coldsweat/fetcher.py, `_fetch_icon`); no test may reach beyond loopback, so here that lookup,
and any other, fails at once, and coldsweat falls back to its default icon.
"""

from __future__ import annotations

import socket
from typing import Any

from loopback import is_loopback_name

REFUSAL = "coldsweat under test stays on loopback"
"""Start of the error every refused lookup or connection raises (a test looks for it)."""

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _check(host: object) -> None:
    """Raise unless `host` is loopback."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    if not is_loopback_name(name):
        raise socket.gaierror(socket.EAI_NONAME, f"{REFUSAL}, not {name}")


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    _check(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def _connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    _real_connect(self, address)


def _connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check(address[0])
    return _real_connect_ex(self, address)


socket.getaddrinfo = _getaddrinfo
socket.socket.connect = _connect  # type: ignore[method-assign]
socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
