"""Syncing one account with the library: send what changed here, then take what changed there.

The order is the conflict rule. Changes made here are queued (see store.pending) and replayed
first, in the order they were made; only then is the server's state read, so a change made here
since the last sync wins over the server's older state, and a change made elsewhere after ours
reached the server wins at the next sync. A state with a change still queued (the replay stopped
at a failure) keeps the local value until that change is sent.

A sync with nothing new costs only the id lists: new items are paged for (`items_after` from
the highest id stored) when the id lists name an item newer than any stored, at the first sync,
and every FULL_CHECK_INTERVAL (an item that arrived already read on another device is in no id
list); the feed list is fetched at the first sync, when an item names a feed not stored, and every
FULL_CHECK_INTERVAL (for renames, regrouping and unsubscribing).

Everything the server sends is sanitized and capped by the feed parsers' own `make_entry` before
it is stored, like any feed's text.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from datetime import UTC, datetime

from reader.accounts.server import (
    AccountError,
    FeedServer,
    ItemChange,
    ItemGoneError,
    ServerFeed,
    ServerItem,
)
from reader.feeds.common import (
    MAX_FEED_TITLE_CHARS,
    html_to_text,
    make_entry,
    web_link,
)
from reader.sanitize import clean_line
from reader.store import AccountFeed, AccountItem, Store

FULL_CHECK_INTERVAL = 3600.0
"""Seconds between syncs that also fetch the feed list and page for items when the id lists
name nothing new. An hour: a feed renamed or an item read elsewhere before we saw it shows
within the hour, and an app refreshing every 15 minutes costs the id lists alone 3 times in 4."""
MAX_ITEM_PAGES = 2_000
"""Pages of items one sync asks for at most (Fever pages hold 50: 100,000 items): a server that
never says "last page" cannot keep a sync going for ever; the next sync carries on."""


def item_order(item_id: str) -> tuple[int, str]:
    """A sort key putting ids in the server's order: numbers by value (Fever's, Miniflux's and
    Google Reader's ids are numbers), others as text."""
    return (len(item_id), item_id) if item_id.isdigit() else (0, item_id)


def is_after(item_id: str, since_id: str | None) -> bool:
    """Whether `item_id` is newer than `since_id` (every id is newer than None)."""
    return since_id is None or item_order(item_id) > item_order(since_id)


async def send_pending(store: Store, key: str, server: FeedServer) -> None:
    """Send the account's queued changes in order, dropping each once the server has it (or
    says it no longer has the item: retrying would never help); stops at the first that fails
    otherwise, which stays queued with those after it."""
    for change in await asyncio.to_thread(store.pending_changes, key):
        try:
            await server.send(ItemChange(change.item_id, change.kind))
        except ItemGoneError:
            pass
        except AccountError:
            return
        await asyncio.to_thread(store.drop_pending, change.id)


async def sync_account(
    store: Store, key: str, server: FeedServer, *, now: float | None = None
) -> tuple[int, int]:
    """Sync the account `key` (registered in `store`) with `server`; returns how many new
    stories it brought and how many stored ones the server's state changed.

    Raises AccountError when the server cannot be used (after keeping whatever was stored so
    far) and StoreError when the library cannot store; queued changes that could not be sent
    stay queued either way, for the next sync.
    """
    now = time.time() if now is None else now
    await send_pending(store, key, server)
    # A change refused leaves the sync going: a server gone away fails the next request, and
    # the state of an item with a change still queued is not touched (apply_server_state).
    record = await asyncio.to_thread(store.account_record, key)
    state = await server.state()
    full_check = record.feeds_checked is None or now - record.feeds_checked >= FULL_CHECK_INTERVAL
    known = await asyncio.to_thread(store.known_item_ids, key)
    named = state.unread_ids | state.saved_ids
    newer = any(is_after(i, record.since_id) for i in named if i not in known)
    if full_check:
        await _save_feeds(store, key, await server.feeds(), now)
    new_stories = 0
    if full_check or newer:
        new_stories = await _save_new_items(
            store, key, server, record.since_id, feeds_fetched=full_check, now=now
        )
    changed = await asyncio.to_thread(
        store.apply_server_state, key, state.unread_ids, state.saved_ids
    )
    return new_stories, changed


async def _save_new_items(
    store: Store,
    key: str,
    server: FeedServer,
    since_id: str | None,
    *,
    feeds_fetched: bool,
    now: float,
) -> int:
    """Page through the items after `since_id`, storing each page as it comes (with the
    highest id stored, so a sync cut short carries on from there); the feed list is fetched
    when an item names a feed not stored. Returns how many new stories they made."""
    new_stories = pages = 0
    feed_ids = await asyncio.to_thread(store.server_feed_ids, key)
    while pages < MAX_ITEM_PAGES:
        page = await server.items_after(since_id)
        pages += 1
        if not feeds_fetched and any(item.feed_id not in feed_ids for item in page.items):
            await _save_feeds(store, key, await server.feeds(), now)
            feeds_fetched = True
            feed_ids = await asyncio.to_thread(store.server_feed_ids, key)
        highest = max((item.id for item in page.items), key=item_order, default=since_id)
        if since_id is not None and highest is not None:
            highest = max(highest, since_id, key=item_order)
        new_stories += await asyncio.to_thread(
            store.save_account_items,
            key,
            [_account_item(item) for item in page.items],
            since_id=highest,
            now=now,
        )
        following = page.next_since_id
        if following is None or following == since_id or not page.items:
            break
        since_id = following
    return new_stories


async def _save_feeds(store: Store, key: str, feeds: Collection[ServerFeed], now: float) -> None:
    """Store the server's feed list, sanitized."""
    cleaned = [
        AccountFeed(
            server_id=feed.id,  # compared with the items' feed ids as the server gives both
            title=clean_line(feed.title, MAX_FEED_TITLE_CHARS)
            or clean_line(feed.url, MAX_FEED_TITLE_CHARS),
            url=web_link(feed.url, "") or "",
            site_url=web_link(feed.site_url, "") or "",
            folder=clean_line(feed.group, MAX_FEED_TITLE_CHARS),
        )
        for feed in feeds
        if feed.id
    ]
    await asyncio.to_thread(store.save_account_feeds, key, cleaned, now=now)


def _account_item(item: ServerItem) -> AccountItem:
    """A server item as the store takes it: its text through the one place feeds' text is
    sanitized and capped, its link only if http(s)."""
    published = None
    if item.published is not None and item.published > 0:
        try:
            published = datetime.fromtimestamp(item.published, UTC)
        except (OverflowError, OSError, ValueError):
            published = None
    entry = make_entry(
        entry_id=item.id,
        title=item.title,
        title_is_html=False,
        link=web_link(item.url, ""),
        published=published,
        summary_text=html_to_text(item.html),
        content_html=item.html,
        author=item.author,
    )
    return AccountItem(item.id, item.feed_id, entry, item.is_read, item.is_saved)
