"""Properties (hypothesis) and regressions from the labelled sets for story merging."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podsift.models import Statement
from podsift.stories import assign_to_stories, create_embedder, group_statements

HARD = Path(__file__).parents[1] / "data" / "stories" / "hard-pairs.jsonl"

ids = st.lists(
    st.text("abc0123456789", min_size=1, max_size=4), min_size=1, max_size=12, unique=True
)


def _vectors(draw: st.DrawFn, n: int) -> np.ndarray:
    rows = draw(
        st.lists(
            st.lists(st.sampled_from([-1.0, 0.0, 0.5, 1.0]), min_size=3, max_size=3),
            min_size=n,
            max_size=n,
        )
    )
    return np.array(rows, dtype=np.float32)


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[Statement], np.ndarray]:
    names = draw(ids)
    statements = [Statement(i, f"statement {i}") for i in names]
    return statements, _vectors(draw, len(names))


@settings(max_examples=60, deadline=None)
@given(batch=batches(), threshold=st.sampled_from([0.0, 0.3, 0.525, 0.9, 1.0]))
def test_every_statement_lands_in_exactly_one_cluster(
    batch: tuple[list[Statement], np.ndarray], threshold: float
) -> None:
    statements, vectors = batch
    clusters = group_statements(statements, vectors, threshold=threshold)
    members = [m for c in clusters for m in c.members]
    assert sorted(members) == sorted(s.id for s in statements)
    assert all(c.representative in c.members for c in clusters)


@settings(max_examples=60, deadline=None)
@given(batch=batches(), data=st.data())
def test_the_daily_stage_gives_every_statement_exactly_one_story(
    batch: tuple[list[Statement], np.ndarray], data: st.DataObject
) -> None:
    statements, vectors = batch
    n_stories = data.draw(st.integers(0, 6))
    centroids = _vectors(data.draw, n_stories)
    existing = [(f"s{k}", centroids[k]) for k in range(n_stories)]
    result = assign_to_stories(statements, vectors, existing, threshold=0.6)
    assert sorted(sid for sid, _ in result) == sorted(s.id for s in statements)
    known = {sid for sid, _ in existing}
    for _, story in result:
        assert story is None or story in known or story.startswith("c")
    shuffled = data.draw(st.permutations(range(len(statements))))
    again = assign_to_stories(
        [statements[i] for i in shuffled], vectors[list(shuffled)], existing, threshold=0.6
    )
    assert again == result


def _pairs() -> dict[str, tuple[str, str]]:
    rows = [json.loads(line) for line in HARD.read_text(encoding="utf-8").splitlines() if line]
    return {r["id"]: (r["a"], r["b"]) for r in rows}


#: Paraphrases that share few words and merge at the calibrated default (a regression if not).
#: (p11 says "1.8 billion" and "nearly two billion": a hedged figure agrees within 15 %.)
#: p1 ("xz" / "liblzma") and p4 ("Redis is no longer open source" / "... a licence the OSI does
#: not approve") name fewer than two things in common, so the anchor check keeps them apart:
#: precision first (#17), a missed merge costs a line, a false one misleads.
MUST_MERGE = ["p3", "p6", "p9", "p10", "p11", "p12"]
#: Same words, different claim, kept apart by the conflict signals: roles swapped (h1, h5,
#: h6, h7, h12, h20, h21, h24), negated (h2), figures changed (h3, h4, h10, h15, h19, h22),
#: opposites (h9, h11, h13, h16, h23), a name swapped (h14).
MUST_NOT_MERGE = [f"h{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19)] + [
    f"h{n}" for n in (20, 21, 22, 23, 24)
]
BLIND = HARD.with_name("blind-pairs.jsonl")
#: The blind pairs the calibrated default gets wrong: the same subject with another claim
#: (b4, b5, b23, b44, b70, b85), name swaps no check sees (b58 "CrowdStrike" for "Microsoft
#: Defender", one name for two; b82 "fish"/"zsh", two common words), and paraphrases that name
#: fewer than two things in common (the anchor check of #17 keeps them apart: b2, b3, b11, b12,
#: b18, b19, b29, b30, b33, b38, b43, b49, b57, b59, b64, b67, b71, b74, b77, b80, b81, b87,
#: b90). Fewer is progress: update it.
BLIND_MISSES = {f"b{n}" for n in (2, 3, 4, 5, 11, 12, 18, 19, 23, 29, 30, 33, 38, 43, 44)} | {
    f"b{n}" for n in (49, 57, 58, 59, 64, 67, 70, 71, 74, 77, 80, 81, 82, 85, 87, 90)
}


@pytest.fixture(scope="module")
def embedder():  # type: ignore[no-untyped-def]
    return create_embedder("minilm-l6-int8")


@pytest.mark.parametrize(
    ("pair_id", "same"),
    [(p, True) for p in MUST_MERGE] + [(h, False) for h in MUST_NOT_MERGE],
)
def test_labelled_pairs_merge_or_stay_apart(embedder, pair_id: str, same: bool) -> None:  # type: ignore[no-untyped-def]
    a, b = _pairs()[pair_id]
    statements = [Statement("a", a), Statement("b", b)]
    clusters = group_statements(statements, embedder.embed([a, b]))
    assert (len(clusters) == 1) is same


def test_the_blind_pairs_miss_only_the_known_ones(embedder) -> None:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in BLIND.read_text(encoding="utf-8").splitlines() if line]
    misses = set()
    for r in rows:
        pair = [Statement("a", r["a"]), Statement("b", r["b"])]
        merged = len(group_statements(pair, embedder.embed([r["a"], r["b"]]))) == 1
        if merged is not r["same"]:
            misses.add(r["id"])
    assert misses == BLIND_MISSES
