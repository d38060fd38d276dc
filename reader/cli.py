"""The `newsreader` command: the TUI by default, and commands for scripts.

Textual is imported only when the TUI starts, and each command imports only what it uses, so
script commands answer in a few tens of milliseconds. Data goes to stdout and nothing else does:
notes and errors go to stderr, one line each, and the exit code says how it went.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from reader import __version__
from reader.config import SYNC_MAX_TIME, Settings, default_data_dir

if TYPE_CHECKING:
    from reader.document import Document
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

EPILOG = """\
Run without a command to start the reader (press ? inside it for the keys).

exit status:
  0    success
  1    failure: network, feed, file or library error (one line on stderr)
  2    usage error: unknown command or option, missing argument
  130  interrupted (Ctrl-C)

Data goes to stdout; notes and errors go to stderr, so output can be piped.
See docs/cli.md for every command and docs/config.md for the settings file.
"""


class CommandError(Exception):
    """A command failed in a way the user should read: str(error) is the one-line reason."""


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then an optional command."""
    # Global options are accepted after the command too (`newsreader list --data-dir D`). With
    # SUPPRESS, a subcommand's parser leaves a value given before it alone; `settings_from` reads
    # them with getattr. (set_defaults would not do: it changes the shared actions' defaults.)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--feed",
        metavar="URL",
        action="append",
        default=argparse.SUPPRESS,
        help="read only this feed for this run (repeatable); default: your feeds, or the built-in "
        "news feeds until you add some",
    )
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="where the library is kept (default: $NEWSREADER_DATA_DIR or the user data dir)",
    )
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader: stories from your feeds, articles cleaned and cached "
        "for offline reading.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_, description=description, parents=[common])

    read = command(
        "read",
        "print the cleaned article at URL",
        "Fetch URL, clean it and print the article: as text (title, a meta line, then the body), "
        "Markdown, or JSON (metadata and typed blocks).",
    )
    read.add_argument("url", metavar="URL")
    read.add_argument("--format", choices=READ_FORMATS, default="text", help="default: text")

    stories = command(
        "list",
        "print the stories in the library, newest first",
        "Print the stories of the feeds in use, newest first, from the library (no network): one "
        "a line as UTC date, tab, source, tab, title, tab, link; or a JSON array with --json.",
    )
    stories.add_argument("--unread", action="store_true", help="only stories not yet read")
    stories.add_argument("--json", action="store_true", help="a JSON array of story objects")

    feeds = command("feeds", "add, list or remove feeds", "Manage the feeds you read.")
    feed_commands = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = feed_commands.add_parser(
        "add",
        help="subscribe to a feed, or to the first feed a page announces",
        description="Subscribe to the feed at URL. For an ordinary page, find its feeds (its "
        "<link rel=alternate> feeds, then common paths such as /feed and /rss.xml), take the "
        "first that works and say which on stderr. Prints the feed's URL.",
        parents=[common],
    )
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", help="your name for the feed (default: the feed's own title)")
    add.add_argument("--folder", help="the folder to file it in; nest with /, as in Tech/Rust")
    feed_commands.add_parser(
        "list",
        help="print your feeds: URL, tab, title",
        description="Print your feeds, one a line: URL, tab, title.",
        parents=[common],
    )
    remove = feed_commands.add_parser(
        "remove",
        help="unsubscribe from a feed",
        description="Unsubscribe from the feed at URL and drop its stories.",
        parents=[common],
    )
    remove.add_argument("url", metavar="URL")

    import_ = command(
        "import",
        "subscribe to the feeds of an OPML file",
        "Subscribe to every feed in an OPML file (- for stdin), keeping names and folders.",
    )
    import_.add_argument("file", metavar="FILE")
    export = command(
        "export",
        "write your feeds as OPML",
        "Write your feeds and folders as OPML 2.0 to FILE, or to stdout.",
    )
    export.add_argument("file", metavar="FILE", nargs="?", default=STDIO)

    sync = command(
        "sync",
        "refresh every feed and cache new articles, without the UI",
        "Refresh every feed, then fetch and clean the articles of new stories so they read "
        "offline. A progress bar on a terminal, quiet when piped (for cron), one summary line at "
        "the end. A host that times out is skipped for the rest of the run. Exits 1 only when "
        "every source failed.",
    )
    sync.add_argument(
        "--max-time",
        type=_seconds,
        default=SYNC_MAX_TIME,
        metavar="SECONDS",
        help=f"stop the whole run after this long (default: {SYNC_MAX_TIME:g})",
    )
    cache = command(
        "cache",
        "show what the library holds, or prune it",
        "Print the library's size and counts; `cache prune` applies the retention limits now "
        "(retention_days and retention_max_mb in the settings file; saved stories are kept).",
    )
    cache.add_argument("cache_command", nargs="?", choices=("prune",), metavar="prune")

    config = command("config", "the settings file", "Where the settings file is, and check it.")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    config_commands.add_parser(
        "path",
        help="print where the settings file is (or would be)",
        description="Print the settings file's path ($NEWSREADER_CONFIG overrides it).",
    )
    config_commands.add_parser(
        "check",
        help="report problems in the settings file",
        description="Print each problem in the settings file on stderr; exit 1 if there are any.",
    )
    return parser


def settings_from(args: argparse.Namespace, config: UserConfig | None = None) -> Settings:
    """Settings for this run from the command line, and from the settings file when given."""
    data_dir: Path | None = getattr(args, "data_dir", None)
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
        prefetch_concurrency=config.prefetch_concurrency,
        prefetch_per_host=config.prefetch_per_host,
        retention_days=config.retention_days,
        retention_max_mb=config.retention_max_mb,
        refresh_on_start=config.refresh_on_start,
        auto_refresh_minutes=config.auto_refresh_minutes,
        allow_private_network=config.allow_private_network,
    )


