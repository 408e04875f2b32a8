"""Rank the same stories for many readers: the reader-independent part once per run.

:func:`~podsift.rank.rank_stories` rescores every story for every reader. For a run over
many readers, :class:`BaseScores` computes breadth × salience × recency, the id order and
the vectors once; :func:`rank_with_base` then multiplies in one reader's novelty and
interest (numpy, one pass), keeps the top candidates with a partial sort and runs the MMR
pick over them only. A bound check widens the pick to every eligible story whenever a story
outside the candidates could still win a step, so the result is *identical* to
``rank_stories`` on the same inputs (same stories, same order, same scores and reasons).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from podsift.models import RankedStory, StoryView
from podsift.rank.score import Vector, breadth, novelty, rank_stories, recency, salience

Positions = npt.NDArray[np.intp]
_SLACK = 1e-4  # float32 dot products vs the float64 bound: stay on the safe side


@dataclass(frozen=True)
class BaseScores:
    """The reader-independent part of ranking ``stories`` at ``now`` (build with :meth:`build`).

    ``views`` holds one view per story id, in id order, stories without mentions left out;
    ``base[j]`` is breadth × salience × recency of ``views[j]``.
    """

    views: tuple[StoryView, ...]
    factors: tuple[tuple[float, float, float], ...]
    base: npt.NDArray[np.float64]
    index: dict[str, int]
    vectors: tuple[Vector | None, ...]
    sim_floor: float
    stories: Sequence[StoryView]
    unique: bool
    recency_half_life_days: float
    now: datetime
    vector_map: Mapping[str, Vector]
    _sims: dict[tuple[int, int], float] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        stories: Sequence[StoryView],
        *,
        now: datetime,
        recency_half_life_days: float = 7.0,
        vectors: Mapping[str, Vector] | None = None,
    ) -> BaseScores:
        """Score what does not depend on the reader, once.

        Raises:
            ValueError: ``recency_half_life_days`` is not positive.
        """
        if not recency_half_life_days > 0:
            raise ValueError(f"recency_half_life_days must be > 0, got {recency_half_life_days}")
        vector_map = vectors or {}
        ids = [s.id for s in stories if s.mentions]
        views = tuple(sorted((s for s in stories if s.mentions), key=lambda s: s.id))
        factors = tuple(
            (breadth(s), salience(s), recency(s.last_seen, now, recency_half_life_days))
            for s in views
        )
        # the same left-to-right product as score_story's math.prod
        base = np.array([math.prod(f) for f in factors], dtype=np.float64)
        vecs = tuple(vector_map.get(s.id) for s in views)
        return cls(
            views=views,
            factors=factors,
            base=base,
            index={s.id: j for j, s in enumerate(views)},
            vectors=vecs,
            sim_floor=_sim_floor([v for v in vecs if v is not None]),
            stories=stories,
            unique=len(set(ids)) == len(ids),
            recency_half_life_days=recency_half_life_days,
            now=now,
            vector_map=vector_map,
        )

    def positions(self, story_ids: Sequence[str]) -> Positions:
        """The positions in :attr:`views` of ``story_ids`` (unknown ids are left out), sorted."""
        found = {self.index[s] for s in story_ids if s in self.index}
        return np.array(sorted(found), dtype=np.intp)

    def sim(self, cand: int, picked: int) -> float | None:
        """Cosine of two stories' vectors as ``rank_stories`` computes it (None: no vector)."""
        key = (cand, picked)
        got = self._sims.get(key)
        if got is None:
            own, other = self.vectors[cand], self.vectors[picked]
            if own is None or other is None:
                return None
            got = self._sims[key] = float(own @ other)
        return got


def _sim_floor(vectors: Sequence[Vector]) -> float:
    """A lower bound (≤ 0) on the cosine of any two vectors (Cauchy–Schwarz when many)."""
    if len(vectors) < 2:
        return 0.0
    matrix = np.asarray(vectors, dtype=np.float64)
    if len(vectors) <= 2048:
        low = float((matrix @ matrix.T).min())
    else:
        low = -float((matrix * matrix).sum(axis=1).max())
    return min(0.0, low - _SLACK * (1.0 + abs(low)))


