"""What the library's calls report: a feed's refresh, an opened article, a prefetch run, and
the progress callbacks that carry them to the UI and the CLI while the run goes on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.document import Document

if TYPE_CHECKING:
    from reader.pictures.service import PicturesKept


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's refresh went: the new stories it brought, or why it failed."""

    url: str
    title: str
    new_stories: int = 0
    error: str | None = None
    skipped: str | None = None
    """Why the feed was not fetched this time (the server asked us to wait)."""
    store_error: str | None = None
    """Why what the feed brought could not be stored (disk full, library busy): the library's
    fault, not the feed's."""
    changed_stories: int = 0
    """Stories already listed whose read or saved state changed (an account's server said so)."""


@dataclass(frozen=True, slots=True)
class ArticleOutcome:
    """An opened story: its cleaned article, or why there is none to show."""

    document: Document | None
    error: str | None = None
    page_text: str = ""
    """The page's whole visible text, for when the cleaner misjudged."""
    position: float = 0.0
    """Where the reader left off last time, 0.0 to 1.0."""
    from_cache: bool = False
    store_error: str | None = None
    """Why the article could not be cached (disk full…); it is shown all the same."""
    skipped: bool = False
    """Not fetched: its host timed out earlier in the run."""


@dataclass(slots=True)
class PrefetchReport:
    """How a prefetch run is going: articles to fetch, cached so far, failed so far."""

    total: int = 0
    cached: int = 0
    failed: int = 0
    skipped: int = 0
    """Not tried: their host timed out earlier in the run (they wait for the next one)."""
    pictures: int = 0
    """Pictures of the cached articles kept so far (reader.pictures)."""
    pictures_failed: int = 0
    store_error: str | None = None
    """Why caching stopped early: the library could not store more (disk full, busy)."""

    @property
    def done(self) -> int:
        """Articles dealt with so far."""
        return self.cached + self.failed + self.skipped

    def add_pictures(self, kept: PicturesKept) -> None:
        """Count what keeping one article's pictures did."""
        self.pictures += kept.kept
        self.pictures_failed += kept.failed
        self.store_error = self.store_error or kept.store_error


PrefetchProgress = Callable[[PrefetchReport], None]
"""Called after each prefetched article with the running report."""

FeedProgress = Callable[[FeedOutcome, int, int], None]
"""Called after each feed with (outcome, feeds done, feeds in all)."""
