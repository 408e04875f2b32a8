"""Feeds: parse RSS / Atom feeds and OPML lists, poll shows politely and safely, find shows.

Other packages import only from ``podsift.feeds``.
"""

from __future__ import annotations

from podsift.feeds.identity import REPUBLISHED, episode_keys, is_republished, show_identity
from podsift.feeds.opml import OpmlOutline, export_opml, parse_opml
from podsift.feeds.parse.standard import feed_to_json, parse_duration, parse_feed, sanitize_notes
from podsift.feeds.search import SearchError, SearchHit, search_shows
from podsift.feeds.stage import PollReport, poll_show, record_poll, run
from podsift.net import (
    BulkOptions,
    FeedRequest,
    FetchResult,
    HostCooling,
    PollError,
    Validators,
    fetch_feed,
    fetch_many,
    fetch_url_or_file,
)

__all__ = [
    "REPUBLISHED",
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
    "poll_show",
    "record_poll",
    "run",
    "sanitize_notes",
    "search_shows",
    "show_identity",
]
