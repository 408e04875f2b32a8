"""The daily run, the distributed run and the tick share one list of stages (fakes here)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import ClassVar

import httpx
import pytest

from podsift import pipeline
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.pipeline import STAGES, run_daily, run_daily_distributed, run_tick
from podsift.store import Store

NOW = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)
PER_EPISODE = ["transcripts", "asr", "insights"]


@dataclass(frozen=True)
class Done:
    """What a fake stage reports: which digests the run asked for."""

    compose: str


class Outbox:
    name: ClassVar[str] = "outbox"

    def send(self, msg: EmailMessage) -> None:
        """Never called: the delivery stage is a fake here."""


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every stage replaced by a fake that records its name; the workers' wait too."""
    done: list[str] = []

    def fake(name: str) -> Callable[[RunContext], Done]:
        def run(ctx: RunContext) -> Done:
            done.append(name)
            return Done(ctx.compose)

        return run

    fakes = tuple(dataclasses.replace(s, run=fake(s.name)) for s in STAGES)
    monkeypatch.setattr(pipeline, "STAGES", fakes)
    monkeypatch.setattr(pipeline, "_wait_for_workers", lambda ctx, _app: fake("workers")(ctx))
    return done


@pytest.fixture
def ctx(store: Store) -> Iterator[RunContext]:
    with httpx.Client() as client:
        yield RunContext(load_settings(env={}), store, client, NOW, sender=Outbox())


def test_the_table_lists_every_stage_once_in_order() -> None:
    names = [s.name for s in STAGES]
    assert names == ["feeds", *PER_EPISODE, "stories", "digests", "sent"]
    assert [s.name for s in STAGES if s.per_episode] == PER_EPISODE


def test_the_daily_run_does_every_wanted_stage_here(calls: list[str], ctx: RunContext) -> None:
    report = run_daily(ctx)
    assert list(report.stages) == calls == [s.name for s in STAGES]
    assert {d.compose for d in report.stages.values()} == {"today"}
    calls.clear()
    asr_off = dataclasses.replace(ctx.settings.asr, in_daily_run=False)
    quiet = dataclasses.replace(
        ctx, sender=None, settings=dataclasses.replace(ctx.settings, asr=asr_off)
    )
    assert calls == [] and list(run_daily(quiet).stages) == [
        "feeds",
        "transcripts",
        "insights",
        "stories",
        "digests",
    ]


def test_the_distributed_run_hands_the_per_episode_stages_to_workers(
    calls: list[str], ctx: RunContext
) -> None:
    report = run_daily_distributed(ctx, app=object())  # type: ignore[arg-type]  # never used: a fake waits
    assert list(report.stages) == calls == ["feeds", "workers", "stories", "digests", "sent"]


def test_the_tick_composes_what_is_due_and_leaves_speech_to_text_to_its_workers(
    calls: list[str], ctx: RunContext
) -> None:
    report = run_tick(ctx)
    assert list(report.stages) == ["feeds", "transcripts", "insights", "stories", "digests", "sent"]
    assert {d.compose for d in report.stages.values()} == {"due"}
    assert list(run_tick(ctx, poll=False).stages) == ["digests", "sent"]
