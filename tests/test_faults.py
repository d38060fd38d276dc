"""Faults the user must hear about: a full disk, a busy or read-only library, file permissions.

Every fault is real: SQLite's own page limit (SQLITE_FULL), a second connection holding the
write lock, a folder the user cannot write, checked with os.stat.
"""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback import LoopbackServer

from reader.cli import EXIT_FAILURE, EXIT_OK, main
from reader.config import Settings
from reader.feeds import FeedEntry, ParsedFeed
from reader.library import Library
from reader.settings import save_config
from reader.store import Store, StoreError
from reader.sync import _Progress, sync

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUICK_BUSY_TIMEOUT = 0.2
"""Seconds a write waits for the lock in these tests: the default (5 s) would only slow them."""
NOBODY = 65534
"""The unprivileged user a root test run drops to, since chmod does not stop root writing."""


def entry(n: int, *, body: str = "") -> FeedEntry:
    return FeedEntry(
        id=f"id-{n}",
        title=f"Story {n}",
        link=f"https://example.org/{n}",
        published=datetime(2025, 1, 1 + n % 28, tzinfo=UTC),
        summary=body or f"Summary {n}",
        content_html="",
        author="",
    )


def feed(*entries: FeedEntry) -> ParsedFeed:
    return ParsedFeed(title="Example", link="https://example.org/", entries=list(entries))


