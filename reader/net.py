"""The one HTTP client: every byte from the network comes through `HttpClient.get`.

httpx alone is not enough for untrusted servers: its timeouts are per read (a server dripping a
byte a second never times out), and its decoders expand stacked `gzip, gzip` bodies in memory even
when streaming. So the whole request runs under one deadline, redirects are followed by hand (only
http/https, a bounded number), and the raw body is decompressed here under a cap on decoded bytes.
"""

from __future__ import annotations

import asyncio
import email.utils
import errno
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import httpx

from reader.sanitize import clean_line, is_web_url

DEFAULT_TIMEOUT = 20.0
"""Seconds for a whole request, redirects and body included, so a slow server cannot stall us."""
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
"""Decoded body cap: the largest real feeds and articles we have seen are well under 5 MB."""
DEFAULT_MAX_REDIRECTS = 10
"""Browsers allow about 20; real feeds and articles need 1–3 hops, so 10 is generous."""
DEFAULT_MAX_CONNECTIONS = 8
"""Concurrent requests: enough to refresh many feeds quickly without hammering anyone."""

ACCEPT_ENCODING = "gzip, deflate"
"""Only what zlib decodes under our cap; brotli and zstd would need decoders we cannot bound."""
DECODE_CHUNK = 64 * 1024
"""Largest piece a decompressor may emit at once, so memory stays bounded per layer."""
MAX_ENCODING_LAYERS = 3
"""Stacked Content-Encodings accepted; real servers use one, more is a bomb or a bug."""
MAX_HEADER_CHARS = 4000
"""Longest header value kept (after sanitizing); longer ones are truncated."""
MAX_REASON_CHARS = 200
"""Longest error message detail taken from an exception or a server."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin.
_PRIVATE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class FetchError(Exception):
    """A failed fetch; str(err) is a short, clear, sanitized, user-facing reason."""

    def __init__(
        self, reason: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(clean_line(reason, MAX_REASON_CHARS))
        self.status = status
        """HTTP status when there was one."""
        self.retry_after = retry_after
        """Seconds the server asked us to wait (429/503 Retry-After), when it said."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful response: 2xx with its decoded body, or 304 with none."""

    url: str
    """Final URL after redirects."""
    status: int
    """200..299, or 304 when a conditional request matched."""
    headers: dict[str, str]
    """Lower-cased names, sanitized values."""
    content: bytes
    """Decoded (decompressed) body, b"" for 304."""

    @property
    def content_type(self) -> str:
        """The mime type, lower-cased, without parameters ("" if absent)."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, lower-cased, if any."""
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip("\"'").lower() or None
        return None


