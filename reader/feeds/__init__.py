"""Feeds: bytes in, stories out. RSS 0.9x/1.0/2.0 and Atom via feedparser, JSON Feed by hand."""

from reader.feeds.model import FeedEntry, FeedError, ParsedFeed
from reader.feeds.parse import parse_feed

__all__ = ["FeedEntry", "FeedError", "ParsedFeed", "parse_feed"]
