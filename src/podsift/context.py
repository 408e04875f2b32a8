"""What a run carries through the stages: settings, store, HTTP client, clock, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from .config import Settings
from .store import Store


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

    @property
    def since(self) -> datetime:
        """Episodes published before this are not processed by this run."""
        return self.now - self.lookback


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client for feeds and transcripts (no proxies from the environment)."""
    from . import __version__

    return httpx.Client(
        timeout=httpx.Timeout(settings.feeds.timeout),
        follow_redirects=True,
        max_redirects=5,
        trust_env=False,
        headers={"User-Agent": f"podsift/{__version__} (+https://github.com/podsift/podsift)"},
    )
