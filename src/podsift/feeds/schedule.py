"""When to poll a feed next: pure decisions of the poll state, the answer and ``now``.

A show is ``new`` (never polled), ``ok``, ``failing`` (backing off), ``dead`` (failing for
longer than ``dead_after``: re-probed rarely) or ``gone`` (HTTP 410: never polled again).
After a success the next poll follows what the publisher asked for (Retry-After,
Cache-Control max-age, Expires, RSS ``ttl``, ``podcast:updateFrequency``) clamped between
the configured minimum and maximum. After a failure the delay grows exponentially from a
base that depends on the error class, up to a cap, with jitter from an injected RNG so that
a host's feeds do not all come back at the same second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from podsift.net import ErrorClass, Freshness

_BASE = {
    ErrorClass.NETWORK: timedelta(minutes=15),
    ErrorClass.TIMEOUT: timedelta(minutes=30),
    ErrorClass.THROTTLED: timedelta(hours=1),
    ErrorClass.SERVER: timedelta(minutes=30),
    ErrorClass.CLIENT: timedelta(hours=6),
    ErrorClass.PARSE: timedelta(hours=6),
    ErrorClass.REFUSED: timedelta(hours=12),
    ErrorClass.GONE: timedelta(days=365),
}


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """The limits of the schedule (from ``[feeds]``)."""

    min_interval: timedelta = timedelta(minutes=15)
    default_interval: timedelta = timedelta(hours=1)
    max_interval: timedelta = timedelta(days=1)
    backoff_cap: timedelta = timedelta(days=2)
    dead_after: timedelta = timedelta(days=30)
    dead_reprobe: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PollState:
    """A show's polling state as stored."""

    state: str = "new"
    next_poll_at: datetime | None = None
    error_count: int = 0
    failing_since: datetime | None = None


def is_due(show: PollState, now: datetime) -> bool:
    """Whether ``show`` should be polled at ``now``; a gone show never is."""
    if show.state == "gone":
        return False
    return show.next_poll_at is None or now >= show.next_poll_at


def after_success(now: datetime, fresh: Freshness, policy: PollPolicy) -> PollState:
    """The state after a good poll: ``ok``, next poll at the publisher's wish, clamped."""
    wish = fresh.hint() or policy.default_interval
    delay = min(max(wish, policy.min_interval), policy.max_interval)
    if fresh.retry_after is not None:
        delay = max(delay, fresh.retry_after)  # never sooner than the server asked
    return PollState("ok", now + delay, 0, None)


def after_failure(
    show: PollState,
    now: datetime,
    error: ErrorClass,
    policy: PollPolicy,
    rng: random.Random,
    retry_after: timedelta | None = None,
) -> PollState:
    """The state after a failed poll: ``gone`` on 410, ``dead`` after long failure, else backoff.

    The delay is ``base * 2**(failures - 1)`` capped at ``backoff_cap``, then jittered to
    between half and all of itself; a Retry-After longer than that wins.
    """
    count = show.error_count + 1
    since = show.failing_since or now
    if error is ErrorClass.GONE:
        return PollState("gone", None, count, since)
    if now - since >= policy.dead_after:
        delay = _jitter(policy.dead_reprobe, rng)
        return PollState("dead", now + delay, count, since)
    base = _BASE[error]
    raw = min(base * (2 ** min(count - 1, 20)), policy.backoff_cap)
    delay = _jitter(raw, rng)
    if retry_after is not None:
        delay = max(delay, min(retry_after, policy.backoff_cap))
    return PollState("failing", now + delay, count, since)


def _jitter(delay: timedelta, rng: random.Random) -> timedelta:
    return delay / 2 + delay * (rng.random() / 2)


# --- reading the publisher's wishes --------------------------------------------------------


def parse_ttl(value: str | None) -> timedelta | None:
    """An RSS ``<ttl>`` (minutes).

    >>> parse_ttl("60")
    datetime.timedelta(seconds=3600)
    """
    if not value or not value.strip().isdigit():
        return None
    minutes = int(value.strip())
    return timedelta(minutes=minutes) if minutes > 0 else None


_FREQ = {
    "MINUTELY": timedelta(minutes=1),
    "HOURLY": timedelta(hours=1),
    "DAILY": timedelta(days=1),
    "WEEKLY": timedelta(weeks=1),
    "MONTHLY": timedelta(days=30),
    "YEARLY": timedelta(days=365),
}


def parse_update_frequency(rrule: str | None) -> timedelta | None:
    """The period of a ``podcast:updateFrequency`` ``rrule`` (FREQ and INTERVAL; BYDAY count).

    >>> parse_update_frequency("FREQ=WEEKLY;INTERVAL=2")
    datetime.timedelta(days=14)
    >>> parse_update_frequency("FREQ=WEEKLY;BYDAY=MO,WE,FR")
    datetime.timedelta(days=2, seconds=28800)
    """
    if not rrule:
        return None
    parts = dict(p.partition("=")[::2] for p in rrule.upper().replace(" ", "").split(";"))
    period = _FREQ.get(parts.get("FREQ", ""))
    if period is None:
        return None
    interval = parts.get("INTERVAL", "1")
    period *= int(interval) if interval.isdigit() and int(interval) > 0 else 1
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if days and period >= timedelta(weeks=1):
        period /= len(days)
    return period
