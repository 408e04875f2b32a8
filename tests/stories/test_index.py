"""StoryIndex: exact and approximate nearest-story search, and its use by assign_to_stories."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from podsift.models import Statement
from podsift.stories import (
    IndexDimensionError,
    StoryIndex,
    assign_to_stories,
    natural_key,
)

Vectors = npt.NDArray[np.float32]


def unit_rows(matrix: npt.NDArray[np.float64]) -> Vectors:
    rows = matrix.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def random_unit(n: int, dim: int, seed: int) -> Vectors:
    return unit_rows(np.random.default_rng(seed).standard_normal((n, dim)))


def clustered(n_clusters: int, per: int, dim: int, noise: float, seed: int) -> Vectors:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, dim))
    points = np.repeat(centres, per, axis=0) + noise * rng.standard_normal((n_clusters * per, dim))
    return unit_rows(points)


def ids(n: int, prefix: str = "s") -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def filled(vectors: Vectors, threshold: int, **kwargs: object) -> StoryIndex:
    index = StoryIndex(vectors.shape[1], ann_threshold=threshold, key=natural_key)
    index.add(ids(len(vectors)), vectors)
    return index


def test_exact_and_approximate_agree_on_a_small_set_above_the_threshold() -> None:
    stories = random_unit(400, 16, seed=1)
    queries = random_unit(200, 16, seed=2)
    exact = filled(stories, threshold=10**9)
    ann = filled(stories, threshold=50)
    assert not exact.approximate and ann.approximate
    exact_ids, exact_sims = exact.search(queries, 3)
    ann_ids, ann_sims = ann.search(queries, 3)
    assert ann_ids == exact_ids
    np.testing.assert_allclose(ann_sims, exact_sims, rtol=0, atol=1e-6)
    assert (np.diff(exact_sims, axis=1) <= 0).all()


def test_recall_on_a_clustered_set_is_at_least_95_percent() -> None:
    stories = clustered(300, 20, 64, noise=0.6, seed=3)
    queries = clustered(300, 2, 64, noise=0.6, seed=3)[::2] + 0.05 * random_unit(300, 64, 4)
    exact_ids, _ = filled(stories, threshold=10**9).search(queries, 1)
    ann = filled(stories, threshold=1_000)
    ann_ids, _ = ann.search(queries, 1)
    assert ann.approximate
    recall = np.mean([a == e for a, e in zip(ann_ids, exact_ids, strict=True)])
    assert recall >= 0.95


def test_results_are_deterministic_and_independent_of_batch_order() -> None:
    stories = random_unit(600, 24, seed=5)
    queries = random_unit(100, 24, seed=6)
    first = filled(stories, threshold=100).search(queries, 5)
    again = filled(stories, threshold=100).search(queries, 5)
    assert first[0] == again[0]
    np.testing.assert_array_equal(first[1], again[1])
    reversed_ids, reversed_sims = filled(stories, threshold=100).search(queries[::-1], 5)
    assert reversed_ids[::-1] == first[0]
    np.testing.assert_array_equal(reversed_sims[::-1], first[1])


@pytest.mark.parametrize("threshold", [1, 10**9])
def test_ties_go_to_the_smaller_id_by_key(threshold: int) -> None:
    same = np.array([[1, 0, 0]] * 3, dtype=np.float32)
    natural = StoryIndex(3, ann_threshold=threshold, key=natural_key)
    natural.add(["s10", "s9", "s11"], same)
    assert natural.search(same[:1], 2)[0] == [["s9", "s10"]]
    plain = StoryIndex(3, ann_threshold=threshold)
    plain.add(["s10", "s9", "s11"], same)
    assert plain.search(same[:1], 3)[0] == [["s10", "s11", "s9"]]


def test_empty_index_and_empty_queries() -> None:
    index = StoryIndex(4)
    found, sims = index.search(random_unit(2, 4, seed=7), 3)
    assert found == [[], []] and sims.shape == (2, 0)
    index.add(["a"], random_unit(1, 4, seed=8))
    found, sims = index.search(np.zeros((0, 4), dtype=np.float32), 3)
    assert found == [] and sims.shape == (0, 1)
    assert index.search(random_unit(1, 4, seed=9), 5)[0] == [["a"]]


def test_dimension_mismatch_is_a_clear_error() -> None:
    index = StoryIndex(4)
    with pytest.raises(IndexDimensionError, match="vectors have 3 dims, the index has 4"):
        index.add(["a"], np.ones((1, 3), dtype=np.float32))
    index.add(["a"], np.ones((1, 4), dtype=np.float32))
    with pytest.raises(IndexDimensionError, match="query vectors have 5 dims"):
        index.search(np.ones((2, 5), dtype=np.float32))
    with pytest.raises(IndexDimensionError, match="2 ids but 1 vector rows"):
        index.add(["b", "c"], np.ones((1, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        index.add(["b"], np.full((1, 4), np.nan, dtype=np.float32))
    with pytest.raises(KeyError):
        index.remove(["missing"])


def test_sync_adds_moves_and_drops_stories() -> None:
    index = StoryIndex(2, ann_threshold=2, key=natural_key)
    index.sync([("a", np.array([1, 0])), ("b", np.array([0, 1])), ("c", np.array([-1, 0]))])
    assert index.search(np.array([[1, 0.1]]), 1)[0] == [["a"]]
    index.sync([("b", np.array([0, 1])), ("c", np.array([1, 0.2])), ("d", np.array([0, -1]))])
    assert len(index) == 3 and "a" not in index
    assert index.search(np.array([[1, 0.1]]), 1)[0] == [["c"]]
    index.add(["c"], np.array([[-1, 0]], dtype=np.float32))
    assert index.search(np.array([[1, 0.1]]), 1)[0] == [["b"]]


def test_sync_re_adds_only_the_stories_whose_vectors_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A window's stories mostly stay put from one day to the next: those are not re-added,
    whatever the order, the float type or the row shape they come in."""
    index = StoryIndex(2, key=natural_key)
    index.sync([("a", np.array([1, 0], np.float32)), ("b", np.array([0.6, 0.8], np.float32))])
    added: list[list[str]] = []
    real_add = index.add
    monkeypatch.setattr(index, "add", lambda ids, v: (added.append(list(ids)), real_add(ids, v)))
    index.sync([("b", np.array([[0.6, 0.8]], np.float32)), ("a", np.array([1.0, 0.0]))])
    assert added == []
    index.sync([("a", np.array([1, 0])), ("b", np.array([-0.6, 0.8])), ("c", np.array([0, 2]))])
    assert added == [["b", "c"]]
    assert index.search(np.array([[-1, 1]]), 1)[0] == [["b"]]
    with pytest.raises(IndexDimensionError):
        index.sync([("a", np.array([1, 0])), ("d", np.array([1, 0, 0]))])


