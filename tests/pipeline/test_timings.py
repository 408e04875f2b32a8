"""Where a run's time went: each stage timed on the context's clock (a fake here), beside
its counts in the report, the `runs` row, `podsift status`, `/metrics` and `podsift run` (#20)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from podsift import pipeline
from podsift.cli import main
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.pipeline import STAGES, run_daily, run_tick
from podsift.status import collect, to_prometheus
from podsift.store import Store

NOW = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)
TAKES = {"feeds": 2.0, "transcripts": 0.5, "asr": 0.0, "insights": 1.25, "stories": 0.5,
         "digests": 1.0, "sent": 0.25}  # fmt: skip


@dataclass(frozen=True)
class Handled:
    """A fake stage's report: only the counts the table reads items from."""

    polled: int = 0
    insights: int = 0
    sent: int = 0
    failed: int = 0


HANDLED = {"feeds": Handled(polled=10), "stories": Handled(insights=4),
           "sent": Handled(sent=2, failed=1)}  # fmt: skip


class Clock:
    """Monotonic seconds that move only when a fake stage says it took time."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class Outbox:
    name: ClassVar[str] = "outbox"

    def send(self, msg: EmailMessage) -> None:
        """Never called: the delivery stage is a fake here."""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Every stage replaced by a fake that moves the clock by its TAKES and reports HANDLED."""
    clock = Clock()

    def fake(name: str) -> Callable[[RunContext], Handled]:
        def run(ctx: RunContext) -> Handled:
            clock.seconds += TAKES[name]
            return HANDLED.get(name, Handled())

        return run

    monkeypatch.setattr(
        pipeline, "STAGES", tuple(dataclasses.replace(s, run=fake(s.name)) for s in STAGES)
    )
    return clock


@pytest.fixture
def ctx(store: Store, clock: Clock) -> Iterator[RunContext]:
    with httpx.Client() as client:
        yield RunContext(
            load_settings(env={}), store, client, NOW, sender=Outbox(), monotonic=clock
        )


def test_each_stage_is_timed_on_the_contexts_clock(ctx: RunContext) -> None:
    report = run_daily(ctx)
    assert {name: t.seconds for name, t in report.times.items()} == TAKES
    assert report.times["feeds"].items == 10
    assert report.times["feeds"].per_second == 5.0
    assert report.times["sent"].per_second == 12.0  # sent and failed: 3 in 0.25 s
    assert report.times["digests"].per_second == 0.0  # nothing done, in measured time
    assert report.times["asr"].per_second is None  # no time measured: rate unknown


def test_times_sit_beside_the_counts_which_keep_their_keys(ctx: RunContext) -> None:
    report = run_daily(ctx)
    counts, timed = report.as_dict(), report.with_times()
    assert list(timed) == list(counts) == list(TAKES)
    for name, values in counts.items():
        assert timed[name] == values | {
            "seconds": TAKES[name],
            "items": report.times[name].items,
            "per_second": report.times[name].per_second,
        }
    assert timed["asr"]["per_second"] is None
    json.dumps(timed)  # ready for --json as it is


def test_the_runs_row_keeps_the_times_for_status_and_metrics(ctx: RunContext, store: Store) -> None:
    run_daily(ctx)
    run_tick(ctx, poll=False)
    snap = collect(store, ctx.settings, NOW, broker=False)
    assert set(snap.runs) == {"daily", "tick"}
    assert snap.runs["daily"].stages["feeds"] == {"seconds": 2.0, "items": 10, "per_second": 5.0}
    assert list(snap.runs["tick"].stages) == ["digests", "sent"]
    # the run ends when its stages are done, on the same clock: started at NOW, 5.5 s later
    assert snap.runs["daily"].finished == NOW + timedelta(seconds=sum(TAKES.values()))
    text = to_prometheus(snap)
    assert 'podsift_stage_seconds{run="daily",stage="feeds"} 2\n' in text
    assert 'podsift_stage_items{run="daily",stage="stories"} 4\n' in text
    assert 'podsift_stage_items_per_second{run="tick",stage="sent"} 12\n' in text
    assert 'podsift_stage_items_per_second{run="daily",stage="asr"}' not in text  # unknown
    assert "# TYPE podsift_stage_seconds gauge" in text


def test_last_runs_are_the_latest_finished_of_each_kind(store: Store) -> None:
    old = store.start_run("daily", NOW)
    store.finish_run(old, NOW, {"feeds.seconds": 9.0})
    new = store.start_run("daily", NOW + timedelta(days=1))
    store.finish_run(new, NOW + timedelta(days=1, seconds=3), {"feeds.seconds": 3.0})
    broken = store.start_run("daily", NOW + timedelta(days=2))
    store.finish_run(broken, NOW + timedelta(days=2), {}, error="no database")
    store.start_run("tick", NOW + timedelta(days=2))  # still running
    assert store.last_runs() == {
        "daily": (NOW + timedelta(days=1, seconds=3), {"feeds.seconds": 3.0})
    }


def test_run_json_and_summary_say_how_long_each_stage_took(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODSIFT_CONFIG", str(tmp_path / "podsift.toml"))
    (tmp_path / "podsift.toml").write_text("", encoding="utf-8")
    db = str(tmp_path / "p.db")
    with pytest.raises(SystemExit) as done:
        main(["--db", db, "run", "--json", "--no-send"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["feeds"]["polled"] == 0  # an empty store: every stage, nothing to do
    for values in data.values():
        assert values["seconds"] >= 0 and values["items"] is not None
        assert values["per_second"] is None or values["per_second"] >= 0
    with pytest.raises(SystemExit) as done:
        main(["--db", db, "run", "--no-send"])
    out, err = capsys.readouterr()
    assert done.value.code == 0 and out == ""
    feeds = next(line for line in err.splitlines() if line.startswith("feeds: "))
    assert feeds.startswith("feeds: polled 0, unchanged 0,")
    assert re.search(r" \(\d+\.\d{3} s(, \d+\.\d items/s)?\)$", feeds), feeds
    with pytest.raises(SystemExit):
        main(["--db", db, "status", "--no-broker"])
    assert re.search(
        r"^last daily run: feeds: \d+\.\d{3} s  transcripts: ", capsys.readouterr().out, re.M
    )
