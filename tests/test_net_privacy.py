"""Requests that start from a public address never reach the user's network.

Everything stays on loopback: `only_127_0_0_1_is_public` declares 127.0.0.1 "the public
internet" and every other address (127.0.0.2, ::1, …) "the user's network", and real servers
listen on each. The real classifier is tested on its own, on addresses, without traffic.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from loopback import LoopbackServer, only_127_0_0_1_is_public

from reader.feeds import FeedError
from reader.feeds.discover import discover_feeds
from reader.net import FetchError, HttpClient, Reach, is_private_address
from reader.net.addresses import is_private_host, resolve

USER_AGENT = "newsreader-tests/0.1 (+http://127.0.0.1/)"
PUBLIC = ipaddress.IPv4Address("127.0.0.1")
BLOCKED = r"^blocked: .* is a local or private network address"


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    async with HttpClient(
        user_agent=USER_AGENT, timeout=5.0, is_private=only_127_0_0_1_is_public
    ) as http:
        yield http


@pytest.fixture
def ipv6_server() -> Iterator[LoopbackServer]:
    """A server in "the user's network", on [::1]."""
    server = LoopbackServer(host="::1")
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    "spelling",
    ["127.0.0.2", "0x7f000002", "2130706434", "127.0.2", "[::ffff:127.0.0.2]", "[::ffff:7f00:2]"],
)
async def test_a_redirect_from_public_into_the_network_is_blocked(
    client: HttpClient,
    http_server: LoopbackServer,
    lan_server: LoopbackServer,
    spelling: str,
) -> None:
    # Every spelling resolves to 127.0.0.2: the decision is made on the address.
    target = f"http://{spelling}:{lan_server.port}/site/quiet-harbour.html"
    url = http_server.redirect("/out", target)
    with pytest.raises(FetchError, match=BLOCKED):
        await client.get(url)
    assert lan_server.requests == []


async def test_a_redirect_to_ipv6_loopback_is_blocked(
    client: HttpClient, http_server: LoopbackServer, ipv6_server: LoopbackServer
) -> None:
    url = http_server.redirect("/out", ipv6_server.url("/site/quiet-harbour.html"))
    with pytest.raises(FetchError, match=BLOCKED):
        await client.get(url)
    assert ipv6_server.requests == []


async def test_a_redirect_chain_cannot_launder_the_origin(
    client: HttpClient,
    http_server: LoopbackServer,
    other_http_server: LoopbackServer,
    lan_server: LoopbackServer,
) -> None:
    # public → another public host → the LAN: the second hop does not make the origin private.
    other_http_server.redirect("/next", lan_server.url("/site/quiet-harbour.html"))
    url = http_server.redirect("/out", other_http_server.url("/next"))
    with pytest.raises(FetchError, match=BLOCKED):
        await client.get(url)
    assert lan_server.requests == []


async def test_the_users_own_choice_may_be_in_the_network(
    client: HttpClient, lan_server: LoopbackServer
) -> None:
    # `newsreader read http://192.168.1.1/…` typed by the user: the first hop is theirs.
    result = await client.get(lan_server.url("/site/quiet-harbour.html"))
    assert result.status == 200


async def test_a_private_origin_may_reach_its_own_network_and_beyond(
    client: HttpClient, http_server: LoopbackServer, lan_server: LoopbackServer
) -> None:
    neighbour = LoopbackServer(host="127.0.0.3")
    try:
        lan_server.redirect("/next", neighbour.url("/feeds/rss2.xml"))
        assert (await client.get(lan_server.url("/next"))).status == 200
        lan_server.redirect("/out", http_server.url("/feeds/rss2.xml"))
        assert (await client.get(lan_server.url("/out"))).status == 200
    finally:
        neighbour.stop()


async def test_public_reach_blocks_even_the_first_hop(
    client: HttpClient, http_server: LoopbackServer, lan_server: LoopbackServer
) -> None:
    # What the reader follows on its own from a public feed (prefetch) never enters the LAN.
    with pytest.raises(FetchError, match=BLOCKED):
        await client.get(lan_server.url("/site/quiet-harbour.html"), reach=Reach.PUBLIC)
    assert lan_server.requests == []
    result = await client.get(http_server.url("/site/quiet-harbour.html"), reach=Reach.PUBLIC)
    assert result.status == 200


async def test_the_setting_allows_everything(
    http_server: LoopbackServer, lan_server: LoopbackServer
) -> None:
    url = http_server.redirect("/out", lan_server.url("/site/quiet-harbour.html"))
    async with HttpClient(
        user_agent=USER_AGENT, is_private=only_127_0_0_1_is_public, allow_private_network=True
    ) as http:
        assert (await http.get(url)).status == 200
        assert (await http.get(lan_server.url("/feeds/rss2.xml"), reach=Reach.PUBLIC)).status == 200


async def test_the_connection_goes_to_the_address_that_was_checked(
    client: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: a name that answers "public" to the check and "private" a moment later
    # must not get a connection to the private address.
    public = LoopbackServer(host="127.0.0.1")
    private = LoopbackServer(host="127.0.0.2", port=public.port)
    answers = iter(["127.0.0.1"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding(host: object, *args: object, **kwargs: object) -> object:
        if host == "rebind.test":
            host = next(answers, "127.0.0.2")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        result = await client.get(
            f"http://rebind.test:{public.port}/feeds/rss2.xml", reach=Reach.PUBLIC
        )
        assert result.status == 200
        assert len(public.requests) == 1
        assert private.requests == []
    finally:
        public.stop()
        private.stop()


async def test_a_name_that_resolves_into_the_network_is_blocked(
    client: HttpClient,
    http_server: LoopbackServer,
    lan_server: LoopbackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def lan_name(host: object, *args: object, **kwargs: object) -> object:
        return real_getaddrinfo("127.0.0.2" if host == "router.test" else host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", lan_name)
    url = http_server.redirect("/out", f"http://router.test:{lan_server.port}/")
    with pytest.raises(FetchError, match=r"^blocked: router\.test is a local"):
        await client.get(url)
    assert lan_server.requests == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.0.0.2", "::1", "10.0.0.1", "172.16.5.4", "192.168.1.1",
        "169.254.169.254", "fe80::1", "fd00::1", "fc00::1", "100.64.0.1", "0.0.0.0", "::",
        "224.0.0.1", "ff02::1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
        "::ffff:127.0.0.1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "::7f00:1",
        "2002:7f00:1::1", "2002:a00:1::1", "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",
    ],
)  # fmt: skip
def test_private_addresses(address: str) -> None:
    assert is_private_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:1.1.1.1"]
)
def test_public_addresses(address: str) -> None:
    assert not is_private_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("spelling", ["0x7f000001", "2130706433", "127.1", "localhost"])
async def test_odd_spellings_resolve_to_what_they_mean(spelling: str) -> None:
    assert ipaddress.ip_address("127.0.0.1") in await resolve(spelling, 80)
    assert await is_private_host(spelling, 80, is_private_address)


async def test_discovery_from_a_public_page_never_checks_links_into_the_network(
    client: HttpClient, http_server: LoopbackServer, lan_server: LoopbackServer
) -> None:
    # The page, not the user, names the link: checking whether it is a feed is a request the
    # reader makes on its own, so from a public page it may not enter the user's network.
    inside = lan_server.url("/feeds/feed.json")
    page = http_server.route(
        "/announces-lan.html",
        body=f'<link rel="alternate" type="application/json" href="{inside}">',
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(FeedError):
        await discover_feeds(client, page)
    assert lan_server.requests == []
