"""Shared fixtures: a real HTTP server on 127.0.0.1, so no test ever needs the internet."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings
from loopback import LoopbackServer

# Hypothesis times every example (a 200 ms deadline) and the generation of its data (the
# too_slow health check): wall-clock checks that fail on a loaded machine. Speed is bench/'s.
settings.register_profile(
    "any-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("any-machine")

_real_getaddrinfo = socket.getaddrinfo


def _loopback_only(host: object, *args: object, **kwargs: object) -> object:
    """getaddrinfo that refuses every name but loopback: no test may reach the internet."""
    name = host.decode() if isinstance(host, bytes) else str(host)
    try:
        address = ipaddress.ip_address(name.strip("[]"))
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.2 is 127.0.0.2
        allowed = address.is_loopback
    except ValueError:
        allowed = name == "localhost" or _odd_loopback_spelling(name)
    if not allowed:
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay on loopback, not {name}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def _odd_loopback_spelling(name: str) -> bool:
    """Whether `name` is a loopback IPv4 address in a spelling inet_aton accepts (0x7f000001,
    2130706433, 127.1), which getaddrinfo turns into the address without asking any server."""
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name)).is_loopback
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _no_network_beyond_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only)


@pytest.fixture(autouse=True)
def _no_user_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Keep the user's own settings and library out of every test, and safe from them."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("NEWSREADER_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("NEWSREADER_DATA_DIR", str(home / "data"))


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A fresh loopback HTTP server, stopped at teardown."""
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def other_http_server() -> Iterator[LoopbackServer]:
    """A second loopback server on another port: another origin, for cross-site redirects."""
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lan_server() -> Iterator[LoopbackServer]:
    """A server in "the user's network", on 127.0.0.2."""
    server = LoopbackServer(host="127.0.0.2")
    try:
        yield server
    finally:
        server.stop()
