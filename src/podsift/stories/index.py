"""Nearest stories by cosine: exact for small sets, an approximate HNSW index for large ones.

:class:`StoryIndex` holds unit vectors by id and answers "which ``k`` ids are most similar to
each of these vectors". Below :data:`ANN_THRESHOLD` ids it multiplies matrices (in chunks, so
memory stays bounded); from there on it also keeps a usearch HNSW graph (cosine metric, fixed
parameters, built single-threaded so the graph is the same on every run), asks it for
:data:`ANN_CANDIDATES` candidates per query and re-scores those exactly. Either way the
similarities returned are exact float32 cosines and ties go to the smaller id (by ``key``),
so results depend only on the index's contents, never on the order of a batch.

The index is meant to live across calls (e.g. the days of a catch-up run):
:meth:`StoryIndex.sync` brings it in line with a list of ``(id, vector)`` pairs by touching
only what changed, so the graph grows incrementally instead of being rebuilt each day. A
removed id leaves a hole in the graph that searches route around less well, so the graph is
rebuilt once the removals since the last build pass half its size (:data:`REBUILD_AFTER`;
stories that move each day churn it: recall@1 fell to 0.965 with a rebuild only after as
many removals as ids, and is 0.996 this way, ``benchmarks/stories_scale.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from podsift.exceptions import PodsiftError

#: Number of ids from which :class:`StoryIndex` searches an HNSW graph instead of comparing
#: every vector. Chosen with ``benchmarks/stories_scale.py --crossover`` on the 2-core dev
#: machine: a day (1,000 new or moved stories re-indexed, 1,000 searches) cost exact search
#: 0.45 / 0.37 / 1.3 / 3.2 s at 20k / 40k / 80k / 160k stories and the kept-up HNSW graph
#: 0.54 / 1.25 / 3.7 / 10.3 s, so the graph only pays off beyond that; a 30-day window of
#: 1,000 insights a day holds at most 30,000 stories and stays exact.
ANN_THRESHOLD = 200_000

#: Candidates asked of the HNSW graph per query before exact re-scoring (at least ``k``).
ANN_CANDIDATES = 16

#: HNSW parameters: graph degree ("M"), insertion breadth ("efConstruction") and search
#: breadth ("ef"). Fixed so that a given sequence of calls always builds the same graph.
CONNECTIVITY = 16
EXPANSION_ADD = 64
EXPANSION_SEARCH = 64

#: Rebuild the HNSW graph once the ids removed since it was built pass this share of its size.
REBUILD_AFTER = 0.5

#: Storage type of the HNSW copy of the vectors (the exact float32 rows are kept too and
#: re-score the candidates): int8 builds twice as fast as float16 at the same recall.
ANN_DTYPE = "i8"

#: Most float32 similarities computed at once by an exact search (64 MiB).
_CHUNK_CELLS = 1 << 24

Vectors = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.floating[Any]]
IntArray = npt.NDArray[np.int64]


class IndexDimensionError(PodsiftError, ValueError):
    """Vectors whose shape does not fit the index (wrong number of dims or of rows)."""


class StoryIndex:
    """Unit vectors by id, searchable by cosine (see the module docstring).

    >>> index = StoryIndex(2)
    >>> index.add(["b", "a"], np.array([[1, 0], [0, 1]], dtype=np.float32))
    >>> index.search(np.array([[1, 0.1]], dtype=np.float32), 2)[0]
    [['b', 'a']]
    """

    def __init__(
        self,
        dim: int,
        *,
        ann_threshold: int = ANN_THRESHOLD,
        key: Callable[[str], Any] | None = None,
    ) -> None:
        """An empty index of ``dim``-dimensional vectors.

        ``ann_threshold``: size from which the HNSW graph is used; ``key``: sort key of ids,
        which decides ties (default: the ids' own order).
        """
        if dim < 1:
            raise IndexDimensionError(f"an index needs at least 1 dim, got {dim}")
        self.dim = dim
        self.ann_threshold = ann_threshold
        self._key: Callable[[str], Any] = key or (lambda ident: ident)
        self._vectors: Vectors = np.zeros((0, dim), dtype=np.float32)
        self._ids: list[str | None] = []
        self._slot: dict[str, int] = {}
        self._free: list[int] = []
        self._keys: dict[str, Any] = {}
        self._given: dict[str, bytes] = {}  # each id's vector as given, to tell a change
        self._ann: Any = None
        self._removed_since_build = 0

    def __len__(self) -> int:
        """Number of ids held."""
        return len(self._slot)

    def __contains__(self, ident: object) -> bool:
        """Whether ``ident`` is held."""
        return ident in self._slot

    @property
    def approximate(self) -> bool:
        """Whether searches go through the HNSW graph (the index holds enough ids)."""
        return len(self) >= self.ann_threshold

    def add(self, ids: Sequence[str], vectors: FloatArray) -> None:
        """Add ``ids`` with their ``vectors`` (normalised here); a held id is replaced."""
        unit = self._check(vectors, "vectors")
        if unit.shape[0] != len(ids):
            raise IndexDimensionError(f"got {len(ids)} ids but {unit.shape[0]} vector rows")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids in one add")
        if not len(ids):
            return
        self.remove([i for i in ids if i in self._slot])
        given = np.asarray(vectors, dtype=np.float32)
        keys = [self._key(ident) for ident in ids]
        order = sorted(range(len(ids)), key=keys.__getitem__)
        slots = [self._take_slot(ids[k], keys[k]) for k in order]
        self._vectors[slots] = unit[order]
        self._given.update((ident, row.tobytes()) for ident, row in zip(ids, given, strict=True))
        if self._ann is not None:  # in key order, so the graph does not depend on ``ids``' order
            self._ann.add(np.asarray(slots, dtype=np.uint64), unit[order], threads=1)

    def remove(self, ids: Iterable[str]) -> None:
        """Remove ``ids`` (raises ``KeyError`` for one not held)."""
        slots = [self._slot.pop(ident) for ident in ids]
        if not slots:
            return
        for slot in slots:
            self._keys.pop(self._ids[slot] or "", None)
            self._given.pop(self._ids[slot] or "", None)
            self._ids[slot] = None
        self._free.extend(slots)
        if self._ann is not None:
            self._ann.remove(np.asarray(slots, dtype=np.uint64))
            self._removed_since_build += len(slots)

    def sync(self, items: Sequence[tuple[str, FloatArray]]) -> None:
        """Hold exactly ``items``: drop other ids, add new ones, replace changed vectors.

        A vector counts as changed when it differs from the one last given for its id, so
        only new and changed rows are checked and normalised (a window's stories mostly stay
        as they were from one day to the next).
        """
        ids = [ident for ident, _ in items]
        wanted = set(ids)
        if len(wanted) != len(ids):
            raise ValueError("duplicate ids in sync")
        self.remove([ident for ident in self._slot if ident not in wanted])
        given = [np.asarray(v, dtype=np.float32) for _, v in items]
        changed = [k for k, ident in enumerate(ids) if self._given.get(ident) != given[k].tobytes()]
        if changed:
            self.add([ids[k] for k in changed], np.stack([given[k].ravel() for k in changed]))

    def search(self, vectors: FloatArray, k: int = 1) -> tuple[list[list[str]], Vectors]:
        """The ``k`` most similar ids to each row of ``vectors``, best first, with cosines.

        Returns ``(ids, sims)``: ``ids[r]`` lists ``min(k, len(self))`` ids and ``sims[r]``
        their exact cosines (rows of ``vectors`` are normalised first); ties go to the
        smaller id.
        """
        queries = self._check(vectors, "query vectors")
        k = min(max(k, 0), len(self))
        if not len(queries) or k == 0:
            return [[] for _ in range(len(queries))], np.zeros((len(queries), k), np.float32)
        if self._ann is not None and len(self) < self.ann_threshold // 2:
            self._ann = None  # shrunk well below the threshold: stop maintaining the graph
        if self.approximate:
            slots, sims = self._search_ann(queries, k)
        else:
            slots, sims = self._search_exact(queries, k)
        names = [[self._ids[s] or "" for s in row] for row in slots.tolist()]
        return names, sims

    # --- internals ------------------------------------------------------------------------

    def _check(self, vectors: FloatArray, what: str) -> Vectors:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[1] != self.dim:
            dims = matrix.shape[1] if matrix.ndim == 2 else f"shape {matrix.shape}, not 2"
            raise IndexDimensionError(f"{what} have {dims} dims, the index has {self.dim}")
        if not np.isfinite(matrix).all():
            raise ValueError(f"{what} contain NaN or infinite values")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        unit: Vectors = (matrix / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
        return unit

    def _take_slot(self, ident: str, key: Any) -> int:
        if self._free:
            slot = self._free.pop()
            self._ids[slot] = ident
        else:
            slot = len(self._ids)
            self._ids.append(ident)
            if slot >= len(self._vectors):
                grown = np.zeros((max(16, 2 * len(self._vectors)), self.dim), np.float32)
                grown[: len(self._vectors)] = self._vectors
                self._vectors = grown
        self._slot[ident] = slot
        self._keys[ident] = key
        return slot

    def _search_exact(self, queries: Vectors, k: int) -> tuple[IntArray, Vectors]:
        n_slots = len(self._ids)
        matrix = self._vectors[:n_slots]
        dead = np.asarray([ident is None for ident in self._ids], dtype=bool)
        step = max(1, _CHUNK_CELLS // max(n_slots, 1))
        slots = np.zeros((len(queries), k), dtype=np.int64)
        sims = np.zeros((len(queries), k), dtype=np.float32)
        for start in range(0, len(queries), step):
            block = queries[start : start + step] @ matrix.T
            if dead.any():
                block[:, dead] = -np.inf
            columns = np.broadcast_to(np.arange(n_slots), block.shape)
            picked = self._best(block, columns, k)
            slots[start : start + step], sims[start : start + step] = picked
        return slots, sims

    def _search_ann(self, queries: Vectors, k: int) -> tuple[IntArray, Vectors]:
        if self._ann is None or self._removed_since_build > REBUILD_AFTER * len(self):
            self._build_ann()
        count = min(max(k, ANN_CANDIDATES), len(self))
        found = self._ann.search(queries, count, threads=0)
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
        # one query gives a Matches with only the found keys, a batch a padded BatchMatches
        counts = np.asarray(getattr(found, "counts", [keys.shape[1]]), dtype=np.int64)
        valid = np.arange(keys.shape[1])[None, :] < counts[:, None]
        keys = np.where(valid, keys, 0)
        scores = np.einsum("nd,ncd->nc", queries, self._vectors[keys]).astype(np.float32)
        scores[~valid] = -np.inf
        return self._best(scores, keys, k)

    def _best(self, scores: Vectors, slots: IntArray, k: int) -> tuple[IntArray, Vectors]:
        """Per row, the ``k`` best ``slots`` by (-score, id key); ``scores`` aligns with them
        (and is spent: the picks are masked in place).

        ``k`` passes of a vectorised argmax (for the few stories a statement is compared
        with, cheaper than partitioning every row), with the rows where scores tie settled
        one by one.
        """
        rows = np.arange(len(scores))
        picks = np.zeros((len(scores), k), dtype=np.int64)
        top = np.zeros((len(scores), k), dtype=np.float32)
        for j in range(k):
            picks[:, j] = scores.argmax(axis=1)
            top[:, j] = scores[rows, picks[:, j]]
            scores[rows, picks[:, j]] = -np.inf
        crowded = (scores >= top[:, -1:]).any(axis=1)  # another slot ties the k-th
        tied = (top[:, 1:] == top[:, :-1]).any(axis=1)  # two of the k tie: order by id
        best = slots[rows[:, None], picks].astype(np.int64)
        for r in np.flatnonzero(crowded | tied):
            scores[r, picks[r]] = top[r]
            cols = np.flatnonzero(scores[r] >= top[r, -1])
            pairs = sorted(
                zip(scores[r, cols].tolist(), slots[r, cols].tolist(), strict=True),
                key=lambda pair: (-pair[0], self._slot_key(pair[1])),
            )[:k]
            best[r] = [slot for _, slot in pairs]
            top[r] = [score for score, _ in pairs]
        return best, top

    def _slot_key(self, slot: int) -> Any:
        """The id key of ``slot``'s id (free slots sort last)."""
        ident = self._ids[slot]
        return (0, self._keys[ident]) if ident is not None else (1,)

    def _build_ann(self) -> None:
        """(Re)build the HNSW graph, adding ids in ``key`` order on one thread."""
        from usearch.index import Index

        self._ann = Index(
            ndim=self.dim,
            metric="cos",
            dtype=ANN_DTYPE,
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        ordered = sorted(self._slot, key=self._keys.__getitem__)
        slots = np.asarray([self._slot[ident] for ident in ordered], dtype=np.int64)
        if len(slots):
            self._ann.add(slots.astype(np.uint64), self._vectors[slots], threads=1)
        self._removed_since_build = 0
