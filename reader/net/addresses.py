"""Which addresses a request may connect to: public ones, and the user's own network only when
the request started there.

A feed on the public internet must not make the reader send requests into the user's network
(routers, development servers, cloud metadata). The decision is made on the resolved address,
never on the spelling (`localhost`, `0x7f000001`, `[::ffff:10.0.0.1]` all resolve to what they
are), and the connection goes to the very address that was checked: `GuardedBackend` resolves,
checks and connects in one step, so a DNS answer that changes in between (rebinding) cannot
slip a private address past the check.
"""

from __future__ import annotations

import asyncio
import enum
import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore

from reader.net.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
PrivateTest = Callable[[IPAddress], bool]
"""Whether an address belongs to "the user's network" (injectable so tests can stay on loopback)."""

RESOLVE_TIMEOUT = 10.0
"""Seconds to wait for the resolver when classifying a feed's host outside any request: glibc
gives up after 5 s per attempt and 2 attempts by default, so this only cuts a broken resolver."""
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix: the last 32 bits are the IPv4 address reached."""


class Reach(enum.Enum):
    """Which addresses one request (and its redirects) may connect to."""

    PUBLIC = "public"
    """Public addresses only, first hop included: what the reader follows on its own from a
    public origin (the links of a feed subscribed at a public address)."""
    USER_CHOICE = "user-choice"
    """The first URL is the user's own choice (or a link from a feed in their own network) and
    may be anywhere; from a public address, every later redirect must stay public."""
    ANY = "any"
    """Anywhere, redirects included: the user allowed it (`allow_private_network`)."""


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_private_address(address: IPAddress) -> bool:
    """Whether `address` is anything but a public unicast address.

    Loopback, RFC 1918 and unique-local, link-local (169.254.169.254, the cloud metadata
    address, is one), shared (100.64/10), reserved, documentation, multicast and unspecified
    addresses all count, and so does an IPv6 address carrying any of those as an IPv4 one.
    """
    inner = embedded_ipv4(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return is_private_address(address.ipv4_mapped)  # the same address, another spelling
    if inner is not None and is_private_address(inner):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, in the resolver's order (off the event loop).

    Odd IPv4 spellings (`0x7f000001`, `2130706433`, `127.1`) come back as what they mean.
    """
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError("cannot connect: host not found") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        # An IPv6 sockaddr may carry a scope ("fe80::1%eth0"); the address is what counts.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def is_private_host(host: str, port: int, is_private: PrivateTest) -> bool:
    """Whether `host` lies in the user's network: every address it resolves to is private.

    A name that does not resolve (in RESOLVE_TIMEOUT) counts as public, the stricter reading
    for what follows.
    """
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT):
            addresses = await resolve(host, port)
    except (FetchError, TimeoutError):
        return False
    return bool(addresses) and all(is_private(address) for address in addresses)


def blocked(host: str) -> FetchError:
    """The error for a request refused because it would reach the user's network."""
    return FetchError(
        f"blocked: {host} is a local or private network address "
        "(set allow_private_network = true to allow it)"
    )


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that resolves, checks and connects to the checked address.

    With `allow_private` False, only public addresses of a host are tried; none at all is a
    FetchError naming the host. TLS still uses the host name (SNI and certificate checks):
    httpcore starts TLS on the returned stream with the URL's host, not with the address.
    """

    def __init__(self, *, allow_private: bool, is_private: PrivateTest) -> None:
        self._allow_private = allow_private
        self._is_private = is_private
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first allowed address `host` resolves to that answers."""
        addresses = await resolve(host, port)
        if not self._allow_private:
            addresses = [address for address in addresses if not self._is_private(address)]
            if not addresses:
                raise blocked(host)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as error:
                failure = error
        assert failure is not None  # resolve() never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Never used: every request goes over TCP to a checked address."""
        raise FetchError("not a valid URL")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
