"""Feeds: parse RSS / Atom feeds and OPML lists, poll shows politely and safely, find shows.

Other packages import only from ``podsift.sources``.
"""

from __future__ import annotations

from .bulk import BulkOptions, FeedRequest, HostCooling, fetch_many
from .identity import episode_keys, is_republished
from .opml import OpmlOutline, export_opml, parse_opml
from .parse import feed_to_json, parse_duration, parse_feed, sanitize_notes
from .poll import PollReport, poll_all, poll_show, record_poll
from .rss import FetchResult, PollError, Validators, fetch_feed, fetch_url_or_file
from .search import SearchError, SearchHit, search_shows

__all__ = [
    "BulkOptions",
    "FeedRequest",
    "FetchResult",
    "HostCooling",
    "OpmlOutline",
    "PollError",
    "PollReport",
    "SearchError",
    "SearchHit",
    "Validators",
    "episode_keys",
    "export_opml",
    "feed_to_json",
    "fetch_feed",
    "fetch_many",
    "fetch_url_or_file",
    "is_republished",
    "parse_duration",
    "parse_feed",
    "parse_opml",
    "poll_all",
    "poll_show",
    "record_poll",
    "sanitize_notes",
    "search_shows",
]
