"""The worth model: the bundled linear reader of centroids, and the factor it puts in ranking."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from podsift.models import Mention, StoryView
from podsift.rank import WorthModel, rank_stories
from podsift.stories.embed import MiniLMEmbedder

NOW = datetime(2024, 4, 2, 12, 0, tzinfo=UTC)
TEXT = "Django 6.0 ships background tasks, so small apps can drop Celery and its broker."

# Written for this test in the way people talk on podcasts; none comes from a transcript.
POINTS = [
    "So the big news this week is that PostgreSQL 17 shipped, and the headline feature is "
    "incremental backups, which means you no longer copy the whole cluster every night.",
    "Amazon now charges for every public IPv4 address, about three and a half dollars a month "
    "each, so if you run a fleet of small instances that bill adds up fast.",
    "What we found was that moving the cache key to a hash of the lock file took our CI runs "
    "from twelve minutes down to about three, because most builds stopped reinstalling.",
    "Go 1.22 changed loop variables so that each iteration gets its own copy, which quietly "
    "fixes a whole class of bugs where goroutines all captured the last value.",
]
FILLER = [
    "Yeah, yeah, that was a really fun one, and thanks so much again for coming on the show, "
    "it's always a pleasure to have you here with us.",
    "I don't know, I mean, it's kind of hard to say, you know what I mean, like it depends on "
    "a lot of things, and I guess we'll see how it goes.",
    "And then we kind of went back and forth on it for a while, and I was like, okay, sure, "
    "and he was like, yeah, and so that's basically where we ended up.",
    "Before we get into it, let me just tell you a little bit about how I got here, because "
    "it's kind of a funny story, and it started way back when I was in college.",
]


def story(ident: str, text: str = TEXT) -> StoryView:
    m = Mention(f"i-{ident}", f"Show {ident}", "ep", None, text, text, None, None, 0.8)
    return StoryView(ident, (m,), last_seen=NOW)


def test_the_bundled_model_reads_the_default_embedders_vectors_only() -> None:
    model = WorthModel.bundled("minilm-l6-int8")
    assert model is not None and model.embedder == "minilm-l6-int8"
    assert model.weights.shape == (384,) and model.power > 0
    assert WorthModel.bundled("mpnet-base") is None
    again = WorthModel.from_json(model.to_json())
    assert (again.embedder, again.bias, again.power) == (model.embedder, model.bias, model.power)
    np.testing.assert_array_equal(again.weights, model.weights)


def test_a_spoken_point_is_worth_more_than_spoken_filler() -> None:
    model = WorthModel.bundled("minilm-l6-int8")
    assert model is not None
    vectors = MiniLMEmbedder().embed(POINTS + FILLER)
    expected = [model.expected(v) for v in vectors]
    points, filler = expected[: len(POINTS)], expected[len(POINTS) :]
    assert min(points) > max(filler), (points, filler)
    assert all(1.0 <= e <= 5.0 for e in expected)


def test_worth_multiplies_the_score_and_is_one_without_a_vector() -> None:
    model = WorthModel("toy", np.array([2.0, 0.0, 0.0]), 3.0, power=2.0)
    vectors = {
        "high": np.array([1.0, 0.0, 0.0], dtype=np.float32),  # expected 5
        "mid": np.array([0.0, 1.0, 0.0], dtype=np.float32),  # expected 3
        "low": np.array([-1.0, 0.0, 0.0], dtype=np.float32),  # expected 1
    }
    stories = [story(s) for s in ("high", "mid", "low", "none")]
    plain = {r.story.id: r.score for r in rank_stories(stories, now=NOW, limit=4, diversity=0)}
    ranked = rank_stories(
        stories, now=NOW, limit=4, vectors=vectors, worth_model=model, diversity=0
    )
    worth = {r.story.id: dict(r.reasons)["worth"] for r in ranked}
    assert worth == pytest.approx({"high": 1.5625, "mid": 0.5625, "low": 0.0625, "none": 1.0})
    assert [r.story.id for r in ranked] == ["high", "none", "mid", "low"]
    for r in ranked:
        assert r.score == pytest.approx(plain[r.story.id] * worth[r.story.id])


def test_vectors_of_another_size_are_not_scored() -> None:
    model = WorthModel("toy", np.array([2.0, 0.0, 0.0]), 3.0, power=2.0)
    vectors = {s: np.array([1.0, 0.0], dtype=np.float32) for s in ("a", "b")}
    ranked = rank_stories([story("a"), story("b")], now=NOW, vectors=vectors, worth_model=model)
    assert [dict(r.reasons)["worth"] for r in ranked] == [1.0, 1.0]