def rank_with_base(
    base: BaseScores,
    *,
    limit: int = 5,
    already_sent: frozenset[str] = frozenset(),
    sent_shows: Mapping[str, frozenset[str]] | None = None,
    interest: Mapping[str, float] | None = None,
    update_weight: float = 0.6,
    diversity: float = 0.3,
    candidates: Positions | None = None,
    window: int = 50,
) -> list[RankedStory]:
    """Return what ``rank_stories`` returns for ``base``'s stories and this reader.

    ``candidates`` (positions from :meth:`BaseScores.positions`) limits the ranking to those
    stories, as if only they had been passed to ``rank_stories``. ``window`` is how many of
    the best-scored stories the MMR pick looks at before the bound check says whether it
    must look further.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if not base.unique:  # duplicate ids: rare, and rank_stories already settles them
        stories = base.stories
        if candidates is not None:
            keep = {base.views[j].id for j in candidates}
            stories = [s for s in stories if s.id in keep]
        return rank_stories(stories, now=base.now, limit=limit,
                            recency_half_life_days=base.recency_half_life_days,
                            already_sent=already_sent, sent_shows=sent_shows, interest=interest,
                            vectors=base.vector_map, update_weight=update_weight,
                            diversity=diversity)  # fmt: skip
    if limit == 0 or not base.views:
        return []
    scores = base.base.copy()
    shows_sent = {s: frozenset(base.views[base.index[s]].shows) for s in already_sent
                  if s in base.index}  # fmt: skip
    shows_sent.update(sent_shows or {})
    nov: dict[int, float] = {}
    for sid, shows in shows_sent.items():
        j = base.index.get(sid)
        if j is not None:
            nov[j] = novelty(base.views[j], shows, update_weight)
            scores[j] *= nov[j]
    interest = interest or {}
    for sid, factor in interest.items():
        j = base.index.get(sid)
        if j is not None:
            scores[j] *= factor
    pos = candidates if candidates is not None else np.arange(len(base.views), dtype=np.intp)
    sc = scores[pos]
    positive = sc > 0
    pos, sc = pos[positive], sc[positive]
    if not len(pos):
        return []
    size = min(len(pos), max(window, limit))
    outside: float | None = None
    if size < len(pos):
        threshold = np.partition(sc, len(sc) - size)[len(sc) - size]
        inside = sc >= threshold
        if not inside.all():
            outside = float(sc[~inside].max())
        pos, sc = pos[inside], sc[inside]
    order = np.lexsort((pos, -sc))  # best first; equal scores by story id
    pool = [(int(pos[k]), float(sc[k])) for k in order]
    picked = _mmr(base, pool, outside, limit, diversity)
    if picked is None:  # a story outside the window could win: look at every one
        rest = candidates if candidates is not None else np.arange(len(base.views))
        everything = sorted(((int(j), float(scores[j])) for j in rest if scores[j] > 0),
                            key=lambda x: (-x[1], x[0]))  # fmt: skip
        picked = _mmr(base, everything, None, limit, diversity)
        assert picked is not None
    return [_ranked(base, j, s, nov.get(j, 1.0), interest.get(base.views[j].id, 1.0))
            for j, s in picked]  # fmt: skip


def _mmr(
    base: BaseScores,
    pool: list[tuple[int, float]],
    outside: float | None,
    limit: int,
    diversity: float,
) -> list[tuple[int, float]] | None:
    """``pick_diverse`` over ``pool``; None when a story scoring ``outside`` might win a step."""
    if outside is not None and not 0.0 <= diversity <= 1.0:
        return None
    top = pool[0][1] or 1.0
    gain = [(1 - diversity) * s / top for _, s in pool]
    sims: list[float | None] = [None] * len(pool)
    best_outside = -math.inf
    if outside is not None:
        best_outside = (1 - diversity) * outside / top - diversity * base.sim_floor
    alive = list(range(len(pool)))
    picked: list[tuple[int, float]] = []
    while alive and len(picked) < limit:
        best_k, best_val = 0, -math.inf
        for k, i in enumerate(alive):
            m = sims[i]
            value = gain[i] - diversity * (m if m is not None else 0.0)
            if value > best_val + 1e-12:
                best_k, best_val = k, value
        if picked and best_outside > best_val + 1e-12:
            return None
        chosen = alive.pop(best_k)
        picked.append(pool[chosen])
        if len(picked) == limit or base.vectors[pool[chosen][0]] is None:
            continue  # nothing left to pick, or no similarity to anything
        for i in alive:
            s = base.sim(pool[i][0], pool[chosen][0])
            if s is not None:
                m = sims[i]
                sims[i] = s if m is None else max(m, s)
    return picked


def _ranked(base: BaseScores, j: int, score: float, nov: float, interest: float) -> RankedStory:
    b, s, r = base.factors[j]
    reasons = (("breadth", b), ("salience", s), ("recency", r), ("novelty", nov),
               ("interest", interest))  # fmt: skip
    return RankedStory(story=base.views[j], score=score, reasons=reasons)
