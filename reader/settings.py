"""The user's settings file: a TOML file in the user config directory, read forgivingly.

A broken settings file must never stop the reader from starting: `load_config` always returns a
usable `UserConfig` (the defaults for anything it could not read) together with one clear message
per problem, naming the file, the line and the key. `save_config` changes single values in place so
the user's comments, ordering and other keys survive the app saving its theme.

No UI imports here: the app, the CLI and the tests all read the same file the same way.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from reader.actions import ACTIONS, BUILTIN_THEMES, key_collisions
from reader.config import APP_NAME, PRIVATE_FILE_MODE, make_private_dir, make_private_file
from reader.sanitize import clean_line, needs_cleaning

CONFIG_ENV = "NEWSREADER_CONFIG"
"""Environment variable naming another settings file (tests, several profiles)."""
CONFIG_FILE_NAME = "config.toml"
KEYS_TABLE = "keys"
"""The table that remaps actions to keys: `[keys]` then `action = "key"`."""

MIN_READING_WIDTH = 30
"""Narrower than this and a line holds four or five words: not readable, surely a typo."""
MAX_READING_WIDTH = 200
"""The widest column the reading view sets: lines of 200 characters are already past reading
(the app's `+` stops there too), so a larger value is a typo."""
MAX_MESSAGE_CHARS = 400
"""Longest problem message: a path, a line number, a key and a short explanation."""
MAX_CONCURRENCY = 32
"""Upper bound for prefetch limits: more parallel article fetches only hammers servers."""
IMAGE_MODES = ("auto", "kitty", "sixel", "halfcell", "off")
"""How pictures are drawn: detected, one protocol, coloured half-blocks, or not at all."""

# Action names are identifiers (Textual's `action_*` names); key names are Textual's ("ctrl+r",
# "question_mark"), several separated by commas, no spaces.
_ACTION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?")
_KEY_LIST = re.compile(r"[^\s,]+(?:,[^\s,]+)*")

KEY_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
"""What may come before a key, joined by "+": "ctrl+shift+up"."""
NAMED_KEYS = frozenset(
    {"escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end"}
    | {"pageup", "pagedown", "up", "down", "left", "right"}
    | {f"f{number}" for number in range(1, 25)}
)
"""Textual's names for the keys that type no character (textual.keys.Keys)."""
PUNCTUATION_KEYS = {
    "!": "exclamation_mark", '"': "quotation_mark", "#": "number_sign", "$": "dollar_sign",
    "%": "percent_sign", "&": "ampersand", "'": "apostrophe", "(": "left_parenthesis",
    ")": "right_parenthesis", "*": "asterisk", "+": "plus", ",": "comma", "-": "minus",
    ".": "full_stop", "/": "slash", ":": "colon", ";": "semicolon", "<": "less_than_sign",
    "=": "equals_sign", ">": "greater_than_sign", "?": "question_mark", "@": "at",
    "[": "left_square_bracket", "\\": "backslash", "]": "right_square_bracket",
    "^": "circumflex_accent", "_": "underscore", "`": "grave_accent", "{": "left_curly_bracket",
    "|": "vertical_line", "}": "right_curly_bracket", "~": "tilde",
}  # fmt: skip
"""The name Textual gives each ASCII punctuation key: a binding must use the name, not the sign."""
_PUNCTUATION_NAMES = frozenset(PUNCTUATION_KEYS.values())
_TABLE_HEADER = re.compile(r"\s*\[\s*([^\]]*?)\s*\]")
_KEY_LINE = r"\s*(?:{bare}|\"{bare}\"|'{bare}')\s*="


@dataclass(frozen=True, slots=True)
class UserConfig:
    """Everything the user can set in config.toml, each with the default used when it is absent."""

    theme: str = "textual-dark"
    """The colour theme: any Textual theme name, e.g. "textual-light", "nord", "gruvbox"."""
    reading_width: int = 72
    """Widest line of article text, in columns: long lines are hard to follow."""
    refresh_on_start: bool = True
    """Fetch every feed when the reader starts."""
    auto_refresh_minutes: int = 0
    """Fetch every feed again every this many minutes while the reader is open; 0 turns it off."""
    prefetch: bool = True
    """Fetch and clean new stories' articles in the background: they open instantly, and offline."""
    prefetch_concurrency: int = 4
    """Articles prefetched at once, across all sites."""
    prefetch_per_host: int = 2
    """Articles prefetched at once from any one site, to stay polite."""
    retention_days: int = 30
    """Stories and cached articles older than this many days are removed; 0 keeps them forever."""
    retention_max_mb: int = 500
    """Largest size of the article cache in megabytes, oldest removed first; 0 means no limit."""
    images: str = "auto"
    """How articles' pictures are drawn: "auto" (the best the terminal supports), "kitty",
    "sixel", "halfcell" (coloured half-blocks, any true-colour terminal and tmux) or "off"."""
    allow_private_network: bool = False
    """Let a feed at a public address make the reader request addresses in your own network
    (localhost, 192.168.x.x, 10.x.x.x, cloud metadata): off, only feeds there may."""
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Action name → keys, from the `[keys]` table: `refresh = "ctrl+r"`. Several keys are separated
    by commas ("j,down"). Actions not listed keep their default keys."""


DEFAULTS = UserConfig()
"""The settings used when there is no file, and for each invalid value in one."""

_SCALARS: dict[str, type] = {
    f.name: type(getattr(DEFAULTS, f.name))
    for f in dataclasses.fields(UserConfig)
    if f.name != KEYS_TABLE
}
"""Top-level keys and the TOML type each must have (bool, int or str)."""

_RANGES: dict[str, tuple[int, int | None]] = {
    "reading_width": (MIN_READING_WIDTH, MAX_READING_WIDTH),
    "auto_refresh_minutes": (0, None),
    "prefetch_concurrency": (1, MAX_CONCURRENCY),
    "prefetch_per_host": (1, MAX_CONCURRENCY),
    "retention_days": (0, None),
    "retention_max_mb": (0, None),
}
"""Inclusive bounds of integer settings (None: no upper bound)."""
_CHOICES: dict[str, tuple[str, ...]] = {"images": IMAGE_MODES}
"""String settings that take one of a few words."""

_TYPE_NAMES = {bool: "true or false", int: "a whole number", str: "a string"}


def config_path() -> Path:
    """The settings file: $NEWSREADER_CONFIG, else config.toml in the user config directory."""
    if override := os.environ.get(CONFIG_ENV):
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False) / CONFIG_FILE_NAME


def load_config(
    path: Path | None = None, *, actions: Collection[str] | None = None
) -> tuple[UserConfig, list[str]]:
    """The settings in `path` (default: `config_path()`) and a message for each problem found.

    Never raises: a missing file is the defaults with no message; an unreadable or malformed file
    is the defaults with one message; each bad value falls back to its default with its own
    message, and the rest of the file still applies. A `[keys]` entry naming no action of
    `actions` (default: reader.actions.ACTIONS, the UI's binding ids) or taking a key another
    action of the same screen has is reported and dropped, and so is a theme Textual lacks.
    """
    path = config_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DEFAULTS, []
    except (OSError, UnicodeDecodeError) as error:
        return DEFAULTS, [
            _message(f"{path}: cannot read the file ({_reason(error)}); using defaults")
        ]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line N, column M)", which is what the user needs.
        return DEFAULTS, [_message(f"{path}: not valid TOML: {error}; using defaults")]
    return _from_table(data, text, path, actions)


def _from_table(
    data: dict[str, Any], text: str, path: Path, actions: Collection[str] | None
) -> tuple[UserConfig, list[str]]:
    """A UserConfig from a parsed TOML document, each bad entry reported and left at default."""
    messages: list[str] = []

    def report(table: str, key: str, problem: str) -> None:
        line = _line_of(text, table, key)
        where = f"{path}:{line}" if line else str(path)
        messages.append(_message(f"{where}: {key}: {problem}"))

    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == KEYS_TABLE:
            if isinstance(value, dict):
                values[KEYS_TABLE] = MappingProxyType(_keys_table(value, report, actions))
            else:
                report("", key, 'expected a table like [keys] with action = "key" lines; ignored')
        elif key not in _SCALARS:
            report("", key, f"unknown setting{_suggestion(key, [*_SCALARS, KEYS_TABLE])}; ignored")
        elif (problem := _check(key, value)) is not None:
            default = getattr(DEFAULTS, key)
            report("", key, f"{problem}; using the default {_toml_value(default)}")
        elif key == "theme" and value not in BUILTIN_THEMES:
            hint = _suggestion(value, sorted(BUILTIN_THEMES))
            default = _toml_value(DEFAULTS.theme)
            report(
                "", key, f"no such theme {_toml_value(value)}{hint}; using the default {default}"
            )
        else:
            values[key] = value
    return dataclasses.replace(DEFAULTS, **values), messages


Reporter = Callable[[str, str, str], None]
"""Records a problem as (table, key, what is wrong)."""


def _keys_table(
    table: dict[str, Any], report: Reporter, actions: Collection[str] | None
) -> dict[str, str]:
    """The valid entries of the [keys] table; the others are reported and skipped."""
    keys: dict[str, str] = {}
    for action, value in table.items():
        if not _ACTION_NAME.fullmatch(action):
            report(KEYS_TABLE, action, "not an action name; ignored")
        elif action not in (ACTIONS if actions is None else actions):
            hint = _suggestion(action, sorted(ACTIONS if actions is None else actions))
            report(KEYS_TABLE, action, f"no such action{hint}; ignored")
        elif not isinstance(value, str) or not _KEY_LIST.fullmatch(value):
            report(
                KEYS_TABLE,
                action,
                'expected keys as a string like "ctrl+r" or "j,down"; keeping the default keys',
            )
        elif (problem := key_list_problem(value)) is not None:
            report(KEYS_TABLE, action, f"{problem}; keeping the default keys")
        else:
            keys[action] = value
    # Dropping a remap gives that action its default keys back, which may collide in turn.
    while collisions := key_collisions(keys):
        for action, collision in collisions.items():
            report(KEYS_TABLE, action, f"{collision}; keeping the default keys")
            del keys[action]
    return keys


def key_list_problem(keys: str) -> str | None:
    """Why `keys` ("ctrl+r", "j,down") is not a list of Textual key names, or None if it is.

    The value is shown in the footer and the help screen, so anything but a key name (an escape
    sequence, an invisible character, markup) is refused here rather than drawn there.
    """
    for key in keys.split(","):
        head, _, name = key.rpartition("+")
        if key == "+" or (not name and head.endswith("+")):  # "+" or "ctrl++": the plus key
            head, name = head.removesuffix("+"), "+"
        modifiers = head.split("+") if head else []
        if name in PUNCTUATION_KEYS:
            return f'{_toml_value(key)}: write the key {name} as "{PUNCTUATION_KEYS[name]}"'
        unknown_modifier = next((m for m in modifiers if m not in KEY_MODIFIERS), None)
        if unknown_modifier is not None or not _is_key_name(name):
            return (
                f"{_toml_value(key)} is not a key name (such as"
                ' "r", "ctrl+r", "f5", "pagedown" or "question_mark")'
            )
    return None


def _is_key_name(name: str) -> bool:
    """A named key, a punctuation key's name, or one letter or digit of any alphabet."""
    if name in NAMED_KEYS or name in _PUNCTUATION_NAMES:
        return True
    # A letter that only looks like one (a Hangul filler is "alphabetic") must not pass.
    return len(name) == 1 and name.isalnum() and not needs_cleaning(name)


def _check(key: str, value: object) -> str | None:
    """Why `value` is not acceptable for the top-level setting `key`, or None if it is."""
    expected = _SCALARS[key]
    # bool is a subclass of int in Python, but `reading_width = true` is a mistake all the same.
    if type(value) is not expected:
        return f"expected {_TYPE_NAMES[expected]}, got {_toml_value(value)}"
    if expected is str and not str(value).strip():
        return "must not be empty"
    if key in _CHOICES and value not in _CHOICES[key]:
        return (
            f"must be one of {', '.join(map(_toml_value, _CHOICES[key]))}, got {_toml_value(value)}"
        )
    if key in _RANGES:
        low, high = _RANGES[key]
        number = int(str(value))
        if number < low or (high is not None and number > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            return f"must be {bounds}, got {number}"
    return None


def _message(text: str) -> str:
    """A problem report safe to print or show: one line, no control characters.

    Quoted TOML keys may hold any character, escape sequences included, and the app shows these
    messages in the terminal.
    """
    return clean_line(text, MAX_MESSAGE_CHARS)


def _suggestion(key: str, known: list[str]) -> str:
    """' (did you mean "x"?)' for a likely misspelling of a known key, else ''."""
    close = difflib.get_close_matches(key, known, n=1)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _line_of(text: str, table: str, key: str) -> int | None:
    """The 1-based line where `key` is set inside `table` ("" for the top level), if found.

    tomllib reports no positions for valid documents, so this scans for the key's line. Dotted
    keys and inline tables are rare in a settings file; for those the message names no line.
    """
    pattern = re.compile(_KEY_LINE.format(bare=re.escape(key)))
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE_HEADER.match(line):
            current = header.group(1).strip("\"'")
            if not table and current == key:  # a whole table where a value was expected
                return number
        elif current == table and pattern.match(line):
            return number
    return None


def _reason(error: Exception) -> str:
    """A short reason for a file that could not be read."""
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return type(error).__name__


def _toml_value(value: object) -> str:
    """`value` written as TOML: a bool, an integer or a basic string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        # Controls and invisible characters as TOML escapes, so a message shows what is there.
        escaped = "".join(
            char if char.isprintable() and not needs_cleaning(char) else _toml_escape(char)
            for char in escaped
        )
        return f'"{escaped}"'
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def _toml_escape(char: str) -> str:
    point = ord(char)
    return f"\\u{point:04X}" if point <= 0xFFFF else f"\\U{point:08X}"


def save_config(path: Path | None = None, **values: bool | int | str) -> None:
    """Set top-level settings (e.g. `theme`, `reading_width`) in the file at `path`.

    Each key's existing line is rewritten in place and new keys go before the first table, so the
    user's comments and layout are kept. The file is replaced atomically: a crash mid-save leaves
    the old one. Raises ValueError for an unknown key or an invalid value (a caller's bug) and
    OSError when the file cannot be written.
    """
    path = config_path() if path is None else path
    for key, value in values.items():
        if key not in _SCALARS:
            raise ValueError(f"{key} is not a top-level setting")
        if (problem := _check(key, value)) is not None:
            raise ValueError(f"{key}: {problem}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    for key, value in values.items():
        _set_line(lines, key, _toml_value(value))
    make_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with open(os.open(temporary, flags, PRIVATE_FILE_MODE), "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    make_private_file(temporary)  # os.open's mode does not narrow a leftover temporary file
    os.replace(temporary, path)


def _set_line(lines: list[str], key: str, toml_value: str) -> None:
    """Rewrite `key = …` in the top-level section of `lines`, or add it before the first table.

    A new key goes above the comments and blank lines that introduce the first table, so they
    stay with the table they describe.
    """
    pattern = re.compile(_KEY_LINE.format(bare=re.escape(key)))
    for index, line in enumerate(lines):
        if _TABLE_HEADER.match(line):
            while index > 0 and (not lines[index - 1].strip() or _is_comment(lines[index - 1])):
                index -= 1
            lines.insert(index, f"{key} = {toml_value}")
            return
        if match := pattern.match(line):
            value_and_comment = line[match.end() :]
            comment = value_and_comment[_value_end(value_and_comment) :]
            lines[index] = f"{match.group(0)} {toml_value}{comment}"
            return
    lines.append(f"{key} = {toml_value}")


def _value_end(text: str) -> int:
    """Where the one-line TOML value at the start of `text` ends: before the spaces and `#`
    of a trailing comment (a `#` inside a string does not count), else at the end."""
    quote, escaped = "", False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quote:
            escaped = quote == '"' and char == "\\"
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            return len(text[:index].rstrip())
    return len(text.rstrip())


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")
