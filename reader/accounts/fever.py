"""The Fever API client: one account on a Fever server (coldsweat, FreshRSS, Miniflux, Tiny Tiny
RSS...), spoken through our one HTTP client.

The protocol: every call is a POST of the form field `api_key` (md5 of "email:password") to
`URL?api&<command>`; the answer is JSON with `api_version` and `auth` (0 when the key is
refused). One command per request, since not every server answers several at once.

Everything returned is the server's text, untyped JSON turned into typed values but otherwise
raw: titles, HTML and URLs are untrusted, and the store sanitises them before they are kept or
shown (the sync writes through the store).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import get_args
from urllib.parse import urlsplit, urlunsplit

from reader.accounts.server import (
    AccountError,
    AccountSummary,
    ChangeKind,
    ItemChange,
    ItemGoneError,
    ItemPage,
    ServerFeed,
    ServerItem,
    ServerState,
)
from reader.net import FetchError, HttpClient
from reader.sanitize import clean_line, is_web_url

PAGE_SIZE = 50
"""Items a Fever server returns per `items` request: the API's documented page ("request 50
additional items"), coldsweat's MAX_ENTRIES, and what FreshRSS and Miniflux use."""
MAX_GAP_IDS = 500
"""Ids missing under a full page's highest id that are asked for by id (`with_ids`, 50 a
request, so at most 10 requests a page). coldsweat 0.10 pages without sorting: its first page
of the test account left out 6 of 66 items with lower ids. A server that sorts, as the API
intends, leaves no gap and costs nothing; one whose ids are sparse (FreshRSS uses microsecond
times) sorts, and its huge "gaps" are not asked for."""

_MARKS = frozenset(get_args(ChangeKind))
"""What `mark=item&as=...` may say: the API's read, saved and unsaved, and the unread that
coldsweat, FreshRSS and Miniflux accept too."""
_REFUSED = "the server refused the email and password"
"""What a refused key means to the user, who never sees the key itself."""
_NO_API_STATUSES = frozenset({404, 405})
"""Statuses that mean the address is no API (a web page refusing a POST, a wrong path)."""
LATEST_PLAUSIBLE_TIME = 1e11
"""Unix seconds (the year 5138) above which an item's time is taken as junk, not a date."""


def fever_api_key(email: str, password: str) -> str:
    """The Fever API key: md5 of "email:password", what the protocol sends instead of either."""
    return hashlib.md5(f"{email}:{password}".encode(), usedforsecurity=False).hexdigest()


def fever_endpoint(url: str) -> str:
    """The account's address as kept: http(s), without query ("?api") or fragment.

    AccountError when it is not an http(s) URL.
    """
    text = url.strip()
    if not is_web_url(text):
        raise AccountError(f"not an http(s) address: {clean_line(text, 200)}")
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a bad port
    except ValueError:
        raise AccountError(f"not a valid address: {clean_line(text, 200)}") from None
    if "@" in parts.netloc:
        raise AccountError("the address may not hold a user name or password")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))


