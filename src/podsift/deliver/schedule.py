"""Pure delivery decisions: is a stored digest sent, kept waiting or expired; when to retry.

Everything here is a function of data and ``now`` (UTC); nothing reads the clock. The
subscriber's local slot (date, send hour, cut-off, DST) is the digest stage's
(:func:`podsift.digest.local_slot`), so a digest is sent in the slot it was composed for.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from podsift.digest import local_slot

Action = Literal["wait", "send", "expire"]
MAX_RETRY_DELAY = timedelta(hours=2)


def send_action(day: date, now: datetime, tz: str, send_hour: int, cutoff_hour: int) -> Action:
    """Decide what to do with a stored, unsent digest of local date ``day`` at ``now``.

    A digest of an earlier local date, or of today after the cut-off, expires; one of today
    inside the window is sent; anything else waits.
    """
    slot = local_slot(now, tz, send_hour, cutoff_hour)
    if day < slot.day or (day == slot.day and slot.state == "late"):
        return "expire"
    if day == slot.day and slot.state == "due":
        return "send"
    return "wait"


def retry_at(attempts: int, now: datetime, base_seconds: float) -> datetime:
    """When to try again after ``attempts`` temporary failures: exponential, capped at 2 h.

    >>> from datetime import UTC
    >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
    >>> [int((retry_at(n, t0, 60) - t0).total_seconds()) for n in (1, 2, 3)]
    [60, 120, 240]
    """
    delay = timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1))
    return now + min(delay, MAX_RETRY_DELAY)
