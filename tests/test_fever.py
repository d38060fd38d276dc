"""The Fever client against a real coldsweat on loopback, and against bad answers.

Every success path is checked against coldsweat itself (tests/coldsweat_server.py); the loopback
server only serves what a broken or foreign server would answer, never an imitation of Fever.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from coldsweat_server import (
    MANY_ITEMS,
    SHARED_ITEMS,
    SITE_DIR,
    TESTS,
    ColdsweatAccount,
    ColdsweatServer,
    fever_feed,
)
from loopback import LoopbackServer, StallingServer

from reader.accounts.fever import PAGE_SIZE, FeverServer, fever_api_key, fever_endpoint
from reader.accounts.server import AccountError, ItemChange, ItemGoneError, ServerItem
from reader.net import HttpClient

USER_AGENT = "newsreader-tests/0.1 (+http://127.0.0.1/)"


@pytest.fixture
async def client() -> AsyncIterator[HttpClient]:
    # A deadline far above any loopback answer on a loaded machine; the timeout test sets its own.
    async with HttpClient(user_agent=USER_AGENT, timeout=60.0, max_redirects=3) as http:
        yield http


def fever(client: HttpClient, coldsweat: ColdsweatServer, account: ColdsweatAccount) -> FeverServer:
    """The client for `account`, with the key computed as `account add` computes it."""
    return FeverServer(client, coldsweat.fever_url, fever_api_key(account.email, account.password))


async def all_items(server: FeverServer) -> list[ServerItem]:
    """Every item, page after page, as a sync reads them."""
    items: list[ServerItem] = []
    since: str | None = None
    while True:
        page = await server.items_after(since)
        items += page.items
        if page.next_since_id is None:
            return items
        since = page.next_since_id


# --- against coldsweat ---------------------------------------------------------------------


async def test_check_counts_feeds_groups_and_unread(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    summary = await fever(client, coldsweat, coldsweat_account).check()
    # coldsweat files the ungrouped feed under its "Default" group: three groups.
    assert (summary.feeds, summary.groups, summary.unread) == (3, 3, SHARED_ITEMS)


async def test_feeds_carry_their_group(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    feeds = await fever(client, coldsweat, coldsweat_account).feeds()
    by_title = {feed.title: feed for feed in feeds}
    assert {title: feed.group for title, feed in by_title.items()} == {
        "Orbit Weekly": "Space",
        "Harbour Gazette": "Towns",
        "Many Stories": "Default",
    }
    assert by_title["Orbit Weekly"].url == coldsweat.feeds.url("/feeds/atom.xml")
    assert by_title["Orbit Weekly"].site_url == coldsweat.feeds.url("/site/")


async def test_paging_returns_every_item_once(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    server = fever(client, coldsweat, coldsweat_account)
    first = await server.items_after(None)
    assert len(first.items) >= PAGE_SIZE and first.next_since_id is not None
    items = await all_items(server)
    # coldsweat pages without sorting: without asking for the ids a page skipped, the
    # Orbit Weekly and Harbour Gazette stories were never returned.
    assert len(items) == SHARED_ITEMS == len({item.id for item in items})
    titles = {item.title for item in items}
    assert "Mars sample return: the first tubes are sealed and waiting" in titles
    assert {f"many {n}" for n in range(MANY_ITEMS)} <= titles
    assert not any(item.is_read or item.is_saved for item in items)
    feed_ids = {feed.title: feed.id for feed in await server.feeds()}
    mars = next(item for item in items if item.title.startswith("Mars sample"))
    assert mars.feed_id == feed_ids["Orbit Weekly"]
    assert mars.url == coldsweat.feeds.url("/site/mars-sample.html")
    assert mars.author == "Ines Okafor"
    assert "Three Forks" in mars.html
    assert mars.published == 1748949600.0  # 2025-06-03T11:20:00Z


async def test_items_after_the_last_is_an_empty_last_page(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    server = fever(client, coldsweat, coldsweat_account)
    highest = max(int(item.id) for item in await all_items(server))
    page = await server.items_after(str(highest))
    assert page.items == () and page.next_since_id is None


async def test_new_items_come_after_the_highest_id_seen(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    name = coldsweat_account.email.partition("@")[0]
    path = f"/fever/{name}.rss"
    url = coldsweat.feeds.route(path, body=fever_feed(name, 2))
    coldsweat_account.subscribe(url, "Mine", group="Private")
    server = fever(client, coldsweat, coldsweat_account)
    items = await all_items(server)
    assert len(items) == SHARED_ITEMS + 2
    assert ("Mine", "Private") in {(feed.title, feed.group) for feed in await server.feeds()}
    highest = max(int(item.id) for item in items)
    coldsweat.feeds.route(path, body=fever_feed(name, 3))
    coldsweat.fetch()
    page = await server.items_after(str(highest))
    assert [item.title for item in page.items] == [f"{name} 2"]
    assert page.next_since_id is None


async def test_state_follows_changes_made_on_the_server(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    server = fever(client, coldsweat, coldsweat_account)
    mars = coldsweat_account.item_id("Mars sample return: the first tubes are sealed and waiting")
    coldsweat_account.mark(mars, "read")
    coldsweat_account.mark(mars, "saved")
    state = await server.state()
    assert mars not in state.unread_ids and len(state.unread_ids) == SHARED_ITEMS - 1
    assert state.saved_ids == {mars}
    item = next(item for item in await all_items(server) if item.id == mars)
    assert item.is_read and item.is_saved


@pytest.mark.parametrize(
    ("kinds", "unread", "saved"),
    [
        (("read",), False, False),
        (("read", "unread"), True, False),
        (("saved",), True, True),
        (("saved", "unsaved"), True, False),
    ],
)
async def test_send_changes_the_server(
    client: HttpClient,
    coldsweat: ColdsweatServer,
    coldsweat_account: ColdsweatAccount,
    kinds: tuple[str, ...],
    unread: bool,
    saved: bool,
) -> None:
    server = fever(client, coldsweat, coldsweat_account)
    story = coldsweat_account.item_id("many 7")
    for kind in kinds:
        await server.send(ItemChange(story, kind))  # type: ignore[arg-type]
    assert (story in coldsweat_account.unread_ids()) is unread
    assert (story in coldsweat_account.saved_ids()) is saved


async def test_send_for_an_item_the_server_lacks_says_it_is_gone(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    server = fever(client, coldsweat, coldsweat_account)
    with pytest.raises(ItemGoneError, match="no item 987654 on the server"):
        await server.send(ItemChange("987654", "read"))


async def test_wrong_password_is_one_clear_line(
    client: HttpClient, coldsweat: ColdsweatServer, coldsweat_account: ColdsweatAccount
) -> None:
    key = fever_api_key(coldsweat_account.email, "not the password at all")
    with pytest.raises(AccountError) as caught:
        await FeverServer(client, coldsweat.fever_url, key).check()
    assert str(caught.value) == (
        f"Fever server {coldsweat.fever_url}: the server refused the email and password"
    )


async def test_a_web_site_is_not_a_fever_api(
    client: HttpClient, coldsweat: ColdsweatServer
) -> None:
    root = coldsweat.fever_url.removesuffix("fever/")  # coldsweat's own web reader
    with pytest.raises(AccountError) as caught:
        await FeverServer(client, root, "0" * 32).check()
    assert str(caught.value) == (
        f"Fever server {root}: no Fever API at this address (HTTP 405 Method Not Allowed)"
    )


def test_coldsweat_cannot_reach_beyond_loopback(coldsweat: ColdsweatServer) -> None:
    """coldsweat's processes run with our sitecustomize: its favicon lookup (and any other
    beyond loopback) is refused before any name server is asked."""
    probe = (
        "import requests, sys\n"
        "try:\n"
        "    requests.get('https://icons.duckduckgo.com/ip3/example.com.ico', timeout=5)\n"
        "except requests.RequestException as err:\n"
        "    print(err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=coldsweat.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "coldsweat under test stays on loopback, not icons.duckduckgo.com" in done.stdout
    assert (
        str(SITE_DIR) in coldsweat.env["PYTHONPATH"] and str(TESTS) in coldsweat.env["PYTHONPATH"]
    )


# --- bad answers from a loopback server --------------------------------------------------------


async def failure(client: HttpClient, url: str) -> str:
    """The one line check() fails with at `url`."""
    with pytest.raises(AccountError) as caught:
        await FeverServer(client, url, "0" * 32).check()
    message = str(caught.value)
    assert "\n" not in message
    return message


async def test_json_without_api_version_is_not_fever(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.route(
        "/api", body=json.dumps({"feeds": []}), headers={"Content-Type": "application/json"}
    )
    assert await failure(client, url) == (
        f"Fever server {url}: not a Fever API: the answer has no api_version"
    )


async def test_an_html_page_is_not_fever(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/blog", body="<!doctype html><p>Hello</p>", headers={"Content-Type": "text/html"}
    )
    assert (await failure(client, url)).endswith(
        "not a Fever API: the server answered with a web page"
    )


async def test_other_text_is_not_fever(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/text", body="hello", headers={"Content-Type": "text/plain"})
    assert (await failure(client, url)).endswith(
        "not a Fever API: the server answered with something that is not JSON"
    )


async def test_an_html_error_page(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/broken",
        status=502,
        body="<html><h1>Bad Gateway</h1></html>",
        headers={"Content-Type": "text/html"},
    )
    assert await failure(client, url) == f"Fever server {url}: HTTP 502 Bad Gateway"


async def test_a_server_error(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route("/fever", status=500, body="oops")
    assert await failure(client, url) == f"Fever server {url}: HTTP 500 Internal Server Error"


async def test_server_down(client: HttpClient) -> None:
    gone = LoopbackServer()
    gone.stop()
    url = gone.url("/fever/")
    assert await failure(client, url) == f"Fever server {url}: cannot connect: connection refused"


async def test_a_timeout() -> None:
    hung = StallingServer()
    try:
        async with HttpClient(user_agent=USER_AGENT, timeout=0.5) as quick:
            message = await failure(quick, hung.url("/fever/"))
    finally:
        hung.stop()
    assert message == f"Fever server {hung.url('/fever/')}: timed out after 0.5 s"


async def test_a_redirect_loop(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.redirect("/loop", "/loop", status=307)
    assert await failure(client, url) == f"Fever server {url}: too many redirects (over 3)"


async def test_an_oversized_answer(http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/huge", body=json.dumps({"api_version": 3, "auth": 1, "pad": "x" * 4096})
    )
    async with HttpClient(user_agent=USER_AGENT, timeout=60.0, max_bytes=1024) as small:
        assert await failure(small, url) == f"Fever server {url}: larger than 1 KB"


async def test_the_key_is_posted_in_the_form_not_the_address(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.route("/fever/", body="{}", headers={"Content-Type": "application/json"})
    await failure(client, url)
    assert http_server.posted[0] == b"api_key=" + b"0" * 32
    path, _headers = http_server.requests[0]
    assert "0000" not in path


def test_the_api_key_is_md5_of_email_and_password() -> None:
    # md5("a@b.c:secret"), the Fever API's definition (coldsweat accepting it: the tests above).
    assert fever_api_key("a@b.c", "secret") == "2d56d0405a491e533a09673e3ac735d6"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://Example.org/fever/?api", "https://example.org/fever/"),
        (" http://127.0.0.1:8080 ", "http://127.0.0.1:8080/"),
        ("https://example.org/api/fever.php#top", "https://example.org/api/fever.php"),
    ],
)
def test_endpoint_is_kept_without_query(given: str, kept: str) -> None:
    assert fever_endpoint(given) == kept


@pytest.mark.parametrize(
    "given", ["ftp://example.org/fever", "example.org/fever", "http://x:99999/"]
)
def test_endpoint_must_be_http(given: str) -> None:
    with pytest.raises(AccountError):
        fever_endpoint(given)


async def test_an_unknown_change_is_refused_before_any_request(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    server = FeverServer(client, http_server.url("/fever/"), "0" * 32)
    with pytest.raises(AccountError, match="cannot mark an item starred"):
        await server.send(ItemChange("1", "starred"))  # type: ignore[arg-type]
    assert http_server.requests == []


async def test_a_missing_page_is_no_fever_api(
    client: HttpClient, http_server: LoopbackServer
) -> None:
    url = http_server.url("/no/such/api")
    assert await failure(client, url) == (
        f"Fever server {url}: no Fever API at this address (HTTP 404 Not Found)"
    )


async def test_a_key_refused_with_401(client: HttpClient, http_server: LoopbackServer) -> None:
    url = http_server.route(
        "/fever/",
        status=401,
        body='{"api_version": 3, "auth": 0}',
        headers={"Content-Type": "application/json"},
    )
    assert await failure(client, url) == (
        f"Fever server {url}: the server refused the email and password (HTTP 401 Unauthorized)"
    )


def test_endpoint_with_a_password_in_it_is_refused() -> None:
    with pytest.raises(AccountError, match="the address may not hold a user name or password"):
        fever_endpoint("https://me:secret@rss.example.org/fever/")
