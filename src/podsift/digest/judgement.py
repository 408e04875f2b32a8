"""Judge the day's top candidates once a run, and fold the judgement into their base score.

The reader-independent scores (:class:`~podsift.rank.BaseScores`) name the ``[rank]
judge_candidates`` best stories; the judge (:class:`~podsift.insights.Judge`, on the chat model
``[rank] judge`` names) scores each one's representative quote, best first, and
:func:`~podsift.rank.judgement_factor` turns that score into the story's ``judgement`` factor.
Every reader's ranking then starts from the judged base, so a run judges each candidate once,
whatever the number of readers. A story the judge did not score (its quote reads like an
instruction, the model failed, or the model's time budget was spent) keeps 1.0 and is counted
in :attr:`Judgements.unjudged`: the ranking falls back to what it was without a judge.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from podsift.insights import Judge
from podsift.models import StoryView
from podsift.rank import BaseScores, judgement_factor

log = logging.getLogger(__name__)

__all__ = ["Judgements", "judge_candidates"]


@dataclass(frozen=True, slots=True)
class Judgements:
    """What the judge made of one run's candidates (best base score first) and how long it took."""

    candidates: tuple[StoryView, ...]
    scores: dict[str, float]  # story id -> expected score, for the candidates judged
    seconds: float

    @property
    def unjudged(self) -> int:
        """Candidates left at 1.0: an instruction-like quote, a failure or no time left."""
        return len(self.candidates) - len(self.scores)

    @property
    def factors(self) -> dict[str, float]:
        """Each judged story's judgement factor."""
        return {sid: judgement_factor(score) for sid, score in self.scores.items()}


def judge_candidates(
    base: BaseScores, judge: Judge, limit: int, clock: Callable[[], float]
) -> Judgements:
    """Score the representative quote of ``base``'s ``limit`` best stories with ``judge``.

    ``clock`` gives monotonic seconds (the run's, so tests pass a fake).
    """
    start = clock()
    candidates = base.candidates(limit)
    scores = {}
    for view in candidates:
        got = judge.score(view.mentions[0].quote)
        if got is not None:
            scores[view.id] = got
    done = Judgements(tuple(candidates), scores, clock() - start)
    log.info(
        "candidates judged: judged=%d unjudged=%d instruction_like=%d failed=%d seconds=%.1f",
        len(scores), done.unjudged, judge.skipped, judge.failed, done.seconds,
    )  # fmt: skip
    return done
