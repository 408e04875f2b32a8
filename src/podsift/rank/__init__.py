"""Ranking: order stories by breadth × salience × recency (pure, explainable).

Each :class:`~podsift.models.RankedStory` carries its factors in ``reasons`` so
``podsift explain`` can show why a story ranked where it did.
"""

from __future__ import annotations

from .score import breadth, rank_stories, recency, salience, score_story

__all__ = ["breadth", "rank_stories", "recency", "salience", "score_story"]
