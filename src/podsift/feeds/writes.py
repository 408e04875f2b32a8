"""Poll results waiting to be written: many polls, one transaction.

The poller parses each answer as it comes in and hands its row changes here; they reach
the store in batches (:meth:`podsift.store.Store.save_polls`), so an unchanged feed costs
one row of an ``executemany`` UPDATE instead of a transaction of its own. A crash loses at
most one batch of results, and those feeds are simply polled again by the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from podsift.feeds.identity import REPUBLISHED, Fingerprint
from podsift.models import Episode
from podsift.store import EpisodeBatch, PollOutcome, RepublishedRule


class PollStore(Protocol):
    """The part of the store a batch writes to."""

    def save_polls(
        self,
        now: datetime,
        outcomes: Sequence[tuple[int, PollOutcome]],
        episodes: Sequence[EpisodeBatch] = (),
        *,
        republished: RepublishedRule[Fingerprint] | None = None,
    ) -> list[int]:
        """Store many polls in one transaction; return new episodes per batch."""
        ...


class PollWrites:
    """Row changes of polled shows, written ``size`` polls at a time (and on :meth:`flush`)."""

    def __init__(
        self,
        store: PollStore,
        now: datetime,
        size: int = 500,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.store = store
        self.now = now
        self.size = max(1, size)
        self.progress = progress
        self.outcomes: list[tuple[int, PollOutcome]] = []
        self.batches: list[EpisodeBatch] = []
        self.titles: list[str] = []
        self.added = 0

    def save(self, show_id: int, outcome: PollOutcome) -> None:
        """Queue one poll's outcome for its show row."""
        self.outcomes.append((show_id, outcome))
        if len(self.outcomes) >= self.size:
            self.flush()

    def episodes(
        self, show_id: int, title: str, episodes: Sequence[Episode], keys: Sequence[str]
    ) -> None:
        """Queue a polled show's episodes (stored if not seen before)."""
        self.batches.append(EpisodeBatch(show_id, tuple(episodes), tuple(keys)))
        self.titles.append(title)

    def flush(self) -> int:
        """Write what is queued in one transaction; return the new episodes it stored."""
        if not self.outcomes and not self.batches:
            return 0
        counts = self.store.save_polls(
            self.now, self.outcomes, self.batches, republished=REPUBLISHED
        )
        if self.progress is not None:
            for title, count in zip(self.titles, counts, strict=True):
                self.progress(f"polled {title}: {count} new episode(s)")
        self.outcomes, self.batches, self.titles = [], [], []
        self.added += sum(counts)
        return sum(counts)
