"""A forwarding HTTP proxy on 127.0.0.1 in front of a real server, for the account sync tests.

The app is given the proxy's address as the account's server. The proxy passes every request
on unchanged and records what was asked (method, path and query: the Fever command), so a test
counts what a sync transferred. It can also stand for the network going away: `refuse()` drops
every connection unanswered, `hold()` keeps requests waiting (a process can then be killed in
the middle of one) until `release()` drops them, and `forward()` passes them on again.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
from loopback import POLL_INTERVAL

FORWARD_TIMEOUT = 60.0
"""Seconds for one forwarded request: far above coldsweat's answer on a loaded machine."""
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


class CountingProxy:
    """Forwards to `target` (scheme://host:port), recording each request as "METHOD /path?query"."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.requests: list[str] = []
        """Every request, as "POST /fever/?api&items&since_id=0", in arrival order."""
        self.bytes_answered = 0
        """Bytes of the bodies of every answer passed on (decoded)."""
        self.mode = "forward"
        """"forward", "refuse" or "hold"."""
        self.held = 0
        """Requests waiting while holding."""
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        """The proxy's address of `path` on the target."""
        return self.base + path

    def commands(self) -> list[str]:
        """The Fever commands asked so far ("unread_item_ids", "items&since_id=0" ...)."""
        return [
            urlsplit(line.split(" ", 1)[1]).query.removeprefix("api&") for line in self.requests
        ]

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self.requests.clear()
            self.bytes_answered = 0

    def forward(self) -> None:
        """Pass requests on (the network is back)."""
        self.mode = "forward"

    def refuse(self) -> None:
        """Drop every request unanswered (the server cannot be reached)."""
        self.mode = "refuse"

    def hold(self) -> None:
        """Keep requests waiting, unanswered, until `release`."""
        self._released.clear()
        self.mode = "hold"

    def release(self) -> None:
        """Drop the held requests unanswered, and refuse the next ones."""
        self.mode = "refuse"
        self._released.set()

    def stop(self) -> None:
        """Stop serving; held requests are dropped."""
        self._released.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _record(self, line: str) -> None:
        with self._lock:
            self.requests.append(line)


def _handler_for(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to `proxy`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._pass_on()

        def do_POST(self) -> None:
            self._pass_on()

        def _pass_on(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if proxy.mode == "hold":
                with proxy._lock:
                    proxy.held += 1
                proxy._released.wait()
            if proxy.mode != "forward":
                self.close_connection = True
                return  # no answer at all: the client sees the connection dropped
            proxy._record(f"{self.command} {self.path}")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            answer = httpx.request(
                self.command,
                proxy.target + self.path,
                headers=headers,
                content=body,
                timeout=FORWARD_TIMEOUT,
            )
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in _HOP_BY_HOP | {"content-encoding"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)
            with proxy._lock:
                proxy.bytes_answered += len(answer.content)

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request log lines."""

    return Handler
