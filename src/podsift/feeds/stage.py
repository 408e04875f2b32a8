"""The feeds stage: poll the shows that are due and store their new episodes.

Each show's outcome (new episodes, unchanged, or the error and its class) is recorded on
its row together with when to poll it next (see :mod:`podsift.feeds.schedule`); one
failing feed never stops the run. A host that answers 429/503 is cooled down: its other
feeds wait until the cool-down ends instead of being asked again in the same run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from podsift.config import FeedSettings
from podsift.context import RunContext
from podsift.exceptions import FeedParseError, FetchError
from podsift.feeds.identity import episode_keys, show_identity
from podsift.feeds.parse.standard import parse_feed_with_hints
from podsift.feeds.parse.xmltree import FeedHints
from podsift.feeds.schedule import (
    PollPolicy,
    PollState,
    after_failure,
    after_success,
    parse_ttl,
    parse_update_frequency,
)
from podsift.feeds.writes import PollWrites
from podsift.net import (
    BulkOptions,
    ErrorClass,
    FeedRequest,
    FetchResult,
    Freshness,
    HostCooling,
    PollError,
    Validators,
    check_url,
    fetch_feed,
    fetch_many,
    host_of,
    parse_retry_after,
)
from podsift.store import PollOutcome, PollRow

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
"""Fetch concurrently (:func:`podsift.net.fetch_many`) when this many shows are due."""

PAGE = 5000
"""Due shows read from the store at a time (memory stays flat in the number of shows)."""

BATCH = 500
"""Polls written to the store in one transaction."""


@dataclass(slots=True)
class _Tally:
    polled: int = 0
    unchanged: int = 0
    failed: int = 0
    deferred: int = 0

    def count(self, changed: bool, outcome: PollOutcome) -> None:
        self.polled += 1
        if outcome.error is not None:
            self.failed += 1
        elif not changed:
            self.unchanged += 1


def run(ctx: RunContext) -> PollReport:
    """Poll each due show once; a failing feed is recorded on its row and never stops the run.

    Due shows are read :data:`PAGE` at a time and their outcomes written :data:`BATCH` at a
    time, each batch in one transaction.
    """
    tally = _Tally()
    cooling: dict[str, datetime] = {}
    writes = PollWrites(ctx.store, ctx.now, BATCH, ctx.progress)
    policy = policy_from(ctx.settings.feeds)
    for rows in ctx.store.iter_due_shows(ctx.now, PAGE):
        if len(rows) >= BULK_MIN:
            _poll_bulk(ctx, rows, cooling, tally, writes, policy)
        else:
            _poll_each(ctx, rows, cooling, tally, writes, policy)
    writes.flush()
    return PollReport(tally.polled, tally.unchanged, writes.added, tally.failed, tally.deferred)


def _poll_each(
    ctx: RunContext,
    due: list[PollRow],
    cooling: dict[str, datetime],
    tally: _Tally,
    writes: PollWrites,
    policy: PollPolicy,
) -> None:
    """Fetch ``due`` one after another (a handful of shows: no helper thread)."""
    for row in due:
        host = host_of(row.feed_url)
        if host in cooling:
            tally.deferred += 1
            _defer(row, cooling[host], writes)
            continue
        changed, outcome = _record(ctx, row, _fetch_one(ctx, row), writes, policy)
        tally.count(changed, outcome)
        _note_cooling(ctx, host, outcome, cooling)


def _poll_bulk(
    ctx: RunContext,
    due: list[PollRow],
    cooling: dict[str, datetime],
    tally: _Tally,
    writes: PollWrites,
    policy: PollPolicy,
) -> None:
    """Fetch ``due`` concurrently; parse each answer here, as it comes in."""
    options = BulkOptions.from_settings(ctx.settings.feeds)
    hosts = {row.id: host_of(row.feed_url) for row in due}
    rows = {row.id: row for row in due}
    requests = [
        FeedRequest(r.id, r.feed_url, Validators(r.etag, r.last_modified, r.body_hash))
        for r in due
        if hosts[r.id] not in cooling
    ]
    waiting = [r for r in due if hosts[r.id] in cooling]
    for request, answer in fetch_many(requests, options, ctx.now):
        row = rows[request.key]
        if isinstance(answer, HostCooling):
            waiting.append(row)
            continue
        changed, outcome = _record(ctx, row, answer, writes, policy)
        tally.count(changed, outcome)
        _note_cooling(ctx, hosts[row.id], outcome, cooling)
    fallback = ctx.now + policy.min_interval
    for row in waiting:
        _defer(row, cooling.get(hosts[row.id], fallback), writes)
    tally.deferred += len(waiting)


def _note_cooling(
    ctx: RunContext, host: str, outcome: PollOutcome, cooling: dict[str, datetime]
) -> None:
    if outcome.error_class == ErrorClass.THROTTLED and outcome.next_poll_at:
        cooling[host] = max(outcome.next_poll_at, cooling.get(host, ctx.now))


def _defer(row: PollRow, until: datetime, writes: PollWrites) -> None:
    writes.save(
        row.id,
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


def _fetch_one(ctx: RunContext, row: PollRow) -> FetchResult | FetchError:
    feeds = ctx.settings.feeds
    try:
        return fetch_feed(
            ctx.client,
            row.feed_url,
            Validators(row.etag, row.last_modified, row.body_hash),
            max_bytes=feeds.max_bytes,
            max_redirects=feeds.max_redirects,
            deadline_s=feeds.timeout,
            now=ctx.now,
        )
    except FetchError as e:
        return e


def poll_show(ctx: RunContext, row: PollRow) -> tuple[int | None, PollOutcome]:
    """Poll one show and record the outcome; return (new episodes or None, the outcome)."""
    return record_poll(ctx, row, _fetch_one(ctx, row))


def record_poll(
    ctx: RunContext, row: PollRow, answer: FetchResult | FetchError
) -> tuple[int | None, PollOutcome]:
    """Parse and record one fetch's answer on ``row``; return (new episodes or None, outcome)."""
    writes = PollWrites(ctx.store, ctx.now, progress=ctx.progress)
    changed, outcome = _record(ctx, row, answer, writes, policy_from(ctx.settings.feeds))
    added = writes.flush()
    return (added if changed else None), outcome


