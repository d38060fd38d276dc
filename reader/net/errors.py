"""The one exception the HTTP client raises, and how other failures become its short reason."""

from __future__ import annotations

import errno

import httpx

from reader.sanitize import clean_line

MAX_REASON_CHARS = 200
"""Longest error message detail taken from an exception or a server."""


class FetchError(Exception):
    """A failed fetch; str(err) is a short, clear, sanitized, user-facing reason."""

    def __init__(
        self,
        reason: str,
        status: int | None = None,
        retry_after: float | None = None,
        *,
        skipped: bool = False,
    ) -> None:
        super().__init__(clean_line(reason, MAX_REASON_CHARS))
        self.status = status
        """HTTP status when there was one."""
        self.retry_after = retry_after
        """Seconds the server asked us to wait (429/503 Retry-After), when it said."""
        self.skipped = skipped
        """True when no request was sent: the host already timed out in this run."""


def size_text(n: int) -> str:
    """A byte count for messages: '10 MB', '512 KB', '100 bytes'."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if n >= unit:
            return f"{n / unit:g} {name}"
    return f"{n} bytes"


def describe(exc: Exception) -> str:
    """A short user-facing reason for an exception raised while fetching."""
    while isinstance(exc, ExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]  # anyio reports connection failures as a group
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return "not a valid URL"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {_os_reason(exc)}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"broken response: {exc}"
    if isinstance(exc, httpx.HTTPError):
        return f"network error: {exc}" if str(exc) else f"network error: {type(exc).__name__}"
    return f"unexpected error: {type(exc).__name__}"


def _os_reason(exc: BaseException) -> str:
    """The operating system's reason behind a connection error, lower-cased."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno is not None or seen.strerror):
            if seen.errno == errno.ECONNREFUSED:
                return "connection refused"
            if type(seen).__name__ == "gaierror":
                return "host not found"
            return (seen.strerror or str(seen)).lower()
        seen = seen.__cause__ or seen.__context__
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "host not found"
    return text or type(exc).__name__
