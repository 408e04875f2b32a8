"""What a run carries through the stages: settings, store, HTTP client, clock, progress."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from podsift.config import Settings
from podsift.store import Store


def _quiet(_message: str) -> None:
    """Progress sink that says nothing."""


@dataclass(frozen=True)
class RunContext:
    """Everything a stage needs from outside: no stage reads the clock or the environment."""

    settings: Settings
    store: Store
    client: httpx.Client
    now: datetime
    lookback: timedelta = timedelta(days=1)
    progress: Callable[[str], None] = field(default=_quiet)
    rng: random.Random = field(default_factory=random.Random)  # backoff jitter; seed in tests

    @property
    def since(self) -> datetime:
        """Episodes published before this are not processed by this run."""
        return self.now - self.lookback


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client for feeds, transcripts and audio, behind the SSRF guard.

    Every connection (first request and each redirect hop) goes to an address checked
    against ``[feeds] allow_networks``; proxies from the environment are ignored.

    Raises:
        ConfigError: ``[feeds] allow_networks`` holds something that is not a network.
    """
    from podsift import __version__
    from podsift.exceptions import ConfigError
    from podsift.net.guard import GuardedBackend, NetworkPolicy

    feeds = settings.feeds
    try:
        policy = NetworkPolicy.from_text(feeds.allow_networks)
    except ValueError as e:
        raise ConfigError(f"[feeds] allow_networks: not a list of networks ({e})") from e
    transport = httpx.HTTPTransport(trust_env=False, retries=0)
    # httpx has no public hook for the connect step; the pool's backend is the seam (#5)
    transport._pool._network_backend = GuardedBackend(policy)
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(feeds.timeout, connect=min(feeds.timeout, feeds.connect_timeout)),
        follow_redirects=True,
        max_redirects=feeds.max_redirects,
        trust_env=False,
        headers={"User-Agent": f"podsift/{__version__} (+https://github.com/podsift/podsift)"},
    )
