"""The SQLite library: feeds, stories, cached articles and read state.

One file in the user's data directory, WAL mode, one transaction per unit of work, so killing the
app mid-refresh loses nothing already committed. Every string stored has passed the sanitiser, and
`_storable` makes sure no lone surrogate or NUL can make an insert fail.

The store is split by concern: `schema` (tables and migrations), `connection` (opening and
transactions), `stories`, `subscriptions` and `articles`; `Store` joins them into one object.
"""

from __future__ import annotations

from reader.store.articles import PREFETCH_RETRY_BASE, PREFETCH_RETRY_MAX, ArticleCache
from reader.store.connection import BUSY_MESSAGE
from reader.store.model import (
    CachedArticle,
    CacheStats,
    FeedOverview,
    FeedState,
    MergedFeed,
    StoreError,
    Story,
    StoryFilter,
    Subscription,
)
from reader.store.pictures import PictureCache
from reader.store.schema import _SCHEMA_V1, _SCHEMA_V2, SCHEMA_VERSION, SEARCH_TITLE_WEIGHT
from reader.store.stories import (
    MAX_SEARCH_WORDS,
    SEARCH_CANDIDATES,
    SnippetPart,
    StoryTables,
    fts_query,
)
from reader.store.subscriptions import Subscriptions

__all__ = [
    "BUSY_MESSAGE",
    "MAX_SEARCH_WORDS",
    "PREFETCH_RETRY_BASE",
    "PREFETCH_RETRY_MAX",
    "SCHEMA_VERSION",
    "SEARCH_CANDIDATES",
    "SEARCH_TITLE_WEIGHT",
    "_SCHEMA_V1",
    "_SCHEMA_V2",
    "CacheStats",
    "CachedArticle",
    "FeedOverview",
    "FeedState",
    "MergedFeed",
    "SnippetPart",
    "Store",
    "StoreError",
    "Story",
    "StoryFilter",
    "Subscription",
    "fts_query",
]


class Store(StoryTables, Subscriptions, ArticleCache, PictureCache):
    """The library database: stories, the user's feeds and cached articles over one connection."""
