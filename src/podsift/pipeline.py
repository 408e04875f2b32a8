"""The daily job: the stages in order. This file is a table of contents, not a stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import cluster, digest, insights, sources, transcripts
from .context import RunContext
from .deliver import Sender, SendReport, send_due


@dataclass(frozen=True, slots=True)
class RunReport:
    """What each stage of one run did."""

    feeds: sources.PollReport
    transcripts: transcripts.ObtainReport
    insights: insights.ExtractReport
    stories: cluster.StoriesReport
    digests: digest.ComposeReport
    sent: SendReport | None = None

    def as_dict(self) -> dict[str, dict[str, int]]:
        """The counts of each stage, for `runs` rows and `--json` output."""
        stages: dict[str, Any] = {
            "feeds": self.feeds,
            "transcripts": self.transcripts,
            "insights": self.insights,
            "stories": self.stories,
            "digests": self.digests,
        }
        if self.sent is not None:
            stages["sent"] = self.sent
        return {name: {k: getattr(r, k) for k in r.__slots__} for name, r in stages.items()}


def run_daily(ctx: RunContext, sender: Sender | None = None) -> RunReport:
    """Run every stage once: poll, transcripts, insights, stories, digests, then send."""
    run_id = ctx.store.start_run("daily", ctx.now)
    polled = sources.poll_all(ctx)
    obtained = transcripts.obtain_all(ctx)
    found = insights.extract_all(ctx)
    grouped = cluster.group_all(ctx)
    composed = digest.compose_all(ctx)
    sent = send_due(ctx, sender) if sender is not None else None
    report = RunReport(polled, obtained, found, grouped, composed, sent)
    ctx.store.finish_run(run_id, ctx.now, _flat(report.as_dict()))
    return report


def _flat(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    return {f"{stage}.{k}": v for stage, values in counts.items() for k, v in values.items()}
