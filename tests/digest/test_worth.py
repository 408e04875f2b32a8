"""Worth on the real compose path: the bundled model reads the stored MiniLM centroids.

Four stories, each from a show of its own, told with the same insight score: two spoken
points and two pieces of spoken filler (written for this test), each stored with its real
MiniLM vector as its centroid. ``podsift explain`` shows each story's worth; with ``[rank]
worth = false`` every worth is 1 and the order is the order of the other factors.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from podsift.config import load_settings
from podsift.models import Episode, Insight
from podsift.store import open_store
from podsift.stories.embed import MiniLMEmbedder
from tests.cli.test_cli import run
from tests.rank.test_worth import FILLER, POINTS

DAY = date(2024, 4, 3)
SEEN = datetime(2024, 4, 3, 4, 0, tzinfo=UTC)
STORIES = {"p1": POINTS[0], "p2": POINTS[1], "f1": FILLER[0], "f2": FILLER[1]}


def seed(db: Path) -> None:
    store = open_store(str(db))
    model = load_settings(env={}).cluster.embedder
    vectors = MiniLMEmbedder().embed(list(STORIES.values()))
    for (sid, text), vector in zip(STORIES.items(), vectors, strict=True):
        show_id, _ = store.add_show(f"https://{sid}.example/feed.xml", SEEN, f"Show {sid}")
        store.add_episodes(show_id, [Episode(f"On {sid}", guid=sid, published=SEEN)], SEEN)
        (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
        insight = Insight(text, text, "Ann Host", 60.0, 70.0, 0.8).with_id(f"i-{sid}")
        store.save_insights(ep.id, "test@1", [insight], SEEN)
        store.add_to_story(sid, model, [(insight.id, vector, 1.0)], SEEN)
    store.close()


def explain(db: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, float]]:
    code, out, _ = run(["--db", str(db), "explain", "--date", DAY.isoformat(), "--json"], capsys)
    assert code == 0
    stories: list[dict[str, float]] = json.loads(out)["stories"]
    return stories


def test_explain_weighs_points_above_filler_by_worth(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "worth.db"
    seed(db)
    stories = explain(db, capsys)
    worth = {s["story_id"]: s["worth"] for s in stories}
    assert min(worth["p1"], worth["p2"]) > max(worth["f1"], worth["f2"])
    assert {s["story_id"] for s in stories[:2]} == {"p1", "p2"}


def test_worth_can_be_turned_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "worth.db"
    seed(db)
    monkeypatch.setenv("PODSIFT_RANK__WORTH", "false")
    assert {s["story_id"]: s["worth"] for s in explain(db, capsys)} == dict.fromkeys(STORIES, 1.0)
