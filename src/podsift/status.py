"""What `podsift status` and `/metrics` report: one snapshot of feeds, work and sends, and
where the time of the latest run of each kind went.

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
    runs: Mapping[str, LastRun] = field(default_factory=dict)


TIMES = ("seconds", "items", "per_second")
"""What the pipeline records beside each stage's counts in its ``runs`` row."""


@dataclass(frozen=True)
class LastRun:
    """The latest finished run of one kind (daily, tick, …): when it ended, and each
    stage's ``seconds``, ``items`` and ``per_second`` (None: unknown)."""

    finished: datetime | None
    stages: Mapping[str, Mapping[str, float | None]]

    @classmethod
    def from_counts(cls, finished: datetime | None, counts: Mapping[str, Any]) -> LastRun:
        """Read the ``<stage>.seconds`` (``.items``, ``.per_second``) keys of a ``runs`` row.

        >>> LastRun.from_counts(None, {"feeds.polled": 3, "feeds.seconds": 1.5}).stages
        {'feeds': {'seconds': 1.5}}
        """
        stages: dict[str, dict[str, float | None]] = {}
        for key, value in counts.items():
            stage, _, name = key.rpartition(".")
            if stage and name in TIMES:
                stages.setdefault(stage, {})[name] = value
        return cls(finished, stages)


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
    runs = {kind: LastRun.from_counts(*row) for kind, row in store.last_runs().items()}
    return Snapshot(
        store.counts(),
        feeds,
        store.episode_states(),
        store.asr_counts(now, settings.asr.max_attempts),
        sends,
        queues,
        workers,
        runs,
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
        "runs": {
            kind: {
                "finished": run.finished.isoformat() if run.finished else None,
                "stages": {stage: dict(times) for stage, times in run.stages.items()},
            }
            for kind, run in sorted(snap.runs.items())
        },
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
    lines.extend(_run_lines(snap.runs))
    return "\n".join(lines) + "\n"


RUN_FAMILIES = (
    ("seconds", "stage_seconds", "Wall time of each stage in the latest run of each kind."),
    ("items", "stage_items", "Items each stage handled in that run."),
    ("per_second", "stage_items_per_second", "Items per second of each stage in that run."),
)
"""(key in the ``runs`` row, metric name, help) of the stage gauges."""


def _run_lines(runs: Mapping[str, LastRun]) -> list[str]:
    """Gauges of each stage's time and items in the latest run of each kind (unknown: left out).

    >>> for line in _run_lines({"daily": LastRun(None, {"feeds": {"seconds": 0.25}})}):
    ...     print(line)
    # HELP podsift_stage_seconds Wall time of each stage in the latest run of each kind.
    # TYPE podsift_stage_seconds gauge
    podsift_stage_seconds{run="daily",stage="feeds"} 0.25
    """
    lines: list[str] = []
    for key, name, help_text in RUN_FAMILIES:
        samples = [
            f'podsift_{name}{{run="{kind}",stage="{stage}"}} {_number(times[key])}'
            for kind, run in sorted(runs.items())
            for stage, times in run.stages.items()
            if times.get(key) is not None
        ]
        if samples:
            lines += [f"# HELP podsift_{name} {help_text}", f"# TYPE podsift_{name} gauge"]
            lines += samples
    finished = {k: r.finished for k, r in sorted(runs.items()) if r.finished is not None}
    if finished:
        lines.append(
            "# HELP podsift_run_finished_timestamp_seconds When the run of each kind ended."
        )
        lines.append("# TYPE podsift_run_finished_timestamp_seconds gauge")
        lines += [
            f'podsift_run_finished_timestamp_seconds{{run="{k}"}} {_number(f.timestamp())}'
            for k, f in finished.items()
        ]
    return lines


def _number(value: float | None) -> str:
    """A sample value, exact (no exponent that drops digits).

    >>> _number(3), _number(0.125), _number(1712134800.0)
    ('3', '0.125', '1712134800')
    """
    assert value is not None
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
