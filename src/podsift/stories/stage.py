"""The stories stage: embed new insights and join them to recent stories or start new ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from podsift.context import RunContext
from podsift.models import Statement, text_hash
from podsift.stories.base import Embedder, embedders
from podsift.stories.embed import CachedEmbedder, l2_normalise
from podsift.stories.group import (
    CHECKED_MEMBERS,
    TOLD_ALIKE_MARGIN,
    assign_to_stories,
    natural_key,
    off_claim,
    threshold_for,
)
from podsift.stories.index import StoryIndex
from podsift.stories.verify import MergeVerifier, make_verifier

if TYPE_CHECKING:
    from podsift.store import InsightRow

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class StoriesReport:
    """What the stories stage did."""

    insights: int
    joined: int
    new_stories: int
    re_embedded: int = 0  # stories of another embedder given the configured one's centroid
    verified: int = 0  # pairs the merge verifier answered ([cluster] verifier)
    unverified: int = 0  # band pairs left apart unanswered: past its budget, failed, refused


def make_embedder(ctx: RunContext) -> CachedEmbedder:
    """The configured embedder, with vectors cached in the store by text hash."""
    inner = embedders.create(ctx.settings.cluster.embedder, ctx.settings)
    return CachedEmbedder(inner, ctx.store)


def run(ctx: RunContext) -> StoriesReport:
    """Assign every insight not yet in a story, day by day, in canonical order.

    Insights are taken by publication day (then id); each day's are compared with the stories
    seen within ``cluster.window_days`` before that day, then grouped among themselves. A
    run that catches up on many days therefore builds the same stories as daily runs would,
    and a run never reclusters a month from scratch. One :class:`StoryIndex` serves all the
    days: each day syncs it to that day's window, re-indexing only new and moved stories.
    Stories another embedder made are first re-embedded (:func:`adopt_stories`). With
    ``[cluster] verifier``, one verifier (and its budget) serves all the days.
    """
    rows = ctx.store.unassigned_insights()
    embedder = make_embedder(ctx)
    window = timedelta(days=ctx.settings.cluster.window_days)
    oldest = min((_day_of(r) for r in rows), default=ctx.now.date())
    since = min(ctx.now - max(window, ctx.lookback), _start(oldest) - window)
    adopted = adopt_stories(ctx, embedder, since)
    if not rows:
        return StoriesReport(0, 0, 0, adopted)
    vectors = embedder.embed([r.text for r in rows])
    by_day: dict[date, list[tuple[InsightRow, Vector]]] = {}
    for row, vec in zip(rows, vectors, strict=True):
        by_day.setdefault(_day_of(row), []).append((row, vec))
    joined = new = 0
    index = StoryIndex(embedder.dim, key=natural_key)
    known = {r.text: v for r, v in zip(rows, vectors, strict=True)}  # member vectors, by text
    verifier = make_verifier(ctx.settings.cluster.verifier, ctx.settings.insights)
    for day in sorted(by_day):
        day_joined, day_new = _assign_day(ctx, embedder, day, by_day[day], index, known, verifier)
        joined, new = joined + day_joined, new + day_new
    ctx.progress(f"stories: {len(rows)} insights, {joined} joined, {new} new stories")
    if verifier is None:
        return StoriesReport(len(rows), joined, new, adopted)
    unverified = verifier.failed + verifier.refused
    ctx.progress(f"stories: {verifier.asked} pairs verified, {unverified} left unverified")
    return StoriesReport(len(rows), joined, new, adopted, verifier.asked, unverified)


@lru_cache(maxsize=1 << 16)  # a window's texts are read again every day of a catch-up run
def announcement(text: str) -> bool:
    """Whether ``text`` announces the show's running order ("First up, the octopus, then
    we're gonna do a bit on the drought"): it names the day's stories without telling any,
    so it joins no story and no story joins it, and its show is not counted as raising one
    (#17). A recap that tells the story again ("on Wednesday we talked about the drought
    emergency, reservoirs at 38 percent") still joins it.

    >>> announcement("First up, Harbourlight, and we're gonna talk about what it means.")
    True
    >>> announcement("Harbourlight cancelled its 2027 edition: insurance tripled.")
    False
    """
    from podsift.insights import announces  # podsift.insights imports this package

    return announces(text)


def announcements_only(texts: Sequence[str] | None) -> bool:
    """Whether a story's (checked) member ``texts`` are all announcements (a story of such a
    remark alone, which no insight may join); ``None`` (texts unknown) is not."""
    return bool(texts) and all(announcement(t) for t in texts or ())


def _day_of(row: InsightRow) -> date:
    """The day an insight counts for: its episode's publication, else when it was stored."""
    return (row.published or row.created_at).date()


def _start(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time.min, UTC)


def adopt_stories(ctx: RunContext, embedder: Embedder, since: datetime) -> int:
    """Re-embed the stories seen since ``since`` that another embedder made; return how many.

    After ``[cluster] embedder`` changes, the stories of the window get the new model's
    centroid (the normalised sum of their members' new vectors, as if built with it), so new
    insights still join them, and ranking's diversity and interest still see them.
    """
    texts = ctx.store.stories_of_other_models(embedder.name, since)
    if not texts:
        return 0
    unique = list(dict.fromkeys(t for members in texts.values() for t in members))
    vector_of = dict(zip(unique, embedder.embed(unique), strict=True))
    for story_id in sorted(texts):
        total = np.sum([vector_of[t] for t in texts[story_id]], axis=0, keepdims=True)
        ctx.store.adopt_story(story_id, embedder.name, l2_normalise(total)[0])
    ctx.progress(f"stories: {len(texts)} re-embedded with {embedder.name}")
    return len(texts)


