"""Compose digests: rank the stories for one recipient, build the digest and store it.

:func:`compose_batch` is the one way a digest is stored: the daily run, the tick and
``podsift digest`` all go through it. A digest is written once per recipient and local date,
before anything is sent; what is sent later is rendered from that stored object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from podsift.context import RunContext
from podsift.digest.build import build_digest
from podsift.digest.judgement import Judgements, judge_candidates
from podsift.digest.labels import TermCounts
from podsift.digest.related import RelatedIndex, drop_repeats, pick_related
from podsift.digest.render import digest_to_json
from podsift.insights import Polisher, make_judge, make_polisher, polish_digest
from podsift.models import AlsoOn, Digest, DigestItem, RankedStory, Related, StoryView
from podsift.rank import (
    BaseScores,
    Taste,
    WorthModel,
    best_told_first,
    explain_stories,
    feedback_factors,
    interest_factor,
    rank_with_base,
    reading_order,
)
from podsift.store import DigestDraft
from podsift.stories import CachedEmbedder, MemoryVectorCache, make_embedder

OPERATOR = ""  # the recipient of the operator's own digest (`podsift digest`, `podsift demo`)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whose digest to compose, for which local date (``subscriber_id`` None: the operator)."""

    address: str
    day: date
    subscriber_id: int | None = None


def rank_for(
    ctx: RunContext,
    recipient: str,
    day: date,
    *,
    explain: bool = False,
    pool: StoryPool | None = None,
) -> list[RankedStory]:
    """Rank the window's stories for one recipient (see :mod:`podsift.rank`).

    Stories the recipient already received come back only as updates (new shows since).
    Their topics (one per line, embedded) and their own shows weigh in as interest, their
    "more / less like this" votes as feedback; story centroids drive the diversity rule, and a
    story that repeats the subject of a better one from the same episode is left out
    (:func:`~podsift.digest.related.drop_repeats`). The picked stories come in reading
    order, the surest point first (:func:`~podsift.rank.reading_order`).
    With ``[rank] judge`` set, the day's top candidates are judged once per pool (once a
    run). ``explain`` returns every story scored, zeros too, without the diversity pick.
    """
    pool = pool or StoryPool.load(ctx)
    base = pool.scores(ctx)
    sent = ctx.store.sent_story_shows(recipient, before=day)
    interest = _interest(ctx, recipient, pool)
    feedback = _feedback(ctx, recipient, pool)
    rank = ctx.settings.rank
    if explain:
        return explain_stories(
            pool.views,
            now=ctx.now,
            recency_half_life_days=rank.recency_half_life_days,
            sent_shows=sent,
            interest=interest,
            update_weight=rank.update_weight,
            feedback=feedback,
            judgement=base.judgement,
            worth=base.worth,
        )
    ranked = rank_with_base(
        base,
        limit=2 * rank.top,  # room for the repeats that drop_repeats leaves out
        sent_shows=sent,
        interest=interest,
        update_weight=rank.update_weight,
        diversity=rank.diversity,
        feedback=feedback,
    )
    return reading_order(drop_repeats(ranked, pool.related_index(), rank.top))


def _interest(ctx: RunContext, recipient: str, pool: StoryPool) -> dict[str, float]:
    """Each story's interest factor for ``recipient`` (empty for the operator)."""
    if not recipient:
        return {}
    topics, own = ctx.store.reader_profile(recipient)
    lines = [x.strip() for x in topics.replace(",", "\n").splitlines() if x.strip()]
    topic_vecs = pool.embed(ctx, lines) if lines and pool.vectors else None
    out = {}
    for view in pool.views:
        sim = 0.0
        if topic_vecs is not None and view.id in pool.vectors:
            sim = float((topic_vecs @ pool.vectors[view.id]).max())
        out[view.id] = interest_factor(sim, len(own & set(view.shows)))
    return out