def _record(
    ctx: RunContext,
    row: PollRow,
    answer: FetchResult | FetchError,
    writes: PollWrites,
    policy: PollPolicy,
) -> tuple[bool, PollOutcome]:
    """Parse one answer and queue its row changes; return (content changed, outcome)."""
    try:
        if isinstance(answer, FetchError):
            raise answer
        return _store_result(ctx, row, answer, writes, policy)
    except FetchError as e:
        kind = e.kind if isinstance(e, PollError) else ErrorClass.NETWORK
        retry = parse_retry_after(e.retry_after, ctx.now) if isinstance(e, PollError) else None
        status = e.status if isinstance(e, PollError) else None
        failure = _Failure(str(e), kind, status, retry)
    except FeedParseError as e:
        failure = _Failure(str(e), ErrorClass.PARSE, 200, None)
    return False, _failed(ctx, row, failure, writes, policy)


@dataclass(frozen=True, slots=True)
class _Failure:
    message: str
    kind: ErrorClass
    status: int | None
    retry: timedelta | None


def _failed(
    ctx: RunContext, row: PollRow, failure: _Failure, writes: PollWrites, policy: PollPolicy
) -> PollOutcome:
    state = PollState(row.state, row.next_poll_at, row.error_count, row.failing_since)
    nxt = after_failure(state, ctx.now, failure.kind, policy, ctx.rng, failure.retry)
    message = failure.message
    log.warning("feed failed: %s", message)
    ctx.progress(f"feed failed: {message}")
    outcome = PollOutcome(
        failure.status,
        nxt.state,
        nxt.next_poll_at,
        nxt.error_count,
        nxt.failing_since,
        message,
        failure.kind,
    )
    writes.save(row.id, outcome)
    return outcome


def _store_result(
    ctx: RunContext, row: PollRow, result: FetchResult, writes: PollWrites, policy: PollPolicy
) -> tuple[bool, PollOutcome]:
    v = result.validators
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
        writes.save(row.id, outcome)
        return False, outcome
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
        identity=show_identity(parsed.show),
    )
    writes.save(row.id, outcome)
    _move(ctx, row, result.permanent_url, "permanent redirect")
    _move(ctx, row, hints.new_feed_url, "itunes:new-feed-url")
    episodes = parsed.episodes
    writes.episodes(row.id, parsed.show.title, episodes, episode_keys(episodes))
    return True, outcome


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
