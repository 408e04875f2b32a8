"""The daily stories stage on a real store: reruns are free; `podsift explain` reads it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podsift.store import Store, open_store
from tests.cli.test_cli import run
from tests.stories.test_stage import FED, XZ_A, XZ_B, _episode, _run

DAY = datetime(2024, 4, 1, 12, tzinfo=UTC)


def _snapshot(store: Store) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return sorted(
        (v.id, tuple(sorted(m.insight_id for m in v.mentions)), tuple(sorted(v.shows)))
        for v in store.story_views(since=DAY - timedelta(days=1))
    )


def test_the_daily_run_twice_on_the_same_day_changes_nothing(store: Store) -> None:
    _episode(store, "news", DAY, [XZ_A, FED])
    _episode(store, "bytes", DAY, [XZ_B])
    now = DAY + timedelta(hours=2)
    _run(store, now)
    first = _snapshot(store)
    assert sorted(len(s[1]) for s in first) == [1, 2]
    _run(store, now)
    _run(store, now + timedelta(hours=1))
    assert _snapshot(store) == first
    assert store.unassigned_insights() == []


def _explain_store(tmp_path: Path) -> Path:
    path = tmp_path / "explain.db"
    store = open_store(str(path))
    _episode(store, "news", DAY, [XZ_A, FED])
    _episode(store, "bytes", DAY, [XZ_B])
    _run(store, DAY + timedelta(hours=2))
    store.close()
    return path


def test_explain_prints_each_story_with_its_factors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _explain_store(tmp_path)
    code, out, _ = run(["--db", str(db), "explain", "--date", "2024-04-01"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert "[2 shows]" in lines[0] and "backdoor" in lines[0]
    for name in ("breadth", "salience", "recency", "novelty", "interest", "reads alone"):
        assert name in lines[0]


def test_explain_json_lists_scores_and_components(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _explain_store(tmp_path)
    code, out, _ = run(["--db", str(db), "explain", "--date", "2024-04-01", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["date"] == "2024-04-01"
    stories = data["stories"]
    assert [len(s["shows"]) for s in stories] == [2, 1]
    assert stories[0]["score"] >= stories[1]["score"] > 0
    for s in stories:
        assert {"story_id", "score", "breadth", "salience", "recency", "novelty"} <= s.keys()
        assert s["headline"]
        # the score less breadth, salience and recency, times the lead's outward share
        said = s["substance"] * s["worth"] * s["judgement"] * s["novelty"] * s["interest"]
        assert 0 < s["reads_alone"] <= said * s["feedback"] + 1e-6


def test_a_story_sent_before_comes_back_marked_as_an_update_only_with_a_new_show(
    store: Store,
) -> None:
    import httpx

    from podsift.config import load_settings
    from podsift.context import RunContext
    from podsift.digest import compose_for, render_text

    def digest_on(now: datetime):  # type: ignore[no-untyped-def]
        with httpx.Client() as client:
            ctx = RunContext(load_settings(env={}), store, client, now)
            return compose_for(ctx, "reader@example.com", now.date())[1]

    _episode(store, "news", DAY, [XZ_A, FED])
    _run(store, DAY + timedelta(hours=2))
    first = digest_on(DAY + timedelta(hours=3))
    assert len(first.items) == 2 and not any(i.update for i in first.items)
    _episode(store, "bytes", DAY + timedelta(days=1), [XZ_B])  # a new show raises the xz story
    _run(store, DAY + timedelta(days=1, hours=2))
    (item,) = digest_on(DAY + timedelta(days=1, hours=3)).items  # the Fed story stays out
    assert item.update and "backdoor" in item.insight
    assert len(item.also_on) == 1  # raised on both shows now
    assert "Update: new shows raised it since your last digest." in render_text(
        digest_on(DAY + timedelta(days=1, hours=3))  # stored: the same digest comes back
    )
