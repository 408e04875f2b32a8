"""The ranking path (numpy, windowed MMR) gives exactly what its definition gives (hypothesis).

The definition is written out here in plain Python: score every story (``explain_stories``),
keep the positive ones, pick by maximal marginal relevance one story at a time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podsift.models import Mention, RankedStory, StoryView
from podsift.rank import BaseScores, explain_stories, rank_stories, rank_with_base

NOW = datetime(2024, 4, 2, 12, 0, tzinfo=UTC)
SHOWS = [f"show{n}" for n in range(8)]


def reference(
    stories: Sequence[StoryView],
    *,
    vectors: Mapping[str, np.ndarray] | None = None,
    limit: int = 5,
    already_sent: frozenset[str] = frozenset(),
    sent_shows: Mapping[str, frozenset[str]] | None = None,
    interest: Mapping[str, float] | None = None,
    diversity: float = 0.3,
    feedback: Mapping[str, float] | None = None,
    judgement: Mapping[str, float] | None = None,
) -> list[RankedStory]:
    """The ranking as the docs define it, without numpy, windows or bounds."""
    vectors = vectors or {}
    shows_sent = {s.id: frozenset(s.shows) for s in stories if s.id in already_sent}
    shows_sent.update(sent_shows or {})
    scored = explain_stories(stories, now=NOW, recency_half_life_days=7.0, sent_shows=shows_sent,
                             interest=interest or {}, update_weight=0.6,
                             feedback=feedback, judgement=judgement)  # fmt: skip
    pool = [r for r in scored if r.score > 0]
    if not pool or limit == 0:
        return []
    top = pool[0].score or 1.0
    picked: list[RankedStory] = []

    def max_sim(cand: RankedStory) -> float:
        own = vectors.get(cand.story.id)
        if own is None:
            return 0.0
        sims = [float(own @ vectors[p.story.id]) for p in picked if p.story.id in vectors]
        return max(sims, default=0.0)

    while pool and len(picked) < limit:
        best_i, best_val = 0, -math.inf
        for i, cand in enumerate(pool):
            value = (1 - diversity) * cand.score / top - diversity * max_sim(cand)
            if value > best_val + 1e-12:
                best_i, best_val = i, value
        picked.append(pool.pop(best_i))
    return picked


@st.composite
def inputs(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(0, 40))
    ids = draw(st.lists(st.sampled_from([f"s{k:02d}" for k in range(60)]), min_size=n,
                        max_size=n, unique=not draw(st.booleans()) or n < 2))  # fmt: skip
    coarse = draw(st.booleans())  # few distinct values: many exact ties
    score = st.sampled_from([0.0, 0.5, 1.0]) if coarse else st.floats(-0.2, 1.0)
    stories = []
    for k, sid in enumerate(ids):
        shows = draw(st.lists(st.sampled_from(SHOWS), min_size=0, max_size=4))
        mentions = tuple(
            Mention(f"{sid}-{k}-{m}", sh, "ep", None, "t", "q", None, None, draw(score))
            for m, sh in enumerate(shows)
        )
        age = draw(st.sampled_from([None, 0.0, 1.0, 3.0]) if coarse else st.floats(-1, 30))
        last = None if age is None else NOW - timedelta(days=age)
        stories.append(StoryView(sid, mentions, last, last))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dim = draw(st.sampled_from([2, 3, 8]))
    vectors = {}
    for sid in set(ids):
        if draw(st.booleans()) or not coarse:
            v = rng.normal(size=dim).astype(np.float32)
            vectors[sid] = v / np.linalg.norm(v)
    sent_ids = draw(st.lists(st.sampled_from(sorted(set(ids)) or ["x"]), max_size=5))
    sent_shows = {s: frozenset(draw(st.lists(st.sampled_from(SHOWS), max_size=3)))
                  for s in sent_ids[: len(sent_ids) // 2]}  # fmt: skip
    interest = {s: draw(st.sampled_from([1.0, 1.25, 1.5, 2.0])) for s in ids if draw(st.booleans())}
    feedback = {s: draw(st.sampled_from([0.5, 0.8, 1.0, 1.3, 1.5])) for s in ids
                if draw(st.booleans())}  # fmt: skip
    judgement = {s: draw(st.sampled_from([0.25, 0.8, 1.0, 1.1, 1.25])) for s in ids
                 if draw(st.booleans())}  # fmt: skip
    return {
        "stories": stories,
        "vectors": vectors,
        "already_sent": frozenset(sent_ids),
        "sent_shows": sent_shows,
        "interest": interest,
        "feedback": feedback,
        "judgement": judgement,
        "limit": draw(st.integers(0, 6)),
        "diversity": draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        "window": draw(st.integers(1, 8)),
        "subset": draw(st.booleans()),
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs())
def test_ranking_equals_its_definition(case: dict[str, object]) -> None:
    stories: list[StoryView] = case["stories"]  # type: ignore[assignment]
    vectors = case["vectors"]
    base = BaseScores.build(stories, now=NOW, recency_half_life_days=7.0, vectors=vectors)  # type: ignore[arg-type]
    base = base.with_judgement(case["judgement"])  # type: ignore[arg-type]
    candidates = None
    if case["subset"]:
        keep = {s.id for s in stories[::2]}
        stories = [s for s in stories if s.id in keep]
        candidates = base.positions(sorted(keep))
    common = {
        "limit": case["limit"],
        "already_sent": case["already_sent"],
        "sent_shows": case["sent_shows"],
        "interest": case["interest"],
        "feedback": case["feedback"],
        "diversity": case["diversity"],
        "judgement": case["judgement"],
    }
    expected = reference(stories, vectors=vectors, **common)  # type: ignore[arg-type]
    assert rank_stories(stories, now=NOW, vectors=vectors, **common) == expected  # type: ignore[arg-type]
    del common["judgement"]  # in the base already
    got = rank_with_base(base, candidates=candidates, window=case["window"], **common)  # type: ignore[arg-type]
    assert got == expected


def test_many_readers_share_one_base() -> None:
    stories = [
        StoryView(f"s{k}", (Mention(f"i{k}", SHOWS[k % 8], "ep", None, "t", "q", None, None,
                                    0.1 * (k % 10)),), NOW, NOW)
        for k in range(30)
    ]  # fmt: skip
    base = BaseScores.build(stories, now=NOW)
    for reader in range(5):
        interest = {f"s{k}": 2.0 for k in range(reader, 30, 5)}
        sent = frozenset({f"s{reader}"})
        expected = reference(stories, interest=interest, already_sent=sent)
        assert rank_with_base(base, interest=interest, already_sent=sent) == expected
        assert rank_stories(stories, now=NOW, interest=interest, already_sent=sent) == expected


def test_candidates_are_the_best_base_scores_once_each() -> None:
    def view(sid: str, score: float) -> StoryView:
        text = "PostgreSQL 17 cut our vacuum time from four hours to forty minutes."
        mention = Mention(f"i-{sid}-{score}", "show0", "ep", None, text, text, None, None, score)
        return StoryView(sid, (mention,), NOW, NOW)

    stories = [view("s1", 0.5), view("s2", 0.9), view("s3", 0.5), view("s2", 0.7),
               view("s4", 0.0), view("s5", 0.6)]  # fmt: skip
    base = BaseScores.build(stories, now=NOW)
    assert [v.id for v in base.candidates(3)] == ["s2", "s5", "s1"]  # a tie goes by id
    assert [v.id for v in base.candidates(10)] == ["s2", "s5", "s1", "s3"]  # zero left out
    assert base.candidates(10)[0].mentions[0].score == 0.9  # the id's best view
    judged = base.with_judgement({"s1": 1.25, "s2": 0.5})
    assert [v.id for v in judged.candidates(3)] == ["s1", "s5", "s3"]
    assert base.candidates(1)[0].id == "s2"  # the unjudged base is left as it was
