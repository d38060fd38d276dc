"""Commands on the library and the settings file only (no network)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    LIST_TIME_FORMAT,
    STDIO,
    CommandError,
    _field,
    _os_reason,
    note,
    open_store,
)
from reader.config import Settings

if TYPE_CHECKING:
    from reader.store import MergedFeed


def feeds_list(settings: Settings) -> int:
    """Print the user's feeds, one a line: URL, tab, title."""
    from reader.sanitize import clean_line

    store = open_store(settings)
    try:
        subscriptions = store.subscriptions()
    finally:
        store.close()
    if not subscriptions:
        note("no feeds yet: the reader shows its built-in news feeds until you add one")
    sys.stdout.write("".join(f"{s.url}\t{clean_line(s.title)}\n" for s in subscriptions))
    return EXIT_OK


def feeds_remove(url: str, settings: Settings) -> int:
    """Unsubscribe from the feed at `url`."""
    store = open_store(settings)
    try:
        removed = store.unsubscribe(url.strip())
    finally:
        store.close()
    if not removed:
        raise CommandError(f"not subscribed to {url} (see `newsreader feeds list`)")
    note(f"unsubscribed from {url}")
    return EXIT_OK


def import_command(file: str, settings: Settings) -> int:
    """Subscribe to every feed of an OPML file, keeping its names and folders."""
    from reader.feeds import FeedError
    from reader.feeds.opml import parse_opml

    try:
        data = sys.stdin.buffer.read() if file == STDIO else Path(file).read_bytes()
        feeds = parse_opml(data)
    except OSError as error:
        raise CommandError(f"{file}: {_os_reason(error)}") from None
    except FeedError as error:
        raise CommandError(f"{file}: {error}") from None
    if not feeds:
        raise CommandError(f"{file}: no feeds in this OPML file")
    store = open_store(settings)
    try:
        # A title equal to the URL is a reader's placeholder, not a name worth keeping.
        merged = [
            store.merge_subscription(
                feed.url, name=feed.title if feed.title != feed.url else "", folder=feed.folder
            )
            for feed in feeds
        ]
    finally:
        store.close()
    note(f"imported {len(feeds)} feeds from {file}: {import_summary(merged)}")
    return EXIT_OK


def import_summary(merged: list[MergedFeed]) -> str:
    """What an import changed: "2 new, 1 updated (folder filled in for 1), 6 already there"."""
    new = sum(m.new for m in merged)
    names = sum(m.name_filled for m in merged)
    folders = sum(m.folder_filled for m in merged)
    updated = sum(m.name_filled or m.folder_filled for m in merged)
    filled = [f"name filled in for {names}" if names else ""]
    filled.append(f"folder filled in for {folders}" if folders else "")
    details = f" ({', '.join(filter(None, filled))})" if updated else ""
    there = len(merged) - new - updated
    kept = sum(m.kept_yours for m in merged)
    yours = f"; kept your own name or folder for {kept}" if kept else ""
    return f"{new} new, {updated} updated{details}, {there} already there{yours}"


def export_command(file: str, settings: Settings) -> int:
    """Write the user's feeds as OPML 2.0 to `file`, or to stdout."""
    from reader.feeds.opml import to_opml

    store = open_store(settings)
    try:
        subscriptions = store.subscriptions()
    finally:
        store.close()
    document = to_opml(subscriptions)
    if file == STDIO:
        sys.stdout.write(document)
    else:
        target = Path(file)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(document, encoding="utf-8")
            os.replace(temporary, target)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise CommandError(f"{file}: {_os_reason(error)}") from None
        note(f"exported {len(subscriptions)} feeds to {file}")
    if not subscriptions:
        note("you have no feeds yet: the OPML file lists none")
    return EXIT_OK


def list_command(settings: Settings, *, unread: bool, as_json: bool) -> int:
    """Print the stories of the feeds in use, newest first, from the library."""
    import time

    store = open_store(settings)
    try:
        feeds = store.feeds_in_use(settings.feeds)
        stories = store.stories(feeds, show="unread" if unread else "all")
    finally:
        store.close()
    if as_json:
        import json

        rows = [
            {
                "id": s.id,
                "title": s.title,
                "link": s.link,
                "source": s.source,
                "feed_url": s.feed_url,
                "author": s.author,
                "published": s.published.isoformat() if s.published else None,
                "read": s.is_read,
                "cached": s.is_cached,
                "saved": s.is_saved,
                "summary": s.summary,
            }
            for s in stories
        ]
        # One object a line: readable, grep-able, and written by json's C encoder, which
        # `indent` would switch off (3x slower on a 5,000-story library).
        encode = json.JSONEncoder(ensure_ascii=False).encode
        objects = ",\n".join(map(encode, rows))
        sys.stdout.write(f"[\n{objects}\n]\n" if rows else "[]\n")
        return EXIT_OK
    lines = (
        f"{time.strftime(LIST_TIME_FORMAT, time.gmtime(s.sort_time))}\t{_field(s.source)}\t"
        f"{_field(s.title)}\t{s.link or ''}\n"
        for s in stories
    )
    sys.stdout.write("".join(lines))
    return EXIT_OK


def config_command(action: str) -> int:
    """`config path` prints where the settings file is; `config check` reports its problems."""
    from reader.settings import config_path, load_config

    path = config_path()
    if action == "path":
        print(path)
        return EXIT_OK
    _config, problems = load_config(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return EXIT_FAILURE
    note(f"{path}: ok" if path.exists() else f"{path}: no settings file; using the defaults")
    return EXIT_OK


def cache_command(settings: Settings, action: str | None) -> int:
    """Print the library's size and counts, after pruning it when asked."""
    store = open_store(settings)
    try:
        if action == "prune":
            max_age_days, max_bytes = settings.retention_limits
            removed = store.prune(max_age_days=max_age_days, max_bytes=max_bytes)
            note(f"pruned {removed} cached articles")
        stats = store.stats()
    finally:
        store.close()
    print(f"library\t{stats.path}")
    print(f"size\t{stats.file_bytes / 1_048_576:.1f} MB")
    print(f"feeds\t{stats.feeds}")
    print(f"stories\t{stats.stories} ({stats.unread} unread, {stats.saved} saved)")
    print(f"articles\t{stats.articles} cached ({stats.article_bytes / 1_048_576:.1f} MB)")
    share = stats.picture_bytes / stats.file_bytes if stats.file_bytes else 0.0
    print(
        f"pictures\t{stats.pictures} cached ({stats.picture_bytes / 1_048_576:.1f} MB,"
        f" {share:.0%} of the library)"
    )
    return EXIT_OK
