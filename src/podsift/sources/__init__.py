"""Feeds: parse RSS / Atom feeds and OPML lists, and fetch feeds with conditional GET.

Other packages import only from ``podsift.sources``.
"""

from __future__ import annotations

from .opml import OpmlOutline, export_opml, parse_opml
from .parse import feed_to_json, parse_duration, parse_feed
from .poll import PollReport, poll_all, poll_show
from .rss import FetchResult, Validators, fetch_feed, fetch_url_or_file

__all__ = [
    "FetchResult",
    "OpmlOutline",
    "PollReport",
    "Validators",
    "export_opml",
    "feed_to_json",
    "fetch_feed",
    "fetch_url_or_file",
    "parse_duration",
    "parse_feed",
    "parse_opml",
    "poll_all",
    "poll_show",
]
