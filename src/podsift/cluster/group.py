"""Group statements that say the same thing. Pure: vectors in, clusters out, no model here.

Grouping is average-linkage agglomeration with a cosine threshold: repeatedly merge the two
groups whose mean pairwise similarity is highest, while it is at least the threshold. Every
member of a group is therefore, on average, close to every other member, so groups do not
drift into chains the way "join the nearest member" would. Statements are sorted by id
(natural order, "2" < "10") first and ties go to the earlier id, so the result does not
depend on the input order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ..models import Cluster, Statement, text_hash

#: Cosine similarity at or above which two statements (or a statement and a story centroid)
#: count as the same story, for all-MiniLM-L6-v2 ("minilm-l6-int8"). Calibrated with
#: benchmarks/calibrate_threshold.py on data/dedup: on the cross-show events (22 real
#: transcript passages, 231 pairs, 42 hard negatives) the clusters formed at 0.475 give
#: pairwise P 1.00 / R 0.55 / F1 0.71 with no hard negative merged (0.40 merges 3); STS
#: headline pairs give F1 0.91. Podcast paraphrases score lower than headline ones, so
#: recall is the weak side; raise it only with a better model, not a lower threshold.
DEFAULT_THRESHOLD = 0.475

Vectors = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.floating[Any]]
_DIGITS = re.compile(r"(\d+)")


def natural_key(ident: str) -> tuple[tuple[tuple[int, int, str], ...], str]:
    """Sort key that orders digit runs by value: "2" < "10", "a9" < "a10".

    >>> sorted(["10", "2", "b", "a10", "a9"], key=natural_key)
    ['2', '10', 'a9', 'a10', 'b']
    """
    parts = tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _DIGITS.split(ident)
        if part
    )
    return parts, ident


def cluster_id(members: Sequence[str]) -> str:
    """Stable id of a group: ``"c"`` + the hash of its naturally sorted member ids."""
    return "c" + text_hash("\n".join(sorted(members, key=natural_key)))


def group_statements(
    statements: Sequence[Statement],
    vectors: FloatArray,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Cluster]:
    """Group ``statements`` (row ``i`` of ``vectors`` embeds ``statements[i]``).

    Every statement lands in exactly one cluster. Members are in natural id order; clusters
    come largest first, then by their first member. Memory grows with the square of the
    number of statements (a 5,000-statement call needs about 100 MB).
    """
    ordered, unit = _canonical(statements, vectors)
    sims = unit @ unit.T
    groups = _average_linkage(sims, threshold)
    clusters = [_make_cluster(ordered, sims, members) for members in groups]
    return sorted(clusters, key=lambda c: (-len(c.members), natural_key(c.members[0])))


def assign_to_stories(
    new: Sequence[Statement],
    new_vectors: FloatArray,
    existing: Sequence[tuple[str, FloatArray]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[str, str | None]]:
    """Assign new statements to existing stories ``(story id, centroid)`` or to new stories.

    Returns ``(statement id, story)`` pairs in natural statement-id order, where ``story`` is

    - an existing story id: the one whose centroid is most similar, if that similarity
      reaches ``threshold`` (ties go to the naturally smaller story id);
    - otherwise the new statements are grouped among themselves with
      :func:`group_statements`: a statement alone in its group gets ``None`` (it starts a
      story of its own), the members of a larger group share a new story key, the group's
      :func:`cluster_id` (``"c"`` + hash of its member ids, never an existing id in practice).

    Centroids do not move within one call, so the result does not depend on input order.
    """
    ordered, unit = _canonical(new, new_vectors)
    story_of = _nearest_story(unit, existing, threshold)
    result = {s.id: story_of[i] for i, s in enumerate(ordered)}
    loose = [i for i in range(len(ordered)) if story_of[i] is None]
    for cluster in group_statements([ordered[i] for i in loose], unit[loose], threshold=threshold):
        if len(cluster.members) > 1:
            result.update(dict.fromkeys(cluster.members, cluster.id))
    return [(s.id, result[s.id]) for s in ordered]


def _canonical(
    statements: Sequence[Statement], vectors: FloatArray
) -> tuple[list[Statement], Vectors]:
    """Sort statements by natural id and normalise their vectors' rows, checking both."""
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] != len(statements):
        raise ValueError(
            f"expected one vector row per statement ({len(statements)}), got shape {matrix.shape}"
        )
    ids = [s.id for s in statements]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1}, key=natural_key)
        raise ValueError(f"duplicate statement ids: {', '.join(dup)}")
    order = sorted(range(len(statements)), key=lambda i: natural_key(statements[i].id))
    return [statements[i] for i in order], _unit_rows(matrix[order])


