"""The settings file: defaults, clear messages for every kind of mistake, saving in place."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from reader.actions import ACTIONS
from reader.cli.common import settings_from
from reader.settings import (
    CONFIG_ENV,
    DEFAULTS,
    NAMED_KEYS,
    PUNCTUATION_KEYS,
    UserConfig,
    config_path,
    key_list_problem,
    load_config,
    save_config,
)

DOCS = Path(__file__).resolve().parent.parent / "docs" / "config.md"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults_and_no_message(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") == (UserConfig(), [])
    assert DEFAULTS.theme == "textual-dark" and DEFAULTS.reading_width == 72
    assert DEFAULTS.refresh_on_start and DEFAULTS.prefetch and DEFAULTS.auto_refresh_minutes == 0
    assert (DEFAULTS.prefetch_concurrency, DEFAULTS.prefetch_per_host) == (4, 2)
    assert (DEFAULTS.retention_days, DEFAULTS.retention_max_mb) == (30, 500)
    assert DEFAULTS.images == "auto"
    assert dict(DEFAULTS.keys) == {}


def test_a_full_valid_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """# my settings
theme = "nord"
reading_width = 100
refresh_on_start = false
auto_refresh_minutes = 15
prefetch = false
prefetch_concurrency = 8
prefetch_per_host = 1
retention_days = 0
retention_max_mb = 2000
images = "sixel"

[keys]
refresh = "ctrl+r"
next_unread = "n,space"
quit = "ctrl+q"
""",
    )
    config, messages = load_config(path)
    assert messages == []
    assert config == UserConfig(
        theme="nord",
        reading_width=100,
        refresh_on_start=False,
        auto_refresh_minutes=15,
        prefetch=False,
        prefetch_concurrency=8,
        prefetch_per_host=1,
        retention_days=0,
        retention_max_mb=2000,
        images="sixel",
        keys={"refresh": "ctrl+r", "next_unread": "n,space", "quit": "ctrl+q"},
    )


def test_bad_toml_gives_defaults_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nreading_width = \n')
    config, [message] = load_config(path)
    assert config == DEFAULTS
    assert str(path) in message and "line 2" in message and "using defaults" in message


@pytest.mark.parametrize(
    ("text", "line", "key", "problem"),
    [
        ('reading_width = "wide"', 1, "reading_width", 'expected a whole number, got "wide"'),
        ("reading_width = 72.5", 1, "reading_width", "expected a whole number, got 72.5"),
        ("reading_width = true", 1, "reading_width", "expected a whole number, got true"),
        ("reading_width = 5", 1, "reading_width", "must be between 30 and 200, got 5"),
        # Wider than the reading view ever sets the column: the file would promise what it ignores.
        ("reading_width = 300", 1, "reading_width", "must be between 30 and 200, got 300"),
        ('\n\nprefetch = "yes"', 3, "prefetch", 'expected true or false, got "yes"'),
        ("theme = 3", 1, "theme", "expected a string, got 3"),
        ('theme = ""', 1, "theme", "must not be empty"),
        ("retention_days = -1", 1, "retention_days", "must be at least 0, got -1"),
        ("prefetch_concurrency = 0", 1, "prefetch_concurrency", "between 1 and 32"),
        ("auto_refresh_minutes = [5]", 1, "auto_refresh_minutes", "got an array"),
        (
            'images = "iterm"',
            1,
            "images",
            'must be one of "auto", "kitty", "sixel", "halfcell", "off", got "iterm"',
        ),
        (
            "reading_wdith = 80",
            1,
            "reading_wdith",
            'unknown setting (did you mean "reading_width"?)',
        ),
        ("[colours]\nbg = 1", 1, "colours", "unknown setting"),
        ('keys = "ctrl+r"', 1, "keys", "expected a table"),
        ("[keys]\nrefresh = 5", 2, "refresh", 'expected keys as a string like "ctrl+r"'),
        ('[keys]\nrefresh = "ctrl + r"', 2, "refresh", "expected keys as a string"),
        ('[keys]\n"not an action" = "x"', 2, "not an action", "not an action name"),
    ],
)
def test_each_invalid_value_is_named_with_its_line_and_falls_back(
    tmp_path: Path, text: str, line: int, key: str, problem: str
) -> None:
    path = write(tmp_path, text + "\nretention_max_mb = 42\n" if "[" not in text else text)
    config, [message] = load_config(path)
    assert message.startswith(f"{path}:{line}: {key}: ")
    assert problem in message
    assert dict(config.keys) == {}
    for field in ("theme", "reading_width", "prefetch", "retention_days"):
        assert getattr(config, field) == getattr(DEFAULTS, field)


def test_good_values_survive_bad_neighbours(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nreading_width = "x"\n[keys]\nrefresh = "r"\nquit = 1\n')
    config, messages = load_config(path)
    assert (config.theme, config.reading_width, dict(config.keys)) == ("nord", 72, {"refresh": "r"})
    assert len(messages) == 2


@pytest.mark.parametrize("data", [b"\xff\xfe not utf-8 \x80", b"theme = 'a'\x00"])
def test_unreadable_files_never_raise(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(data)
    config, [message] = load_config(path)
    assert config == DEFAULTS and str(path) in message


def test_a_directory_in_place_of_the_file_never_raises(tmp_path: Path) -> None:
    config, [message] = load_config(tmp_path)
    assert config == DEFAULTS and "cannot read" in message


def test_config_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, "/somewhere/else.toml")
    assert config_path() == Path("/somewhere/else.toml")
    monkeypatch.delenv(CONFIG_ENV)
    path = config_path()
    assert path.name == "config.toml" and path.parent.name == "newsreader"


def test_saving_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_config(path, theme="gruvbox", reading_width=90)
    assert load_config(path) == (
        dataclasses.replace(DEFAULTS, theme="gruvbox", reading_width=90),
        [],
    )


def test_saving_keeps_comments_tables_and_other_keys(tmp_path: Path) -> None:
    original = """# Sam's settings
