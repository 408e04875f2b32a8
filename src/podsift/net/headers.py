"""What an HTTP answer says about coming back: error classes, Retry-After, caching headers.

Pure functions of header values and ``now``; the feed schedule (:mod:`podsift.feeds.schedule`)
turns them into the next poll.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime


class ErrorClass(enum.StrEnum):
    """What kind of failure a poll met; each backs off from its own base delay."""

    NETWORK = "network"  # refused, reset, DNS
    TIMEOUT = "timeout"
    THROTTLED = "throttled"  # 429, 503: the host asks us to slow down
    SERVER = "server"  # other 5xx
    CLIENT = "client"  # 4xx other than 410 and 429
    PARSE = "parse"  # not a feed, broken beyond salvage
    REFUSED = "refused"  # SSRF guard, bad scheme, redirect loop, too large
    GONE = "gone"  # 410


@dataclass(frozen=True, slots=True)
class Freshness:
    """What the publisher said about when to come back; every field optional."""

    retry_after: timedelta | None = None
    max_age: timedelta | None = None
    expires_in: timedelta | None = None
    ttl: timedelta | None = None
    update_every: timedelta | None = None

    def hint(self) -> timedelta | None:
        """The publisher's wish, strongest first: Retry-After, then HTTP caching, then feed."""
        for value in (self.retry_after, self.max_age, self.expires_in, self.ttl):
            if value is not None:
                return value
        return self.update_every


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a delay from ``now``.

    >>> from datetime import UTC
    >>> parse_retry_after("120", datetime(2025, 1, 1, tzinfo=UTC))
    datetime.timedelta(seconds=120)
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    return _until(text, now)


def _until(http_date: str, now: datetime) -> timedelta | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when - now, timedelta(0))


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """The ``max-age`` of a Cache-Control header; ``no-cache``/``no-store`` mean none.

    >>> parse_max_age("public, max-age=3600")
    datetime.timedelta(seconds=3600)
    """
    if not cache_control:
        return None
    match = _MAX_AGE.search(cache_control)
    return timedelta(seconds=int(match.group(1))) if match else None


def parse_expires(value: str | None, now: datetime) -> timedelta | None:
    """An Expires header as a delay from ``now`` (a past or invalid date gives none)."""
    if not value:
        return None
    delay = _until(value.strip(), now)
    return delay if delay else None
