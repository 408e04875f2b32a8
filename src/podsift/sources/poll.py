"""The feeds stage: poll the shows that are due and store their new episodes.

Each show's outcome (new episodes, unchanged, or the error and its class) is recorded on
its row together with when to poll it next (see :mod:`podsift.sources.schedule`); one
failing feed never stops the run. A host that answers 429/503 is cooled down: its other
feeds wait until the cool-down ends instead of being asked again in the same run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from podsift.config import FeedSettings
from podsift.context import RunContext
from podsift.exceptions import FeedParseError, FetchError
from podsift.store.feeds import PollOutcome, PollRow

from .bulk import BulkOptions, FeedRequest, HostCooling, fetch_many
from .guard import check_url
from .identity import episode_keys
from .parse import FeedHints, parse_feed_with_hints
from .rss import FetchResult, PollError, Validators, fetch_feed
from .schedule import (
    ErrorClass,
    Freshness,
    PollPolicy,
    PollState,
    after_failure,
    after_success,
    parse_retry_after,
    parse_ttl,
    parse_update_frequency,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollReport:
    """What a poll of the due shows did."""

    polled: int
    unchanged: int
    new_episodes: int
    failed: int
    deferred: int = 0


def policy_from(feeds: FeedSettings) -> PollPolicy:
    """The schedule limits of ``[feeds]``."""
    return PollPolicy(
        min_interval=timedelta(minutes=feeds.min_interval_minutes),
        default_interval=timedelta(minutes=feeds.default_interval_minutes),
        max_interval=timedelta(hours=feeds.max_interval_hours),
        backoff_cap=timedelta(hours=feeds.backoff_cap_hours),
        dead_after=timedelta(days=feeds.dead_after_days),
        dead_reprobe=timedelta(days=feeds.dead_reprobe_days),
    )


BULK_MIN = 8
"""Fetch concurrently (:func:`podsift.sources.bulk.fetch_many`) when this many shows are due."""


def poll_all(ctx: RunContext) -> PollReport:
    """Poll each due show once; a failing feed is recorded on its row and never stops the run."""
    due = ctx.store.due_shows(ctx.now)
    if len(due) >= BULK_MIN:
        return _poll_bulk(ctx, due)
    unchanged = new = failed = deferred = polled = 0
    cooling: dict[str, datetime] = {}
    for row in due:
        host = (urlsplit(row.feed_url).hostname or "").lower()
        if host in cooling:
            deferred += 1
            _defer(ctx, row, cooling[host])
            continue
        polled += 1
        added, outcome = poll_show(ctx, row)
        if outcome.error is not None:
            failed += 1
            if outcome.error_class == ErrorClass.THROTTLED and outcome.next_poll_at:
                cooling[host] = outcome.next_poll_at
        elif added is None:
            unchanged += 1
        else:
            new += added
    return PollReport(polled, unchanged, new, failed, deferred)


def _poll_bulk(ctx: RunContext, due: list[PollRow]) -> PollReport:
    """Fetch ``due`` concurrently; parse and record each answer here, as it comes in."""
    options = BulkOptions.from_settings(ctx.settings.feeds)
    rows = {row.id: row for row in due}
    requests = [
        FeedRequest(r.id, r.feed_url, Validators(r.etag, r.last_modified, r.body_hash)) for r in due
    ]
    unchanged = new = failed = polled = 0
    cooling: dict[str, datetime] = {}
    waiting: list[PollRow] = []
    for request, answer in fetch_many(requests, options, ctx.now):
        row = rows[request.key]
        if isinstance(answer, HostCooling):
            waiting.append(row)
            continue
        polled += 1
        added, outcome = record_poll(ctx, row, answer)
        if outcome.error is not None:
            failed += 1
            if outcome.error_class == ErrorClass.THROTTLED and outcome.next_poll_at:
                host = (urlsplit(row.feed_url).hostname or "").lower()
                cooling[host] = max(outcome.next_poll_at, cooling.get(host, ctx.now))
        elif added is None:
            unchanged += 1
        else:
            new += added
    fallback = ctx.now + policy_from(ctx.settings.feeds).min_interval
    for row in waiting:
        _defer(ctx, row, cooling.get((urlsplit(row.feed_url).hostname or "").lower(), fallback))
    return PollReport(polled, unchanged, new, failed, len(waiting))


def _defer(ctx: RunContext, row: PollRow, until: datetime) -> None:
    ctx.store.save_poll(
        row.id,
        ctx.now,
        PollOutcome(
            None,
            row.state,
            until,
            row.error_count,
            row.failing_since,
            error="host cooling down after 429/503; not asked this time",
            error_class=ErrorClass.THROTTLED,
        ),
    )


def poll_show(ctx: RunContext, row: PollRow) -> tuple[int | None, PollOutcome]:
    """Poll one show and record the outcome; return (new episodes or None, the outcome)."""
    feeds = ctx.settings.feeds
    try:
        result: FetchResult | FetchError = fetch_feed(
            ctx.client,
            row.feed_url,
            Validators(row.etag, row.last_modified, row.body_hash),
            max_bytes=feeds.max_bytes,
            max_redirects=feeds.max_redirects,
            deadline_s=feeds.timeout,
            now=ctx.now,
        )
    except FetchError as e:
        result = e
    return record_poll(ctx, row, result)


def record_poll(
    ctx: RunContext, row: PollRow, answer: FetchResult | FetchError
) -> tuple[int | None, PollOutcome]:
    """Parse and record one fetch's answer on ``row``; return (new episodes or None, outcome)."""
    state = PollState(row.state, row.next_poll_at, row.error_count, row.failing_since)
    try:
        if isinstance(answer, FetchError):
            raise answer
        added, outcome = _store_result(ctx, row, answer)
    except FetchError as e:
        kind = e.kind if isinstance(e, PollError) else ErrorClass.NETWORK
        retry = parse_retry_after(e.retry_after, ctx.now) if isinstance(e, PollError) else None
        status = e.status if isinstance(e, PollError) else None
        return None, _failed(ctx, row, state, str(e), kind, status, retry)
    except FeedParseError as e:
        return None, _failed(ctx, row, state, str(e), ErrorClass.PARSE, 200, None)
    return added, outcome


