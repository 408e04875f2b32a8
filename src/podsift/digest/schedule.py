"""When a subscriber's digest is due: their local date and send hour (pure).

Everything here is a function of data and ``now`` (UTC); nothing reads the clock. Local
dates and hours come from ``zoneinfo``, so DST changes are handled by the time zone data:
on a spring-forward day an hour that does not exist is simply passed (the next tick is
later than it), and on a fall-back day the hour that happens twice cannot compose or send
twice, because there is one digest per subscriber and local date. The delivery stage
(:mod:`podsift.deliver`) decides with the same slots when a stored digest is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a subscriber's day stands at ``now``: their local date and whether it is time."""

    day: date
    state: Literal["early", "due", "late"]


def local_date(now: datetime, tz: str) -> date:
    """The recipient's local date at ``now``.

    >>> from datetime import UTC
    >>> local_date(datetime(2024, 3, 31, 23, 0, tzinfo=UTC), "Europe/Berlin")
    datetime.date(2024, 4, 1)
    """
    return now.astimezone(ZoneInfo(tz)).date()


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


def compose_day(now: datetime, tz: str, send_hour: int, cutoff_hour: int) -> date | None:
    """The local date whose digest should be built now, or None (too early or too late)."""
    slot = local_slot(now, tz, send_hour, cutoff_hour)
    return slot.day if slot.state == "due" else None
