"""Ranking: novelty and updates, interest, MMR diversity; properties with hypothesis."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from podsift.rank import interest_factor, is_update, rank_stories
from tests.rank.test_score import NOW, story


def test_a_sent_story_stays_out_unless_new_shows_raised_it() -> None:
    stories = [story("old", ["A", "B"]), story("grown", ["A", "B", "C"]), story("new", ["D"])]
    sent = {"old": frozenset({"A", "B"}), "grown": frozenset({"A", "B"})}
    ranked = rank_stories(stories, now=NOW, sent_shows=sent)
    assert [r.story.id for r in ranked] == ["grown", "new"]
    assert [is_update(r) for r in ranked] == [True, False]


def test_already_sent_ids_without_shows_stay_out() -> None:
    ranked = rank_stories(
        [story("x", ["A"]), story("y", ["B"])], now=NOW, already_sent=frozenset({"x"})
    )
    assert [r.story.id for r in ranked] == ["y"]


def test_interest_lifts_a_story() -> None:
    stories = [story("wide", ["A", "B"]), story("mine", ["C"], 0.85)]
    plain = rank_stories(stories, now=NOW)
    boosted = rank_stories(stories, now=NOW, interest={"mine": interest_factor(0.9, 2)})
    assert plain[0].story.id == "wide"
    assert boosted[0].story.id == "mine"
    assert dict(boosted[0].reasons)["interest"] > 1


def test_mmr_spreads_the_top_over_topics() -> None:
    a, b = np.array([1.0, 0.0], dtype=np.float32), np.array([0.0, 1.0], dtype=np.float32)
    stories = [story("a1", ["A", "B"], 0.9), story("a2", ["A", "B"], 0.89), story("b1", ["C"], 0.8)]
    vectors = {"a1": a, "a2": a, "b1": b}
    no_mmr = rank_stories(stories, now=NOW, limit=2, vectors=vectors, diversity=0.0)
    mmr = rank_stories(stories, now=NOW, limit=2, vectors=vectors, diversity=0.5)
    assert [r.story.id for r in no_mmr] == ["a1", "a2"]
    assert [r.story.id for r in mmr] == ["a1", "b1"]


_story = st.builds(
    lambda i, shows, score, age: story(f"s{i}", shows, score, age),
    st.integers(0, 30),
    st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4),
    st.floats(0.0, 1.0),
    st.floats(0.0, 20.0),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_story, max_size=12), st.randoms(use_true_random=False))
def test_top5_distinct_and_independent_of_input_order(stories: list, rnd) -> None:  # type: ignore[no-untyped-def]
    vectors = {s.id: np.array([1.0, 0.0], dtype=np.float32) for s in stories[::2]}
    first = rank_stories(stories, now=NOW, vectors=vectors)
    shuffled = list(stories)
    rnd.shuffle(shuffled)
    again = rank_stories(shuffled, now=NOW, vectors=vectors)
    ids = [r.story.id for r in first]
    assert len(ids) == len(set(ids)) <= 5
    assert ids == [r.story.id for r in again]
