"""Local send times with a fixed clock: every time zone, DST changes, missed ticks, cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from podsift.deliver import send_action
from podsift.digest import compose_day, local_slot

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Kiritimati",  # +14
    "Pacific/Niue",  # -11
    "UTC",
]
DST_DAYS = [datetime(2024, 3, 29, tzinfo=UTC), datetime(2024, 10, 25, tzinfo=UTC),
            datetime(2024, 4, 4, tzinfo=UTC), datetime(2024, 9, 27, tzinfo=UTC)]  # fmt: skip


def simulate(
    tz: str, hour: int, start: datetime, *, step: timedelta, skip: set[int] | None = None
) -> dict[date, datetime]:
    """Tick every ``step`` over four days; return the UTC time each local date was sent."""
    sent: dict[date, datetime] = {}
    now, n = start, 0
    while now < start + timedelta(days=4):
        if not skip or n not in skip:
            day = compose_day(now, tz, hour, cutoff_hour=22)
            if day is not None and day not in sent:
                assert send_action(day, now, tz, hour, 22) == "send"
                sent[day] = now
        now += step
        n += 1
    return sent


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("start", DST_DAYS, ids=lambda d: d.date().isoformat())
@pytest.mark.parametrize("hour", [0, 2, 7, 23])
def test_one_send_per_local_date_at_the_local_hour(tz: str, start: datetime, hour: int) -> None:
    sent = simulate(tz, hour, start, step=timedelta(minutes=5))
    days = sorted(sent)
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]  # no day missed
    assert len(days) >= 3
    for day, when in sent.items():
        local = when.astimezone(ZoneInfo(tz))
        if day == days[0] and when == start:
            continue  # the first tick found the day already under way: it caught up
        assert local.date() == day
        # at the hour, or (spring forward) the first tick after a skipped hour
        assert local.hour == hour or (local.hour == hour + 1 and local.minute < 5)


def test_spring_forward_hour_that_does_not_exist_still_sends() -> None:
    # Berlin, 2024-03-31: 02:00 local does not exist; 01:00 UTC is 03:00 CEST
    now = datetime(2024, 3, 31, 1, 0, tzinfo=UTC)
    assert local_slot(now, "Europe/Berlin", 2, 22).state == "due"
    assert compose_day(now, "Europe/Berlin", 2, 22) == date(2024, 3, 31)


def test_fall_back_repeated_hour_is_one_local_date() -> None:
    # Berlin, 2024-10-27: 02:30 happens at 00:30 UTC (CEST) and 01:30 UTC (CET)
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    assert compose_day(first, "Europe/Berlin", 2, 22) == compose_day(second, "Europe/Berlin", 2, 22)


def test_missed_ticks_catch_up_later_the_same_day() -> None:
    # ticks every 10 min; the machine is off 06:50–11:00 local in Berlin
    start = datetime(2024, 6, 1, 22, 0, tzinfo=UTC)  # 00:00 local on 2 June
    off = set(range(41, 66))
    sent = simulate("Europe/Berlin", 7, start, step=timedelta(minutes=10), skip=off)
    when = sent[date(2024, 6, 2)].astimezone(ZoneInfo("Europe/Berlin"))
    assert (when.hour, when.minute) == (11, 0)


def test_after_the_cut_off_the_digest_expires() -> None:
    late = datetime(2024, 6, 2, 20, 5, tzinfo=UTC)  # 22:05 in Berlin
    assert compose_day(late, "Europe/Berlin", 7, 22) is None
    assert send_action(date(2024, 6, 2), late, "Europe/Berlin", 7, 22) == "expire"
    assert send_action(date(2024, 6, 3), late, "Europe/Berlin", 7, 22) == "wait"


def test_cut_off_is_at_least_an_hour_after_a_late_send_hour() -> None:
    at = datetime(2024, 6, 2, 21, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert local_slot(at, "Europe/Berlin", 23, 22).state == "due"
