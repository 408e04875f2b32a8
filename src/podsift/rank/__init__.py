"""Ranking: order stories by breadth × salience × recency × novelty × interest (pure).

Each :class:`~podsift.models.RankedStory` carries its factors in ``reasons`` so
``podsift explain`` can show why a story ranked where it did.
"""

from __future__ import annotations

from .score import (
    RankOptions,
    breadth,
    explain_stories,
    interest_factor,
    is_update,
    novelty,
    pick_diverse,
    rank_stories,
    recency,
    salience,
    score_story,
)

__all__ = [
    "RankOptions",
    "breadth",
    "explain_stories",
    "interest_factor",
    "is_update",
    "novelty",
    "pick_diverse",
    "rank_stories",
    "recency",
    "salience",
    "score_story",
]
