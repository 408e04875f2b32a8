"""What ``podsift tick`` does for delivery: build the digests whose local hour has come."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from podsift.context import RunContext
from podsift.deliver.schedule import compose_day
from podsift.digest import Headlines, StoryPool, draft_digest
from podsift.store.digests import DigestDraft
from podsift.store.subscribers import Subscriber

BATCH = 500
"""Digests written per store transaction."""


@dataclass(frozen=True, slots=True)
class ComposeDueReport:
    """Digests built by this tick, and subscribers not yet (or no longer) due today."""

    built: int
    waiting: int


def compose_due(ctx: RunContext, *, batch: int = BATCH) -> ComposeDueReport:
    """Build and store the digest of each active subscriber whose send hour has come.

    By the subscriber's local date, so each gets one digest a local day; a digest already
    stored for that date is kept (what is sent is what was stored first). The stories are
    read and scored once; digests are written ``batch`` at a time, one transaction each.
    """
    waiting = 0
    cutoff = ctx.settings.delivery.cutoff_hour
    due: list[tuple[Subscriber, date]] = []
    for sub in ctx.store.subscribers(active_only=True):
        day = compose_day(ctx.now, sub.tz, sub.send_hour, cutoff)
        if day is None:
            waiting += 1
        elif ctx.store.digest_row(sub.email, day) is None:
            due.append((sub, day))
    if due:
        pool = StoryPool.load(ctx)
        headlines = Headlines.for_settings(ctx)
        for start in range(0, len(due), batch):
            compose_batch(ctx, due[start : start + batch], pool, headlines)
    return ComposeDueReport(len(due), waiting)


def compose_batch(
    ctx: RunContext,
    due: Sequence[tuple[Subscriber, date]],
    pool: StoryPool,
    headlines: Headlines | None = None,
) -> list[int]:
    """Rank, build and store the digests of ``due`` in one transaction; return their ids.

    The same digest as :func:`podsift.digest.compose_for` would store, item ``update`` flags
    included.
    """
    drafts = []
    for sub, day in due:
        payload, story_ids = draft_digest(ctx, sub.email, day, pool=pool, headlines=headlines)
        drafts.append(DigestDraft(sub.email, day, payload, story_ids, sub.id))
    return [digest_id for digest_id, _ in ctx.store.save_digests(drafts, ctx.now)]
