"""The one HTTP client: every byte from the network comes through `HttpClient.get` (or
`post_form`, for the APIs of feed servers).

httpx alone is not enough for untrusted servers: its timeouts are per read (a server dripping a
byte a second never times out), its decoders expand stacked `gzip, gzip` bodies in memory even
when streaming, and it connects wherever a redirect points. So the whole request runs under one
deadline, redirects are followed by hand (only http/https, a bounded number, and never from a
public address into the user's network), and the raw body is decoded in a thread under a cap.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from reader.net.addresses import (
    GuardedBackend,
    PrivateTest,
    Reach,
    is_private_address,
    is_private_host,
)
from reader.net.decode import BodyDecoder
from reader.net.errors import MAX_REASON_CHARS, FetchError, describe, size_text
from reader.net.hosts import TimedOutHosts
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
MAX_HEADER_CHARS = 4000
"""Longest header value kept (after sanitizing); longer ones are truncated."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Headers that must not follow a redirect to another origin.
_PRIVATE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


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


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool whose backend checks every address."""

    def __init__(self, limits: httpx.Limits, backend: GuardedBackend) -> None:
        super().__init__(limits=limits)
        # httpx (pinned below 0.29) takes no network backend, so its pool is replaced by the
        # same pool built with one. tests/test_net_privacy.py fails loudly if this stops working.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )


class HttpClient:
    """One pooled httpx client with a whole-request deadline, redirect, size and address caps."""

    def __init__(
        self,
        *,
        user_agent: str,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        allow_private_network: bool = False,
        is_private: PrivateTest = is_private_address,
    ) -> None:
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._allow_private_network = allow_private_network
        self._is_private = is_private
        self._slots = asyncio.Semaphore(max_connections)
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        # Two pools, so a kept-alive connection to the user's network, opened for a request
        # allowed to go there, is never reused by one that is not.
        self._anywhere = _GuardedTransport(
            limits, GuardedBackend(allow_private=True, is_private=is_private)
        )
        self._public_only = _GuardedTransport(
            limits, GuardedBackend(allow_private=False, is_private=is_private)
        )
        # Requests go straight to a transport: even with follow_redirects=False, the client's
        # send() builds the next request from Location and raises on javascript: and the like,
        # losing the response. The client still builds requests (headers, timeouts).
        self._client = httpx.AsyncClient(
            headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            follow_redirects=False,
            transport=self._anywhere,
        )

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()  # closes self._anywhere, its transport
        await self._public_only.aclose()

    async def reach_from(self, origin: str) -> Reach:
        """How far links found at `origin` (a feed's URL) may go when the reader follows them
        on its own: public only, unless the origin is in the user's network. Then they may go
        there too, as if the user had chosen them, so a public hop still cannot redirect back in.
        """
        if self._allow_private_network:
            return Reach.ANY
        try:
            parts = urlsplit(origin.strip())
            host, port = parts.hostname, parts.port or 0  # the port does not change the answer
        except ValueError:
            return Reach.PUBLIC
        if host and await is_private_host(host, port, self._is_private):
            return Reach.USER_CHOICE
        return Reach.PUBLIC

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        reach: Reach = Reach.USER_CHOICE,
        timed_out: TimedOutHosts | None = None,
    ) -> FetchResult:
        """GET `url`, following redirects; raises only FetchError, never anything else.

        `reach` says which addresses it and its redirects may connect to; given `timed_out`,
        a host that timed out before is not asked again, and one that times out now is noted.
        """
        return await self._request(url, None, headers, timeout, max_bytes, reach, timed_out)

    async def post_form(
        self,
        url: str,
        form: Mapping[str, str],
        *,
        timeout: float | None = None,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """POST `form` (urlencoded) to `url` under the same caps as `get`; only FetchError.

        Redirects are followed with the form sent again (an API answers nothing useful to the
        GET a browser would turn it into), but only on the same host and never from https to
        http: the form may hold a secret (an API key). The address may be in the user's
        network: the user chose it.
        """
        return await self._request(url, form, None, timeout, max_bytes, Reach.USER_CHOICE, None)

    async def _request(
        self,
        url: str,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
        max_bytes: int | None,
        reach: Reach,
        timed_out: TimedOutHosts | None,
    ) -> FetchResult:
        """GET `url`, or POST `form` to it, under the deadline; every failure a FetchError."""
        limit = self._timeout if timeout is None else timeout
        cap = self._max_bytes if max_bytes is None else max_bytes
        if self._allow_private_network:
            reach = Reach.ANY
        hops: list[str] = []
        # Waiting for a free slot is not part of the request's deadline.
        async with self._slots:
            try:
                async with asyncio.timeout(limit):
                    return await self._fetch(
                        url, form, dict(headers or {}), cap, limit, reach, hops, timed_out
                    )
            except FetchError:
                raise
            except (TimeoutError, httpx.TimeoutException):
                if timed_out is not None and hops:
                    timed_out.add(hops[-1])
                raise FetchError(f"timed out after {limit:g} s") from None
            except Exception as exc:  # anything at all becomes a FetchError
                raise FetchError(describe(exc)) from exc

    async def _fetch(
        self,
        url: str,
        form: Mapping[str, str] | None,
        headers: dict[str, str],
        cap: int,
        limit: float,
        reach: Reach,
        hops: list[str],
        timed_out: TimedOutHosts | None,
    ) -> FetchResult:
        """Follow at most max_redirects http(s) redirects, then read the body.

        Every URL tried is appended to `hops`, so the caller knows which host was in flight.
        """
        if not _valid_url(url):
            raise FetchError("not a valid URL")
        url = url.strip()
        for _hop in range(self._max_redirects + 1):
            if timed_out is not None:
                timed_out.check(url)
            hops.append(url)
            transport = self._anywhere if reach is not Reach.PUBLIC else self._public_only
            # Per-read timeouts too, as a backstop; the real deadline is in `get`.
            request = self._client.build_request(
                "GET" if form is None else "POST",
                url,
                headers=headers,
                data=None if form is None else dict(form),
                timeout=limit,
            )
            response = await transport.handle_async_request(request)
            response.request = request
            try:
                if reach is Reach.USER_CHOICE and not self._reached_private(response):
                    reach = Reach.PUBLIC  # a public first hop: its redirects stay public
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    target = _redirect_target(url, response.headers["location"])
                    if form is not None and not _may_resend_form(url, target):
                        host = urlsplit(target).netloc
                        raise FetchError(f"redirected to another site ({host}): use that address")
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

    def _reached_private(self, response: httpx.Response) -> bool:
        """Whether the response came from an address in the user's network (unknown: no)."""
        stream = response.extensions.get("network_stream")
        peer = stream.get_extra_info("server_addr") if stream is not None else None
        try:
            address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0]) if peer else None
        except ValueError:
            return False
        return address is not None and self._is_private(address)


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