def user_config() -> UserConfig:
    """The settings file's values; each problem in it is reported on stderr, defaults used."""
    from reader.settings import load_config

    config, problems = load_config()
    for problem in problems:
        note(problem)
    return config


def note(message: str) -> None:
    """Tell the user something on stderr, keeping stdout for data."""
    from reader.sanitize import clean_line

    print(f"newsreader: {clean_line(message, MAX_MESSAGE_CHARS)}", file=sys.stderr)


def run_async(coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run an async command body; asyncio is imported only by commands that need it."""
    import asyncio

    return asyncio.run(coroutine())


def open_store(settings: Settings) -> Store:
    """The library database of this data directory."""
    from reader.store import Store

    return Store(settings.database_path, busy_timeout=settings.busy_timeout)


# Commands that fetch


def read_command(url: str, settings: Settings, output_format: str = "text") -> int:
    """Print the cleaned article at `url` in `output_format`; exit 1 when there is none.

    The page is cleaned in a worker process, as in the reader, so a hostile page costs at most
    the cleaner's deadline and memory cap before the one-line error.
    """
    from reader.cleaner import CleanError, PageCleaner
    from reader.config import USER_AGENT
    from reader.net import FetchError, HttpClient
    from reader.pages import fetch_page
    from reader.sanitize import clean_line

    async def fetch() -> Document:
        # Made first: the worker's server process starts (and imports the cleaner) while the
        # page downloads.
        cleaner = PageCleaner(processes=1)
        try:
            async with HttpClient(
                user_agent=USER_AGENT, allow_private_network=settings.allow_private_network
            ) as client:
                result = await fetch_page(client, url, settings)
            document, _text = await cleaner.clean(
                result.content, result.url, result.headers.get("content-type")
            )
        finally:
            cleaner.close()
        if not document.is_article and not document.blocks:
            raise FetchError(document.note or "no article found on the page")
        return document

    try:
        document = run_async(fetch)
    except (FetchError, CleanError) as error:
        raise CommandError(f"{clean_line(url, 200)}: {error}") from None
    if output_format == "markdown":
        from reader.formats import to_markdown

        text = to_markdown(document)
    elif output_format == "json":
        import json

        text = json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        from reader.document import to_plain_text

        text = to_plain_text(document)
    sys.stdout.write(text)
    return EXIT_OK


def feeds_add(url: str, settings: Settings, *, name: str | None, folder: str | None) -> int:
    """Subscribe to the feed at `url`, or the first working feed the page there announces."""
    from reader.config import USER_AGENT
    from reader.feeds import FeedError, ParsedFeed
    from reader.feeds.discover import DiscoveredFeed, discover_feeds, fetch_feed
    from reader.net import FetchError, HttpClient

    async def find() -> tuple[DiscoveredFeed, ParsedFeed, int]:
        async with HttpClient(
            user_agent=USER_AGENT,
            max_connections=settings.max_connections,
            allow_private_network=settings.allow_private_network,
        ) as client:
            found = await discover_feeds(client, url)
            for candidate in found:
                try:
                    feed = candidate.feed or await fetch_feed(
                        client, candidate.url, timeout=settings.feed_timeout
                    )
                except (FetchError, FeedError) as error:
                    note(f"skipping {candidate.url}: {error}")
                    continue
                return candidate, feed, len(found)
        raise FeedError(f"none of the {len(found)} feeds the page links to could be read")

    try:
        chosen, feed, count = run_async(find)
    except (FetchError, FeedError) as error:
        raise CommandError(f"{url}: {error}") from None
    if chosen.via != "address":
        how = "linked from the page" if chosen.via == "link" else "at a common feed path"
        title = f" ({chosen.title or feed.title})" if chosen.title or feed.title else ""
        others = f"; {count - 1} more found: add one by its URL to choose it" if count > 1 else ""
        note(f"found the feed {chosen.url}{title} {how}{others}")
    store = open_store(settings)
    try:
        added = store.subscribe(chosen.url, name=_name(name), folder=_folder(folder))
        new_stories = store.save_feed(chosen.url, feed)
        carried = store.carried_stories(chosen.url)
    finally:
        store.close()
    what = "subscribed to" if added else "already subscribed to"
    note(f"{what} {feed.title or chosen.url}: {carried} stories ({new_stories} new)")
    print(chosen.url)
    return EXIT_OK


# Commands on the library only (no network)


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
        new = sum(
            store.subscribe(
                feed.url, name=feed.title if feed.title != feed.url else "", folder=feed.folder
            )
            for feed in feeds
        )
    finally:
        store.close()
    note(f"imported {len(feeds)} feeds from {file} ({new} new)")
    return EXIT_OK


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


def sync_command(settings: Settings, max_time: float) -> int:
    """Refresh and prefetch without the UI, for at most `max_time` seconds; 1 only when every
    source failed or the library could not store."""
    from reader.sync import run_sync

    return run_sync(settings, max_time=max_time)


def _seconds(text: str) -> float:
    """A positive, finite number of seconds from the command line."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


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
    return EXIT_OK


def run_app(settings: Settings, config: UserConfig, problems: list[str]) -> int:
    """Start the reader in the terminal; problems in the settings file are shown in it."""
    import sqlite3

    from reader.library import Library
    from reader.settings import config_path
    from reader.store import StoreError
    from reader.ui.app import NewsReaderApp
    from reader.ui.screens.stories import FIRST_PAGE

    library = Library(settings)
    try:
        # Read before the app starts, so its first frame already lists them (one frame sooner
        # than a worker's answer); a problem is left for the app to show.
        first_page = library.newest_stories(FIRST_PAGE)
    except (StoreError, sqlite3.Error):
        first_page = None
    app = NewsReaderApp(
        library,
        config=config,
        problems=problems,
        config_file=config_path(),
        first_page=first_page,
    )
    app.run()
    return app.return_code or EXIT_OK


def dispatch(args: argparse.Namespace) -> int:
    """Run the script command `args` names; raises CommandError, OSError or sqlite3.Error."""
    settings = settings_from(args)
    match args.command:
        case "read":
            return read_command(args.url, settings_from(args, user_config()), args.format)
        case "list":
            return list_command(settings, unread=args.unread, as_json=args.json)
        case "feeds" if args.feeds_command == "add":
            return feeds_add(
                args.url, settings_from(args, user_config()), name=args.name, folder=args.folder
            )
        case "feeds" if args.feeds_command == "list":
            return feeds_list(settings)
        case "feeds":
            return feeds_remove(args.url, settings)
        case "import":
            return import_command(args.file, settings)
        case "export":
            return export_command(args.file, settings)
        case "config":
            return config_command(args.config_command)
        case "sync":
            return sync_command(settings_from(args, user_config()), args.max_time)
        case "cache":
            return cache_command(settings_from(args, user_config()), args.cache_command)
    raise AssertionError(f"unhandled command: {args.command}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsreader` command; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error (already printed)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    import sqlite3

    try:
        if args.command is None:
            from reader.settings import load_config

            config, problems = load_config()
            return run_app(settings_from(args, config), config, problems)
        return dispatch(args)
    except CommandError as error:
        note(str(error))
    except sqlite3.Error as error:
        note(f"library {settings_from(args).database_path}: {error}")
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            # The reader of our output left (`| head`): not an error. Point stdout at devnull
            # so the interpreter's final flush does not complain on stderr.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK
        note(_os_reason(error))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:
        # The store is imported here, not up front: commands that never open it start faster.
        from reader.store import StoreError

        if not isinstance(error, StoreError):
            raise
        note(str(error))  # The library is busy, read-only, full or damaged: already one line.
    return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
