"""Rate limits for subscribe and feedback: token buckets in memory, keyed by client or address.

Pure given ``now`` (seconds on any clock): a bucket holds ``burst`` tokens, refills one every
``per_seconds``, and a request takes one or is told how long to wait. The buckets live in the
process; with several server processes each keeps its own, which still bounds the total.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Rate:
    """``burst`` requests at once, then one more every ``per_seconds``."""

    burst: int
    per_seconds: float


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The web app's limits (``create_app(..., limits=...)``)."""

    subscribe_per_client: Rate = Rate(5, 60.0)
    subscribe_per_address: Rate = Rate(3, 3600.0)
    feedback_per_client: Rate = Rate(30, 10.0)


@dataclass
class TokenBucket:
    """Token buckets by key, at most ``max_keys`` of them (the fullest are forgotten first).

    >>> bucket = TokenBucket(Rate(2, 10.0))
    >>> [bucket.take("a", 0.0), bucket.take("a", 0.0), bucket.take("a", 0.0)]
    [0.0, 0.0, 10.0]
    >>> bucket.take("a", 4.0), bucket.take("b", 4.0), bucket.take("a", 10.0)
    (6.0, 0.0, 0.0)
    """

    rate: Rate
    max_keys: int = 10_000
    _state: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)

    def take(self, key: str, now: float) -> float:
        """Take a token for ``key`` at ``now``: 0.0 when granted, else the seconds to wait."""
        tokens = self._tokens(key, now)
        if tokens >= 1.0:
            self._state[key] = (tokens - 1.0, now)
            if len(self._state) > self.max_keys:
                self._forget(now)
            return 0.0
        self._state[key] = (tokens, now)
        return round((1.0 - tokens) * self.rate.per_seconds, 3)

    def _tokens(self, key: str, now: float) -> float:
        if key not in self._state:
            return float(self.rate.burst)
        tokens, then = self._state[key]
        refilled = max(now - then, 0.0) / self.rate.per_seconds  # a clock going back adds none
        return min(float(self.rate.burst), tokens + refilled)

    def _forget(self, now: float) -> None:
        """Drop full buckets (a new one is the same); if still too many, the fullest ones.

        The fullest limit least, so a flood of new keys never frees a client that is being
        held back. Dropping down to nine tenths keeps this sort rare.
        """
        tokens = {k: self._tokens(k, now) for k in self._state}
        for k, left in tokens.items():
            if left >= self.rate.burst:
                del self._state[k]
        if len(self._state) > self.max_keys:
            fullest = sorted(self._state, key=lambda k: -tokens[k])
            for k in fullest[: len(self._state) - self.max_keys * 9 // 10]:
                del self._state[k]


class Limiter:
    """The app's buckets, one per limit, on an injected clock (seconds)."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.subscribe_client = TokenBucket(limits.subscribe_per_client)
        self.subscribe_address = TokenBucket(limits.subscribe_per_address)
        self.feedback_client = TokenBucket(limits.feedback_per_client)

    def subscribe(self, client: str, address: str) -> float:
        """Seconds to wait before ``client`` may subscribe ``address`` (0.0: go ahead)."""
        now = self.clock()
        wait = self.subscribe_client.take(client_key(client), now)
        if wait or not address.strip():
            return wait
        return self.subscribe_address.take(address.strip().lower(), now)

    def feedback(self, client: str) -> float:
        """Seconds to wait before ``client`` may vote again (0.0: go ahead)."""
        return self.feedback_client.take(client_key(client), self.clock())


def client_key(host: str) -> str:
    """The key of a client address: IPv4 as it is, IPv6 by its /64 (one host's usual share).

    >>> client_key("203.0.113.9"), client_key("2001:db8::1"), client_key("::ffff:203.0.113.9")
    ('203.0.113.9', '2001:db8::/64', '203.0.113.9')
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


def wait_text(seconds: int) -> str:
    """How long to wait, in words.

    >>> wait_text(1), wait_text(45), wait_text(600), wait_text(5400)
    ('1 second', '45 seconds', '10 minutes', '90 minutes')
    """
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{round(seconds / 60)} minutes"
