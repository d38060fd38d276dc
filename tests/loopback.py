"""A real HTTP server on 127.0.0.1 serving tests/fixtures, for tests and the screenshot script."""

from __future__ import annotations

import hashlib
import ipaddress
import mimetypes
import socket
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

FIXTURES = Path(__file__).parent / "fixtures"
"""Files served by `http_server` at their path relative to this directory."""
BASE_PLACEHOLDER = b"{{BASE}}"
"""Replaced in served bodies by the server's base URL, so fixtures can link to each other."""
POLL_INTERVAL = 0.01
"""Seconds between the server loop's shutdown checks: keeps teardown fast."""

CONTENT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@dataclass
class Route:
    """A programmed response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""
    drip: float | None = None
    """If set, send the body one byte at a time with this many seconds between bytes."""


class _IPv6Server(ThreadingHTTPServer):
    """The same server on an IPv6 address ([::1])."""

    address_family = socket.AF_INET6


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 serving tests/fixtures plus programmed routes.

    `host` may be any loopback address (Linux routes all of 127.0.0.0/8 to lo, and ::1 is
    there too): tests of the private-network rules use 127.0.0.2 or ::1 as "the user's network".
    """

    def __init__(self, root: Path = FIXTURES, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        """Requests per path (query string excluded)."""
        self.requests: list[tuple[str, dict[str, str]]] = []
        """(path, headers with lower-cased names) for every request, in arrival order."""
        self.posted: list[bytes] = []
        """The body of every POST, in arrival order."""
        self.max_in_flight = 0
        """Most requests being answered at the same moment so far."""
        self._in_flight = 0
        self._lock = threading.Lock()
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self._httpd = server_class((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port: int = self._httpd.server_address[1]
        self.base = f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
        )
        self._thread.start()
        self._stopped = False

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes | str = b"",
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        drip: float | None = None,
    ) -> str:
        """Program a response for `path` (overrides any file there; {{BASE}} in `body` is filled
        in too); returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, dict(headers or {}), delay, drip)
        return self.url(path)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        """Make `path` redirect to `location` (used verbatim, so it may be relative)."""
        return self.route(path, status=status, headers={"Location": location})

    def redirect_chain(self, prefix: str, hops: int, final: str) -> str:
        """`hops` redirects /prefix/0 → /prefix/1 → … → `final`; returns the first URL."""
        for hop in range(hops):
            target = f"{prefix}/{hop + 1}" if hop + 1 < hops else final
            self.redirect(f"{prefix}/{hop}", target)
        return self.url(f"{prefix}/0")

    def stop(self) -> None:
        """Stop serving and close the port, so later connections are refused."""
        if self._stopped:
            return
        self._stopped = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _record(self, path: str, headers: dict[str, str]) -> None:
        """Count and log a request (handler threads run concurrently)."""
        with self._lock:
            self.hits[path] += 1
            self.requests.append((path, headers))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)

    def _answered(self) -> None:
        """Note that a request has been answered."""
        with self._lock:
            self._in_flight -= 1


class StallingServer:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a hung host.

    It reads nothing and writes nothing; only the client's own deadline ends a request to it.
    """

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._socket.settimeout(POLL_INTERVAL)
        self.port: int = self._socket.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        """The host as the app names it in messages."""
        self._held: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        return len(self._held)

    def url(self, path: str) -> str:
        """The absolute URL of `path` on this server."""
        return self.base + (path if path.startswith("/") else "/" + path)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(connection)

    def stop(self) -> None:
        """Stop accepting and drop every held connection."""
        self._stopped.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._socket.close()


def _handler_for(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `server`."""

    class Handler(BaseHTTPRequestHandler):
        """Programmed routes first, then files under the server's root."""

        def do_GET(self) -> None:
            """Record the request and answer it."""
            self._answer()

        def do_POST(self) -> None:
            """Read the form, record the request and answer it as a GET."""
            length = int(self.headers.get("Content-Length") or 0)
            server.posted.append(self.rfile.read(length))
            self._answer()

        def _answer(self) -> None:
            """Programmed route, else file; the same for every method."""
            path = urlsplit(self.path).path
            server._record(path, {k.lower(): v for k, v in self.headers.items()})
            try:
                route = server.routes.get(path)
                if route is not None:
                    self._send_route(route)
                else:
                    self._send_file(path)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to report
            finally:
                server._answered()

        def _send_route(self, route: Route) -> None:
            """Answer with a programmed response, slowly if it says so."""
            if route.delay:
                time.sleep(route.delay)
            body = route.body.replace(BASE_PLACEHOLDER, server.base.encode())
            self.send_response(route.status)
            names = {k.lower() for k in route.headers}
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if route.drip is None:
                self.wfile.write(body)
                return
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(route.drip)

        def _send_file(self, path: str) -> None:
            """Serve a fixture with {{BASE}} filled in, honouring conditional requests."""
            target = (server.root / path.lstrip("/")).resolve()
            if not target.is_file() or not target.is_relative_to(server.root):
                self.send_error(404)
                return
            body = target.read_bytes().replace(BASE_PLACEHOLDER, server.base.encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            mtime = int(target.stat().st_mtime)
            if self._not_modified(etag, mtime):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            suffix = target.suffix.lower()
            ctype = CONTENT_TYPES.get(suffix) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            )
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(mtime, usegmt=True))
            self.end_headers()
            self.wfile.write(body)

        def _not_modified(self, etag: str, mtime: int) -> bool:
            """Whether If-None-Match (or, without it, If-Modified-Since) matches."""
            if_none_match = self.headers.get("If-None-Match")
            if if_none_match is not None:
                tags = [tag.strip() for tag in if_none_match.split(",")]
                return etag in tags or "*" in tags
            since = self.headers.get("If-Modified-Since")
            if since:
                try:
                    return mtime <= parsedate_to_datetime(since).timestamp()
                except (TypeError, ValueError):
                    return False
            return False

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request log lines."""

    return Handler


def rss_linking_to(links: list[str], title: str = "Links") -> str:
    """A small RSS feed with one story per link, for routes that prefetch has to follow."""
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><guid>story-{n}</guid>"
        f"<pubDate>Tue, 20 May 2025 {n % 24:02d}:00:00 +0000</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>"
    )


def is_loopback_name(name: str) -> bool:
    """Whether a host name or address stays on this machine without asking any name server:
    a loopback address in any spelling getaddrinfo accepts, or "localhost"."""
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name == "localhost" or _odd_loopback_spelling(name)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.2 is 127.0.0.2
    return address.is_loopback


def _odd_loopback_spelling(name: str) -> bool:
    """Whether `name` is a loopback IPv4 address in a spelling inet_aton accepts (0x7f000001,
    2130706433, 127.1), which getaddrinfo turns into the address without asking any server."""
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name)).is_loopback
    except OSError:
        return False


def only_127_0_0_1_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """The test suite's map of the world: 127.0.0.1 stands for the internet, every other
    loopback address (127.0.0.2, ::1, ...) for the user's own network."""
    return address != ipaddress.IPv4Address("127.0.0.1")
