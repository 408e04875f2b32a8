"""The stories stage: embed new insights and join them to recent stories or start new ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np

from podsift.context import RunContext
from podsift.models import Statement, text_hash

from .embed import CachedEmbedder
from .group import DEFAULT_THRESHOLD, assign_to_stories

if TYPE_CHECKING:
    from . import Embedder


@dataclass(frozen=True, slots=True)
class StoriesReport:
    """What the stories stage did."""

    insights: int
    joined: int
    new_stories: int


def make_embedder(ctx: RunContext) -> Embedder:
    """The configured embedder, with vectors cached in the store by text hash."""
    from . import embedders  # the registry lives in the package: import at call time

    inner = embedders.create(ctx.settings.cluster.embedder, None)
    return CachedEmbedder(inner, ctx.store)


def group_all(ctx: RunContext, embedder: Embedder | None = None) -> StoriesReport:
    """Assign every insight not yet in a story, in canonical order (published, then id).

    The day's insights are compared with the centroids of the stories seen within the
    window (``cluster.window_days``), so a run never reclusters a month from scratch.
    """
    rows = ctx.store.unassigned_insights()
    if not rows:
        return StoriesReport(0, 0, 0)
    embedder = embedder or make_embedder(ctx)
    model = embedder.name
    threshold = ctx.settings.cluster.threshold or DEFAULT_THRESHOLD
    vectors = embedder.embed([r.text for r in rows])
    since = ctx.now - timedelta(days=ctx.settings.cluster.window_days)
    existing = ctx.store.story_centroids(model, since)
    statements = [Statement(r.id, r.text, r.show_title, r.score) for r in rows]
    assignment = assign_to_stories(statements, vectors, existing, threshold=threshold)
    centroids = dict(existing)
    by_story: dict[str, list[tuple[str, np.ndarray, float]]] = {}
    vec_of = {r.id: v for r, v in zip(rows, vectors, strict=True)}
    joined = 0
    for insight_id, story_id in assignment:
        vec = vec_of[insight_id]
        if story_id is not None and story_id in centroids:
            joined += 1
            sim = float(vec @ centroids[story_id])
        else:
            story_id = story_id or "s" + text_hash(insight_id)
            sim = 1.0
        by_story.setdefault(story_id, []).append((insight_id, vec, sim))
    for story_id in sorted(by_story):
        ctx.store.add_to_story(story_id, model, by_story[story_id], ctx.now)
    new_stories = len([s for s in by_story if s not in centroids])
    ctx.progress(f"stories: {len(rows)} insights, {joined} joined, {new_stories} new stories")
    return StoriesReport(len(rows), joined, new_stories)
