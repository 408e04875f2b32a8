"""Rank stories for a reader; for many readers, the reader-independent part once per run.

This is the one ranking path. :class:`BaseScores` computes breadth × salience × substance ×
worth × recency (× judgement, once the day's top candidates are judged), the id order and the
vectors once; :func:`rank_with_base` then multiplies in one
reader's novelty, interest and feedback (numpy, one pass), keeps the top candidates with a
partial sort and runs the MMR pick over them only. A bound check widens the pick to every
eligible story whenever a story outside the candidates could still win a step, so the window
never changes the result.
:func:`rank_stories` is the one-reader case: a fresh :class:`BaseScores` and no window.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from podsift.models import RankedStory, StoryView
from podsift.rank.score import Vector, breadth, novelty, recency, salience, substance
from podsift.rank.worth import WorthModel

Positions = npt.NDArray[np.intp]
_SLACK = 1e-4  # float32 dot products vs the float64 bound: stay on the safe side


@dataclass(frozen=True)
class BaseScores:
    """The reader-independent part of ranking ``stories`` at ``now`` (build with :meth:`build`).

    ``views`` holds the stories with mentions in id order (a repeated id keeps its views in
    input order; each reader's ranking keeps the best-scored one); ``base[j]`` is breadth ×
    salience × substance × worth × recency of ``views[j]``, times its ``judgement`` factor
    once :meth:`with_judgement` put them in (a story not judged: 1.0), and ``index`` maps an
    id to its positions. ``worth`` holds the worth factor of each story the worth model
    scored (see :mod:`podsift.rank.worth`; a story it did not score: 1.0).
    """

    views: tuple[StoryView, ...]
    factors: tuple[tuple[float, float, float, float, float], ...]
    base: npt.NDArray[np.float64]
    index: dict[str, tuple[int, ...]]
    vectors: tuple[Vector | None, ...]
    repeated: tuple[tuple[int, ...], ...]
    known_shows: dict[str, frozenset[str]]
    recency_half_life_days: float
    now: datetime
    judgement: Mapping[str, float] = field(default_factory=dict)
    worth: Mapping[str, float] = field(default_factory=dict)
    _sims: dict[tuple[int, int], float] = field(default_factory=dict, repr=False)
    _floor: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def build(
        cls,
        stories: Sequence[StoryView],
        *,
        now: datetime,
        recency_half_life_days: float = 7.0,
        vectors: Mapping[str, Vector] | None = None,
        worth_model: WorthModel | None = None,
    ) -> BaseScores:
        """Score what does not depend on the reader, once.

        ``worth_model`` scores the worth of each story with a vector in ``vectors`` (None:
        every story's worth is 1.0).

        Raises:
            ValueError: ``recency_half_life_days`` is not positive.
        """
        if not recency_half_life_days > 0:
            raise ValueError(f"recency_half_life_days must be > 0, got {recency_half_life_days}")
        vector_map = vectors or {}
        views = tuple(sorted((s for s in stories if s.mentions), key=lambda s: s.id))
        worth = _worth(views, vector_map, worth_model)
        factors = tuple(
            (
                breadth(s),
                salience(s),
                substance(s),
                worth.get(s.id, 1.0),
                recency(s.last_seen, now, recency_half_life_days),
            )
            for s in views
        )
        # the same left-to-right product as score_story's math.prod
        base = np.array([math.prod(f) for f in factors], dtype=np.float64)
        index: dict[str, list[int]] = {}
        for j, s in enumerate(views):
            index.setdefault(s.id, []).append(j)
        return cls(
            views=views,
            factors=factors,
            base=base,
            index={sid: tuple(js) for sid, js in index.items()},
            vectors=tuple(vector_map.get(s.id) for s in views),
            repeated=tuple(tuple(js) for js in index.values() if len(js) > 1),
            # an id sent with no record of its shows: the shows of its last view count as known
            known_shows={s.id: frozenset(s.shows) for s in stories},
            recency_half_life_days=recency_half_life_days,
            now=now,
            worth=worth,
        )

    def candidates(self, limit: int) -> list[StoryView]:
        """The ``limit`` best stories by base score, best first (one view per id, zeros left
        out; equal scores by id): the ones worth a closer look before any reader's part."""
        picked: dict[str, StoryView] = {}
        for j in np.lexsort((np.arange(len(self.views)), -self.base)):
            if len(picked) >= limit or self.base[j] <= 0:
                break
            picked.setdefault(self.views[j].id, self.views[j])
        return list(picked.values())

    def with_judgement(self, factors: Mapping[str, float]) -> BaseScores:
        """These scores with each story's judgement factor multiplied in (absent: 1.0)."""
        base = self.base.copy()
        for sid, factor in factors.items():
            for j in self.index.get(sid, ()):
                base[j] *= factor
        return dataclasses.replace(self, base=base, judgement=dict(factors))

    def positions(self, story_ids: Sequence[str]) -> Positions:
        """The positions in :attr:`views` of ``story_ids`` (unknown ids are left out), sorted."""
        found = {j for s in story_ids for j in self.index.get(s, ())}
        return np.array(sorted(found), dtype=np.intp)

    def sim(self, cand: int, picked: int) -> float | None:
        """Cosine of two stories' vectors (None: one has no vector)."""
        key = (cand, picked)
        got = self._sims.get(key)
        if got is None:
            own, other = self.vectors[cand], self.vectors[picked]
            if own is None or other is None:
                return None
            got = self._sims[key] = float(own @ other)
        return got

    @property
    def sim_floor(self) -> float:
        """A lower bound (≤ 0) on the cosine of any two vectors (computed on first use)."""
        if not self._floor:
            self._floor.append(_sim_floor([v for v in self.vectors if v is not None]))
        return self._floor[0]


def _worth(
    views: Sequence[StoryView], vectors: Mapping[str, Vector], model: WorthModel | None
) -> dict[str, float]:
    """The worth factor of each story ``model`` can score (one with a vector of its size)."""
    if model is None:
        return {}
    size = len(model.weights)
    return {
        s.id: model.factor(vectors[s.id])
        for s in views
        if s.id in vectors and len(vectors[s.id]) == size
    }


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


def rank_stories(
    stories: Sequence[StoryView],
    *,
    now: datetime,
    limit: int = 5,
    recency_half_life_days: float = 7.0,
    already_sent: frozenset[str] = frozenset(),
    sent_shows: Mapping[str, frozenset[str]] | None = None,
    interest: Mapping[str, float] | None = None,
    vectors: Mapping[str, Vector] | None = None,
    update_weight: float = 0.6,
    diversity: float = 0.3,
    feedback: Mapping[str, float] | None = None,
    judgement: Mapping[str, float] | None = None,
    worth_model: WorthModel | None = None,
) -> list[RankedStory]:
    """Return the top ``limit`` distinct stories, best first (see :mod:`podsift.rank.score`).

    ``already_sent`` ids with no entry in ``sent_shows`` count as sent with no show known
    to be new, so they stay out. Stories with no mentions or a zero score are left out;
    when an id appears twice, its better-scored view counts. Equal scores are ordered by
    story id, so the result is a pure function of the inputs (not of their order).

    Raises:
        ValueError: ``limit`` is negative or ``recency_half_life_days`` is not positive.
    """
    _check_limit(limit)
    base = BaseScores.build(
        stories,
        now=now,
        recency_half_life_days=recency_half_life_days,
        vectors=vectors,
        worth_model=worth_model,
    )
    if judgement:
        base = base.with_judgement(judgement)
    return rank_with_base(
        base,
        limit=limit,
        already_sent=already_sent,
        sent_shows=sent_shows,
        interest=interest,
        update_weight=update_weight,
        diversity=diversity,
        feedback=feedback,
        window=len(base.views),  # one reader: no window to bound, the pick sees every story
    )


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
    feedback: Mapping[str, float] | None = None,
) -> list[RankedStory]:
    """Rank ``base``'s stories for one reader: what :func:`rank_stories` returns for them.

    ``candidates`` (positions from :meth:`BaseScores.positions`) limits the ranking to those
    stories, as if only they had been passed to ``rank_stories``. ``window`` is how many of
    the best-scored stories the MMR pick looks at before the bound check says whether it
    must look further.

    Raises:
        ValueError: ``limit`` is negative.
    """
    _check_limit(limit)
    if limit == 0 or not base.views:
        return []
    interest, feedback = interest or {}, feedback or {}
    scores, nov = _reader_scores(
        base, already_sent, sent_shows, (interest, feedback), update_weight
    )
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
    return [_ranked(base, j, s, nov.get(j, 1.0), interest.get(base.views[j].id, 1.0),
                    feedback.get(base.views[j].id, 1.0)) for j, s in picked]  # fmt: skip


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")


def _reader_scores(
    base: BaseScores,
    already_sent: frozenset[str],
    sent_shows: Mapping[str, frozenset[str]] | None,
    factors: tuple[Mapping[str, float], ...],
    update_weight: float,
) -> tuple[npt.NDArray[np.float64], dict[int, float]]:
    """Each view's score for this reader, and the novelty of the views it lowered.

    Of an id's repeated views only the best-scored one keeps its score (the others get 0):
    the higher score, then the lower first insight id, then the earlier view.
    """
    scores = base.base.copy()
    shows_sent = {s: base.known_shows[s] for s in already_sent if s in base.known_shows}
    shows_sent.update(sent_shows or {})
    nov: dict[int, float] = {}
    for sid, shows in shows_sent.items():
        for j in base.index.get(sid, ()):
            nov[j] = novelty(base.views[j], shows, update_weight)
            scores[j] *= nov[j]
    for reader_factor in factors:  # interest, then feedback: score_story's order
        for sid, factor in reader_factor.items():
            for j in base.index.get(sid, ()):
                scores[j] *= factor
    for views in base.repeated:
        best = min(views, key=lambda j: (-scores[j], base.views[j].mentions[0].insight_id, j))
        for j in views:
            if j != best:
                scores[j] = 0.0
    return scores, nov


def _mmr(
    base: BaseScores,
    pool: list[tuple[int, float]],
    outside: float | None,
    limit: int,
    diversity: float,
) -> list[tuple[int, float]] | None:
    """Pick up to ``limit`` of ``pool`` (best first) by maximal marginal relevance.

    Each step picks the story maximising ``(1 - diversity) × score / top score - diversity ×
    its highest cosine to a story already picked``; stories with no vector count as
    dissimilar to all, and ``diversity`` 0 keeps the score order. Returns None when a story
    left out of ``pool``, scoring ``outside``, might win a step.
    """
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


def _ranked(
    base: BaseScores, j: int, score: float, nov: float, interest: float, feedback: float
) -> RankedStory:
    b, s, w, v, r = base.factors[j]
    judged = base.judgement.get(base.views[j].id, 1.0)
    reasons = (("breadth", b), ("salience", s), ("substance", w), ("worth", v), ("recency", r),
               ("judgement", judged), ("novelty", nov), ("interest", interest),
               ("feedback", feedback))  # fmt: skip
    return RankedStory(story=base.views[j], score=score, reasons=reasons)