class HttpClient:
    """One pooled httpx client with a whole-request deadline, redirect and size caps."""

    def __init__(
        self,
        *,
        user_agent: str,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
    ) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._slots = asyncio.Semaphore(max_connections)
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        # Requests go straight to the transport: even with follow_redirects=False, the client's
        # send() builds the next request from Location and raises on javascript: and the like,
        # losing the response. The client still builds requests (headers, timeouts) and owns
        # the transport's lifetime.
        self._transport = httpx.AsyncHTTPTransport(limits=limits)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            transport=self._transport,
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET `url`, following redirects; raises only FetchError, never anything else."""
        limit = self._timeout if timeout is None else timeout
        cap = self._max_bytes if max_bytes is None else max_bytes
        # Waiting for a free slot is not part of the request's deadline.
        async with self._slots:
            try:
                async with asyncio.timeout(limit):
                    return await self._fetch(url, dict(headers or {}), cap, limit)
            except FetchError:
                raise
            except (TimeoutError, httpx.TimeoutException):
                raise FetchError(f"timed out after {limit:g} s") from None
            except Exception as exc:  # anything at all becomes a FetchError
                raise FetchError(_describe(exc)) from exc

    async def _fetch(
        self, url: str, headers: dict[str, str], cap: int, limit: float
    ) -> FetchResult:
        """Follow at most max_redirects http(s) redirects, then read the body."""
        if not _valid_url(url):
            raise FetchError("not a valid URL")
        url = url.strip()
        for _hop in range(self._max_redirects + 1):
            # Per-read timeouts too, as a backstop; the real deadline is in `get`.
            request = self._client.build_request("GET", url, headers=headers, timeout=limit)
            response = await self._transport.handle_async_request(request)
            response.request = request
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = _redirect_target(url, response.headers["location"])
                    if urlsplit(target).netloc != urlsplit(url).netloc:
                        headers = {
                            k: v for k, v in headers.items() if k.lower() not in _PRIVATE_HEADERS
                        }
                    url = target
                    continue
                return await _read(response, cap)
            finally:
                await response.aclose()
        raise FetchError(f"too many redirects (over {self._max_redirects})")


def _redirect_target(base: str, location: str) -> str:
    """The absolute http(s) URL a Location header points at, or a FetchError."""
    try:
        target = urljoin(base, location.strip())
        scheme = urlsplit(target).scheme.lower()
    except ValueError:  # e.g. a malformed IPv6 host
        raise FetchError("redirect to an invalid URL") from None
    if scheme not in ("http", "https"):
        raise FetchError("redirect to a non-http(s) URL")
    if not _valid_url(target):
        raise FetchError("redirect to an invalid URL")
    return target


def _valid_url(url: str) -> bool:
    """Whether `url` is http(s) with a plausible host (no resolver call for "a b")."""
    if not is_web_url(url):
        return False
    try:
        parts = urlsplit(url.strip())
        host, _port = parts.hostname, parts.port  # .port raises on "99999" or "x"
    except ValueError:
        return False
    return host is not None and bool(host) and not any(char.isspace() for char in host)


async def _read(response: httpx.Response, cap: int) -> FetchResult:
    """Check the status and read the body, decoding it under `cap` bytes."""
    status = response.status_code
    headers = {
        name.lower(): clean_line(value, MAX_HEADER_CHARS)
        for name, value in response.headers.items()
    }
    url = clean_line(str(response.url))
    if status == 304:
        return FetchResult(url=url, status=status, headers=headers, content=b"")
    if not 200 <= status <= 299:
        raise _status_error(response)
    try:
        declared = int(headers.get("content-length", "0"))
    except ValueError:
        declared = 0
    if declared > cap:
        raise FetchError(f"larger than {_size(cap)}")
    decoder = _Decoder(headers.get("content-encoding", ""), cap)
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        # The compressed stream may not be larger than the decoded cap either: beyond it is
        # either a body we would refuse anyway or junk after the end of a compressed stream.
        if received > cap:
            raise FetchError(f"larger than {_size(cap)}")
        decoder.feed(chunk)
    return FetchResult(url=url, status=status, headers=headers, content=decoder.finish())


def _status_error(response: httpx.Response) -> FetchError:
    """A FetchError for a non-2xx status, noting Retry-After on 429 and 503."""
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = clean_line(response.reason_phrase, MAX_REASON_CHARS)
    message = f"HTTP {status} {phrase}".strip()
    retry_after = None
    if status in (429, 503):
        retry_after = _retry_after(response.headers.get("retry-after", ""))
        if retry_after is not None:
            message += f" (retry after {retry_after:.0f} s)"
    return FetchError(message, status=status, retry_after=retry_after)


def _retry_after(value: str) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _TooLarge(Exception):
    """The decoded body passed the cap."""


class _Layer:
    """One Content-Encoding undone by zlib, never emitting more than DECODE_CHUNK at once."""

    def __init__(self, encoding: str) -> None:
        # gzip and x-gzip are one format. "deflate" should be zlib-wrapped, but many servers
        # send raw deflate: the first two bytes tell which, so deflate waits for them.
        self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16) if encoding != "deflate" else None
        self._head = b""
        self.tail = b""
        """Input not yet consumed because the output chunk was full."""

    @property
    def eof(self) -> bool:
        """Whether the compressed stream has ended (later bytes are ignored)."""
        return self._inflater is not None and self._inflater.eof

    def decompress(self, data: bytes) -> bytes:
        """Up to DECODE_CHUNK bytes of output; input left over waits in `tail`."""
        if self._inflater is None:
            self._head += data
            if len(self._head) < 2:
                self.tail = b""
                return b""
            data, self._head = self._head, b""
            zlib_wrapped = (data[0] & 0x0F) == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
        out = self._inflater.decompress(data, DECODE_CHUNK)
        self.tail = self._inflater.unconsumed_tail
        return out


class _Decoder:
    """Undoes stacked Content-Encodings chunk by chunk, failing as soon as output passes the cap."""

    def __init__(self, content_encoding: str, cap: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > MAX_ENCODING_LAYERS:
            raise FetchError(f"too many content encodings ({len(codings)})")
        for coding in codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"unsupported content encoding: {coding}")
        # The last encoding listed was applied last, so it comes off first.
        self._layers = [_Layer(c) for c in reversed(codings)]
        self._cap = cap
        self._out = bytearray()

    def feed(self, data: bytes) -> None:
        """Push raw bytes through every layer."""
        self._guarded(0, data)

    def finish(self) -> bytes:
        """Drain what each layer still holds, in order, and return the decoded body."""
        for index in range(len(self._layers)):
            self._guarded(index, b"")
        return bytes(self._out)

    def _guarded(self, index: int, data: bytes) -> None:
        """`_push` with decoding failures turned into FetchErrors."""
        try:
            self._push(index, data)
        except zlib.error as exc:
            raise FetchError(f"corrupt compressed body: {exc}") from None
        except _TooLarge:
            raise FetchError(f"larger than {_size(self._cap)}") from None

    def _push(self, index: int, data: bytes) -> None:
        """Feed `data` to layer `index` and everything it emits on to the next layer."""
        if index == len(self._layers):
            self._out += data
            if len(self._out) > self._cap:
                raise _TooLarge
            return
        layer = self._layers[index]
        while not layer.eof:
            out = layer.decompress(data)
            data = layer.tail
            if out:
                self._push(index + 1, out)
            # A short chunk with no input left means zlib holds nothing more for now.
            if not data and len(out) < DECODE_CHUNK:
                break


def _size(n: int) -> str:
    """A byte count for messages: '10 MB', '512 KB', '100 bytes'."""
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if n >= unit:
            return f"{n / unit:g} {name}"
    return f"{n} bytes"


def _describe(exc: Exception) -> str:
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
