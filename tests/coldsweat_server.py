"""A real Fever server for tests: coldsweat on 127.0.0.1, subscribed to the tests' own feeds.

How to use it (the fixtures are in conftest.py; both skip the test when coldsweat is not
installed, e.g. `pip install -e '.[test]'` was not run):

- `coldsweat` (session scope): the running `ColdsweatServer`. `.fever_url` is the address a user
  gives to `newsreader account add fever`; `.feeds` is the LoopbackServer serving its feeds;
  `.fetch()` makes coldsweat fetch every feed again (after a test changed one it owns).
- `coldsweat_account` (function scope): a fresh `ColdsweatAccount` (`.email`, `.password`,
  `.api_key`) of its own on that server, subscribed to SHARED_FEEDS: everything unread, nothing
  saved, so tests never see each other's read state. Change and read its state with the
  server's own Fever API: `.mark(item_id, "read" | "unread" | "saved" | "unsaved")`,
  `.unread_ids()`, `.saved_ids()`, `.items()`, `.item_id(title)`, `.item_ids()` (from its
  database), `.call(...)` for anything else.
  `.subscribe(url, title, group)` adds a feed only this account sees. A test that needs new
  items: `url = coldsweat.feeds.route(path, body=fever_feed("mine", 2))`, subscribe to it,
  route `fever_feed("mine", 3)` there instead, `coldsweat.fetch()`: one new item.

The accounts share the feeds and their items (coldsweat keeps one copy of each item): a test
must not change a shared feed. coldsweat keys items by guid across the whole server, so every
feed a test serves needs guids of its own: `fever_feed(name, count)` makes them from `name`.

Every process coldsweat runs has tests/coldsweat_site first on its PYTHONPATH, whose
sitecustomize refuses any lookup or connection beyond loopback.
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import httpx
from loopback import LoopbackServer
from waiting import POLL_SECONDS, WAIT_LIMIT_SECONDS

TESTS = Path(__file__).resolve().parent
SITE_DIR = TESTS / "coldsweat_site"
"""Holds the sitecustomize that keeps coldsweat on loopback."""
PASSWORD = "correct horse battery staple"
"""Every account's password (coldsweat wants 12 characters or more)."""
FEVER_PAGE = 50
"""Items coldsweat returns per Fever `items` request (its MAX_ENTRIES)."""
MANY_ITEMS = 60
"""Items in the paging feed: more than one Fever page, so paging is exercised."""
REQUEST_TIMEOUT = 30.0
"""Seconds for one helper request to coldsweat: far above its answer on a loaded machine."""
PORT_ATTEMPTS = 3
"""Starts tried on fresh free ports: another process may take the port between our probe and
coldsweat's bind (helpers share the machine), which is rare, so three is plenty."""
COMMAND_TIMEOUT = 120.0
"""Seconds for one coldsweat command (setup, import, fetch): a guard against a hang only."""


@dataclass(frozen=True)
class SharedFeed:
    """A feed every account is subscribed to: its path on `feeds`, title and group."""

    path: str
    title: str
    group: str


SHARED_FEEDS = (
    SharedFeed("/feeds/atom.xml", "Orbit Weekly", "Space"),
    SharedFeed("/feeds/rss2.xml", "Harbour Gazette", "Towns"),
    SharedFeed("/fever/many.rss", "Many Stories", ""),  # "" = coldsweat's "Default" group
)
"""Three feeds in two named groups and coldsweat's default one."""
SHARED_ITEMS = 3 + 3 + MANY_ITEMS
"""Items of SHARED_FEEDS together (atom.xml and rss2.xml hold three stories each)."""


def coldsweat_installed() -> bool:
    """Whether coldsweat can be run here (it is in the `test` extra)."""
    return importlib.util.find_spec("coldsweat") is not None and _executable() is not None


def fever_api_key(email: str, password: str) -> str:
    """The Fever API key as coldsweat computes it (its models.User.make_fever_api_key)."""
    return hashlib.md5(f"{email}:{password}".encode()).hexdigest()


