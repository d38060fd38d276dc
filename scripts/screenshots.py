"""Regenerate screenshots/ from the test fixtures: `python scripts/screenshots.py`.

The app runs against the fixture feeds and pages served on 127.0.0.1, on a fresh library in a
temp dir, with the tests' frozen clock, so the pictures change only when the app does. The
article's lead picture (tests/fixtures/media/, drawn by tools/make_harbour_picture.py) is drawn
in half-blocks, which any colour terminal shows.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from loopback import LoopbackServer  # noqa: E402
from ui_support import make_app, settle  # noqa: E402
from waiting import wait_until  # noqa: E402

from reader.ui.screens.article import ArticleScreen  # noqa: E402
from reader.ui.widgets.story_list import StoryList  # noqa: E402

FEEDS = ["/feeds/rss2.xml", "/feeds/atom.xml", "/feeds/feed.json", "/feeds/rss1.xml"]
SIZES = {"": (120, 36), "-80x24": (80, 24), "-200x60": (200, 60)}
"""File-name suffix → terminal size: the README's pictures, then the smallest and a large one."""
OUT = ROOT / "screenshots"


async def capture(
    server: LoopbackServer, data_dir: Path, suffix: str, size: tuple[int, int]
) -> None:
    """Save the story list and an opened article as SVG at `size`."""
    app = make_app(data_dir, [server.url(path) for path in FEEDS], images="halfcell")
    async with app.run_test(size=size) as pilot:
        await settle(app)
        await pilot.pause()
        app.save_screenshot(f"stories{suffix}.svg", str(OUT))
        story_list = app.screen.query_one(StoryList)
        story_list.cursor = next(
            i for i, s in enumerate(story_list.stories) if "quiet-harbour" in (s.link or "")
        )
        await pilot.press("enter")
        await settle(app)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        await wait_until(lambda: not screen.view.pictures_pending, "the lead picture drawn")
        await pilot.pause()
        app.save_screenshot(f"article{suffix}.svg", str(OUT))


def main() -> None:
    OUT.mkdir(exist_ok=True)
    server = LoopbackServer()
    try:
        for suffix, size in SIZES.items():
            with tempfile.TemporaryDirectory() as data_dir:
                asyncio.run(capture(server, Path(data_dir), suffix, size))
    finally:
        server.stop()
    print(f"wrote {len(SIZES) * 2} pictures to {OUT}")


if __name__ == "__main__":
    main()
