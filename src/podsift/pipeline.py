"""The daily job: the stages in order. This file is a table of contents, not a stage."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podsift import digest, feeds, insights, stories, transcripts
from podsift.asr.stage import transcribe_pending
from podsift.context import RunContext
from podsift.deliver import Sender, send_due

if TYPE_CHECKING:
    from celery import Celery


@dataclass(frozen=True)
class RunReport:
    """What each stage of one run did, by stage name, in the order they ran."""

    stages: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """The counts of each stage, for `runs` rows and `--json` output."""
        return {name: dataclasses.asdict(r) for name, r in self.stages.items()}


def run_daily(ctx: RunContext, sender: Sender | None = None) -> RunReport:
    """Run every stage once: poll, transcripts, insights, stories, digests, then send."""
    run_id = ctx.store.start_run("daily", ctx.now)
    stages: dict[str, Any] = {"feeds": feeds.poll_all(ctx)}
    stages["transcripts"] = transcripts.obtain_all(ctx)
    if ctx.settings.asr.in_daily_run:  # else `podsift transcribe --pending` workers do it
        stages["asr"] = transcribe_pending(ctx, published_since=ctx.since)
    stages["insights"] = insights.extract_all(ctx)
    return _finish(ctx, run_id, stages, sender)


def run_daily_distributed(ctx: RunContext, app: Celery, sender: Sender | None = None) -> RunReport:
    """The daily job with the per-episode stages on Celery workers; the rest runs here."""
    from podsift.queue import run_distributed

    run_id = ctx.store.start_run("daily-distributed", ctx.now)
    stages: dict[str, Any] = {"feeds": feeds.poll_all(ctx)}
    stages["workers"] = run_distributed(ctx, app, timeout=ctx.settings.queue.wait_timeout)
    return _finish(ctx, run_id, stages, sender)


def _finish(
    ctx: RunContext, run_id: int, stages: dict[str, Any], sender: Sender | None
) -> RunReport:
    """The central stages: stories, digests, then sending."""
    stages["stories"] = stories.group_all(ctx)
    stages["digests"] = digest.compose_all(ctx)
    if sender is not None:
        stages["sent"] = send_due(ctx, sender)
    report = RunReport(stages)
    ctx.store.finish_run(run_id, ctx.now, _flat(report.as_dict()))
    return report


def run_tick(ctx: RunContext, sender: Sender | None = None, *, poll: bool = True) -> RunReport:
    """Do what is due now (cron / systemd timer): poll, build due digests, send due ones."""
    from podsift.deliver import compose_due

    run_id = ctx.store.start_run("tick", ctx.now)
    stages: dict[str, Any] = {}
    if poll:
        stages["feeds"] = feeds.poll_all(ctx)
        stages["transcripts"] = transcripts.obtain_all(ctx)
        stages["insights"] = insights.extract_all(ctx)
        stages["stories"] = stories.group_all(ctx)
    stages["digests"] = compose_due(ctx)
    if sender is not None:
        stages["sent"] = send_due(ctx, sender)
    report = RunReport(stages)
    ctx.store.finish_run(run_id, ctx.now, _flat(report.as_dict()))
    return report


def _flat(counts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {f"{stage}.{k}": v for stage, values in counts.items() for k, v in values.items()}
