"""Every HTTP request podsift makes: the SSRF guard, redirects, the fetchers, the bulk poller.

Other packages import only from ``podsift.net``.
"""

from __future__ import annotations

from podsift.net.bulk import BulkOptions, FeedRequest, HostCooling, fetch_many, host_of
from podsift.net.fetch import (
    USER_AGENT,
    FetchResult,
    PollError,
    Validators,
    fetch_feed,
    fetch_url_or_file,
)
from podsift.net.guard import NetworkPolicy, check_url

__all__ = [
    "USER_AGENT",
    "BulkOptions",
    "FeedRequest",
    "FetchResult",
    "HostCooling",
    "NetworkPolicy",
    "PollError",
    "Validators",
    "check_url",
    "fetch_feed",
    "fetch_many",
    "fetch_url_or_file",
    "host_of",
]