def _failed(
    ctx: RunContext,
    row: PollRow,
    state: PollState,
    message: str,
    kind: ErrorClass,
    status: int | None,
    retry: timedelta | None,
) -> PollOutcome:
    policy = policy_from(ctx.settings.feeds)
    nxt = after_failure(state, ctx.now, kind, policy, ctx.rng, retry)
    log.warning("feed failed: %s", message)
    ctx.progress(f"feed failed: {message}")
    outcome = PollOutcome(
        status, nxt.state, nxt.next_poll_at, nxt.error_count, nxt.failing_since, message, kind
    )
    ctx.store.save_poll(row.id, ctx.now, outcome)
    return outcome


def _store_result(
    ctx: RunContext, row: PollRow, result: FetchResult
) -> tuple[int | None, PollOutcome]:
    v = result.validators
    policy = policy_from(ctx.settings.feeds)
    if result.not_modified or result.content is None:
        _move(ctx, row, result.permanent_url, "permanent redirect")
        nxt = after_success(ctx.now, result.freshness, policy)
        outcome = PollOutcome(
            result.status,
            "ok",
            nxt.next_poll_at,
            0,
            None,
            validators=(v.etag, v.last_modified, v.body_hash),
        )
        ctx.store.save_poll(row.id, ctx.now, outcome)
        return None, outcome
    parsed, hints = parse_feed_with_hints(result.content, result.final_url)
    for warning in parsed.warnings:
        log.info("feed warning: %s: %s", row.feed_url, warning)
    fresh = _with_feed_hints(result.freshness, hints)
    nxt = after_success(ctx.now, fresh, policy)
    outcome = PollOutcome(
        result.status,
        "ok",
        nxt.next_poll_at,
        0,
        None,
        validators=(v.etag, v.last_modified, v.body_hash),
        show=parsed.show,
    )
    ctx.store.save_poll(row.id, ctx.now, outcome)
    _move(ctx, row, result.permanent_url, "permanent redirect")
    _move(ctx, row, hints.new_feed_url, "itunes:new-feed-url")
    episodes = parsed.episodes
    added = ctx.store.add_episodes(row.id, episodes, ctx.now, keys=episode_keys(episodes))
    ctx.progress(f"polled {parsed.show.title}: {added} new episode(s)")
    return added, outcome


def _with_feed_hints(fresh: Freshness, hints: FeedHints) -> Freshness:
    return Freshness(
        retry_after=fresh.retry_after,
        max_age=fresh.max_age,
        expires_in=fresh.expires_in,
        ttl=parse_ttl(hints.ttl),
        update_every=parse_update_frequency(hints.update_frequency),
    )


def _move(ctx: RunContext, row: PollRow, new_url: str | None, why: str) -> None:
    """Move the show to ``new_url`` (an http(s) URL that gave a valid feed); keep an alias."""
    if not new_url or new_url == row.feed_url or check_url(new_url) is not None:
        return
    if ctx.store.move_show(row.id, new_url, ctx.now):
        log.info("feed moved: %s -> %s (%s)", row.feed_url, new_url, why)
        ctx.progress(f"feed moved ({why}): {row.feed_url} -> {new_url}")
