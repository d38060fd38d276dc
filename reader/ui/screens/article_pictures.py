"""The reading screen's pictures: asked of the library once the text shows, drawn as each
arrives, hidden with `i`, shown full-screen with Enter, a click, or from the `l` picker."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.screen import Screen

from reader.document import Block, Figure, figures
from reader.library import Library
from reader.pictures.model import NOT_DOWNLOADED, PictureOutcome
from reader.sanitize import is_web_url
from reader.ui.screens.picture import PictureChoice, PictureScreen
from reader.ui.widgets.article_view import ArticleView

if TYPE_CHECKING:
    _Screen = Screen[int]
else:
    _Screen = object

PICTURE_LOADS_AT_ONCE = 3
"""Pictures asked of the library at once: the lead picture and the next two start together, so
one slow site costs its own placeholder and the others still arrive."""


def drawn_figures(blocks: Sequence[Block]) -> Iterator[Figure]:
    """The figures with a web address the reading view draws in place, in reading order (lead
    picture first): the top-level ones."""
    return (f for f in figures(blocks, nested=False) if f.src and is_web_url(f.src))


class ArticlePictures(_Screen):
    """The picture half of ArticleScreen (mixed in; it owns the view and the library)."""

    library: Library

    if TYPE_CHECKING:

        @property
        def view(self) -> ArticleView: ...

        def _open_in_browser(self, url: str) -> None: ...

    def _init_pictures(self) -> None:
        self._picture_slots = asyncio.Semaphore(PICTURE_LOADS_AT_ONCE)
        self._pictures_asked: set[str] = set()
        self._picture_page = 0
        """Counts the pages opened: a picture that arrives for an earlier one is dropped."""
        self._picture_article: str | None = None
        """The address of the page open, which the library keeps its pictures with."""

    def _new_page_pictures(self, article: str | None) -> None:
        """Forget the pictures of the page before, and stop asking for them."""
        self.workers.cancel_group(self, "pictures")
        self._picture_page += 1
        self._picture_article = article
        self._pictures_asked.clear()
        self.view.forget_pictures()
        self.view.pictures_shown = self.view.picture_mode != "off"

    def _ask_for_pictures(self) -> None:
        """Ask for each picture of the page shown that has not been asked for yet."""
        view = self.view
        if not view.pictures_shown or view.page is None:
            return
        for figure in drawn_figures(view.page.blocks):
            assert figure.src is not None
            self._ask_for_picture(figure.src)

    def _ask_for_picture(self, src: str) -> None:
        if src not in self._pictures_asked:
            self._pictures_asked.add(src)
            self.load_picture(src, self._picture_page)

    @work(group="pictures", exit_on_error=False)
    async def load_picture(self, src: str, page: int) -> None:
        """Get the picture at `src`: the library's copy, else fetched now (kept with the
        article); then draw it, or its reason, if its page is still the one open."""
        article = self._picture_article
        async with self._picture_slots:
            outcome = await self.library.picture(src, fetch=False, article=article)
            if outcome.picture is None:  # not kept, or failed before: the reader asks again
                fetched = await self.library.picture(src, article=article)
                if fetched.picture is not None or outcome.error != NOT_DOWNLOADED:
                    outcome = fetched
                else:  # offline, say: it was never downloaded, and this is why not now
                    outcome = PictureOutcome(None, f"{NOT_DOWNLOADED}: {fetched.error}")
        if page != self._picture_page:
            return
        self.view.set_picture(src, outcome)
        shown = self.app.screen
        if isinstance(shown, PictureScreen) and shown.src == src:
            shown.show(outcome)

    def action_toggle_pictures(self) -> None:
        view = self.view
        if view.picture_mode == "off":
            self.notify(
                'Pictures are off in this terminal (NO_COLOR, no colour, or images = "off")',
                timeout=3,
            )
            return
        view.pictures_shown = not view.pictures_shown
        self._ask_for_pictures()

    def action_open_picture(self) -> None:
        src = self.view.picture_in_view()
        if src is None:
            self.notify("No picture in view: l lists the page's pictures", timeout=2)
            return
        self.show_picture(src)

    def on_pictures_in_view_picture_clicked(self, event: ArticleView.PictureClicked) -> None:
        # By name: an @on handler of a mixin is not collected (only classes Textual builds
        # gather them), while handlers found by name are looked up along the whole MRO.
        self.show_picture(event.src)

    def show_picture(self, src: str) -> None:
        """Show the picture at `src` full-screen, asking for it if it was not yet."""
        view = self.view
        blocks = view.page.blocks if view.page else ()
        figure = next((f for f in figures(blocks, nested=True) if f.src == src), Figure(src))
        screen = PictureScreen(
            src,
            view.outcomes.get(src),
            figure.alt,
            figure.caption,
            view.picture_mode,
            view.cell,
            view.graphics,
        )
        if view.picture_mode != "off":
            self._ask_for_picture(src)

        def chosen(choice: PictureChoice | None) -> None:
            if choice == "browser":
                self._open_in_browser(src)

        self.app.push_screen(screen, chosen)
