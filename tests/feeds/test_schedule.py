"""The polling rules: pure decisions of the state, the answer and the clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from podsift.feeds.schedule import (
    PollPolicy,
    PollState,
    after_failure,
    after_success,
    is_due,
    parse_ttl,
    parse_update_frequency,
)
from podsift.net import (
    ErrorClass,
    Freshness,
    parse_expires,
    parse_max_age,
    parse_retry_after,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
POLICY = PollPolicy()


def test_new_show_is_due_and_gone_never_is() -> None:
    assert is_due(PollState(), NOW)
    assert not is_due(PollState("gone", None, 1, NOW), NOW)
    assert not is_due(PollState("ok", NOW + timedelta(minutes=1)), NOW)
    assert is_due(PollState("ok", NOW), NOW)


def test_success_uses_default_interval_without_hints() -> None:
    state = after_success(NOW, Freshness(), POLICY)
    assert state == PollState("ok", NOW + timedelta(hours=1), 0, None)


@pytest.mark.parametrize(
    ("fresh", "delay"),
    [
        (Freshness(max_age=timedelta(hours=3)), timedelta(hours=3)),
        (Freshness(expires_in=timedelta(hours=2)), timedelta(hours=2)),
        (Freshness(ttl=timedelta(minutes=90)), timedelta(minutes=90)),
        (Freshness(update_every=timedelta(hours=6)), timedelta(hours=6)),
        (Freshness(max_age=timedelta(seconds=5)), timedelta(minutes=15)),  # floor
        (Freshness(ttl=timedelta(days=9)), timedelta(days=1)),  # ceiling
        (Freshness(retry_after=timedelta(days=2), ttl=timedelta(hours=1)), timedelta(days=2)),
        (Freshness(max_age=timedelta(hours=4), ttl=timedelta(hours=1)), timedelta(hours=4)),
    ],
)
def test_success_follows_the_publisher_within_limits(fresh: Freshness, delay: timedelta) -> None:
    assert after_success(NOW, fresh, POLICY).next_poll_at == NOW + delay


def test_failures_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(7)
    state = PollState("ok")
    delays = []
    for _ in range(12):
        state = after_failure(state, NOW, ErrorClass.NETWORK, POLICY, rng)
        assert state.next_poll_at is not None
        delays.append(state.next_poll_at - NOW)
    assert state.state == "failing" and state.error_count == 12
    assert state.failing_since == NOW
    base = timedelta(minutes=15)
    for n, delay in enumerate(delays[:5]):
        assert base * 2**n / 2 <= delay <= base * 2**n
    assert all(d <= POLICY.backoff_cap for d in delays)
    assert delays[-1] >= POLICY.backoff_cap / 2


def test_jitter_comes_from_the_injected_rng() -> None:
    one = after_failure(PollState(), NOW, ErrorClass.SERVER, POLICY, random.Random(1))
    two = after_failure(PollState(), NOW, ErrorClass.SERVER, POLICY, random.Random(1))
    other = after_failure(PollState(), NOW, ErrorClass.SERVER, POLICY, random.Random(2))
    assert one == two != other


def test_error_classes_start_from_different_bases() -> None:
    rng = random.Random(0)
    net = after_failure(PollState(), NOW, ErrorClass.NETWORK, POLICY, random.Random(0))
    parse = after_failure(PollState(), NOW, ErrorClass.PARSE, POLICY, rng)
    assert net.next_poll_at and parse.next_poll_at and parse.next_poll_at > net.next_poll_at


def test_410_marks_gone() -> None:
    state = after_failure(PollState("ok"), NOW, ErrorClass.GONE, POLICY, random.Random(0))
    assert state.state == "gone" and state.next_poll_at is None and not is_due(state, NOW)


def test_long_failure_becomes_dead_and_is_reprobed_rarely() -> None:
    since = NOW - timedelta(days=31)
    state = PollState("failing", NOW, 40, since)
    dead = after_failure(state, NOW, ErrorClass.NETWORK, POLICY, random.Random(0))
    assert dead.state == "dead" and dead.failing_since == since
    assert dead.next_poll_at is not None
    assert NOW + timedelta(days=3, hours=12) <= dead.next_poll_at <= NOW + timedelta(days=7)
    assert after_success(NOW, Freshness(), POLICY).state == "ok"  # a good probe revives it


def test_retry_after_wins_over_a_shorter_backoff() -> None:
    state = after_failure(
        PollState(), NOW, ErrorClass.THROTTLED, POLICY, random.Random(0), timedelta(hours=20)
    )
    assert state.next_poll_at == NOW + timedelta(hours=20)


def test_header_parsers() -> None:
    assert parse_retry_after("Sat, 01 Mar 2025 13:00:00 GMT", NOW) == timedelta(hours=1)
    assert parse_retry_after("soon", NOW) is None
    assert parse_max_age("no-cache") is None
    assert parse_max_age('s-maxage=1, max-age="60"') == timedelta(seconds=60)
    assert parse_expires("Sat, 01 Mar 2025 14:00:00 GMT", NOW) == timedelta(hours=2)
    assert parse_expires("0", NOW) is None
    assert parse_expires("Fri, 28 Feb 2025 14:00:00 GMT", NOW) is None
    assert parse_ttl("0") is None and parse_ttl("x") is None
    assert parse_update_frequency("FREQ=DAILY") == timedelta(days=1)
    assert parse_update_frequency("nonsense") is None