def statements(n: int) -> list[Statement]:
    return [Statement(id=str(i), text=f"statement {i}") for i in range(n)]


def test_assign_to_stories_gives_the_same_result_through_the_approximate_index() -> None:
    centres = clustered(80, 1, 32, noise=0.0, seed=10)
    stories = [(f"st{i}", c) for i, c in enumerate(clustered(80, 1, 32, noise=0.3, seed=10))]
    new = unit_rows(np.repeat(centres, 2, axis=0) + 0.6 * random_unit(160, 32, 11))
    texts = {sid: [f"about Topic{i % 7}"] for i, (sid, _) in enumerate(stories)}
    s = [Statement(id=str(i), text=f"news on Topic{i % 5}") for i in range(len(new))]
    kwargs = {"threshold": 0.6, "story_texts": texts, "min_anchors": 0}  # vectors only
    exact = assign_to_stories(s, new, stories, **kwargs)  # type: ignore[arg-type]
    index = StoryIndex(32, ann_threshold=20, key=natural_key)
    approximate = assign_to_stories(s, new, stories, index=index, **kwargs)  # type: ignore[arg-type]
    assert index.approximate
    assert approximate == exact
    assert any(story is not None and story.startswith("st") for _, story in exact)
    reordered = assign_to_stories(s[::-1], new[::-1], stories[::-1], index=index, **kwargs)  # type: ignore[arg-type]
    assert reordered == exact


def test_usearch_then_onnxruntime_imports_without_crashing() -> None:
    """usearch 2.26 segfaults when onnxruntime is imported after it: keep the pin working."""
    import subprocess
    import sys

    code = "import usearch.index, onnxruntime"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
