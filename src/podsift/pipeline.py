"""The stages in order, and where each one runs. This file is a table of contents, not a stage.

The daily run does every stage in this process. The distributed run hands the per-episode
stages to Celery workers (one ``workers`` entry in its report) and does the rest here. The
tick (cron, every few minutes) does what is due now: it takes in new episodes (unless told
not to poll), composes the digests whose local hour has come, and sends them; speech-to-text
stays with its own workers there (``podsift transcribe --pending``).

Every run times its stages on the context's monotonic clock (``ctx.monotonic``, a fake in
tests): wall seconds and items per second go beside the counts in ``--json``, the summary,
the ``runs`` row and ``/metrics``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podsift import asr, deliver, digest, feeds, insights, stories, transcripts
from podsift.context import RunContext

if TYPE_CHECKING:
    from celery import Celery


def _always(_ctx: RunContext) -> bool:
    return True


def _asr_here(ctx: RunContext) -> bool:
    return ctx.settings.asr.in_daily_run  # else `podsift transcribe --pending` workers do it


def _has_sender(ctx: RunContext) -> bool:
    return ctx.sender is not None


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage: its name in reports and ``runs`` rows, its entry, and where it runs.

    ``per_episode``: done by Celery workers in the distributed run. ``intake``: takes in new
    episodes (feeds to stories), which a tick without polling leaves out. ``in_tick``: the
    tick runs it. ``wanted``: whether this run needs it at all. ``items``: the counts of its
    report that add up to the items it handled (for items per second); a name the report
    lacks counts 0.
    """

    name: str
    run: Callable[[RunContext], Any]
    per_episode: bool = False
    intake: bool = False
    in_tick: bool = True
    wanted: Callable[[RunContext], bool] = _always
    items: tuple[str, ...] = ()

    def items_in(self, report: Any) -> int | None:
        """How many items ``report`` says this stage handled; None when it does not say."""
        if not self.items:
            return None
        return sum(int(getattr(report, name, 0)) for name in self.items)


STAGES: tuple[Stage, ...] = (
    Stage("feeds", feeds.run, intake=True, items=("polled",)),
    Stage("transcripts", transcripts.run, per_episode=True, intake=True,
          items=("fetched", "without_transcript", "failed")),
    Stage("asr", asr.run, per_episode=True, intake=True, in_tick=False, wanted=_asr_here,
          items=("transcribed", "retrying", "failed")),
    Stage("insights", insights.run, per_episode=True, intake=True, items=("episodes",)),
    Stage("stories", stories.run, intake=True, items=("insights",)),
    Stage("digests", digest.run, items=("digests", "built")),  # daily or tick report
    Stage("sent", deliver.run, wanted=_has_sender, items=("sent", "failed", "retry")),
)  # fmt: skip
"""Every stage, in the order a run does them."""


@dataclass(frozen=True, slots=True)
class StageTime:
    """How long one stage took (wall seconds) and how many items it handled (None: unknown)."""

    seconds: float
    items: int | None = None

    @property
    def per_second(self) -> float | None:
        """Items per second; None when the items are unknown or no time was measured.

        >>> StageTime(2.0, 5).per_second, StageTime(0.0, 5).per_second
        (2.5, None)
        """
        if self.items is None or self.seconds <= 0:
            return None
        return self.items / self.seconds

    def as_dict(self) -> dict[str, Any]:
        """``seconds``, ``items`` and ``per_second``, rounded for people to read."""
        rate = self.per_second
        return {
            "seconds": round(self.seconds, 3),
            "items": self.items,
            "per_second": None if rate is None else round(rate, 2),
        }


@dataclass(frozen=True)
class RunReport:
    """What each stage of one run did, by stage name, in the order they ran, and how long
    each took."""

    stages: dict[str, Any] = field(default_factory=dict)
    times: dict[str, StageTime] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The counts of each stage."""
        return {name: dataclasses.asdict(r) for name, r in self.stages.items()}

    def with_times(self) -> dict[str, dict[str, Any]]:
        """The counts of each stage with its ``seconds``, ``items`` and ``per_second``: what
        ``--json`` prints and the ``runs`` row keeps."""
        counts = self.as_dict()
        for name, spent in self.times.items():
            counts[name] = counts.get(name, {}) | spent.as_dict()
        return counts


def run_daily(ctx: RunContext) -> RunReport:
    """Run every stage once, here: poll, transcripts, insights, stories, digests, then send.

    Digests are sent when ``ctx.sender`` is set.
    """
    return _run(ctx, "daily", STAGES)


def run_daily_distributed(ctx: RunContext, app: Celery) -> RunReport:
    """The daily run with the per-episode stages on Celery workers; the rest runs here."""
    workers = Stage("workers", lambda ctx: _wait_for_workers(ctx, app), items=("enqueued",))
    plan: list[Stage] = []
    for stage in STAGES:
        if not stage.per_episode:
            plan.append(stage)
        elif workers not in plan:
            plan.append(workers)
    return _run(ctx, "daily-distributed", plan)


def run_tick(ctx: RunContext, *, poll: bool = True) -> RunReport:
    """Do what is due now (cron / systemd timer): poll, build due digests, send due ones."""
    plan = [s for s in STAGES if s.in_tick and (poll or not s.intake)]
    return _run(dataclasses.replace(ctx, compose="due"), "tick", plan)


def _run(ctx: RunContext, kind: str, plan: Sequence[Stage]) -> RunReport:
    """Run the wanted stages of ``plan`` in order, timed, recorded as one row of ``runs``."""
    run_id = ctx.store.start_run(kind, ctx.now)
    done: dict[str, Any] = {}
    times: dict[str, StageTime] = {}
    for stage in plan:
        if stage.wanted(ctx):
            began = ctx.monotonic()
            done[stage.name] = stage.run(ctx)
            times[stage.name] = StageTime(ctx.monotonic() - began, stage.items_in(done[stage.name]))
    report = RunReport(done, times)
    ctx.store.finish_run(run_id, ctx.moment(), _flat(report.with_times()))
    return report


def _wait_for_workers(ctx: RunContext, app: Celery) -> Any:
    """Hand the window's episodes to the workers and wait for them (``[queue] wait_timeout``)."""
    from podsift.queue import run_distributed  # the `queue` extra: only a distributed run needs it

    return run_distributed(ctx, app, timeout=ctx.settings.queue.wait_timeout)


def _flat(counts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {f"{stage}.{k}": v for stage, values in counts.items() for k, v in values.items()}
