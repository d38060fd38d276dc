"""Servers that timed out in this run, so nothing else waits on them until the next one."""

from __future__ import annotations

from urllib.parse import urlsplit

from reader.net.errors import FetchError

_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_key(url: str) -> str:
    """The server a URL names, as shown to the user: host, and the port when not the default."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or ""), parts.port
    except ValueError:
        return ""
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class TimedOutHosts:
    """The hosts that timed out once in this run; later requests to them fail at once.

    A host that never answers would otherwise cost a whole timeout for every story that links
    to it: one feed of 8 such links took 122 s. Shared by a run's refresh and prefetch.
    """

    def __init__(self) -> None:
        self._skipped: dict[str, int] = {}

    def check(self, url: str) -> None:
        """Raise a FetchError (skipped) when the host of `url` already timed out."""
        host = host_key(url)
        if host in self._skipped:
            self._skipped[host] += 1
            raise FetchError(f"skipped: {host} timed out earlier in this run", skipped=True)

    def add(self, url: str) -> None:
        """Note that a request to the host of `url` timed out."""
        self._skipped.setdefault(host_key(url), 0)

    @property
    def hosts(self) -> list[str]:
        """The hosts that timed out, in the order they did."""
        return list(self._skipped)

    @property
    def skipped(self) -> int:
        """Requests refused because their host had timed out."""
        return sum(self._skipped.values())