def _member_vectors(
    embedder: Embedder, texts: dict[str, list[str]], known: dict[str, Vector]
) -> dict[str, Vector]:
    """The vectors of each story's checked members: from ``known`` (this run's vectors, by
    text), else from the embedder (the store's cache) in one call, then kept in ``known``."""
    missing = list(
        dict.fromkeys(t for members in texts.values() for t in members if t not in known)
    )
    if missing:
        known.update(zip(missing, embedder.embed(missing), strict=True))
    return {
        sid: np.array([known[t] for t in members], dtype=np.float32).reshape(-1, embedder.dim)
        for sid, members in texts.items()
    }


def _assign_day(
    ctx: RunContext,
    embedder: Embedder,
    day: date,
    items: list[tuple[InsightRow, Vector]],
    index: StoryIndex,
    known: dict[str, Vector],
    verifier: MergeVerifier | None = None,
) -> tuple[int, int]:
    """Join one day's insights to the window's stories or start new ones; count both."""
    model = embedder.name
    threshold = threshold_for(model, ctx.settings.cluster.threshold)
    since = _start(day) - timedelta(days=ctx.settings.cluster.window_days)
    checked = {v.id: v.mentions[:CHECKED_MEMBERS] for v in ctx.store.story_views(since)}
    story_texts = {sid: [m.text for m in mentions] for sid, mentions in checked.items()}
    story_shows = {sid: [m.show for m in mentions] for sid, mentions in checked.items()}
    centroids = dict(ctx.store.story_centroids(model, since))
    # an announcement of the running order names a story without telling it: it stands alone
    joinable = [
        (sid, c) for sid, c in centroids.items() if not announcements_only(story_texts.get(sid))
    ]
    announcing = {r.id for r, _ in items if announcement(r.text)}
    telling = [(r, v) for r, v in items if r.id not in announcing]
    statements = [Statement(r.id, r.text, r.show_title, r.score) for r, _ in telling]
    vectors = np.array([v for _, v in telling], dtype=np.float32).reshape(-1, embedder.dim)
    member_vectors = _member_vectors(embedder, story_texts, known)
    assignment = (
        assign_to_stories(
            statements,
            vectors,
            joinable,
            threshold=threshold,
            story_texts=story_texts,
            member_vectors=member_vectors,
            member_shows=story_shows,
            index=index,
            verifier=verifier,
        )
        if statements
        else []
    )
    assignment += [(insight_id, None) for insight_id in sorted(announcing)]
    vec_of = {r.id: v for r, v in items}
    by_story: dict[str, list[tuple[str, Vector, float]]] = {}
    for insight_id, story_id in assignment:
        vec = vec_of[insight_id]
        if story_id is not None and story_id in centroids:
            sim = float(vec @ centroids[story_id])
        else:
            story_id, sim = story_id or "s" + text_hash(insight_id), 1.0
        by_story.setdefault(story_id, []).append((insight_id, vec, sim))
    for story_id in sorted(by_story):
        ctx.store.add_to_story(story_id, model, by_story[story_id], ctx.now)
    row_of = {r.id: r for r, _ in items}
    grown = {
        sid: [
            *((m.insight_id, m.text, m.show, known[m.text]) for m in checked[sid]),
            *((i, row_of[i].text, row_of[i].show_title, vec) for i, vec, _ in new),
        ]
        for sid, new in by_story.items()
        if sid in centroids
    }
    left = _leave_off_claim(ctx, model, grown, threshold)  # each now a story of its own
    joined = sum(len(m) for sid, m in by_story.items() if sid in centroids)
    joined -= len([i for i in left if i in row_of])
    return joined, len([sid for sid in by_story if sid not in centroids]) + len(left)


def _leave_off_claim(
    ctx: RunContext,
    model: str,
    grown: dict[str, list[tuple[str, str, str, Vector]]],
    threshold: float,
) -> list[str]:
    """Re-read each story that grew today (its checked members and today's, ``(insight id,
    text, show, vector)``): a member that does not tell its claim
    (:func:`~podsift.stories.group.off_claim`: a rundown, advice or a consequence told beside
    the story, a show's second member, or a telling unlike another show's) leaves it for a
    story of its own, so it is not counted as raising the story. Returns the insights that
    left."""
    left: list[str] = []
    alike = threshold + TOLD_ALIKE_MARGIN
    for story_id in sorted(grown):
        members = grown[story_id]
        texts, shows = [m[1] for m in members], [m[2] for m in members]
        unit = l2_normalise(np.array([m[3] for m in members], dtype=np.float32))
        off = [(members[k][0], members[k][3]) for k in off_claim(texts, shows, unit, alike)]
        if not off:
            continue
        ctx.store.leave_story(story_id, off)
        for insight_id, vector in off:
            # not "s" + its hash: the story it leaves may be the one it started
            own = "s" + text_hash(f"{insight_id}\n{story_id}")
            ctx.store.add_to_story(own, model, [(insight_id, vector, 1.0)], ctx.now)
        left += [insight_id for insight_id, _ in off]
    return left
