"""Feed parsing: the feedparser path for every feed, and an lxml fast path for clean RSS 2.0."""

from __future__ import annotations

from podsift.feeds.parse.standard import (
    feed_to_json,
    parse_duration,
    parse_feed,
    parse_feed_with_hints,
    sanitize_notes,
)

__all__ = [
    "feed_to_json",
    "parse_duration",
    "parse_feed",
    "parse_feed_with_hints",
    "sanitize_notes",
]