theme = "nord"   # a dark one
prefetch = false

# my keys
[keys]
refresh = "ctrl+r"
"""
    path = write(tmp_path, original)
    save_config(path, theme="gruvbox", reading_width=80)
    text = path.read_text()
    # The changed line keeps its own comment too.
    assert text.startswith('# Sam\'s settings\ntheme = "gruvbox"   # a dark one\n')
    assert "prefetch = false" in text and "# my keys\n[keys]\nrefresh" in text
    # The new key goes above the comment that introduces [keys], not between them.
    assert re.search(r"reading_width = 80\n\n# my keys", text)
    config, messages = load_config(path)
    assert messages == []
    assert (config.theme, config.reading_width, config.prefetch) == ("gruvbox", 80, False)
    assert dict(config.keys) == {"refresh": "ctrl+r"}
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("line", "saved"),
    [
        ('theme = "no # here"  # mine', 'theme = "nord"  # mine'),
        ('theme = "a \\" # b"   # yes', 'theme = "nord"   # yes'),
        ("  theme='x#y'#tight", '  theme= "nord"#tight'),
        ('theme = "plain"', 'theme = "nord"'),
    ],
)
def test_saving_keeps_the_comment_of_the_line_it_changes(
    tmp_path: Path, line: str, saved: str
) -> None:
    path = write(tmp_path, f"# top\n{line}\n[keys]\nrefresh = 'ctrl+r'  # mine\n")
    save_config(path, theme="nord")
    assert path.read_text() == f"# top\n{saved}\n[keys]\nrefresh = 'ctrl+r'  # mine\n"
    assert load_config(path) == (UserConfig(theme="nord", keys={"refresh": "ctrl+r"}), [])


def test_saving_rejects_what_loading_would_reject(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with pytest.raises(ValueError, match="reading_width"):
        save_config(path, reading_width=5)
    with pytest.raises(ValueError, match="not a top-level setting"):
        save_config(path, keys="x")
    with pytest.raises(ValueError, match="expected"):
        save_config(path, prefetch="yes")
    assert not path.exists()


def test_every_setting_is_documented_with_its_default() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for field in dataclasses.fields(UserConfig):
        assert f"`{field.name}`" in docs, field.name
        if field.name != "keys":
            default = getattr(DEFAULTS, field.name)
            if isinstance(default, bool):
                expected = "true" if default else "false"
            else:
                expected = f'"{default}"' if isinstance(default, str) else str(default)
            assert f"`{field.name} = {expected}`" in docs, field.name


def test_key_remaps_are_checked_against_the_apps_actions(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nrefresh = "ctrl+r"\nrefrsh = "f5"\n')
    config, [message] = load_config(path, actions={"refresh", "quit", "open_in_browser"})
    assert dict(config.keys) == {"refresh": "ctrl+r"}
    assert message == f'{path}:3: refrsh: no such action (did you mean "refresh"?); ignored'
    # Without the app (the CLI), the same check against the actions table shared with the UI.
    assert load_config(path) == (UserConfig(keys={"refresh": "ctrl+r"}), [message])


def test_messages_are_one_clean_line(tmp_path: Path) -> None:
    path = write(tmp_path, '"\\u001b[2Jevil\\nkey" = 1\n')
    _config, [message] = load_config(path)
    assert "\x1b" not in message and "\n" not in message and "[2Jevil key" in message


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (r"\u001b]0;X\u001b\\", r'"\u001B]0;X\u001B\\" is not a key name'),
        (r"\u001b[2J", r'"\u001B[2J" is not a key name'),
        (r"ctrl+\u009b31m", r'"ctrl+\u009B31m" is not a key name'),
        (r"x\u200b", r'"x\u200B" is not a key name'),
        (r"\u3164", r'"\u3164" is not a key name'),
        (r"\u202e", r'"\u202E" is not a key name'),
        ("[b]x[/b]", '"[b]x[/b]" is not a key name'),
        ("[@click=app.quit]", '"[@click=app.quit]" is not a key name'),
        ("?", 'write the key ? as "question_mark"'),
        ("ctrl+/", 'write the key / as "slash"'),
        ("ctrl++", 'write the key + as "plus"'),
        ("+", 'write the key + as "plus"'),
        ("ctl+r", '"ctl+r" is not a key name'),
        ("ctrl+", '"ctrl+" is not a key name'),
        ("j,pgdown", '"pgdown" is not a key name'),
        ("enterr", '"enterr" is not a key name'),
        ("ab", '"ab" is not a key name'),
    ],
)
def test_a_key_that_is_not_a_key_name_is_refused_with_its_line(
    tmp_path: Path, value: str, problem: str
) -> None:
    """Key names reach the footer and the help screen: an escape sequence, an invisible
    character or markup is refused where it is read, naming the line, as any other mistake."""
    path = write(tmp_path, f'theme = "nord"\n[keys]\nfilter = "f"\nrefresh = "{value}"\n')
    config, [message] = load_config(path)
    assert dict(config.keys) == {"filter": "f"} and config.theme == "nord"
    assert message.startswith(f"{path}:4: refresh: ") and message.endswith(
        "; keeping the default keys"
    )
    assert problem in message
    assert "\x1b" not in message and "\u3164" not in message and "\u202e" not in message


@pytest.mark.parametrize(
    "keys",
    [
        *("r", "R", "5", "é", "ctrl+r", "ctrl+shift+pagedown", "alt+f4", "f24", "n,space"),
        *("question_mark", "shift+tab", "escape,q", "super+left_square_bracket", "ctrl+plus"),
    ],
)
def test_textual_key_names_are_accepted(tmp_path: Path, keys: str) -> None:
    path = write(tmp_path, f'[keys]\nrefresh = "{keys}"\n')
    config, problems = load_config(path)
    # Some of these are other actions' keys on the story list: only that may be reported.
    assert config.keys == {"refresh": keys} or problems[0].endswith(
        "in the story list; keeping the default keys"
    )
    assert key_list_problem(keys) is None


def test_the_key_names_are_textuals() -> None:
    """settings.py must not import Textual (the CLI checks the file without it), so it keeps its
    own list of key names: they must be the ones Textual's key events carry."""
    from textual.keys import Keys, _character_to_key

    textual_names = {key.value.rpartition("+")[2] for key in Keys}
    assert textual_names | {"space"} >= NAMED_KEYS
    assert {name for name in textual_names if len(name) > 1 and name.isalnum()} - {
        "return",
    } <= NAMED_KEYS | set(PUNCTUATION_KEYS.values())
    for sign, name in PUNCTUATION_KEYS.items():
        assert _character_to_key(sign) == name, sign
    assert sorted(PUNCTUATION_KEYS) == sorted(
        c for c in map(chr, range(0x21, 0x7F)) if not c.isalnum()
    )


