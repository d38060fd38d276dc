"""The `newsreader` command: the TUI by default, and commands for scripts.

Textual is imported only when the TUI starts, and each command imports only what it uses, so
script commands answer in a few tens of milliseconds. Data goes to stdout and nothing else does:
notes and errors go to stderr, one line each, and the exit code says how it went.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.cli.account_commands import account_dispatch
from reader.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    _field,
    _os_reason,
    note,
    settings_from,
    user_config,
)
from reader.cli.fetching import feeds_add, read_command, sync_command
from reader.cli.library_commands import (
    cache_command,
    config_command,
    export_command,
    feeds_list,
    feeds_remove,
    import_command,
    list_command,
)
from reader.cli.parser import build_parser
from reader.config import Settings

if TYPE_CHECKING:
    from reader.settings import UserConfig

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "_field", "build_parser", "main"]


def run_app(settings: Settings, config: UserConfig, problems: list[str]) -> int:
    """Start the reader in the terminal; problems in the settings file are shown in it."""
    import sqlite3

    from reader.accounts.service import saved_accounts
    from reader.library import Library
    from reader.settings import config_path
    from reader.store import StoreError
    from reader.ui.app import NewsReaderApp
    from reader.ui.screens.stories import FIRST_PAGE

    library = Library(settings, accounts=saved_accounts(settings.data_dir))
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
        case "account":
            return account_dispatch(args)
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
