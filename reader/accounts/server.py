"""What a feed server account gives and takes, whatever protocol it speaks.

The Fever client implements `FeedServer`; a Google Reader API or Miniflux client can join later
by implementing the same methods, without touching the library or the UI. Everything here came
from a server and is untrusted text: it passes the sanitiser before it is stored or shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol


class AccountError(Exception):
    """The server could not be used; str(err) is one line for the user (wrong password, not a
    Fever server, down, timed out, an error page)."""


class ItemGoneError(AccountError):
    """A change could not be sent because the server no longer has the item: dropping the
    change is right, retrying it never helps."""


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """What a credentials check found, for "12 feeds in 3 groups, 340 unread"."""

    feeds: int
    groups: int
    unread: int


@dataclass(frozen=True, slots=True)
class ServerFeed:
    """A feed the account subscribes to; `group` is its folder ("" when in none)."""

    id: str
    title: str
    url: str
    site_url: str
    group: str


@dataclass(frozen=True, slots=True)
class ServerItem:
    """One story as the server holds it; `id` is the server's item id, unique in the account."""

    id: str
    feed_id: str
    title: str
    author: str
    html: str
    url: str
    published: float | None
    """Unix time the server gives for the item, when it gives one."""
    is_read: bool
    is_saved: bool


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of items after a given id: the items, and the id to ask after for the next
    page (None when this was the last)."""

    items: tuple[ServerItem, ...]
    next_since_id: str | None


@dataclass(frozen=True, slots=True)
class ServerState:
    """The ids of the account's unread and saved items: cheap to fetch, the whole read state."""

    unread_ids: frozenset[str]
    saved_ids: frozenset[str]


ChangeKind = Literal["read", "unread", "saved", "unsaved"]


@dataclass(frozen=True, slots=True)
class ItemChange:
    """A change the user made to one item, to be sent to the server in order."""

    item_id: str
    kind: ChangeKind


class FeedServer(Protocol):
    """One account on one server, speaking its protocol through our one HTTP client."""

    async def check(self) -> AccountSummary:
        """Check the credentials and count what the account holds; AccountError if unusable."""
        ...

    async def feeds(self) -> list[ServerFeed]:
        """Every feed of the account, each with its group."""
        ...

    async def items_after(self, since_id: str | None) -> ItemPage:
        """The next page of items with ids above `since_id` (from the oldest when None)."""
        ...

    async def state(self) -> ServerState:
        """The unread and saved item ids."""
        ...

    async def send(self, change: ItemChange) -> None:
        """Apply one change on the server; AccountError if it could not be sent."""
        ...