def test_the_actions_table_matches_the_screens_bindings() -> None:
    """reader.actions copies the UI's bindings so the settings check needs no Textual: a binding
    added, removed or given new default keys on a screen must be copied there too."""
    from textual.binding import Binding

    from reader.actions import FIXED, KEY_CONTEXTS
    from reader.ui.app import binding_ids
    from reader.ui.screens.article import ArticleScreen
    from reader.ui.screens.links import LinkPicker
    from reader.ui.screens.picture import PictureScreen
    from reader.ui.screens.search import SearchScreen
    from reader.ui.screens.sources import SourcesScreen
    from reader.ui.screens.stories import StoriesScreen
    from reader.ui.widgets.article_view import ArticleView
    from reader.ui.widgets.story_list import StoryList

    owners = {
        "the story list": (StoriesScreen, StoryList),
        "the article": (ArticleScreen, ArticleView),
        "search": (SearchScreen, StoryList),
        "the sources": (SourcesScreen,),
        "the link picker": (LinkPicker,),
        "the picture": (PictureScreen,),
    }
    assert set(owners) == set(KEY_CONTEXTS)
    for context, classes in owners.items():
        bindings = [b for owner in classes for b in owner.BINDINGS if isinstance(b, Binding)]
        assert KEY_CONTEXTS[context] == tuple((b.id or FIXED, b.key) for b in bindings), context
    assert binding_ids() == ACTIONS


