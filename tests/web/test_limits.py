"""Token buckets on an injected clock: bursts, refills, separate keys, bounded memory."""

from __future__ import annotations

import pytest

from podsift.web.limits import Limiter, Rate, RateLimits, TokenBucket, client_key


def test_a_burst_then_one_per_period() -> None:
    bucket = TokenBucket(Rate(3, 60.0))
    assert [bucket.take("ip", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("ip", 0.0) == 60.0
    assert bucket.take("ip", 30.0) == pytest.approx(30.0)  # half a token back: wait the rest
    assert bucket.take("ip", 60.0) == 0.0
    assert bucket.take("ip", 61.0) > 0


def test_a_long_pause_refills_no_more_than_the_burst() -> None:
    bucket = TokenBucket(Rate(2, 10.0))
    bucket.take("ip", 0.0)
    bucket.take("ip", 0.0)
    assert [bucket.take("ip", 10_000.0) for _ in range(3)] == [0.0, 0.0, 10.0]


def test_a_clock_that_goes_back_refills_nothing() -> None:
    bucket = TokenBucket(Rate(1, 10.0))
    assert bucket.take("ip", 100.0) == 0.0
    assert bucket.take("ip", 50.0) == 10.0


def test_keys_have_their_own_buckets() -> None:
    bucket = TokenBucket(Rate(1, 60.0))
    assert bucket.take("a", 0.0) == 0.0 and bucket.take("a", 0.0) > 0
    assert bucket.take("b", 0.0) == 0.0


def test_memory_stays_bounded_and_keeps_what_still_limits() -> None:
    bucket = TokenBucket(Rate(2, 10.0), max_keys=3)
    for n in range(10):
        bucket.take(f"once{n}", float(n))  # refilled a few seconds later: forgettable
    bucket.take("busy", 100.0)
    bucket.take("busy", 100.0)  # empty at 100: must be remembered
    for n in range(10):
        bucket.take(f"late{n}", 100.0 + n)
    assert len(bucket._state) <= 3
    assert bucket.take("busy", 100.5) > 0  # still limited


def test_the_limiter_counts_clients_and_addresses_apart() -> None:
    limits = RateLimits(subscribe_per_client=Rate(10, 60.0), subscribe_per_address=Rate(2, 3600.0))
    limiter = Limiter(limits, lambda: 0.0)
    assert limiter.subscribe("203.0.113.1", "Ann@Example.org") == 0.0
    assert limiter.subscribe("203.0.113.2", " ann@example.org ") == 0.0
    assert limiter.subscribe("203.0.113.3", "ann@example.org") == 3600.0  # the same address
    assert limiter.subscribe("203.0.113.3", "bob@example.org") == 0.0


def test_ipv6_clients_are_counted_by_their_64() -> None:
    assert client_key("2001:db8::1") == client_key("2001:db8::ffff:1") == "2001:db8::/64"
    assert client_key("2001:db8:0:1::1") != client_key("2001:db8::1")