def _feedback(ctx: RunContext, recipient: str, pool: StoryPool) -> dict[str, float]:
    """Each story's feedback factor for ``recipient``, learnt from their votes ({}: none)."""
    if not recipient:
        return {}
    votes = ctx.store.feedback_of(recipient, ctx.settings.cluster.embedder)
    return feedback_factors(Taste.learn(votes), pool.views, pool.vectors) if votes else {}


@dataclass
class StoryPool:
    """The window's stories and centroids, read once per run and shared by every reader."""

    views: list[StoryView]
    vectors: dict[str, npt.NDArray[np.float32]]
    embedder: CachedEmbedder | None = None
    base: BaseScores | None = None
    related: RelatedIndex | None = None
    terms: TermCounts | None = None
    judgements: Judgements | None = None

    @classmethod
    def load(cls, ctx: RunContext) -> StoryPool:
        """Read the stories of the window (the larger of the story window and the look-back),
        each led by its best telling (:func:`~podsift.rank.best_told_first`)."""
        since = ctx.now - max(timedelta(days=ctx.settings.cluster.window_days), ctx.lookback)
        model = ctx.settings.cluster.embedder
        views = [
            dataclasses.replace(v, mentions=best_told_first(v.mentions))
            for v in ctx.store.story_views(since=since)
        ]
        return cls(views, dict(ctx.store.story_centroids(model, since)))

    def scores(self, ctx: RunContext) -> BaseScores:
        """The reader-independent scores at ``ctx.now``, built once a run; with ``[rank]
        judge`` set, the top candidates are judged then, and :attr:`judgements` says how.

        Raises:
            ConfigError: the judge cannot judge or cannot start (see ``make_judge``).
        """
        if self.base is None or self.base.now != ctx.now:
            rank = ctx.settings.rank
            worth = WorthModel.bundled(ctx.settings.cluster.embedder) if rank.worth else None
            base = BaseScores.build(
                self.views,
                now=ctx.now,
                vectors=self.vectors,
                recency_half_life_days=rank.recency_half_life_days,
                worth_model=worth,
            )
            judge = make_judge(rank.judge, ctx.settings.insights)
            self.judgements = None
            if judge is not None:
                self.judgements = judge_candidates(
                    base, judge, rank.judge_candidates, ctx.monotonic
                )
                base = base.with_judgement(self.judgements.factors)
            self.base = base
        return self.base

    def related_index(self) -> RelatedIndex:
        """The window's stories by rare term, built on first use and shared by every reader."""
        if self.related is None:
            self.related = RelatedIndex.build(self.views, self.vectors)
        return self.related

    def term_counts(self, ctx: RunContext) -> TermCounts:
        """How many of the window's stories use each term (for labels), counted on first use.

        Labels weigh everyday words with the run's one model (:meth:`embed`'s), their vectors
        kept in memory for the run: a label's words are not worth a row of the store's cache.
        """
        if self.terms is None:
            words = CachedEmbedder(self._embedder(ctx).inner, MemoryVectorCache())
            self.terms = TermCounts.build(self.views, embed=words.embed)
        return self.terms

    def embed(self, ctx: RunContext, texts: list[str]) -> npt.NDArray[np.float32]:
        """Embed readers' topics with one embedder for the whole run (cached by text)."""
        vectors: npt.NDArray[np.float32] = self._embedder(ctx).embed(texts)
        return vectors

    def _embedder(self, ctx: RunContext) -> CachedEmbedder:
        """The configured embedder, loaded once a run, its vectors cached in the store."""
        if self.embedder is None:
            self.embedder = make_embedder(ctx)
        return self.embedder