@dataclass
class ColdsweatAccount:
    """One user on the server, with helpers speaking coldsweat's own Fever API."""

    server: ColdsweatServer
    email: str
    password: str = PASSWORD
    api_key: str = field(init=False)

    def __post_init__(self) -> None:
        self.api_key = fever_api_key(self.email, self.password)

    def call(self, *commands: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        """POST to `fever_url?api&<commands>` with the api key (and `form`); the JSON answer.

        A command may carry a value, e.g. "since_id=0": coldsweat reads those from the query.
        """
        query = "&".join(("api", *commands))
        data = {"api_key": self.api_key, **(form or {})}
        response = httpx.post(
            f"{self.server.fever_url}?{query}", data=data, timeout=REQUEST_TIMEOUT
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        assert answer.get("auth") == 1, f"coldsweat refused {self.email}'s key: {answer}"
        return answer

    def mark(self, item_id: str | int, status: str) -> None:
        """Mark an item read, unread, saved or unsaved on the server."""
        self.call("mark", form={"mark": "item", "as": status, "id": str(item_id)})

    def unread_ids(self) -> set[str]:
        """The server's unread item ids for this account."""
        return _id_set(self.call("unread_item_ids")["unread_item_ids"])

    def saved_ids(self) -> set[str]:
        """The server's saved item ids for this account."""
        return _id_set(self.call("saved_item_ids")["saved_item_ids"])

    def item_ids(self) -> list[str]:
        """The ids of every item of the account, read from coldsweat's database (its Fever
        paging does not sort, so a page may skip ids: no helper relies on it)."""
        query = (
            "SELECT entries.id FROM entries JOIN subscriptions USING (feed_id)"
            " JOIN users ON users.id = subscriptions.user_id WHERE users.email = ?"
            " ORDER BY entries.id"
        )
        with closing(sqlite3.connect(self.server.database)) as db:
            return [str(row[0]) for row in db.execute(query, (self.email,))]

    def items(self) -> list[dict[str, Any]]:
        """Every item of the account as coldsweat's Fever API gives it (`with_ids`, 50 a time)."""
        ids = self.item_ids()
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), FEVER_PAGE):
            chunk = ",".join(ids[start : start + FEVER_PAGE])
            found += self.call("items", f"with_ids={chunk}")["items"]
        return found

    def item_id(self, title: str) -> str:
        """The id of the account's item with this title."""
        ids = [str(item["id"]) for item in self.items() if item["title"] == title]
        assert len(ids) == 1, f"{len(ids)} items titled {title!r}"
        return ids[0]

    def subscribe(self, url: str, title: str, group: str = "") -> None:
        """Subscribe this account alone to a feed, fetching it at once."""
        opml = self.server.opml_file([(url, title, group)])
        self.server.command("import", str(opml), self.email, "-f")


