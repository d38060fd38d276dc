"""The `newsreader` command: the TUI by default, `read URL` for scripts.

Textual is imported only when the TUI starts, so script commands answer fast.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from reader import __version__
from reader.config import Settings, default_data_dir

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """The command line: global options, then an optional command."""
    parser = argparse.ArgumentParser(
        prog="newsreader",
        description="A terminal news reader: stories from your feeds, articles cleaned and cached "
        "for offline reading.",
        epilog="Run without a command to start the reader. Keys: press ? inside the app.",
    )
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    parser.add_argument(
        "--feed",
        metavar="URL",
        action="append",
        help="read only this feed for this run (repeatable); default: the built-in news feeds",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        help="where the library is kept (default: $NEWSREADER_DATA_DIR or the user data dir)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    read = commands.add_parser(
        "read",
        help="print the cleaned article at URL as plain text",
        description=(
            "Fetch URL, clean it and print the article: title, a meta line, then the body."
        ),
    )
    read.add_argument("url", metavar="URL")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings for this run from the parsed command line."""
    return Settings(
        data_dir=args.data_dir or default_data_dir(),
        feeds=tuple(args.feed) if args.feed else None,
    )


def read_command(url: str, settings: Settings) -> int:
    """Print the cleaned article at `url`; a one-line error and exit 1 when there is none."""
    from reader.config import USER_AGENT
    from reader.document import to_plain_text
    from reader.library import fetch_article
    from reader.net import FetchError, HttpClient
    from reader.sanitize import clean_line

    async def fetch() -> str:
        async with HttpClient(user_agent=USER_AGENT) as client:
            document = await fetch_article(client, url, settings)
        if not document.is_article and not document.blocks:
            raise FetchError(document.note or "no article found on the page")
        return to_plain_text(document)

    try:
        text = asyncio.run(fetch())
    except FetchError as error:
        print(f"newsreader: {clean_line(url, 200)}: {clean_line(str(error), 300)}", file=sys.stderr)
        return EXIT_FAILURE
    sys.stdout.write(text)
    return EXIT_OK


def run_app(settings: Settings) -> int:
    """Start the reader in the terminal."""
    from reader.library import Library
    from reader.ui.app import NewsReaderApp

    app = NewsReaderApp(Library(settings))
    app.run()
    return app.return_code or EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsreader` command."""
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    if args.command == "read":
        return read_command(args.url, settings)
    return run_app(settings)


if __name__ == "__main__":
    sys.exit(main())
