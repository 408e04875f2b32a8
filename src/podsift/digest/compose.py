"""The digest stage: rank the stories for each recipient and store their digest for the day.

A digest is written to the store once per recipient and local date, before anything is sent;
what is sent later is rendered from that stored object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from podsift.context import RunContext
from podsift.models import AlsoOn, Digest, DigestItem, RankedStory
from podsift.rank import rank_stories

from .build import build_digest
from .render import digest_to_json

OPERATOR = ""  # the recipient of the operator's own digest (`podsift digest`, `podsift demo`)


@dataclass(frozen=True, slots=True)
class ComposeReport:
    """What the digest stage did."""

    digests: int
    stories_ranked: int


def local_date(now: datetime, tz: str) -> date:
    """The recipient's local date at ``now``."""
    return now.astimezone(ZoneInfo(tz)).date()


def rank_for(ctx: RunContext, recipient: str, day: date) -> list[RankedStory]:
    """Rank the stories of the window for one recipient, leaving out what they already got."""
    window = timedelta(days=ctx.settings.cluster.window_days)
    views = ctx.store.story_views(since=ctx.now - max(window, ctx.lookback))
    sent = ctx.store.sent_story_ids(recipient, before=day)
    rank = ctx.settings.rank
    return rank_stories(
        views,
        now=ctx.now,
        limit=rank.top,
        recency_half_life_days=rank.recency_half_life_days,
        already_sent=sent,
    )


def compose_for(
    ctx: RunContext, recipient: str, day: date, subscriber_id: int | None = None
) -> tuple[int, Digest]:
    """Build and store one recipient's digest for ``day`` (the stored one wins on reruns)."""
    ranked = rank_for(ctx, recipient, day)
    digest = build_digest(ranked, day=day, recipient=recipient or None)
    digest_id, payload = ctx.store.save_digest(
        recipient,
        day,
        digest_to_json(digest),
        [r.story.id for r in ranked],
        ctx.now,
        subscriber_id=subscriber_id,
    )
    return digest_id, digest_from_json(payload, recipient=recipient or None)


def compose_all(ctx: RunContext) -> ComposeReport:
    """Store today's digest for the operator and for every active subscriber."""
    count = 0
    _, operator = compose_for(ctx, OPERATOR, ctx.now.date())
    count += 1
    for sub in ctx.store.subscribers(active_only=True):
        compose_for(ctx, sub.email, local_date(ctx.now, sub.tz), subscriber_id=sub.id)
        count += 1
    ctx.progress(f"digests: {count} stored, top {len(operator.items)} stories")
    return ComposeReport(count, len(operator.items))


def digest_from_json(payload: dict[str, Any], recipient: str | None = None) -> Digest:
    """Rebuild a Digest from its stored JSON (the DESIGN.md §4 shape)."""
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
        )
        for x in payload["items"]
    )
    return Digest(date=date.fromisoformat(payload["date"]), items=items, recipient=recipient)
