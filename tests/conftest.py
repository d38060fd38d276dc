"""Shared fixtures: a real HTTP server on 127.0.0.1, so no test ever needs the internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from coldsweat_server import (
    ColdsweatAccount,
    ColdsweatServer,
    coldsweat_installed,
    running_coldsweat,
)
from hypothesis import HealthCheck, settings
from loopback import LoopbackServer, is_loopback_name

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
    if not is_loopback_name(name):
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay on loopback, not {name}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


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


@pytest.fixture(scope="session")
def coldsweat() -> Iterator[ColdsweatServer]:
    """A real Fever server (coldsweat) on 127.0.0.1, started once for the whole run: see
    tests/coldsweat_server.py for what it holds and how to use it."""
    if not coldsweat_installed():
        pytest.skip("coldsweat is not installed (pip install -e '.[test]' installs it)")
    yield from running_coldsweat()


@pytest.fixture
def coldsweat_account(coldsweat: ColdsweatServer) -> ColdsweatAccount:
    """A fresh account on the coldsweat server: every shared item unread, none saved."""
    return coldsweat.new_account()
