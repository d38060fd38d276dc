"""Shared fixtures: a real HTTP server on 127.0.0.1, so no test ever needs the internet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from loopback import LoopbackServer


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