class ColdsweatServer:
    """coldsweat running on 127.0.0.1 with its database in a temporary directory."""

    def __init__(self, feeds: LoopbackServer) -> None:
        executable = _executable()
        assert executable is not None, "coldsweat is not installed"
        self.executable = executable
        self.feeds = feeds
        """Serves tests/fixtures and the paging feed to coldsweat."""
        self._temp = tempfile.TemporaryDirectory(prefix="coldsweat-")
        self.directory = Path(self._temp.name)
        self.database = self.directory / "coldsweat.db"
        """coldsweat's SQLite database (WAL), for tests that read its state directly."""
        self.env = {
            **os.environ,
            "FLASK_DATABASE_URL": f"sqlite:///{self.database}",
            "FLASK_SECRET_KEY": "tests only",
            "PYTHONPATH": os.pathsep.join([str(SITE_DIR), str(TESTS)]),
        }
        self.env.pop("FLASK_DEBUG", None)
        self.log = self.directory / "server.log"
        self.fever_url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._accounts = itertools.count(1)
        self._files = itertools.count(1)
        self.first: ColdsweatAccount | None = None
        """The account whose import fetched the shared feeds, once started."""
        feeds.route(
            "/fever/many.rss",
            body=fever_feed("many", MANY_ITEMS, title="Many Stories"),
            headers={"Content-Type": "application/rss+xml"},
        )

    def start(self) -> None:
        """Create the first account, subscribe it (fetching every feed) and serve."""
        self.first = self.new_account(fetch=True)
        for attempt in range(PORT_ATTEMPTS):
            port = _free_port()
            self.fever_url = f"http://127.0.0.1:{port}/fever/"
            with self.log.open("ab") as log:
                self._process = subprocess.Popen(
                    [self.executable, "run", "-h", "127.0.0.1", "-p", str(port)],
                    env=self.env,
                    cwd=self.directory,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            if self._wait_until_answering(last=attempt == PORT_ATTEMPTS - 1):
                return

    def new_account(self, *, fetch: bool = False) -> ColdsweatAccount:
        """A new user subscribed to SHARED_FEEDS (fetched now when `fetch`)."""
        account = ColdsweatAccount(self, f"reader{next(self._accounts)}@example.com")
        self.command("setup", account.email, "-p", account.password)
        rows = [(self.feeds.url(feed.path), feed.title, feed.group) for feed in SHARED_FEEDS]
        opml = self.opml_file(rows)
        self.command("import", str(opml), account.email, *(["-f"] if fetch else []))
        return account

    def opml_file(self, feeds: list[tuple[str, str, str]]) -> Path:
        """A new OPML file subscribing to (url, title, group) feeds; group "" is the top level."""
        path = self.directory / f"subscriptions-{next(self._files)}.opml"
        path.write_text(_opml(feeds), encoding="utf-8")
        return path

    def fetch(self) -> None:
        """Fetch every feed again now, as coldsweat's own scheduled fetch would.

        coldsweat skips a feed checked or updated in the last 3 minutes (MIN_FETCH_INTERVAL in
        its fetcher.py), so both times are forgotten first, in its database.
        """
        with closing(sqlite3.connect(self.database)) as db, db:
            db.execute("UPDATE feeds SET last_checked_on = NULL, last_updated_on = NULL")
        self.command("fetch")

    def command(self, *args: str) -> str:
        """Run `coldsweat ARGS` against this server's database; its output."""
        done = subprocess.run(
            [self.executable, *args],
            env=self.env,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        output = (done.stdout + done.stderr).decode(errors="replace")
        assert done.returncode == 0, f"coldsweat {' '.join(args)} failed:\n{output}"
        return output

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=COMMAND_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._temp.cleanup()

    def _wait_until_answering(self, *, last: bool) -> bool:
        """Poll the Fever endpoint until it answers (never a fixed sleep); False if coldsweat
        exited first (the port was taken meanwhile) and this was not the `last` attempt."""
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                if not last:
                    return False
                raise AssertionError(f"coldsweat exited:\n{self.log.read_text(errors='replace')}")
            try:
                if httpx.post(self.fever_url + "?api", timeout=REQUEST_TIMEOUT).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(POLL_SECONDS)
        raise AssertionError(f"coldsweat never answered:\n{self.log.read_text(errors='replace')}")


def running_coldsweat() -> Iterator[ColdsweatServer]:
    """A started ColdsweatServer and its feed server, both stopped afterwards."""
    feeds = LoopbackServer()
    server = ColdsweatServer(feeds)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        feeds.stop()


def fever_feed(name: str, count: int, *, title: str = "") -> str:
    """An RSS feed of `count` stories titled and guided "`name` N" (unique on the server),
    linking to pages that do not exist (a story's article is not what these tests are about)."""
    items = "".join(
        f"<item><title>{name} {n}</title><link>{{{{BASE}}}}/site/{name}-{n}.html</link>"
        f"<guid isPermaLink='false'>{name}-{n}</guid>"
        f"<pubDate>Tue, 20 May 2025 {n % 24:02d}:{n // 24 % 60:02d}:00 +0000</pubDate></item>"
        for n in range(count)
    )
    return (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title or name}</title>"
        f"<link>{{{{BASE}}}}/site/</link>{items}</channel></rss>"
    )


def _executable() -> str | None:
    """The coldsweat command next to this Python, else on PATH."""
    beside = Path(sys.executable).with_name("coldsweat")
    return str(beside) if beside.is_file() else shutil.which("coldsweat")


def _free_port() -> int:
    """A port free on 127.0.0.1 right now (coldsweat's `run` cannot be handed a socket)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _opml(feeds: list[tuple[str, str, str]]) -> str:
    """OPML subscribing to (url, title, group) feeds; group "" puts a feed at the top level."""
    outlines: dict[str, list[str]] = {}
    for url, title, group in feeds:
        line = f"<outline type='rss' text={quoteattr(title)} xmlUrl={quoteattr(url)}/>"
        outlines.setdefault(group, []).append(line)
    body = "".join(
        "".join(lines)
        if not group
        else f"<outline text={quoteattr(group)}>{''.join(lines)}</outline>"
        for group, lines in outlines.items()
    )
    return f"<?xml version='1.0'?><opml version='2.0'><head/><body>{body}</body></opml>"


def _id_set(ids: str) -> set[str]:
    """The ids of a Fever comma-separated id list."""
    return {part for part in ids.split(",") if part}
