"""HttpClient.post_form against a real loopback server: the form, and where it may follow."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from loopback import LoopbackServer

from reader.net import FetchError, HttpClient
from reader.net.client import _may_resend_form

USER_AGENT = "newsreader-tests/0.1 (+http://127.0.0.1/)"


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with HttpClient(user_agent=USER_AGENT, timeout=30.0, max_redirects=3) as http:
        yield http


async def test_posts_the_form(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/api", body="ok")
    result = await client.post_form(url + "?api", {"api_key": "k y", "id": "7"})
    assert result.content == b"ok"
    assert http_server.posted == [b"api_key=k+y&id=7"]
    _path, headers = http_server.requests[0]
    assert headers["content-type"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_on_the_same_host_sends_the_form_again(
    client: HttpClient, http_server: LoopbackServer, status: int
) -> None:
    http_server.route("/new", body="moved here")
    url = http_server.redirect("/old", "/new", status=status)
    result = await client.post_form(url, {"api_key": "secret"})
    assert result.content == b"moved here"
    assert http_server.posted == [b"api_key=secret", b"api_key=secret"]


async def test_the_form_never_follows_a_redirect_to_another_site(
    client: HttpClient, http_server: LoopbackServer, other_http_server: LoopbackServer
) -> None:
    other_http_server.route("/steal", body="got it")
    url = http_server.redirect("/old", other_http_server.url("/steal"), status=307)
    with pytest.raises(FetchError) as caught:
        await client.post_form(url, {"api_key": "secret"})
    assert str(caught.value) == (
        f"redirected to another site (127.0.0.1:{other_http_server.port}): use that address"
    )
    assert other_http_server.posted == [] and not other_http_server.requests


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("http://rss.example.org/fever/", "https://rss.example.org/fever/", True),
        ("https://rss.example.org/fever/", "https://RSS.example.org/api/", True),
        ("https://rss.example.org/fever/", "http://rss.example.org/fever/", False),
        ("https://rss.example.org/fever/", "https://rss.example.org:8443/fever/", False),
        ("https://rss.example.org/fever/", "https://evil.example/fever/", False),
    ],
)
def test_which_redirects_may_carry_the_form(before: str, after: str, allowed: bool) -> None:
    # https cannot be served on loopback here: the downgrade rule is checked on its own.
    assert _may_resend_form(before, after) is allowed