def test_the_theme_names_are_textuals() -> None:
    from textual.theme import BUILTIN_THEMES as TEXTUALS

    from reader.actions import BUILTIN_THEMES

    assert set(TEXTUALS) == BUILTIN_THEMES


def test_a_key_taken_from_another_action_is_reported_and_dropped(tmp_path: Path) -> None:
    path = write(tmp_path, '[keys]\nsearch = "f"\nzen = "Z"\nnext_story = "p"\n')
    config, messages = load_config(path)
    assert dict(config.keys) == {"zen": "Z"}
    assert messages == [
        f'{path}:2: search: "f" is already the key of filter in the story list; keeping the '
        "default keys",
        f'{path}:4: next_story: "p" is already the key of previous_story in the article; '
        "keeping the default keys",
    ]
    # Swapping two actions' keys takes no key another action still has.
    path = write(tmp_path, '[keys]\nnext_story = "p"\nprevious_story = "n"\n')
    assert load_config(path) == (UserConfig(keys={"next_story": "p", "previous_story": "n"}), [])


@pytest.mark.parametrize(("images", "kept"), [("auto", True), ("halfcell", True), ("off", False)])
def test_pictures_off_means_prefetch_keeps_none(tmp_path: Path, images: str, kept: bool) -> None:
    args = argparse.Namespace(data_dir=tmp_path, feed=None)
    settings = settings_from(args, UserConfig(images=images))
    assert settings.prefetch_pictures is kept
