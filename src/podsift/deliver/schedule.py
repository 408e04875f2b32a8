"""Pure delivery decisions: is a digest due, late or early; when to retry; when to pause.

Everything here is a function of data and ``now`` (UTC); nothing reads the clock. Local
dates and hours come from ``zoneinfo``, so DST changes are handled by the time zone data:
on a spring-forward day an hour that does not exist is simply passed (the next tick is
later than it), and on a fall-back day the hour that happens twice cannot send twice,
because there is one digest per subscriber and local date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Action = Literal["wait", "send", "expire"]
MAX_RETRY_DELAY = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a subscriber's day stands at ``now``: their local date and whether it is time."""

    day: date
    state: Literal["early", "due", "late"]


def local_slot(now: datetime, tz: str, send_hour: int, cutoff_hour: int) -> Slot:
    """Return the subscriber's local date at ``now`` and whether sending is early/due/late.

    Due from ``send_hour`` until ``cutoff_hour`` (local); the cut-off is at least one hour
    after the send hour.

    >>> from datetime import UTC
    >>> local_slot(datetime(2024, 3, 31, 5, 0, tzinfo=UTC), "Europe/Berlin", 7, 22)
    Slot(day=datetime.date(2024, 3, 31), state='due')
    >>> local_slot(datetime(2024, 3, 31, 4, 59, tzinfo=UTC), "Europe/Berlin", 7, 22).state
    'early'
    """
    local = now.astimezone(ZoneInfo(tz))
    cutoff = max(cutoff_hour, send_hour + 1)
    if local.hour < send_hour:
        return Slot(local.date(), "early")
    if local.hour >= cutoff:
        return Slot(local.date(), "late")
    return Slot(local.date(), "due")


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


def compose_day(now: datetime, tz: str, send_hour: int, cutoff_hour: int) -> date | None:
    """The local date whose digest should be built now, or None (too early or too late)."""
    slot = local_slot(now, tz, send_hour, cutoff_hour)
    return slot.day if slot.state == "due" else None


def retry_at(attempts: int, now: datetime, base_seconds: float) -> datetime:
    """When to try again after ``attempts`` temporary failures: exponential, capped at 2 h.

    >>> from datetime import UTC
    >>> t0 = datetime(2024, 1, 1, tzinfo=UTC)
    >>> [int((retry_at(n, t0, 60) - t0).total_seconds()) for n in (1, 2, 3)]
    [60, 120, 240]
    """
    delay = timedelta(seconds=base_seconds * 2 ** max(0, attempts - 1))
    return now + min(delay, MAX_RETRY_DELAY)
