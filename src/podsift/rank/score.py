"""Score and order stories. Pure: stories and ``now`` in, ranked stories out.

score = breadth × salience × recency, where

- breadth = 1 + log2(distinct shows): a second show adds as much as the first, a fourth
  as much as the second and third together (diminishing returns);
- salience = the best mention score (negative scores count as 0);
- recency = 0.5 ** (age in days of ``last_seen`` / half-life); unknown ``last_seen`` → 1.0,
  a ``last_seen`` after ``now`` counts as age 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from ..models import RankedStory, StoryView

_DAY_SECONDS = 86_400.0


def breadth(story: StoryView) -> float:
    """1 + log2(number of distinct shows); 1.0 for a story with no mentions."""
    return 1.0 + math.log2(max(len(story.shows), 1))


def salience(story: StoryView) -> float:
    """The best mention score, at least 0."""
    return max((max(m.score, 0.0) for m in story.mentions), default=0.0)


def recency(last_seen: datetime | None, now: datetime, half_life_days: float) -> float:
    """Exponential decay of the story's age; naive datetimes are taken as UTC."""
    if last_seen is None:
        return 1.0
    age = (_as_utc(now) - _as_utc(last_seen)).total_seconds() / _DAY_SECONDS
    return float(0.5 ** (max(age, 0.0) / half_life_days))


def _as_utc(moment: datetime) -> datetime:
    """Return ``moment`` as an aware datetime (naive means UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def score_story(story: StoryView, *, now: datetime, recency_half_life_days: float) -> RankedStory:
    """Score one story and keep its factors, by name, in ``reasons``."""
    factors = (
        ("breadth", breadth(story)),
        ("salience", salience(story)),
        ("recency", recency(story.last_seen, now, recency_half_life_days)),
    )
    return RankedStory(story=story, score=math.prod(f for _, f in factors), reasons=factors)


def rank_stories(
    stories: Sequence[StoryView],
    *,
    now: datetime,
    limit: int = 5,
    recency_half_life_days: float = 7.0,
    already_sent: frozenset[str] = frozenset(),
) -> list[RankedStory]:
    """Return the top ``limit`` distinct stories, best first.

    Stories whose id is in ``already_sent`` and stories with no mentions are left out; when
    an id appears twice, its better-scored view counts. Equal scores are ordered by story id,
    so the result is a pure function of the inputs.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    if not recency_half_life_days > 0:
        raise ValueError(f"recency_half_life_days must be > 0, got {recency_half_life_days}")
    scored = [
        score_story(s, now=now, recency_half_life_days=recency_half_life_days)
        for s in stories
        if s.id not in already_sent and s.mentions
    ]
    scored.sort(key=lambda r: (-r.score, r.story.id))
    picked: dict[str, RankedStory] = {}
    for ranked in scored:
        if len(picked) >= limit:
            break
        picked.setdefault(ranked.story.id, ranked)
    return list(picked.values())