class Headlines:
    """Headlines rewritten by the configured LLM, once per story, reused for every reader.

    Tokens are spent on the few stories that make digests, never on every insight.
    """

    def __init__(self, polisher: Polisher | None) -> None:
        self.polisher = polisher
        self.by_story: dict[str, str] = {}

    @classmethod
    def for_settings(cls, ctx: RunContext) -> Headlines | None:
        """The rewriter of the configured LLM provider, or None with the local extractor."""
        polisher = make_polisher(ctx.settings.insights)
        return cls(polisher) if polisher is not None else None

    def apply(self, digest: Digest) -> Digest:
        """Put the rewritten headlines into ``digest``, rewriting the stories not seen yet."""
        missing = tuple(i for i in digest.items if i.story_id not in self.by_story)
        if missing:
            done = polish_digest(dataclasses.replace(digest, items=missing), self.polisher)
            self.by_story.update({i.story_id: i.headline for i in done.items})
        items = tuple(
            dataclasses.replace(i, headline=self.by_story[i.story_id]) for i in digest.items
        )
        return dataclasses.replace(digest, items=items)


def draft_digest(
    ctx: RunContext,
    recipient: str,
    day: date,
    *,
    pool: StoryPool | None = None,
    headlines: Headlines | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Rank and build one recipient's digest: its stored JSON and its story ids, in order.

    Each item carries ``update``: true when the story comes back because new shows raised it
    since the recipient last got it, and ``related``: other stories of the window on the same
    specific subject, from other shows (see :mod:`podsift.digest.related`).
    """
    pool = pool or StoryPool.load(ctx)
    ranked = rank_for(ctx, recipient, day, pool=pool)
    related = pick_related([r.story for r in ranked], pool.related_index())
    digest = build_digest(
        ranked,
        day=day,
        recipient=recipient or None,
        related=related,
        terms=pool.term_counts(ctx),
    )
    if headlines is not None:
        digest = headlines.apply(digest)
    return digest_to_json(digest), [r.story.id for r in ranked]


def compose_for(
    ctx: RunContext,
    recipient: str,
    day: date,
    subscriber_id: int | None = None,
    headlines: Headlines | None = None,
    pool: StoryPool | None = None,
) -> tuple[int, Digest]:
    """Build and store one recipient's digest for ``day`` (the stored one wins on reruns).

    Each stored item carries ``update``: true when the story comes back because new shows
    raised it since the recipient last got it. With an LLM configured, the chosen stories'
    headlines are rewritten once per story (``headlines`` carries them between recipients).
    """
    due = [Recipient(recipient, day, subscriber_id)]
    ((digest_id, stored),) = compose_batch(ctx, due, pool or StoryPool.load(ctx), headlines)
    return digest_id, digest_from_json(stored, recipient=recipient or None)


def compose_batch(
    ctx: RunContext,
    due: Sequence[Recipient],
    pool: StoryPool,
    headlines: Headlines | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """Rank, build and store the digests of ``due`` in one transaction.

    Returns each stored digest's id and JSON, in the order of ``due``: a digest already
    stored for that recipient and date is kept (what is sent is what was stored first).
    """
    drafts = []
    for r in due:
        payload, story_ids = draft_digest(ctx, r.address, r.day, pool=pool, headlines=headlines)
        drafts.append(DigestDraft(r.address, r.day, payload, story_ids, r.subscriber_id))
    return ctx.store.save_digests(drafts, ctx.now)


def digest_from_json(payload: dict[str, Any], recipient: str | None = None) -> Digest:
    """Rebuild a Digest from its stored JSON (the shape in docs/design.md)."""
    items = tuple(
        DigestItem(
            rank=x["rank"],
            story_id=x["story_id"],
            headline=x["headline"],
            insight=x["insight"],
            quote=x["quote"],
            speaker=x["speaker"],
            show=x["show"],
            episode=x["episode"],
            link=x["link"],
            start=x["start"],
            also_on=tuple(
                AlsoOn(a["show"], a["episode"], a["speaker"], a["quote"], a["link"], a["start"])
                for a in x["also_on"]
            ),
            update=bool(x.get("update", False)),
            related=tuple(  # digests stored before related discussions have none
                Related(r["show"], r["episode"], r["speaker"], r["quote"], r["link"], r["start"])
                for r in x.get("related", [])
            ),
        )
        for x in payload["items"]
    )
    return Digest(date=date.fromisoformat(payload["date"]), items=items, recipient=recipient)
