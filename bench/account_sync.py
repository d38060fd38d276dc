"""What a sync of a Fever account transfers: requests and answer bytes, first and later syncs.

    python bench/account_sync.py

Starts the tests' real coldsweat on loopback (tests/coldsweat_server.py: three feeds, 66 items)
and syncs a fresh library with a fresh account through the tests' CountingProxy: the first sync,
a second with nothing new, one after an item was read on the server, and one after the server
got two new items. Counts, not times: they do not depend on the machine's load.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from coldsweat_server import ColdsweatServer, running_coldsweat
from counting_proxy import CountingProxy

from reader.accounts.fever import FeverServer
from reader.accounts.service import SyncedAccount
from reader.config import Settings
from reader.library import Library
from reader.net import HttpClient

NEW_FEED = "/bench/new.rss"
NEW_ITEMS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>New</title>'
    "<item><title>One</title><link>http://127.0.0.1/n/1</link><guid>n1</guid></item>"
    "<item><title>Two</title><link>http://127.0.0.1/n/2</link><guid>n2</guid></item>"
    "</channel></rss>"
)
RSS = {"Content-Type": "application/rss+xml"}


def measure(coldsweat: ColdsweatServer) -> None:
    """Print what each sync of a fresh account on `coldsweat` transferred."""
    account = coldsweat.new_account()
    proxy = CountingProxy(coldsweat.fever_url.removesuffix("/fever/"))
    url = proxy.url("/fever/")

    def opener(client: HttpClient) -> list[SyncedAccount]:
        return [SyncedAccount("bench", url, FeverServer(client, url, account.api_key))]

    async def sync(data_dir: Path, label: str) -> None:
        library = Library(Settings(data_dir=data_dir, prefetch=False), accounts=opener)
        proxy.clear()
        try:
            [outcome] = await library.refresh()
        finally:
            await library.aclose()
        commands = ", ".join(proxy.commands())
        print(
            f"{label:<34} {len(proxy.requests):>3} requests {proxy.bytes_answered:>7} bytes"
            f"  {outcome.new_stories:>3} new  ({commands})"
        )

    try:
        with tempfile.TemporaryDirectory() as temp:
            data_dir = Path(temp)
            asyncio.run(sync(data_dir, "first sync"))
            asyncio.run(sync(data_dir, "second sync, nothing new"))
            account.mark(account.item_id("many 7"), "read")
            asyncio.run(sync(data_dir, "after a read on the server"))
            coldsweat.feeds.route(NEW_FEED, body=NEW_ITEMS, headers=RSS)
            account.subscribe(coldsweat.feeds.url(NEW_FEED), "New", "")
            asyncio.run(sync(data_dir, "after two new items on the server"))
    finally:
        proxy.stop()


def main() -> None:
    for coldsweat in running_coldsweat():
        measure(coldsweat)


if __name__ == "__main__":
    main()
