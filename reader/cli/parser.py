"""The command line's grammar: global options, commands and their options."""

from __future__ import annotations

import argparse
from pathlib import Path

from reader import __version__
from reader.cli.common import READ_FORMATS, STDIO
from reader.config import SYNC_MAX_TIME

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


GLOBAL_NOTE = (
    "Global options (--data-dir, --feed) go before or after the command: see newsreader --help."
)
"""The one line a command's --help says about the global options, listed only at the top."""


def _global_options(*, shown: bool) -> argparse.ArgumentParser:
    """The options every command accepts, as a parent parser; `shown` lists them in --help.

    They are accepted after the command too (`newsreader list --data-dir D`), so each command's
    parser has them, but only the top-level help lists them. With SUPPRESS as the default, a
    command's parser leaves a value given before it alone; `settings_from` reads them with getattr.
    (set_defaults would not do: it changes the shared actions' defaults.)
    """
    options = argparse.ArgumentParser(add_help=False)

    def help_(text: str) -> str:
        return text if shown else argparse.SUPPRESS

    options.add_argument(
        "--feed",
        metavar="URL",
        action="append",
        default=argparse.SUPPRESS,
        help=help_(
            "read only this feed for this run (repeatable); default: your feeds, or the "
            "built-in news feeds until you add some"
        ),
    )
    options.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help=help_(
            "where the library is kept (default: $NEWSREADER_DATA_DIR or the user data dir); "
            "its parent folder must exist"
        ),
    )
    return options


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then an optional command."""
    shown, hidden = _global_options(shown=True), _global_options(shown=False)
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader: stories from your feeds, articles cleaned and cached "
        "for offline reading.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[shown],
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str,
        help_: str,
        description: str,
        group: argparse._SubParsersAction[argparse.ArgumentParser] = commands,
    ) -> argparse.ArgumentParser:
        """A command (or, given its command's `group`, an action of it) with the global
        options and the note on them."""
        return group.add_parser(
            name, help=help_, description=description, epilog=GLOBAL_NOTE, parents=[hidden]
        )

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
    add = command(
        "add",
        "subscribe to a feed, or to the first feed a page announces",
        "Subscribe to the feed at URL. For an ordinary page, find its feeds (its "
        "<link rel=alternate> feeds, then common paths such as /feed and /rss.xml), take the "
        "first that works and say which on stderr. Prints the feed's URL.",
        feed_commands,
    )
    add.add_argument("url", metavar="URL")
    add.add_argument("--name", help="your name for the feed (default: the feed's own title)")
    add.add_argument("--folder", help="the folder to file it in; nest with /, as in Tech/Rust")
    command(
        "list",
        "print your feeds: URL, tab, title",
        "Print your feeds, one a line: URL, tab, title.",
        feed_commands,
    )
    remove = command(
        "remove",
        "unsubscribe from a feed",
        "Unsubscribe from the feed at URL and drop its stories.",
        feed_commands,
    )
    remove.add_argument("url", metavar="URL")

    account = command(
        "account",
        "add, list or remove feed server accounts (Fever API)",
        "Read the feeds of an account on a feed server that speaks the Fever API (FreshRSS, "
        "Miniflux, Tiny Tiny RSS, coldsweat...). Only the API key is kept, in accounts.json in "
        "the data directory, readable by you alone.",
    )
    account_commands = account.add_subparsers(
        dest="account_command", metavar="ACTION", required=True
    )
    account_add = command(
        "add",
        "add an account, checking it against the server first",
        "Check the email and password against the server at URL (its Fever API "
        "address), then keep the account's API key. The password is asked without echo, or "
        "read as one line from stdin with --password-stdin; it is never stored. Adding an "
        "account for an address that has one replaces it.",
        account_commands,
    )
    account_add.add_argument("kind", choices=("fever",), metavar="fever")
    account_add.add_argument("url", metavar="URL")
    account_add.add_argument("--user", required=True, metavar="EMAIL", help="your login")
    account_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin (scripts)"
    )
    command(
        "list",
        "print your accounts: kind, tab, URL, tab, user",
        "Print your accounts, one a line: kind, tab, URL, tab, user (never the key).",
        account_commands,
    )
    account_remove = command(
        "remove",
        "forget the account at URL",
        "Delete the account at URL and its API key from the accounts file, and take its "
        "feeds and stories out of the library (the server keeps them).",
        account_commands,
    )
    account_remove.add_argument("url", metavar="URL")

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
        "the end. A host that times out is skipped for the rest of the run. Exits 0 when every "
        "feed was updated, 1 when any failed or was left by --max-time (the summary names them).",
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


def _seconds(text: str) -> float:
    """A positive, finite number of seconds from the command line."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value
