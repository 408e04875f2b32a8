"""Learn from a reader's votes: a factor per story, higher near what they liked (pure).

A reader says "more like this" (+1) or "less like this" (-1) about stories. Each candidate
story gets

    feedback = clamp(1 + TOPIC_WEIGHT × topic + SHOW_WEIGHT × show, LOW, HIGH)

- topic = closeness to the nearest liked story − closeness to the nearest disliked one, where
  closeness ramps the centroids' cosine from 0 at :data:`UNRELATED_BELOW` (two stories of one
  field are that close already) to 1 at the same direction;
- show = the mean lean of the candidate's shows that were voted on: a show's lean is
  (likes − dislikes) / (likes + dislikes + 1), so one vote moves it by a half and many by
  less than one.

So a disliked story's close neighbours fall, a liked one's rise, and stories about something
else keep 1.0. The factor multiplies the score beside ``interest`` (see
:mod:`podsift.rank.score`) and ``podsift explain`` shows it as ``feedback``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from podsift.models import StoryView

Vector = npt.NDArray[np.float32]

TOPIC_WEIGHT = 0.5
SHOW_WEIGHT = 0.25
LOW, HIGH = 0.5, 1.5
"""The bounds of the factor: feedback can halve a story's score or raise it by half, no more."""
UNRELATED_BELOW = 0.3
"""The cosine below which two centroids count as unrelated (MiniLM puts one field near 0.3)."""


class Voted(Protocol):
    """A vote as learning reads it (the store's ``FeedbackRow`` is one)."""

    @property
    def value(self) -> int: ...
    @property
    def shows(self) -> tuple[str, ...]: ...
    @property
    def centroid(self) -> Vector | None: ...


@dataclass(frozen=True, slots=True)
class Taste:
    """What a reader's votes say: the centroids liked and disliked, and a lean per show."""

    liked: tuple[Vector, ...] = ()
    disliked: tuple[Vector, ...] = ()
    shows: Mapping[str, float] | None = None

    @classmethod
    def learn(cls, votes: Iterable[Voted]) -> Taste:
        """Gather ``votes`` (each story once) into a taste.

        >>> from types import SimpleNamespace as V
        >>> v = np.array([1.0, 0.0], dtype=np.float32)
        >>> votes = [V(value=1, shows=("A",), centroid=v),
        ...          V(value=-1, shows=("A", "B"), centroid=v),
        ...          V(value=-1, shows=("B",), centroid=None)]
        >>> t = Taste.learn(votes)
        >>> len(t.liked), len(t.disliked), t.shows
        (1, 1, {'A': 0.0, 'B': -0.666667})
        """
        liked: list[Vector] = []
        disliked: list[Vector] = []
        counts: dict[str, list[int]] = {}
        for vote in votes:
            if vote.value not in (1, -1):
                continue
            if vote.centroid is not None:
                (liked if vote.value > 0 else disliked).append(vote.centroid)
            for show in set(vote.shows):
                counts.setdefault(show, [0, 0])[vote.value < 0] += 1
        leans = {
            show: round((up - down) / (up + down + 1), 6) for show, (up, down) in counts.items()
        }
        return cls(tuple(liked), tuple(disliked), dict(sorted(leans.items())))

    @property
    def empty(self) -> bool:
        """Whether the votes teach nothing (no centroid and no show)."""
        return not (self.liked or self.disliked or self.shows)


def feedback_factor(taste: Taste, vector: Vector | None, shows: Sequence[str]) -> float:
    """The factor of one story with centroid ``vector`` raised on ``shows``.

    >>> a, b = np.array([1.0, 0.0], dtype=np.float32), np.array([0.0, 1.0], dtype=np.float32)
    >>> taste = Taste(liked=(a,), disliked=(b,), shows={"Bytes": -0.5})
    >>> feedback_factor(taste, a, ["News"]), feedback_factor(taste, b, ["News"])
    (1.5, 0.5)
    >>> feedback_factor(taste, None, ["Bytes"]), feedback_factor(taste, None, ["Other"])
    (0.875, 1.0)
    """
    topic = 0.0
    if vector is not None:
        topic = _closeness(taste.liked, vector) - _closeness(taste.disliked, vector)
    return _factor(topic, _show_lean(taste, shows))


def feedback_factors(
    taste: Taste, stories: Sequence[StoryView], vectors: Mapping[str, Vector]
) -> dict[str, float]:
    """:func:`feedback_factor` of each story whose factor is not 1.0 (one matrix product a side).

    >>> from podsift.models import Mention
    >>> def story(sid, show):
    ...     return StoryView(sid, (Mention(sid, show, "ep", None, "t", "q", None, None, 1.0),))
    >>> a, b = np.array([1.0, 0.0], dtype=np.float32), np.array([0.6, 0.8], dtype=np.float32)
    >>> stories = [story("near", "A"), story("far", "B"), story("none", "C")]
    >>> feedback_factors(Taste(disliked=(a,)), stories, {"near": a, "far": b})
    {'near': 0.5, 'far': 0.785714}
    """
    if taste.empty:
        return {}
    ids = [s.id for s in stories if s.id in vectors]
    topic = dict.fromkeys((s.id for s in stories), 0.0)
    if ids and (taste.liked or taste.disliked):
        matrix = np.stack([vectors[i] for i in ids]).astype(np.float32)
        near = _nearest(taste.liked, matrix) - _nearest(taste.disliked, matrix)
        topic.update(zip(ids, (float(x) for x in near), strict=True))
    factors = {s.id: _factor(topic[s.id], _show_lean(taste, s.shows)) for s in stories}
    return {sid: f for sid, f in factors.items() if f != 1.0}


def _closeness(voted: tuple[Vector, ...], vector: Vector) -> float:
    if not voted:
        return 0.0
    return float(_nearest(voted, vector[np.newaxis, :])[0])


def _nearest(voted: tuple[Vector, ...], matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """For each row of ``matrix``: the closeness (0..1) of the nearest of ``voted``."""
    if not voted:
        return np.zeros(len(matrix))
    cos = (matrix @ np.stack(voted).astype(np.float32).T).max(axis=1).astype(np.float64)
    near: npt.NDArray[np.float64] = np.clip((cos - UNRELATED_BELOW) / (1 - UNRELATED_BELOW), 0, 1)
    return near


def _show_lean(taste: Taste, shows: Sequence[str]) -> float:
    leans = [taste.shows[s] for s in dict.fromkeys(shows) if taste.shows and s in taste.shows]
    return sum(leans) / len(leans) if leans else 0.0


def _factor(topic: float, show: float) -> float:
    """1 + the weighted parts, kept within [LOW, HIGH].

    >>> _factor(1.0, 1.0), _factor(-1.0, -1.0), _factor(0.0, 0.0)
    (1.5, 0.5, 1.0)
    """
    return round(min(HIGH, max(LOW, 1.0 + TOPIC_WEIGHT * topic + SHOW_WEIGHT * show)), 6)
