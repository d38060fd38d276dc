"""The library's schema, and the steps that upgrade an older library to it."""

from __future__ import annotations

import json
import sqlite3

from reader.document import Document
from reader.store.model import StoreError

SCHEMA_VERSION = 5
"""Bumped with every schema change; `migrate` upgrades older libraries step by step."""

_SCHEMA_V1 = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    folder TEXT NOT NULL DEFAULT '',
    subscribed INTEGER NOT NULL DEFAULT 0,
    enabled INTEGER NOT NULL DEFAULT 1,
    site_url TEXT,
    last_fetched REAL,
    last_error TEXT
);
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid TEXT NOT NULL,
    link TEXT,
    title TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    published REAL,
    first_seen REAL NOT NULL,
    sort_time REAL NOT NULL,
    is_read INTEGER NOT NULL DEFAULT 0,
    UNIQUE (feed_id, guid)
);
CREATE INDEX stories_by_time ON stories (sort_time DESC, id DESC);
CREATE INDEX stories_by_link ON stories (link);
CREATE TABLE articles (
    url TEXT PRIMARY KEY,
    document TEXT NOT NULL,
    page_text TEXT NOT NULL DEFAULT '',
    fetched REAL NOT NULL,
    position REAL NOT NULL DEFAULT 0
);
"""
# Version 2: conditional requests and politeness per feed, saved stories, article sizes for
# retention, prefetch failures with back-off, and full-text search.
_SCHEMA_V2 = """
ALTER TABLE feeds ADD COLUMN etag TEXT;
ALTER TABLE feeds ADD COLUMN last_modified TEXT;
ALTER TABLE feeds ADD COLUMN retry_until REAL;
ALTER TABLE stories ADD COLUMN is_saved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET size = length(document) + length(page_text);
CREATE INDEX stories_by_feed ON stories (feed_id, sort_time DESC);
CREATE TABLE prefetch_failures (
    url TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    next_attempt REAL NOT NULL,
    error TEXT NOT NULL
);
CREATE VIRTUAL TABLE story_search USING fts5 (
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO story_search (rowid, title, body) SELECT id, title, summary FROM stories;
"""

# Version 3: the other feeds that carry a story first brought by one feed, so each feed's
# count (and its list when narrowed to it) includes every story it carries.
_SCHEMA_V3 = """
CREATE TABLE story_carriers (
    feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    PRIMARY KEY (feed_id, story_id)
) WITHOUT ROWID;
CREATE INDEX story_carriers_by_story ON story_carriers (story_id);
"""

# Version 5: pictures of cached articles, scaled and re-encoded by us, kept in the library
# beside their article (deleted with it by the foreign key); `article` is NULL for a picture
# shown outside a cached article, which retention removes by age. Version 4 is another branch's
# (feed server accounts): the numbers are the lead's to settle when both are merged.
_SCHEMA_V5 = """
CREATE TABLE pictures (
    id INTEGER PRIMARY KEY,
    src TEXT NOT NULL,
    article TEXT REFERENCES articles(url) ON DELETE CASCADE,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL,
    fetched REAL NOT NULL
);
CREATE UNIQUE INDEX pictures_by_src ON pictures (src, ifnull(article, ''));
CREATE INDEX pictures_by_article ON pictures (article);
"""

_MIGRATIONS = ((1, _SCHEMA_V1), (2, _SCHEMA_V2), (3, _SCHEMA_V3), (5, _SCHEMA_V5))
"""Each schema version and the script that brings the one before it up to it."""

SEARCH_TITLE_WEIGHT = 10.0
"""bm25 weight of a title match against a body match: a word in the title says more."""


def needs_migration(version: int) -> bool:
    """Whether a library at schema `version` must be upgraded; StoreError when it is newer than
    this newsreader knows."""
    if version > SCHEMA_VERSION:
        raise StoreError(f"the library was written by a newer newsreader (schema {version})")
    return version < SCHEMA_VERSION


def migrate(db: sqlite3.Connection) -> None:
    """Create the schema, or upgrade an older library to SCHEMA_VERSION, inside the caller's
    transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if not needs_migration(version):
        return  # Another instance upgraded it while we waited for the lock.
    for number, script in _MIGRATIONS:
        if version < number:
            # Statement by statement: executescript() would commit our transaction.
            for statement in script.split(";\n"):
                if statement.strip():
                    db.execute(statement)
            if number == 2:
                db.execute(
                    "INSERT INTO story_search (story_search, rank) VALUES ('rank', ?)",
                    (f"bm25({SEARCH_TITLE_WEIGHT}, 1.0)",),
                )
                _index_cached_articles(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _index_cached_articles(db: sqlite3.Connection) -> None:
    """Put the text of every cached article into the search index (upgrading to v2)."""
    for url, payload in db.execute("SELECT url, document FROM articles").fetchall():
        text = Document.from_dict(json.loads(payload)).text
        db.execute(
            "UPDATE story_search SET body = ? WHERE rowid IN"
            " (SELECT id FROM stories WHERE link = ?)",
            (text, url),
        )
