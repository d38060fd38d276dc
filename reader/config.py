"""Where the library lives, which sources are read, and the limits every fetch obeys."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reader import __version__

APP_NAME = "newsreader"
DATA_DIR_ENV = "NEWSREADER_DATA_DIR"
USER_AGENT = f"newsreader/{__version__} (terminal news reader)"
SYNC_MAX_TIME = 300.0
"""Seconds a whole `newsreader sync` may take by default (`--max-time`). Ten feeds and a
200-article batch take well under two minutes on a slow line; five minutes leaves room for that
and ends long before the next run of a cron job every 15 minutes."""

DEFAULT_FEED_NAMES: dict[str, str] = {
    "https://feeds.bbci.co.uk/news/world/rss.xml": "BBC World",
    "https://feeds.npr.org/1001/rss.xml": "NPR News",
    "https://www.theguardian.com/world/rss": "The Guardian World",
    "https://www.aljazeera.com/xml/rss/all.xml": "Al Jazeera",
    "https://feeds.arstechnica.com/arstechnica/index": "Ars Technica",
    "https://www.theverge.com/rss/index.xml": "The Verge",
    "https://www.theregister.com/headlines.atom": "The Register",
    "https://www.sciencedaily.com/rss/top/science.xml": "ScienceDaily",
    "https://www.quantamagazine.org/feed/": "Quanta Magazine",
    "https://phys.org/rss-feed/": "Phys.org",
}
"""The built-in feeds by the names the README gives them, shown until a feed names itself."""
DEFAULT_FEEDS: tuple[str, ...] = tuple(DEFAULT_FEED_NAMES)
"""Public world, technology and science feeds (RSS and Atom), read until the user has their own."""


BUSY_TIMEOUT = 5.0
"""Seconds a write waits for another newsreader's write to finish before saying the library is
busy. The value the store always used (not re-tuned): a one-feed transaction is far shorter, and
a user told "busy" after 5 s has not waited long."""
PRIVATE_DIR_MODE = 0o700
"""Data and config directories we create: the user's reading history is nobody else's business."""
PRIVATE_FILE_MODE = 0o600
"""The library, its journals, set-aside copies and the settings file: owner read and write only."""


def make_private_dir(path: Path) -> None:
    """Create `path` (with any missing parents) so that only the user can enter it.

    A directory that already exists is left as it is: it may be one the user shares on purpose.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)


def make_private_file(path: Path) -> None:
    """Make a file of ours owner-only if it is open to others (made by an older version, or
    by a tool with a loose umask); a missing file or one we do not own is left alone."""
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_FILE_MODE)
    except (FileNotFoundError, PermissionError):
        pass


def default_data_dir() -> Path:
    """The library's directory: $NEWSREADER_DATA_DIR, else the platform's user data directory."""
    if override := os.environ.get(DATA_DIR_ENV):
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True, slots=True)
class Settings:
    """What one run of the app reads and how it fetches."""

    data_dir: Path = field(default_factory=default_data_dir)
    feeds: tuple[str, ...] | None = None
    """Feeds to read this run only (`--feed`); None reads the user's enabled feeds, or the
    defaults until they have some."""
    feed_timeout: float = 20.0
    """Seconds for one whole feed request, redirects and body included."""
    article_timeout: float = 30.0
    """Seconds for one whole article request."""
    max_article_bytes: int = 10 * 1024 * 1024
    """Decoded size cap for an article page (10 MB)."""
    max_feed_bytes: int = 10 * 1024 * 1024
    """Decoded size cap for a feed document."""
    max_connections: int = 8
    """Requests in flight at once across all feeds."""
    prefetch: bool = True
    """Fetch new stories' articles in the background after each refresh."""
    prefetch_pictures: bool = True
    """Keep each prefetched article's pictures too; off with `images = "off"`, since they would
    never be drawn."""
    prefetch_concurrency: int = 4
    """Articles prefetched at once."""
    prefetch_per_host: int = 2
    """Articles prefetched at once from any one site: polite to small servers."""
    retention_days: float = 30
    """Cached articles (and read stories) older than this are removed; saved ones never are.
    0 keeps them forever."""
    retention_max_mb: int = 500
    """The article cache is trimmed, oldest first, to this many megabytes; 0: no limit."""
    refresh_on_start: bool = True
    """Fetch every feed when the reader starts."""
    auto_refresh_minutes: int = 0
    """Refresh again every this many minutes while the reader runs; 0: never."""
    busy_timeout: float = BUSY_TIMEOUT
    """Seconds a write waits for another newsreader's write before saying the library is busy."""
    allow_private_network: bool = False
    """Let feeds at public addresses reach loopback, private and link-local addresses (by a
    redirect, or a link prefetch follows). Off: only feeds in the user's network may."""

    @property
    def database_path(self) -> Path:
        """The SQLite library file."""
        return self.data_dir / "library.sqlite3"

    @property
    def retention_limits(self) -> tuple[float, int]:
        """(max age in days, max bytes) for `Store.prune`; a setting of 0 means no limit."""
        return (
            self.retention_days or float("inf"),
            self.retention_max_mb * 1024 * 1024 if self.retention_max_mb else 2**62,
        )