def _may_resend_form(url: str, target: str) -> bool:
    """Whether a form sent to `url` may be sent again to `target`: the same host and port,
    and not from https down to http (the form may hold a secret)."""
    before, after = urlsplit(url), urlsplit(target)
    downgrade = before.scheme.lower() == "https" and after.scheme.lower() != "https"
    return before.netloc.lower() == after.netloc.lower() and not downgrade


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
        raise FetchError(f"larger than {size_text(cap)}")
    decoder = BodyDecoder(headers.get("content-encoding", ""), cap)
    raw = bytearray()
    async for chunk in response.aiter_raw():
        raw += chunk
        # The compressed stream may not be larger than the decoded cap either: beyond it is
        # either a body we would refuse anyway or junk after the end of a compressed stream.
        if len(raw) > cap:
            raise FetchError(f"larger than {size_text(cap)}")
    if decoder.identity:
        content = bytes(raw)
    else:
        # Inflating up to the cap in every layer is tens of milliseconds of CPU: not on the
        # event loop the interface draws from.
        content = await asyncio.to_thread(decoder.decode, bytes(raw))
    return FetchResult(url=url, status=status, headers=headers, content=content)


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
        retry_after = retry_after_seconds(response.headers.get("retry-after", ""))
        if retry_after is not None:
            message += f" (retry after {retry_after:.0f} s)"
    return FetchError(message, status=status, retry_after=retry_after)


def retry_after_seconds(value: str) -> float | None:
    """Seconds from a Retry-After header: ASCII delta-seconds or an HTTP date, else None.

    str.isdigit() accepts "²" and other digits float() refuses, so ASCII is checked first.
    """
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return max(0.0, when.timestamp() - time.time())
    except (OverflowError, OSError, ValueError):
        return None
