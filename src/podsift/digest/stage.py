"""The digest stage: compose and store the digests this run owes, ranked for each recipient.

The daily run composes today's digest for the operator and for every active subscriber (by
their local date). The tick (``ctx.compose == "due"``) composes only those of subscribers
whose send hour has come and who have none stored for their local date yet. Both go through
:func:`~podsift.digest.compose.compose_batch`, ``BATCH`` digests a transaction, with the
window's stories read and scored (and, with ``[rank] judge``, the top candidates judged) once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from podsift.context import RunContext
from podsift.digest.compose import OPERATOR, Headlines, Recipient, StoryPool, compose_batch
from podsift.digest.schedule import compose_day, local_date

BATCH = 500
"""Digests written per store transaction."""


@dataclass(frozen=True, slots=True)
class ComposeReport:
    """What the daily run's digest stage did: digests stored, stories in the operator's, and
    the top candidates the ``[rank] judge`` scored and could not score (0 without a judge)."""

    digests: int
    stories_ranked: int
    judged: int = 0
    unjudged: int = 0


@dataclass(frozen=True, slots=True)
class ComposeDueReport:
    """Digests built by this tick, subscribers not yet (or no longer) due today, and the
    candidates judged and not (0 without a judge)."""

    built: int
    waiting: int
    judged: int = 0
    unjudged: int = 0


DigestReport = ComposeReport | ComposeDueReport


def run(ctx: RunContext) -> DigestReport:
    """Compose and store the digests due in this run (see the module docstring)."""
    if ctx.compose == "due":
        due, waiting = due_now(ctx)
        pool = StoryPool.load(ctx) if due else None
        compose_many(ctx, due, pool=pool)
        return ComposeDueReport(len(due), waiting, *_judged(pool))
    pool = StoryPool.load(ctx)
    stored = compose_many(ctx, today(ctx), pool=pool)
    top = len(stored[0][1]["items"])  # the operator's digest comes first
    judged, unjudged = _judged(pool)
    ctx.progress(
        f"digests: {len(stored)} stored, top {top} stories"
        + (f", {judged} of {judged + unjudged} candidates judged" if pool.judgements else "")
    )
    return ComposeReport(len(stored), top, judged, unjudged)


def _judged(pool: StoryPool | None) -> tuple[int, int]:
    """How many top candidates the judge scored and how many it could not (0, 0: no judge)."""
    done = pool.judgements if pool is not None else None
    return (0, 0) if done is None else (len(done.scores), done.unjudged)


def today(ctx: RunContext) -> list[Recipient]:
    """The operator, then every active subscriber, each for their local date today."""
    subscribers = [
        Recipient(sub.email, local_date(ctx.now, sub.tz), sub.id)
        for sub in ctx.store.subscribers(active_only=True)
    ]
    return [Recipient(OPERATOR, ctx.now.date()), *subscribers]


def due_now(ctx: RunContext) -> tuple[list[Recipient], int]:
    """Subscribers whose send hour has come and who have no digest stored for their local
    date yet, and how many active subscribers are not (or no longer) due today."""
    waiting = 0
    cutoff = ctx.settings.delivery.cutoff_hour
    due: list[Recipient] = []
    for sub in ctx.store.subscribers(active_only=True):
        day = compose_day(ctx.now, sub.tz, sub.send_hour, cutoff)
        if day is None:
            waiting += 1
        elif ctx.store.digest_row(sub.email, day) is None:
            due.append(Recipient(sub.email, day, sub.id))
    return due, waiting


def compose_many(
    ctx: RunContext,
    due: Sequence[Recipient],
    *,
    batch: int = BATCH,
    pool: StoryPool | None = None,
) -> list[tuple[int, dict[str, Any]]]:
    """Compose and store the digests of ``due``, ``batch`` to a transaction.

    The stories are read and scored (and the top candidates judged) once, in ``pool`` when
    given, and headlines rewritten once per story, for all. Returns each stored digest's id
    and JSON, in the order of ``due``.
    """
    if not due:
        return []
    pool = pool or StoryPool.load(ctx)
    headlines = Headlines.for_settings(ctx)
    stored: list[tuple[int, dict[str, Any]]] = []
    for start in range(0, len(due), batch):
        stored += compose_batch(ctx, due[start : start + batch], pool, headlines)
    return stored
