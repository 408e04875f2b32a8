"""What `podsift status` and `/metrics` report: one snapshot of feeds, work and sends.

Collecting reads the store (and, when it answers, the task broker); rendering is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from podsift.config import Settings
from podsift.store import Store


@dataclass(frozen=True)
class Snapshot:
    """Counts at one moment; ``queues`` is None when the broker did not answer."""

    counts: Mapping[str, int]
    feeds: Mapping[str, int]
    episodes: Mapping[str, tuple[int, datetime | None]]
    asr: Mapping[str, int]
    sends: Mapping[str, int]
    queues: Mapping[str, int] | None = None
    workers: tuple[str, ...] = field(default=())


def collect(store: Store, settings: Settings, now: datetime, broker: bool = True) -> Snapshot:
    """Read the snapshot: tables, feeds by state, episodes by state, ASR work, the ledger."""
    shows = store.shows_by_state()
    feeds: dict[str, int] = {}
    for state, *_ in shows:
        feeds[state] = feeds.get(state, 0) + 1
    sends: dict[str, int] = {}
    for row in store.deliveries():
        sends[row.status] = sends.get(row.status, 0) + 1
    queues, workers = _broker(settings) if broker else (None, ())
    return Snapshot(
        store.counts(),
        feeds,
        store.episode_states(),
        store.asr_counts(now, settings.asr.max_attempts),
        sends,
        queues,
        workers,
    )


def _broker(settings: Settings) -> tuple[dict[str, int] | None, tuple[str, ...]]:
    """Queue depths and the workers that answer a ping, or nothing when no broker is there."""
    try:
        import redis
    except ImportError:
        return None, ()
    try:
        client = redis.Redis.from_url(
            settings.queue.broker_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        from podsift.queue import QUEUES

        depths = {q: int(client.llen(q)) for q in QUEUES}
    except (redis.RedisError, OSError):
        return None, ()
    return depths, _workers(settings)


def _workers(settings: Settings) -> tuple[str, ...]:
    from podsift.queue import make_app

    replies = make_app(settings.queue).control.ping(timeout=0.5) or []
    return tuple(sorted(name for reply in replies for name in reply))


def as_json(snap: Snapshot) -> dict[str, Any]:
    """The snapshot as JSON-ready data."""
    return {
        "counts": dict(snap.counts),
        "feeds": dict(snap.feeds),
        "episodes": {
            state: {"count": n, "oldest": oldest.isoformat() if oldest else None}
            for state, (n, oldest) in sorted(snap.episodes.items())
        },
        "asr": dict(snap.asr),
        "sends": dict(snap.sends),
        "queues": dict(snap.queues) if snap.queues is not None else None,
        "workers": list(snap.workers),
    }


def to_prometheus(snap: Snapshot) -> str:
    """The snapshot in the Prometheus text exposition format.

    >>> print(to_prometheus(Snapshot({"shows": 2}, {"ok": 2}, {}, {}, {})).splitlines()[2])
    podsift_rows{table="shows"} 2
    """
    lines: list[str] = []

    def family(name: str, help_text: str, label: str, values: Mapping[str, float]) -> None:
        lines.append(f"# HELP podsift_{name} {help_text}")
        lines.append(f"# TYPE podsift_{name} gauge")
        lines.extend(f'podsift_{name}{{{label}="{k}"}} {v:g}' for k, v in sorted(values.items()))

    family("rows", "Rows in each main table.", "table", snap.counts)
    family("feeds", "Shows by polling state.", "state", snap.feeds)
    family(
        "episodes",
        "Episodes by pipeline state.",
        "state",
        {k: n for k, (n, _) in snap.episodes.items()},
    )
    family(
        "episode_oldest_timestamp_seconds",
        "When the oldest episode in a state was stored.",
        "state",
        {k: o.timestamp() for k, (_, o) in snap.episodes.items() if o},
    )
    family("asr_episodes", "Episodes waiting for speech-to-text.", "kind", snap.asr)
    family("deliveries", "Digests in the send ledger by status.", "status", snap.sends)
    if snap.queues is not None:
        family("queue_depth", "Tasks waiting in each queue.", "queue", snap.queues)
        lines.append("# HELP podsift_workers Workers that answered a ping.")
        lines.append("# TYPE podsift_workers gauge")
        lines.append(f"podsift_workers {len(snap.workers)}")
    return "\n".join(lines) + "\n"