def fill_disk(store: Store) -> None:
    """Let the library grow no more: SQLite's max_page_count gives the SQLITE_FULL a full disk
    gives, on this connection only."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")


def big_rss(count: int, words: int = 400) -> str:
    """A feed whose stories need many new pages: more than a full library can take."""
    items = "".join(
        f"<item><title>Long story {n}</title><link>https://example.org/long/{n}</link>"
        f"<guid>long-{n}</guid><description>{' '.join(['harbour'] * words)} {n}</description>"
        "</item>"
        for n in range(count)
    )
    channel = f"<channel><title>Long</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


# Disk full


def test_a_full_disk_says_so_and_keeps_what_was_stored(tmp_path: Path) -> None:
    store = Store(tmp_path / "library.sqlite3")
    store.save_feed("https://example.org/feed", feed(entry(1), entry(2)))
    fill_disk(store)
    big = feed(*(entry(n, body="word " * 2000) for n in range(3, 40)))
    with pytest.raises(StoreError, match="the disk is full") as raised:
        store.save_feed("https://example.org/feed", big)
    assert "rollback" not in str(raised.value)
    assert [s.title for s in store.stories()] == ["Story 2", "Story 1"]
    # No transaction left open: a small write that fits still works.
    store.set_read(store.stories()[0].id)
    assert store.stories(show="unread")[0].title == "Story 1"
    store.close()


def test_sync_on_a_full_disk_says_so_and_finishes_its_summary(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    small = http_server.url("/feeds/rss2.xml")
    long = http_server.route("/long.xml", body=big_rss(60), headers={"Content-Type": "text/xml"})
    settings = Settings(data_dir=tmp_path, feeds=(small, long), prefetch=False)
    store = Store(settings.database_path)
    store.save_feed(small, feed(entry(1)))
    fill_disk(store)
    err = io.StringIO()

    async def run() -> object:
        library = Library(settings, store=store)
        try:
            return await sync(library, _Progress(err))
        finally:
            await library.aclose()

    report = asyncio.run(run())
    assert report.store_error is not None and "the disk is full" in report.store_error
    assert report.summary().endswith("0 articles cached")
    assert "newsreader: the disk is full" in err.getvalue()
    assert "rollback" not in err.getvalue()
    again = Store(settings.database_path)
    assert "Story 1" in [s.title for s in again.stories()]
    again.close()


def test_an_article_fetched_on_a_full_disk_is_shown_and_says_it_was_not_cached(
    http_server: LoopbackServer, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, feeds=(), prefetch=False)
    store = Store(settings.database_path)
    fill_disk(store)
    url = http_server.url("/site/quiet-harbour.html")

    async def run() -> object:
        library = Library(settings, store=store)
        try:
            return await library.open_url(url)
        finally:
            await library.aclose()

    outcome = asyncio.run(run())
    assert outcome.document is not None and outcome.document.blocks
    assert outcome.store_error is not None and "the disk is full" in outcome.store_error


# Busy


@pytest.fixture
def write_lock_held(tmp_path: Path) -> Iterator[Path]:
    """A library whose write lock another connection holds (as another newsreader would)."""
    path = tmp_path / "data" / "library.sqlite3"
    store = Store(path)
    store.save_feed("https://example.org/feed", feed(entry(1), entry(2)))
    store.subscribe("https://example.org/feed")
    store.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield path
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_busy_library_opens_reads_and_says_a_write_must_wait(write_lock_held: Path) -> None:
    store = Store(write_lock_held, busy_timeout=QUICK_BUSY_TIMEOUT)
    assert [s.title for s in store.stories()] == ["Story 2", "Story 1"]
    with pytest.raises(StoreError) as raised:
        store.set_read(store.stories()[0].id)
    assert str(raised.value) == "the library is busy in another newsreader; try again"
    store.close()


def test_list_works_while_another_newsreader_writes(
    write_lock_held: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--data-dir", str(write_lock_held.parent), "list"])
    out, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert "Story 2" in out and "Story 1" in out


def test_a_busy_library_stops_a_sync_at_its_first_write_and_says_so_once(
    write_lock_held: Path, http_server: LoopbackServer
) -> None:
    feeds = tuple(
        http_server.url(f"/feeds/{name}") for name in ("rss2.xml", "atom.xml", "rss1.xml")
    )
    settings = Settings(data_dir=write_lock_held.parent, feeds=feeds, prefetch=False)
    store = Store(write_lock_held, busy_timeout=QUICK_BUSY_TIMEOUT)
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    err = io.StringIO()

    async def run() -> object:
        library = Library(settings, store=store)
        try:
            return await sync(library, _Progress(err))
        finally:
            await library.aclose()

    report = asyncio.run(run())
    assert report.store_error == "the library is busy in another newsreader; try again"
    assert report.summary().startswith("0/3 feeds updated")
    # One write waited out the timeout; the feeds after it did not each wait again.
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert err.getvalue().count("busy in another newsreader") == 1


# Read-only


def test_a_read_only_library_reads_and_refuses_every_write_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "library.sqlite3"
    writable = Store(path)
    writable.save_feed("https://example.org/feed", feed(entry(1)))
    writable.close()
    store = Store(path, read_only=True)
    assert store.read_only
    assert [s.title for s in store.stories()] == ["Story 1"]
    for write in (
        lambda: store.set_read(1),
        lambda: store.subscribe("https://example.org/other"),
        lambda: store.save_feed("https://example.org/feed", feed(entry(2))),
    ):
        with pytest.raises(StoreError, match="is read-only: changes cannot be saved"):
            write()
    assert [s.title for s in store.stories()] == ["Story 1"]
    store.close()


def _run_cli_without_write_access(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`newsreader ARGS` in a process that cannot write `data_dir` for real: as root, one that
    has dropped to an unprivileged user (root's writes ignore file modes)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "NEWSREADER_CONFIG": str(data_dir / "no-config.toml"),
        "NEWSREADER_DATA_DIR": str(data_dir),
    }
    if os.geteuid() != 0:
        command = [sys.executable, "-m", "reader", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    def drop_privileges() -> None:
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    # Our interpreter may live where that user cannot go (a venv under /root): any Python 3.11+
    # it can run will do, since the script commands need nothing outside the standard library.
    for python in (sys.executable, shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")):
        probe = [
            str(python),
            "-c",
            "import sys; assert sys.version_info >= (3, 11); import reader.cli",
        ]
        try:
            usable = subprocess.run(
                probe, env=env, preexec_fn=drop_privileges, capture_output=True, timeout=120
            )
        except OSError:
            continue
        if usable.returncode == 0:
            return subprocess.run(
                [str(python), "-m", "reader", *args],
                env=env,
                preexec_fn=drop_privileges,
                capture_output=True,
                text=True,
                timeout=120,
            )
    pytest.skip("no Python an unprivileged user can run imports this checkout")


@pytest.fixture
def read_only_data_dir() -> Iterator[Path]:
    """A data directory holding a library, which its owner can read but not write."""
    parent = Path(tempfile.mkdtemp(prefix="newsreader-ro-"))
    data_dir = parent / "data"
    store = Store(data_dir / "library.sqlite3")
    store.save_feed("https://example.org/feed", feed(entry(1), entry(2)))
    store.subscribe("https://example.org/feed")
    store.close()
    if os.geteuid() == 0:
        for path in (parent, data_dir, *data_dir.iterdir()):
            os.chown(path, NOBODY, NOBODY)
    data_dir.chmod(0o500)
    try:
        yield data_dir
    finally:
        data_dir.chmod(0o700)
        shutil.rmtree(parent)


def test_commands_on_a_read_only_folder_read_and_say_why_they_cannot_write(
    read_only_data_dir: Path,
) -> None:
    listed = _run_cli_without_write_access(read_only_data_dir, "list")
    assert listed.returncode == EXIT_OK, listed.stderr
    assert "Story 1" in listed.stdout and "Story 2" in listed.stdout
    removed = _run_cli_without_write_access(
        read_only_data_dir, "feeds", "remove", "https://example.org/feed"
    )
    assert removed.returncode == EXIT_FAILURE
    assert removed.stderr.splitlines() == [
        f"newsreader: the library {read_only_data_dir / 'library.sqlite3'} is read-only:"
        " changes cannot be saved"
    ]


# Permissions


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The common umask (022), under which files are made world-readable unless we say not."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_library_is_private_to_its_user(tmp_path: Path, loose_umask: None) -> None:
    data_dir = tmp_path / "new" / "data"
    store = Store(data_dir / "library.sqlite3")
    store.save_feed("https://example.org/feed", feed(entry(1)))
    assert mode(data_dir) == 0o700
    for suffix in ("", "-wal", "-shm"):
        assert mode(data_dir / f"library.sqlite3{suffix}") == 0o600, suffix
    store.close()


def test_an_older_world_readable_library_is_made_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "library.sqlite3"
    Store(path).close()
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    Store(path).close()
    assert mode(path) == 0o600
    assert mode(tmp_path) == 0o755  # a folder that already existed is the user's to choose


def test_a_damaged_library_set_aside_stays_private(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "library.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    path.chmod(0o644)
    store = Store(path)
    assert store.recovered_from is not None
    assert mode(store.recovered_from) == 0o600
    assert mode(path) == 0o600
    store.close()


def test_the_settings_file_is_private_to_its_user(tmp_path: Path, loose_umask: None) -> None:
    path = tmp_path / "config" / "newsreader" / "config.toml"
    save_config(path, theme="nord")
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
