"""What a run carries through the stages: settings, store, HTTP client, clock, progress."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import httpx

from podsift.config import Settings
from podsift.store import Store

if TYPE_CHECKING:
    from podsift.deliver import Sender

Compose = Literal["today", "due"]
"""Which digests a run composes: everyone's for today (the daily run), or only those whose
send hour has come (the tick)."""


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
    sender: Sender | None = None  # where the delivery stage sends; None: nothing is sent
    compose: Compose = "today"
    # seconds that only move forward; with ``now`` it gives moment(); inject it in tests
    monotonic: Callable[[], float] = field(default=time.monotonic, repr=False)
    _started: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_started", self.monotonic())

    def moment(self) -> datetime:
        """The time now, within the run: ``now`` plus the time elapsed since the context began.

        ``now`` is the run's start and decides what is due; a step that stamps when it
        happened (a send's claim) uses this instead.
        """
        return self.now + timedelta(seconds=self.monotonic() - self._started)

    @property
    def since(self) -> datetime:
        """Episodes published before this are not processed by this run."""
        return self.now - self.lookback