class FeverServer:
    """One account on a Fever server; every failure is an AccountError with one clear line."""

    def __init__(self, client: HttpClient, url: str, api_key: str) -> None:
        self._client = client
        self._endpoint = fever_endpoint(url)
        self._api_key = api_key

    @property
    def url(self) -> str:
        """The server's address as kept (see fever_endpoint)."""
        return self._endpoint

    async def check(self) -> AccountSummary:
        """Check the key and count the account's feeds, their groups and its unread items."""
        feeds = await self.feeds()
        state = await self.state()
        groups = {feed.group for feed in feeds if feed.group}
        return AccountSummary(feeds=len(feeds), groups=len(groups), unread=len(state.unread_ids))

    async def feeds(self) -> list[ServerFeed]:
        """Every feed of the account, each with the title of its first group ("" if none)."""
        grouping = await self._call("groups")
        listing = await self._call("feeds")
        titles = {
            _id(group.get("id")): _text(group.get("title"))
            for group in _records(grouping.get("groups"))
        }
        group_of: dict[str, str] = {}
        for link in _records(grouping.get("feeds_groups")):
            title = titles.get(_id(link.get("group_id")), "")
            for feed_id in _id_list(link.get("feed_ids")):
                group_of.setdefault(feed_id, title)
        feeds = []
        for record in _records(listing.get("feeds")):
            feed_id = _id(record.get("id"))
            if feed_id:
                feeds.append(
                    ServerFeed(
                        id=feed_id,
                        title=_text(record.get("title")),
                        url=_text(record.get("url")),
                        site_url=_text(record.get("site_url")),
                        group=group_of.get(feed_id, ""),
                    )
                )
        return feeds

    async def items_after(self, since_id: str | None) -> ItemPage:
        """The next page of items with ids above `since_id` (from the first when None).

        A full page may not be the lowest ids (coldsweat does not sort), so the ids it left
        out below its highest are asked for by id (see MAX_GAP_IDS).
        """
        since = _since(since_id)
        answer = await self._call("items", f"since_id={since}")
        items = {item.id: item for item in _items(answer.get("items")) if int(item.id) > since}
        if len(items) < PAGE_SIZE:
            return ItemPage(items=_in_order(items.values()), next_since_id=None)
        highest = max(int(item_id) for item_id in items)
        # Every item is in (since, highest]: count the gap before listing it, ids may be huge.
        if highest - since - len(items) <= MAX_GAP_IDS:
            missing = [n for n in range(since + 1, highest) if str(n) not in items]
            for start in range(0, len(missing), PAGE_SIZE):
                ids = ",".join(map(str, missing[start : start + PAGE_SIZE]))
                found = await self._call("items", f"with_ids={ids}")
                items.update((item.id, item) for item in _items(found.get("items")))
        return ItemPage(items=_in_order(items.values()), next_since_id=str(highest))

    async def state(self) -> ServerState:
        """The account's unread and saved item ids (two small requests)."""
        unread = await self._call("unread_item_ids")
        saved = await self._call("saved_item_ids")
        return ServerState(
            unread_ids=frozenset(_id_list(unread.get("unread_item_ids"))),
            saved_ids=frozenset(_id_list(saved.get("saved_item_ids"))),
        )

    async def send(self, change: ItemChange) -> None:
        """Mark one item read, unread, saved or unsaved; ItemGoneError if the server has no
        such item any more (coldsweat answers 404), AccountError for anything else."""
        if change.kind not in _MARKS:
            raise AccountError(self._line(f"cannot mark an item {clean_line(change.kind, 40)}"))
        if not change.item_id.isascii() or not change.item_id.isdigit():
            raise ItemGoneError(self._line(f"no item {clean_line(change.item_id, 40)}"))
        form = {"mark": "item", "as": change.kind, "id": change.item_id}
        try:
            await self._call("mark", form=form)
        except _NotFound:
            raise ItemGoneError(self._line(f"no item {change.item_id} on the server")) from None

    async def _call(
        self, *command: str, form: Mapping[str, str] | None = None
    ) -> dict[str, object]:
        """One Fever request: POST the key (and `form`) to `URL?api&<command>`; its JSON."""
        query = "&".join(("api", *command))
        try:
            result = await self._client.post_form(
                f"{self._endpoint}?{query}", {"api_key": self._api_key, **(form or {})}
            )
        except FetchError as err:
            if err.status == 404 and form is not None:
                raise _NotFound from err
            if err.status == 401:  # some servers refuse a key so, not with auth 0
                raise AccountError(self._line(f"{_REFUSED} ({err})")) from err
            if err.status in _NO_API_STATUSES:
                raise AccountError(self._line(f"no Fever API at this address ({err})")) from err
            raise AccountError(self._line(str(err))) from err
        try:
            # The content type is not checked: some Fever servers label their JSON text/html.
            answer = json.loads(result.content)
        except (ValueError, RecursionError):
            web_page = "html" in result.content_type or result.content.lstrip()[:1] == b"<"
            kind = "a web page" if web_page else "something that is not JSON"
            reason = f"not a Fever API: the server answered with {kind}"
            raise AccountError(self._line(reason)) from None
        if not isinstance(answer, dict) or "api_version" not in answer:
            raise AccountError(self._line("not a Fever API: the answer has no api_version"))
        if answer.get("auth") != 1:
            raise AccountError(self._line(_REFUSED))
        return answer

    def _line(self, reason: str) -> str:
        """The one line for the user: which server, and what went wrong."""
        return f"Fever server {clean_line(self._endpoint, 200)}: {reason}"


class _NotFound(Exception):
    """A mark request answered 404: the item is gone (turned into ItemGoneError)."""


def _since(since_id: str | None) -> int:
    """The numeric since_id to send: 0 for the first page; AccountError when not a number."""
    if since_id is None:
        return 0
    text = since_id.strip()
    if not text.isascii() or not text.isdigit():
        raise AccountError(f"not a Fever item id: {clean_line(since_id, 40)}")
    return int(text)


def _items(value: object) -> list[ServerItem]:
    """The items of an `items` answer; ones without a numeric id are left out."""
    found = []
    for record in _records(value):
        item_id = _id(record.get("id"))
        if item_id:
            found.append(
                ServerItem(
                    id=item_id,
                    feed_id=_id(record.get("feed_id")),
                    title=_text(record.get("title")),
                    author=_text(record.get("author")),
                    html=_text(record.get("html")),
                    url=_text(record.get("url")),
                    published=_time(record.get("created_on_time")),
                    is_read=_flag(record.get("is_read")),
                    is_saved=_flag(record.get("is_saved")),
                )
            )
    return found


def _in_order(items: Iterable[ServerItem]) -> tuple[ServerItem, ...]:
    """Items by ascending id, the order they were added to the server."""
    return tuple(sorted(items, key=lambda item: int(item.id)))


def _records(value: object) -> list[Mapping[str, object]]:
    """The JSON objects in a JSON list (anything else in it, or a non-list, gives nothing)."""
    if not isinstance(value, list):
        return []
    return [record for record in value if isinstance(record, dict)]


def _id(value: object) -> str:
    """A Fever id (a JSON number, or digits in a string) as canonical digits, else ""."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value) if value >= 0 else ""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return str(int(value.strip()))
    return ""


def _id_list(value: object) -> list[str]:
    """The ids of a comma-separated Fever id list ("1,2,3"; some servers send a JSON list)."""
    parts: Iterable[object] = value if isinstance(value, list) else str(value or "").split(",")
    return [item_id for part in parts if (item_id := _id(part))]


def _text(value: object) -> str:
    """A string field: as given (untrusted), a number as its digits, anything else ""."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _flag(value: object) -> bool:
    """A Fever 0/1 flag (some servers send true/false or "1")."""
    return value in (1, True, "1")


def _time(value: object) -> float | None:
    """Unix seconds from a Fever time field, None when absent or not a plausible number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 < seconds < LATEST_PLAUSIBLE_TIME else None
