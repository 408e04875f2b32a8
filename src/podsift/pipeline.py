"""The stages in order, and where each one runs. This file is a table of contents, not a stage.

The daily run does every stage in this process. The distributed run hands the per-episode
stages to Celery workers (one ``workers`` entry in its report) and does the rest here. The
tick (cron, every few minutes) does what is due now: it takes in new episodes (unless told
not to poll), composes the digests whose local hour has come, and sends them; speech-to-text
stays with its own workers there (``podsift transcribe --pending``).
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
    tick runs it. ``wanted``: whether this run needs it at all.
    """

    name: str
    run: Callable[[RunContext], Any]
    per_episode: bool = False
    intake: bool = False
    in_tick: bool = True
    wanted: Callable[[RunContext], bool] = _always


STAGES: tuple[Stage, ...] = (
    Stage("feeds", feeds.run, intake=True),
    Stage("transcripts", transcripts.run, per_episode=True, intake=True),
    Stage("asr", asr.run, per_episode=True, intake=True, in_tick=False, wanted=_asr_here),
    Stage("insights", insights.run, per_episode=True, intake=True),
    Stage("stories", stories.run, intake=True),
    Stage("digests", digest.run),
    Stage("sent", deliver.run, wanted=_has_sender),
)
"""Every stage, in the order a run does them."""


@dataclass(frozen=True)
class RunReport:
    """What each stage of one run did, by stage name, in the order they ran."""

    stages: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The counts of each stage, for `runs` rows and `--json` output."""
        return {name: dataclasses.asdict(r) for name, r in self.stages.items()}


def run_daily(ctx: RunContext) -> RunReport:
    """Run every stage once, here: poll, transcripts, insights, stories, digests, then send.

    Digests are sent when ``ctx.sender`` is set.
    """
    return _run(ctx, "daily", STAGES)


def run_daily_distributed(ctx: RunContext, app: Celery) -> RunReport:
    """The daily run with the per-episode stages on Celery workers; the rest runs here."""
    workers = Stage("workers", lambda ctx: _wait_for_workers(ctx, app))
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
    """Run the wanted stages of ``plan`` in order, recorded as one row of ``runs``."""
    run_id = ctx.store.start_run(kind, ctx.now)
    report = RunReport({stage.name: stage.run(ctx) for stage in plan if stage.wanted(ctx)})
    ctx.store.finish_run(run_id, ctx.now, _flat(report.as_dict()))
    return report


def _wait_for_workers(ctx: RunContext, app: Celery) -> Any:
    """Hand the window's episodes to the workers and wait for them (``[queue] wait_timeout``)."""
    from podsift.queue import run_distributed  # the `queue` extra: only a distributed run needs it

    return run_distributed(ctx, app, timeout=ctx.settings.queue.wait_timeout)


def _flat(counts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {f"{stage}.{k}": v for stage, values in counts.items() for k, v in values.items()}
