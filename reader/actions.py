"""The UI's remappable actions and built-in themes, as data the settings check can use.

The settings file is checked by `newsreader config check` and every script command, which must
not import Textual (it costs ~0.2 s; `textual.theme` alone ~0.14 s). So the binding ids, their
default keys and the screens they share are copied here; tests/test_settings.py proves the copy
matches the screens' BINDINGS and Textual's BUILTIN_THEMES, so a change there fails a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FIXED = ""
"""The id of a binding the user cannot remap; its keys still count when checking collisions."""

KEY_CONTEXTS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        # StoriesScreen, then the StoryList inside it.
        "the story list": (
            ("refresh", "r"),
            ("search", "slash"),
            ("filter", "f"),
            ("feeds", "F"),
            ("sources", "S"),
            ("next_unread", "n"),
            ("toggle_read", "m"),
            ("mark_all_read", "A"),
            ("undo_all_read", "u"),
            ("toggle_saved", "s"),
            ("stop_prefetch", "x"),
            ("refetch", "R"),
            ("open_in_browser", "o"),
            ("help", "question_mark"),
            ("quit", "q"),
            ("cursor_down", "j,down"),
            ("cursor_up", "k,up"),
            ("first", "g,home"),
            ("last", "G,end"),
            ("page_down", "pagedown"),
            ("page_up", "pageup"),
            ("open", "enter"),
        ),
        # ArticleScreen, then the ArticleView inside it.
        "the article": (
            ("back", "escape,backspace,q"),
            ("next_story", "n"),
            ("previous_story", "p"),
            ("page_down_or_next", "space"),
            ("links", "l"),
            ("cycle_view", "v"),
            ("open_in_browser", "o"),
            ("copy_url", "c"),
            ("refetch", "R"),
            ("toggle_saved", "s"),
            ("wider", "plus,equals_sign"),
            ("narrower", "minus"),
            ("zen", "z"),
            ("toggle_pictures", "i"),
            ("open_picture", "enter"),
            ("help", "question_mark"),
            ("scroll_down", "j,down"),
            ("scroll_up", "k,up"),
            ("page_down", "pagedown"),
            ("page_up", "pageup,b"),
            ("scroll_top", "g,home"),
            ("scroll_bottom", "G,end"),
            ("code_left", "left"),
            ("code_right", "right"),
        ),
        # SearchScreen, then its StoryList of results.
        "search": (
            (FIXED, "escape"),
            (FIXED, "down"),
            ("cursor_down", "j,down"),
            ("cursor_up", "k,up"),
            ("first", "g,home"),
            ("last", "G,end"),
            ("page_down", "pagedown"),
            ("page_up", "pageup"),
            ("open", "enter"),
        ),
        "the sources": (
            ("back", "escape,q"),
            ("add_feed", "a"),
            ("rename_feed", "e"),
            ("toggle_feed", "space"),
            ("remove_feed", "d"),
        ),
        "the link picker": ((FIXED, "escape,q,l"), (FIXED, "O"), (FIXED, "c")),
        "the picture": (("close_picture", "escape,q,enter"), ("picture_in_browser", "o")),
    }
)
"""Per group of bindings active together: (binding id, default keys) in BINDINGS order."""

ACTIONS = frozenset(action for keys in KEY_CONTEXTS.values() for action, _ in keys) - {FIXED}
"""Every binding id the `[keys]` table may remap."""

BUILTIN_THEMES = frozenset(
    {"ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "dracula", "flexoki"}
    | {"catppuccin-frappe", "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha"}
    | {"gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon"}
    | {"solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night"}
)
"""Textual 8.2's built-in theme names (textual.theme.BUILTIN_THEMES)."""


def key_collisions(remaps: Mapping[str, str]) -> dict[str, str]:
    """Each remapped action whose new key another action of the same screen already has.

    Maps the action to why: '"f" is already the key of filter in the story list'. Keys are
    compared after the remaps, so swapping two actions' keys is not a collision.
    """
    problems: dict[str, str] = {}
    for context, bindings in KEY_CONTEXTS.items():
        current = [(action, _key_set(remaps.get(action, keys))) for action, keys in bindings]
        for action, keys in current:
            if action not in remaps or action in problems:
                continue
            for other, other_keys in current:
                if other == action:
                    continue
                if shared := sorted(keys & other_keys):
                    owner = f"the key of {other}" if other != FIXED else "a fixed key"
                    problems[action] = f'"{shared[0]}" is already {owner} in {context}'
                    break
    return problems


def _key_set(keys: str) -> frozenset[str]:
    return frozenset(keys.split(","))
