"""What every command shares: exit codes, limits, messages on stderr, the settings and the store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from reader.config import Settings, default_data_dir

if TYPE_CHECKING:
    from reader.settings import UserConfig
    from reader.store import Store

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
"""Ctrl-C, as shells report a process killed by SIGINT (128 + 2)."""

MAX_MESSAGE_CHARS = 300
"""Longest error detail printed: one line on a terminal, whatever a server said."""
MAX_NAME_CHARS = 200
"""Longest feed or folder name accepted from the command line."""
READ_FORMATS = ("text", "markdown", "json")
LIST_TIME_FORMAT = "%Y-%m-%d %H:%M"
"""Story times in `list`: UTC to the minute, sortable as text."""
STDIO = "-"
"""The file name meaning stdin (for `import`) or stdout (for `export`)."""


class CommandError(Exception):
    """A command failed in a way the user should read: str(error) is the one-line reason."""


def settings_from(args: argparse.Namespace, config: UserConfig | None = None) -> Settings:
    """Settings for this run from the command line, and from the settings file when given."""
    data_dir: Path | None = getattr(args, "data_dir", None)
    if data_dir is not None:
        check_data_dir(data_dir)
    feeds: list[str] | None = getattr(args, "feed", None)
    settings = Settings(
        data_dir=data_dir or default_data_dir(),
        feeds=tuple(feeds) if feeds else None,
    )
    if config is None:
        return settings
    return replace(
        settings,
        prefetch=config.prefetch,
        prefetch_pictures=config.images != "off",
        prefetch_concurrency=config.prefetch_concurrency,
        prefetch_per_host=config.prefetch_per_host,
        retention_days=config.retention_days,
        retention_max_mb=config.retention_max_mb,
        refresh_on_start=config.refresh_on_start,
        auto_refresh_minutes=config.auto_refresh_minutes,
        allow_private_network=config.allow_private_network,
    )


def check_data_dir(data_dir: Path) -> None:
    """Refuse a `--data-dir` that cannot be a library folder, before anything is created.

    The store creates its folder, but only the last component of one given on the command line:
    a typo such as /nonexistent/x/y must not silently become a deep tree of new folders.
    """
    if data_dir.exists() and not data_dir.is_dir():
        raise CommandError(f"--data-dir {data_dir}: exists and is not a folder")
    if not data_dir.exists() and not data_dir.parent.is_dir():
        raise CommandError(
            f"--data-dir {data_dir}: its parent folder {data_dir.parent} does not exist "
            "(create it first)"
        )


def user_config() -> UserConfig:
    """The settings file's values; each problem in it is reported on stderr, defaults used."""
    from reader.settings import load_config

    config, problems = load_config()
    for problem in problems:
        note(problem)
    return config


def note(message: str, stream: TextIO | None = None) -> None:
    """Tell the user something on stderr (or `stream`), keeping stdout for data."""
    from reader.sanitize import clean_line

    print(f"newsreader: {clean_line(message, MAX_MESSAGE_CHARS)}", file=stream or sys.stderr)


def run_async(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async command body; asyncio is imported only by commands that need it."""
    import asyncio

    return asyncio.run(coroutine())


def open_store(settings: Settings) -> Store:
    """The library database of this data directory."""
    from reader.store import Store

    store = Store(settings.database_path, busy_timeout=settings.busy_timeout)
    if store.recovery_note:
        note(store.recovery_note)
    return store


def _field(text: str) -> str:
    """`text` safe as one tab-separated field: no tab, newline or control character."""
    from reader.sanitize import clean_line, needs_cleaning

    # Stored text is sanitized already; needs_cleaning is a C-speed check that it still is (and
    # holds no tab or newline), where clean_line on every field cost 18 ms on a 5,000-story list.
    return clean_line(text) if needs_cleaning(text) else text


def _name(text: str | None) -> str:
    from reader.sanitize import clean_line

    return clean_line(text, MAX_NAME_CHARS)


def _folder(text: str | None) -> str:
    """A folder path as the store keeps it: names joined by "/", no empty or padded names."""
    return "/".join(filter(None, (_name(part) for part in (text or "").split("/"))))


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
