"""Every HTTP request podsift makes: the SSRF guard, redirects, the fetchers, the bulk poller.

Three paths share one guard (:class:`NetworkPolicy`): the httpx client of
:func:`make_client`, whose :class:`GuardedTransport` checks every connection; the aiohttp
bulk poller (:func:`fetch_many`), checked at resolution and at connect time; and streamed
downloads (:func:`download_file`) on the httpx client. Feed fetches, one or many, follow
redirects by hand with one rule set; other requests let the client follow at most
``[feeds] max_redirects``. Other packages import only from ``podsift.net``.
"""

from __future__ import annotations

from podsift.net.bulk import BulkOptions, FeedRequest, HostCooling, fetch_many, host_of
from podsift.net.client import make_client, network_policy
from podsift.net.download import DownloadError, DownloadLimits, download_file
from podsift.net.fetch import (
    USER_AGENT,
    FetchResult,
    PollError,
    Validators,
    fetch_feed,
    fetch_url_or_file,
)
from podsift.net.guard import NetworkPolicy, check_url
from podsift.net.headers import (
    ErrorClass,
    Freshness,
    parse_expires,
    parse_max_age,
    parse_retry_after,
)
from podsift.net.transport import GuardedTransport

__all__ = [
    "USER_AGENT",
    "BulkOptions",
    "DownloadError",
    "DownloadLimits",
    "ErrorClass",
    "FeedRequest",
    "FetchResult",
    "Freshness",
    "GuardedTransport",
    "HostCooling",
    "NetworkPolicy",
    "PollError",
    "Validators",
    "check_url",
    "download_file",
    "fetch_feed",
    "fetch_many",
    "fetch_url_or_file",
    "host_of",
    "make_client",
    "network_policy",
    "parse_expires",
    "parse_max_age",
    "parse_retry_after",
]
