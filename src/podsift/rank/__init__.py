"""Ranking: order stories by the product of their factors, breadth to feedback (pure).

Each :class:`~podsift.models.RankedStory` carries its factors in ``reasons`` so
``podsift explain`` can show why a story ranked where it did. :func:`rank_stories` ranks for
one reader; :class:`BaseScores` and :func:`rank_with_base` share the reader-independent part
between many readers. Both take the same path. :class:`Taste` and :func:`feedback_factors`
turn a reader's "more / less like this" votes into the ``feedback`` factor;
:func:`judgement_factor` turns a chat model's score of a top candidate into ``judgement``;
:class:`WorthModel` reads from a story's centroid the score blind readers would give it, and
:func:`worth_factor` turns that into ``worth``.
"""

from __future__ import annotations

from podsift.rank.batch import BaseScores, rank_stories, rank_with_base
from podsift.rank.feedback import Taste, feedback_factor, feedback_factors
from podsift.rank.score import (
    RankOptions,
    best_told_first,
    breadth,
    explain_stories,
    interest_factor,
    is_update,
    judgement_factor,
    novelty,
    reading_order,
    reads_alone,
    recency,
    salience,
    score_story,
)
from podsift.rank.worth import WorthModel, worth_factor

__all__ = [
    "BaseScores",
    "RankOptions",
    "Taste",
    "WorthModel",
    "best_told_first",
    "breadth",
    "explain_stories",
    "feedback_factor",
    "feedback_factors",
    "interest_factor",
    "is_update",
    "judgement_factor",
    "novelty",
    "rank_stories",
    "rank_with_base",
    "reading_order",
    "reads_alone",
    "recency",
    "salience",
    "score_story",
    "worth_factor",
]
