"""What ``podsift tick`` does for delivery: build the digests whose local hour has come."""

from __future__ import annotations

from dataclasses import dataclass

from podsift.context import RunContext
from podsift.digest import Headlines, StoryPool, compose_for

from .schedule import compose_day


@dataclass(frozen=True, slots=True)
class ComposeDueReport:
    """Digests built by this tick, and subscribers not yet (or no longer) due today."""

    built: int
    waiting: int


def compose_due(ctx: RunContext) -> ComposeDueReport:
    """Build and store the digest of each active subscriber whose send hour has come.

    By the subscriber's local date, so each gets one digest a local day; a digest already
    stored for that date is kept (what is sent is what was stored first).
    """
    built = waiting = 0
    cutoff = ctx.settings.delivery.cutoff_hour
    pool: StoryPool | None = None  # read once, when the first digest is due
    headlines = Headlines.for_settings(ctx)
    for sub in ctx.store.subscribers(active_only=True):
        day = compose_day(ctx.now, sub.tz, sub.send_hour, cutoff)
        if day is None:
            waiting += 1
            continue
        if ctx.store.digest_row(sub.email, day) is None:
            pool = pool or StoryPool.load(ctx)
            compose_for(ctx, sub.email, day, subscriber_id=sub.id, headlines=headlines,
                        pool=pool)  # fmt: skip
            built += 1
    return ComposeDueReport(built, waiting)