def _unit_rows(matrix: Vectors) -> Vectors:
    """Return ``matrix`` with unit-length rows (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit: Vectors = (matrix / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return unit


def _average_linkage(sims: Vectors, threshold: float) -> list[list[int]]:
    """Average-linkage agglomeration down to ``threshold``; returns index groups.

    Keeps, per row, its best partner (``best``/``best_val``) so each merge costs O(n).
    """
    n = len(sims)
    work = sims.astype(np.float32, copy=True)
    np.fill_diagonal(work, -np.inf)
    size = np.ones(n, dtype=np.float32)
    members: list[list[int]] = [[i] for i in range(n)]
    best = work.argmax(axis=1) if n else np.zeros(0, dtype=np.intp)
    best_val = work[np.arange(n), best] if n else np.zeros(0, dtype=np.float32)
    while n > 1:
        i = int(best_val.argmax())
        if not best_val[i] >= threshold:
            break
        a, b = sorted((i, int(best[i])))
        _merge(work, size, a, b)
        members[a] += members[b]
        members[b] = []
        _refresh_best(work, best, best_val, a, b)
    return [sorted(m) for m in members if m]


def _merge(work: Vectors, size: Vectors, a: int, b: int) -> None:
    """Fold group ``b`` into ``a`` in place (Lance-Williams update for average linkage)."""
    row = (size[a] * work[a] + size[b] * work[b]) / (size[a] + size[b])
    work[a, :] = row
    work[:, a] = row
    work[b, :] = -np.inf
    work[:, b] = -np.inf
    work[a, a] = -np.inf
    size[a] += size[b]
    size[b] = 0


def _refresh_best(
    work: Vectors,
    best: npt.NDArray[np.intp],
    best_val: Vectors,
    a: int,
    b: int,
) -> None:
    """Update each row's best partner after ``b`` was merged into ``a``."""
    best_val[b] = -np.inf
    stale = (best == a) | (best == b)
    stale[a] = True
    stale[b] = False
    column = work[:, a]
    better = ~stale & ((column > best_val) | ((column == best_val) & (a < best)))
    best[better] = a
    best_val[better] = column[better]
    rows = np.flatnonzero(stale)
    if rows.size:
        best[rows] = work[rows].argmax(axis=1)
        best_val[rows] = work[rows, best[rows]]


def _make_cluster(ordered: Sequence[Statement], sims: Vectors, members: Sequence[int]) -> Cluster:
    """Build a :class:`Cluster` from canonical indices, choosing its representative."""
    ids = tuple(ordered[i].id for i in members)
    representative = _representative(ordered, sims, members)
    return Cluster(id=cluster_id(ids), members=ids, representative=representative)


def _representative(ordered: Sequence[Statement], sims: Vectors, members: Sequence[int]) -> str:
    """The member most similar on average to the others; ties → higher score → smaller id."""
    if len(members) == 1:
        return ordered[members[0]].id
    block = sims[np.ix_(members, members)].astype(np.float64)
    centrality = (block.sum(axis=1) - np.diag(block)) / (len(members) - 1)

    def key(k: int) -> tuple[float, float, tuple[tuple[tuple[int, int, str], ...], str]]:
        statement = ordered[members[k]]
        return (-round(float(centrality[k]), 6), -statement.score, natural_key(statement.id))

    return ordered[members[min(range(len(members)), key=key)]].id


def _nearest_story(
    unit: Vectors,
    existing: Sequence[tuple[str, FloatArray]],
    threshold: float,
) -> list[str | None]:
    """For each row of ``unit``, the most similar existing story at or above ``threshold``."""
    if not existing or not len(unit):
        return [None] * len(unit)
    stories = sorted(existing, key=lambda item: natural_key(item[0]))
    centroids = _unit_rows(np.vstack([np.asarray(c, dtype=np.float32) for _, c in stories]))
    if centroids.shape[1] != unit.shape[1]:
        raise ValueError(f"centroids have {centroids.shape[1]} dims, vectors {unit.shape[1]}")
    sims = unit @ centroids.T
    best = sims.argmax(axis=1)
    return [stories[int(j)][0] if sims[r, j] >= threshold else None for r, j in enumerate(best)]
