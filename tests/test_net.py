"""HttpClient against a real loopback server: limits, redirects, decoding and errors."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import threading
import time
import zlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import pytest

from reader.net import FetchError, FetchResult, HttpClient
from reader.net.decode import DECODE_CHUNK, BodyDecoder

if TYPE_CHECKING:
    from conftest import LoopbackServer

USER_AGENT = "newsreader-tests/0.1 (+http://127.0.0.1/)"
MIB = 1024 * 1024


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    # A deadline no loopback request that should succeed comes near, on however loaded a machine;
    # the tests of the deadline itself pass their own, against servers that never finish in time.
    async with HttpClient(user_agent=USER_AGENT, timeout=30.0, max_redirects=3) as http:
        yield http


def gzip_zeros(size: int) -> bytes:
    """`size` zero bytes gzipped, built a MiB at a time so the test never holds them all."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(MIB)
    return b"".join([packer.compress(chunk) for _ in range(size // MIB)] + [packer.flush()])


async def test_fetches_a_fixture(client: HttpClient, http_server: LoopbackServer) -> None:
    result = await client.get(http_server.url("/feeds/rss2.xml"))
    assert isinstance(result, FetchResult)
    assert result.status == 200
    assert result.url == http_server.url("/feeds/rss2.xml")
    assert b"<title>Harbour Gazette</title>" in result.content
    assert http_server.base.encode() + b"/site/quiet-harbour.html" in result.content
    assert result.content_type == "application/xml"
    assert all(name == name.lower() for name in result.headers)


async def test_content_type_and_charset(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/page", body="<p>hi</p>", headers={"Content-Type": 'Text/HTML; Charset="ISO-8859-1"'}
    )
    result = await client.get(url)
    assert result.content_type == "text/html"
    assert result.charset == "iso-8859-1"


async def test_sends_user_agent_and_accept_encoding(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    await client.get(http_server.url("/feeds/atom.xml"), headers={"X-Extra": "1"})
    path, headers = http_server.requests[-1]
    assert path == "/feeds/atom.xml"
    assert headers["user-agent"] == USER_AGENT
    assert headers["accept-encoding"] == "gzip, deflate"
    assert headers["x-extra"] == "1"


@pytest.mark.parametrize(("status", "reason"), [(404, "Not Found"), (500, "Internal Server Error")])
async def test_error_status(
    client: HttpClient, http_server: LoopbackServer, status: int, reason: str
) -> None:
    url = http_server.route("/fail", status=status, body=b"nope")
    with pytest.raises(FetchError) as caught:
        await client.get(url)
    assert caught.value.status == status
    assert str(caught.value) == f"HTTP {status} {reason}"


async def test_missing_file_is_404(client: HttpClient, http_server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        await client.get(http_server.url("/site/missing-01.html"))
    assert caught.value.status == 404


async def test_retry_after_is_reported(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/busy", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        await client.get(url)
    assert str(caught.value) == "HTTP 429 Too Many Requests (retry after 120 s)"
    assert caught.value.retry_after == 120


async def test_deadline_covers_a_dripping_body(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    # Each byte arrives well within any per-read timeout; only a whole-request deadline stops it.
    # The body takes 10 s to arrive: only the deadline can end the request with this error.
    url = http_server.route("/drip", body=b"x" * 200, drip=0.05)
    with pytest.raises(FetchError, match=r"^timed out after 0\.5 s$") as caught:
        await client.get(url, timeout=0.5)
    assert caught.value.status is None


async def test_deadline_covers_a_slow_server(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.route("/slow", body=b"late", delay=2.0)
    with pytest.raises(FetchError, match=r"^timed out after 0\.3 s$"):
        await client.get(url, timeout=0.3)


async def test_redirect_chain_within_the_cap(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    first = http_server.redirect_chain("/hop", 3, "/feeds/rss2.xml")
    result = await client.get(first)
    assert result.url == http_server.url("/feeds/rss2.xml")
    assert b"Harbour Gazette" in result.content


async def test_redirect_chain_over_the_cap(client: HttpClient, http_server: LoopbackServer) -> None:
    first = http_server.redirect_chain("/hop", 4, "/feeds/rss2.xml")
    with pytest.raises(FetchError, match=r"^too many redirects \(over 3\)$"):
        await client.get(first)
    assert http_server.hits["/feeds/rss2.xml"] == 0


async def test_redirect_loop(client: HttpClient, http_server: LoopbackServer) -> None:
    http_server.redirect("/a", "/b")
    http_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="too many redirects"):
        await client.get(http_server.url("/a"))
    assert http_server.hits["/a"] + http_server.hits["/b"] == 4


async def test_relative_redirect_is_resolved(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    http_server.redirect("/feeds/old/rss", "../rss2.xml", status=301)
    result = await client.get(http_server.url("/feeds/old/rss"))
    assert result.url == http_server.url("/feeds/rss2.xml")


@pytest.mark.parametrize(
    "location", ["javascript:alert(1)", "file:///etc/passwd", "ftp://127.0.0.1/x", "data:,hi"]
)
async def test_redirect_to_another_scheme_is_refused(
    client: HttpClient, http_server: LoopbackServer, location: str
) -> None:
    url = http_server.redirect("/evil", location)
    with pytest.raises(FetchError, match=r"^redirect to a non-http\(s\) URL$"):
        await client.get(url)


@pytest.mark.parametrize("location", ["http://[::1/x", "http://a b/", "http://127.0.0.1/\x1b[2J"])
async def test_redirect_to_an_invalid_url_is_refused(
    client: HttpClient, http_server: LoopbackServer, location: str
) -> None:
    url = http_server.redirect("/odd", location)
    with pytest.raises(FetchError, match=r"^redirect to an invalid URL$"):
        await client.get(url)


async def test_cross_origin_redirect_drops_credentials(
    client: HttpClient, http_server: LoopbackServer, other_http_server: LoopbackServer
) -> None:
    other = other_http_server
    http_server.redirect("/out", other.url("/feeds/rss2.xml"))
    await client.get(http_server.url("/out"), headers={"Authorization": "Bearer secret"})
    assert http_server.requests[-1][1]["authorization"] == "Bearer secret"
    assert "authorization" not in other.requests[-1][1]


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as IIS sends it
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("identity", lambda data: data),
    ],
)
async def test_decodes_content_encodings(
    client: HttpClient,
    http_server: LoopbackServer,
    encoding: str,
    pack: Callable[[bytes], bytes],
) -> None:
    body = b"<rss>" + b"plain news " * 5000 + b"</rss>"
    url = http_server.route("/packed", body=pack(body), headers={"Content-Encoding": encoding})
    result = await client.get(url)
    assert result.content == body


@pytest.mark.parametrize("pack", [zlib.compress, lambda data: zlib.compress(data)[2:-4]])
async def test_deflate_arriving_a_byte_at_a_time(
    client: HttpClient, http_server: LoopbackServer, pack: Callable[[bytes], bytes]
) -> None:
    # The zlib-or-raw decision needs two bytes; it must not be made on the first one alone.
    body = b"<rss>drip</rss>"
    url = http_server.route(
        "/drip", body=pack(body), headers={"Content-Encoding": "deflate"}, drip=0.002
    )
    assert (await client.get(url)).content == body


async def test_unknown_encoding_is_an_error(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.route("/br", body=b"\x1b\x00", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported content encoding: br"):
        await client.get(url)


async def test_corrupt_gzip_is_an_error(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/bad", body=b"\x1f\x8b not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="corrupt compressed body"):
        await client.get(url)


async def test_stacked_gzip_bomb_is_capped(client: HttpClient, http_server: LoopbackServer) -> None:
    # 64 MiB of zeros, gzipped twice, is a few hundred bytes on the wire.
    bomb = gzip_zeros(64 * MIB)
    bomb = zlib.compress(bomb, 9, wbits=31)
    assert len(bomb) < 4096
    url = http_server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip, gzip"})
    with pytest.raises(FetchError, match=r"^larger than 1 MB$"):
        await client.get(url, max_bytes=MIB)


async def test_single_gzip_bomb_is_capped(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/bomb", body=gzip_zeros(16 * MIB), headers={"Content-Encoding": "gzip"}
    )
    with pytest.raises(FetchError, match=r"^larger than 1 MB$"):
        await client.get(url, max_bytes=MIB)


async def test_too_many_encoding_layers(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/layers", body=b"x", headers={"Content-Encoding": "gzip, " * 5})
    with pytest.raises(FetchError, match="too many content encodings"):
        await client.get(url)


async def test_body_over_the_cap(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/big", body=b"x" * 2000)
    with pytest.raises(FetchError, match=r"^larger than 1000 bytes$"):
        await client.get(url, max_bytes=1000)
    assert (await client.get(url, max_bytes=2000)).content == b"x" * 2000


async def test_connection_refused(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.url("/feeds/rss2.xml")
    http_server.stop()
    with pytest.raises(FetchError, match=r"^cannot connect: connection refused$") as caught:
        await client.get(url)
    assert caught.value.status is None


@pytest.mark.parametrize(
    "url",
    ["", "not a url", "ftp://127.0.0.1/", "javascript:alert(1)", "http://", "http://[::1",
     "http://a b/", "http://127.0.0.1:99999/", "http://127.0.0.1/\x1b[2J"],
)  # fmt: skip
async def test_invalid_url(client: HttpClient, url: str) -> None:
    with pytest.raises(FetchError, match=r"^not a valid URL$"):
        await client.get(url)


async def test_broken_response_is_a_fetch_error(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.route("/liar", body=b"short", headers={"Content-Length": "notanumber"})
    with pytest.raises(FetchError) as caught:
        await client.get(url)
    assert str(caught.value)


async def test_conditional_get_answers_304(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.url("/feeds/feed.json")
    first = await client.get(url)
    etag = first.headers["etag"]
    assert first.headers["last-modified"]
    second = await client.get(url, headers={"If-None-Match": etag})
    assert second.status == 304
    assert second.content == b""
    by_date = await client.get(url, headers={"If-Modified-Since": first.headers["last-modified"]})
    assert by_date.status == 304
    assert http_server.hits["/feeds/feed.json"] == 3


async def test_concurrency_is_bounded(http_server: LoopbackServer) -> None:
    # Each answer takes long enough that, without the limit, all four would be in flight at once.
    url = http_server.route("/slowish", body=b"ok", delay=0.5)
    async with HttpClient(user_agent=USER_AGENT, max_connections=2) as http:
        results = await asyncio.gather(*(http.get(url) for _ in range(4)))
    assert [r.content for r in results] == [b"ok"] * 4
    assert http_server.max_in_flight <= 2  # never four at once, however loaded the machine


def empty_blocks_then(payload: bytes, size: int) -> bytes:
    """A gzip stream of `payload` preceded by `size` bytes of empty stored deflate blocks: the
    inner layer eats all of them and produces nothing, so only a cap on it stops the work."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = packer.compress(b"") + packer.flush(zlib.Z_SYNC_FLUSH)  # now byte-aligned
    empty_block = b"\x00\x00\x00\xff\xff"  # BFINAL=0, stored, LEN=0, NLEN=0xffff
    return (
        head + empty_block * (size // len(empty_block)) + packer.compress(payload) + packer.flush()
    )


async def test_every_encoding_layer_is_capped(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    # The outer gzip inflates to 16 MiB of empty blocks, the inner to five bytes: a cap on the
    # final output alone never fires, and the outer layer runs to the end of its 16 MiB.
    inner = empty_blocks_then(b"hello", 16 * MIB)
    bomb = zlib.compress(inner, 9, wbits=31)
    assert len(bomb) < MIB
    url = http_server.route("/layers", body=bomb, headers={"Content-Encoding": "gzip, gzip"})
    with pytest.raises(FetchError, match=r"^larger than 1 MB$"):
        await client.get(url, max_bytes=MIB)


def test_outer_layers_stop_when_the_inner_stream_ends() -> None:
    # An inner stream that ends early, followed (inside the outer layer) by 64 MiB of zeros:
    # what follows the end is junk, and the outer layer must not inflate it all.
    inner = gzip.compress(b"hello") + bytes(64 * MIB)
    decoder = BodyDecoder("gzip, gzip", 10 * MIB)
    assert decoder.decode(zlib.compress(inner, 9, wbits=31)) == b"hello"
    outer = decoder.layers[0]
    assert outer.emitted <= DECODE_CHUNK


async def test_decoding_runs_off_the_event_loop(
    client: HttpClient, http_server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    decode = BodyDecoder.decode

    def spy(self: BodyDecoder, raw: bytes) -> bytes:
        threads.append(threading.get_ident())
        return decode(self, raw)

    monkeypatch.setattr(BodyDecoder, "decode", spy)
    body = b"<rss>" + b"news " * 1000 + b"</rss>"
    url = http_server.route(
        "/packed", body=gzip.compress(body), headers={"Content-Encoding": "gzip"}
    )
    assert (await client.get(url)).content == body
    assert threads and threading.get_ident() not in threads


# The loopback server writes headers as Latin-1: "²" goes out as the byte 0xB2, and the Arabic
# digits are sent as their UTF-8 bytes, which httpx decodes back to "١٢٠".
@pytest.mark.parametrize(
    "value", ["²", "١٢٠".encode().decode("latin-1"), "12.5", "-1", "soon", "Wed, 99 Foo 2026 x"]
)
async def test_unusable_retry_after_is_ignored(
    client: HttpClient, http_server: LoopbackServer, value: str
) -> None:
    # "²".isdigit() is True but float("²") raises: the 429 must still be a plain 429.
    url = http_server.route("/busy", status=429, headers={"Retry-After": value})
    with pytest.raises(FetchError) as caught:
        await client.get(url)
    assert str(caught.value) == "HTTP 429 Too Many Requests"
    assert caught.value.status == 429
    assert caught.value.retry_after is None


async def test_retry_after_as_an_http_date(client: HttpClient, http_server: LoopbackServer) -> None:
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    url = http_server.route("/busy", status=503, headers={"Retry-After": when})
    with pytest.raises(FetchError) as caught:
        await client.get(url)
    assert caught.value.retry_after is not None and 3000 < caught.value.retry_after <= 3600
