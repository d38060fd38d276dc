"""The link picker: the page's numbered links, to read here, open in the browser or copy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.sanitize import clean_line
from reader.ui.widgets.page_layout import Link

LinkAction = Literal["open", "picture", "browser", "copy"]


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """What the user chose to do with which link."""

    action: LinkAction
    url: str


class LinkPicker(ModalScreen[LinkChoice | None]):
    """A list of the page's links and pictures; Enter reads a link here or shows a picture
    full-screen, O opens it in the browser, c copies it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,l", "dismiss(None)", "Close"),
        Binding("O", "choose('browser')", "Browser"),
        Binding("c", "choose('copy')", "Copy URL"),
    ]

    def __init__(self, links: list[Link]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        options = [
            Option(
                Text.assemble(
                    (f"[{link.number}] ", "bold"),
                    clean_line(link.text, 80) or "(no text)",
                    ("  " + clean_line(link.url, 120), "dim"),
                    # One line a link, cut at the end: wrapped URLs broke mid-word.
                    no_wrap=True,
                    overflow="ellipsis",
                ),
                id=str(index),
            )
            for index, link in enumerate(self.links)
        ]
        with Vertical(id="link-box"):
            yield Static(Text(f"Links ({len(self.links)})"), id="link-title")
            yield OptionList(*options, id="link-list")
            yield Static(
                Text("Enter read/show · O open in browser · c copy URL · Esc close"),
                id="link-hint",
            )

    def _highlighted_url(self) -> str | None:
        index = self.query_one(OptionList).highlighted
        return self.links[index].url if index is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        link = self.links[event.option_index]
        self.dismiss(LinkChoice("picture" if link.picture else "open", link.url))

    def action_choose(self, action: LinkAction) -> None:
        if (url := self._highlighted_url()) is not None:
            self.dismiss(LinkChoice(action, url))
