"""Learning from votes: neighbours of a disliked story fall, a liked one's rise, within bounds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podsift.rank import Taste, feedback_factor, feedback_factors, rank_stories
from podsift.rank.feedback import HIGH, LOW
from tests.rank.test_score import NOW, story


@dataclass(frozen=True)
class Vote:
    value: int
    shows: tuple[str, ...] = ()
    centroid: np.ndarray | None = None


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


DB, RUST, CLOUD = unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)


def test_no_votes_change_nothing() -> None:
    taste = Taste.learn([])
    assert taste.empty
    assert feedback_factors(taste, [story("a", ["A"])], {"a": DB}) == {}
    assert feedback_factor(taste, DB, ["A"]) == 1.0


def test_a_disliked_storys_neighbours_fall_and_a_liked_ones_rise() -> None:
    taste = Taste.learn([Vote(-1, ("X",), DB), Vote(1, ("Y",), RUST)])
    near_db, near_rust = unit(0.9, 0.1, 0.3), unit(0.1, 0.9, 0.3)
    assert feedback_factor(taste, near_db, ["Z"]) < 0.7
    assert feedback_factor(taste, near_rust, ["Z"]) > 1.3
    assert feedback_factor(taste, CLOUD, ["Z"]) == 1.0  # another subject: untouched
    assert feedback_factor(taste, unit(0.2, 0.1, 1.0), ["Z"]) == 1.0  # same field, far: untouched


def test_closer_means_a_stronger_effect() -> None:
    taste = Taste.learn([Vote(-1, (), DB)])
    factors = [feedback_factor(taste, unit(1.0, 0, far), []) for far in (0.0, 0.5, 1.0, 2.0)]
    assert factors == sorted(factors)
    assert factors[0] == LOW


def test_shows_voted_on_lean_the_same_way() -> None:
    taste = Taste.learn([Vote(-1, ("Bad Show",)), Vote(-1, ("Bad Show",)), Vote(1, ("Good Show",))])
    bad = feedback_factor(taste, None, ["Bad Show"])
    good = feedback_factor(taste, None, ["Good Show"])
    assert bad < 1.0 < good
    both = feedback_factor(taste, None, ["Bad Show", "Good Show"])
    assert both == pytest.approx(1.0 + (good - 1 + bad - 1) / 2, abs=1e-6)
    assert feedback_factor(taste, None, ["Unknown Show"]) == 1.0


def test_a_story_both_liked_and_disliked_nearby_evens_out() -> None:
    taste = Taste.learn([Vote(-1, (), DB), Vote(1, (), DB)])
    assert feedback_factor(taste, DB, []) == 1.0


def test_factors_of_many_stories_equal_the_one_story_factor() -> None:
    rng = np.random.default_rng(7)
    vectors = {f"s{k}": unit(*rng.normal(size=3)) for k in range(12)}
    stories = [story(sid, [f"Show {int(sid[1:]) % 3}"]) for sid in vectors]
    stories.append(story("novector", ["Show 1"]))
    taste = Taste.learn([Vote(1, ("Show 1",), vectors["s0"]), Vote(-1, ("Show 2",), vectors["s1"])])
    many = feedback_factors(taste, stories, vectors)
    for s in stories:
        one = feedback_factor(taste, vectors.get(s.id), s.shows)
        assert many.get(s.id, 1.0) == one


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, -1]),
            st.lists(st.sampled_from("ABC"), max_size=2),
            st.lists(st.floats(-1, 1), min_size=3, max_size=3),
        ),
        max_size=8,
    ),
    st.lists(st.floats(-1, 1), min_size=3, max_size=3),
    st.lists(st.sampled_from("ABCD"), max_size=3),
)
def test_the_factor_stays_within_its_bounds(
    votes: list[tuple[int, list[str], list[float]]], vector: list[float], shows: list[str]
) -> None:
    def vec(xs: list[float]) -> np.ndarray | None:
        return unit(*xs) if np.linalg.norm(xs) > 1e-3 else None

    taste = Taste.learn([Vote(v, tuple(s), vec(c)) for v, s, c in votes])
    assert LOW <= feedback_factor(taste, vec(vector), shows) <= HIGH


def test_ranking_multiplies_the_factor_in_and_names_it() -> None:
    stories = [story("db2", ["A"], 0.9), story("rust2", ["B"], 0.6)]
    taste = Taste.learn([Vote(-1, (), DB), Vote(1, (), RUST)])
    factors = feedback_factors(taste, stories, {"db2": DB, "rust2": RUST})
    plain = rank_stories(stories, now=NOW)
    voted = rank_stories(stories, now=NOW, feedback=factors)
    assert [r.story.id for r in plain] == ["db2", "rust2"]
    assert [r.story.id for r in voted] == ["rust2", "db2"]
    assert dict(voted[0].reasons)["feedback"] == HIGH and dict(voted[1].reasons)["feedback"] == LOW
    assert voted[0].score == plain[1].score * HIGH
