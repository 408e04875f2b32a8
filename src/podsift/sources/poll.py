"""The feeds stage: poll every show with conditional GET and store new episodes."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from podsift.context import RunContext
from podsift.exceptions import SourceError

from .parse import parse_feed
from .rss import Validators, fetch_feed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollReport:
    """What a poll of all shows did."""

    polled: int
    unchanged: int
    new_episodes: int
    failed: int


def poll_all(ctx: RunContext) -> PollReport:
    """Poll each show once; one failing feed is recorded on its row and never stops the run."""
    unchanged = new = failed = 0
    shows = ctx.store.shows()
    for show in shows:
        try:
            added = poll_show(
                ctx,
                show.id,
                show.feed_url,
                Validators(show.etag, show.last_modified, show.body_hash),
            )
        except SourceError as e:
            failed += 1
            log.warning("feed failed: %s", e)
            ctx.store.record_poll(show.id, ctx.now, status=None, error=str(e))
            ctx.progress(f"feed failed: {e}")
            continue
        if added is None:
            unchanged += 1
        else:
            new += added
    return PollReport(len(shows), unchanged, new, failed)


def poll_show(ctx: RunContext, show_id: int, url: str, validators: Validators) -> int | None:
    """Poll one show; return the number of new episodes, or None when unchanged."""
    result = fetch_feed(ctx.client, url, validators, max_bytes=ctx.settings.feeds.max_bytes)
    v = result.validators
    if result.not_modified or result.content is None:
        ctx.store.record_poll(
            show_id,
            ctx.now,
            status=result.status,
            validators=(v.etag, v.last_modified, v.body_hash),
        )
        return None
    parsed = parse_feed(result.content, url)
    for warning in parsed.warnings:
        log.info("feed warning: %s: %s", url, warning)
    ctx.store.record_poll(
        show_id,
        ctx.now,
        status=result.status,
        show=parsed.show,
        validators=(v.etag, v.last_modified, v.body_hash),
    )
    added = ctx.store.add_episodes(show_id, parsed.episodes, ctx.now)
    ctx.progress(f"polled {parsed.show.title}: {added} new episode(s)")
    return added
