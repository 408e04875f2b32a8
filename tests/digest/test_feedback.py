"""Feedback changes the next digest: the real compose path on a real SQLite store, and explain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.store import Store, open_store
from tests.cli.test_cli import run
from tests.digest.feedback_data import (
    CONTROL,
    DAY1,
    DAY2,
    READER,
    SEEN1,
    SEEN2,
    compose,
    first_day,
    ids_of,
    seed_day,
)


def test_both_readers_start_from_the_same_digest(store: Store) -> None:
    first_day(store)
    for address in (READER, CONTROL):
        row = store.digest_row(address, DAY1)
        assert row is not None
        assert sorted(i["story_id"] for i in row[1]["items"]) == ["db1", "rust1"]


def test_after_feedback_the_next_digest_follows_it(store: Store) -> None:
    ids = first_day(store)
    assert store.record_feedback(ids[READER], "db1", -1, SEEN1)
    assert store.record_feedback(ids[READER], "rust1", 1, SEEN1)
    seed_day(store, SEEN2)
    control = compose(store, CONTROL, DAY2, ids[CONTROL])
    reader = compose(store, READER, DAY2, ids[READER])
    assert ids_of(control) == ["db2", "other"]  # no votes: the best-scored neighbour leads
    assert "db2" not in ids_of(reader)  # the disliked story's neighbour fell out
    assert ids_of(reader)[0] == "rust2"  # the liked story's neighbour rose to the top


def test_a_later_vote_replaces_the_earlier_one(store: Store) -> None:
    ids = first_day(store)
    assert store.record_feedback(ids[READER], "db1", -1, SEEN1)
    assert store.record_feedback(ids[READER], "db1", 1, SEEN2)  # changed their mind
    seed_day(store, SEEN2)
    assert ids_of(compose(store, READER, DAY2, ids[READER]))[0] == "db2"
    (vote,) = store.feedback_of(READER, "minilm-l6-int8")
    assert (vote.story_id, vote.value, vote.created_at) == ("db1", 1, SEEN2)


def test_explain_shows_the_feedback_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "explain.db"
    store = open_store(str(db))
    ids = first_day(store)
    store.record_feedback(ids[READER], "db1", -1, SEEN1)
    store.record_feedback(ids[READER], "rust1", 1, SEEN1)
    seed_day(store, SEEN2)
    store.close()
    args = ["--db", str(db), "explain", "--date", DAY2.isoformat(), "--json"]
    code, out, _ = run([*args, "--to", READER], capsys)
    assert code == 0
    factors = {s["story_id"]: s["feedback"] for s in json.loads(out)["stories"]}
    assert factors["db2"] < 0.6 and factors["rust2"] > 1.4 and factors["other"] == 1.0
    _, plain, _ = run([*args, "--to", CONTROL], capsys)
    assert {s["feedback"] for s in json.loads(plain)["stories"]} == {1.0}
    code, text, _ = run(["--db", str(db), "explain", "--date", DAY2.isoformat(), "--to", READER],
                        capsys)  # fmt: skip
    assert code == 0 and "feedback 0.5" in text and "feedback 1.4" in text
