"""The delivery stage: send each stored digest exactly once, at its time, within the limits.

The ledger makes it once: a digest's delivery row is claimed (committed) before the SMTP
conversation, then marked ``sent``, ``retry`` (4xx, connection: backoff) or ``failed`` (5xx:
a bounce). A crash between the server's 250 and the commit leaves the row ``claimed``; the
next run turns a claim older than ``claim_timeout_seconds`` into ``unknown``, which is never
sent again automatically (``podsift digests reconcile`` settles it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

from podsift.config import Settings
from podsift.context import RunContext
from podsift.deliver.base import Sender
from podsift.deliver.claims import this_process
from podsift.deliver.schedule import retry_at, send_action
from podsift.deliver.smtp import SendError, compose_email
from podsift.deliver.tokens import Tokens, Vote
from podsift.digest import digest_from_json, render_html, render_text
from podsift.exceptions import ConfigError, DeliveryError
from podsift.store import Pause, PendingDigest

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SendReport:
    """What the delivery stage did (counts; ``paused`` and ``rate_limited`` are 0 or 1).

    ``unknown`` counts sends found in doubt this run (claimed, never finished): they are
    not retried; ``podsift digests reconcile`` lists and settles them.
    """

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: int = 0
    expired: int = 0
    empty: int = 0
    suspended: int = 0
    unknown: int = 0
    paused: int = 0
    rate_limited: int = 0


class Pacer:
    """Keep at most ``per_second`` messages a second (0: no limit); clock and sleep injected."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        """Block until the next message may go."""
        if not self.interval:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def run(ctx: RunContext) -> SendReport:
    """Send every stored digest whose local send time has come, once; expire late ones.

    Messages go through ``ctx.sender``.

    Raises:
        ConfigError: the run has no sender.
    """
    if ctx.sender is None:
        raise ConfigError("no sender for this run: set PODSIFT_SMTP_URL (smtp://host:port)")
    sender = ctx.sender
    conf = ctx.settings.delivery
    report = SendReport()
    stale = ctx.now - timedelta(seconds=conf.claim_timeout_seconds)
    doubtful = ctx.store.mark_unknown(claimed_before=stale)
    report.unknown = len(doubtful)
    for address in doubtful:
        log.warning("send in doubt, not retried: %s (podsift digests reconcile)", address)
    pause = ctx.store.pause_state()
    if pause.paused_until is not None and ctx.now < pause.paused_until:
        report.paused = 1
        ctx.progress(f"sending paused until {pause.paused_until:%Y-%m-%d %H:%M} UTC")
        return report
    budget = _hour_budget(ctx)
    pacer = Pacer(conf.per_second)
    tokens = Tokens(ctx.settings.email.secret_key)
    claimer = this_process()
    for pending in ctx.store.pending_digests():
        if not _ready(ctx, pending, report):
            continue
        if budget is not None and budget <= 0:
            report.rate_limited = 1
            break
        msg = message_for(ctx.settings, tokens, pending, ctx.now)
        # stamped with the moment of the claim, not the run's start: a long run's later claims
        # must not look stale to a second run that overlaps it (#20)
        if not ctx.store.claim_delivery(pending.digest_id, ctx.moment(), claimer):
            report.skipped += 1
            continue
        pacer.wait()
        pause = _deliver(ctx, sender, pending, msg, pause, report)
        if budget is not None:
            budget -= 1
        if pause.paused_until is not None:
            report.paused = 1
            break
    return report


def _ready(ctx: RunContext, p: PendingDigest, report: SendReport) -> bool:
    """Settle what must not be sent (expired, empty, unsubscribed); True to send now."""
    sub, conf = p.subscriber, ctx.settings.delivery
    if sub.status != "active":
        ctx.store.settle_undelivered(p.digest_id, "cancelled", ctx.now, f"subscriber {sub.status}")
        report.skipped += 1
        return False
    action = send_action(p.date, ctx.now, sub.tz, sub.send_hour, conf.cutoff_hour)
    if action == "expire":
        ctx.store.settle_undelivered(p.digest_id, "expired", ctx.now, "past the cut-off")
        report.expired += 1
        log.warning("digest expired unsent: %s %s", sub.email, p.date)
        return False
    if action == "wait" or (p.next_attempt_at is not None and p.next_attempt_at > ctx.now):
        report.skipped += 1
        return False
    if not p.payload.get("items"):
        ctx.store.settle_undelivered(p.digest_id, "empty", ctx.now, "no stories for this reader")
        report.empty += 1
        return False
    return True


def _deliver(
    ctx: RunContext,
    sender: Sender,
    p: PendingDigest,
    msg: EmailMessage,
    pause: Pause,
    report: SendReport,
) -> Pause:
    """Hand one claimed message to the sender and record the outcome; return the pause."""
    conf, store = ctx.settings.delivery, ctx.store
    try:
        sender.send(msg)
    except DeliveryError as e:
        code = e.code if isinstance(e, SendError) else None
        attempts = p.attempts + 1
        if isinstance(e, SendError) and e.permanent:
            store.finish_delivery(p.digest_id, "failed", ctx.now, error=str(e), smtp_code=code)
            report.failed += 1
            if store.count_bounce(p.subscriber.id, conf.bounce_threshold):
                report.suspended += 1
            log.warning("send refused: %s", e)
            return pause
        if attempts >= conf.max_attempts:
            store.finish_delivery(p.digest_id, "failed", ctx.now, error=str(e), smtp_code=code)
            report.failed += 1
        else:
            later = retry_at(attempts, ctx.now, conf.retry_base_seconds)
            store.finish_delivery(
                p.digest_id, "retry", ctx.now, error=str(e), smtp_code=code, next_attempt_at=later
            )
            report.retry += 1
        log.warning("send failed, will retry: %s", e)
        return _after_failure(ctx, pause, str(e))
    store.finish_delivery(p.digest_id, "sent", ctx.now, message_id=str(msg["Message-ID"]))
    report.sent += 1
    if p.subscriber.bounces:
        store.reset_bounces(p.subscriber.id)
    ctx.progress(f"sent digest to {p.subscriber.email}")
    if pause.failures:
        pause = Pause(0, None, None)
        store.save_pause(pause)
    return pause


def _after_failure(ctx: RunContext, pause: Pause, reason: str) -> Pause:
    conf = ctx.settings.delivery
    failures = pause.failures + 1
    until = None
    if conf.pause_after_failures and failures >= conf.pause_after_failures:
        until = ctx.now + timedelta(minutes=conf.pause_minutes)
        log.warning("sending paused after %d failures in a row: %s", failures, reason)
    pause = Pause(0 if until else failures, until, reason)
    ctx.store.save_pause(pause)
    return pause


def _hour_budget(ctx: RunContext) -> int | None:
    per_hour = ctx.settings.delivery.per_hour
    if not per_hour:
        return None
    return max(0, per_hour - ctx.store.sent_since(ctx.now - timedelta(hours=1)))


def message_for(
    settings: Settings, tokens: Tokens, p: PendingDigest, now: datetime
) -> EmailMessage:
    """Compose the email of a stored digest (pure given ``now``)."""
    email = settings.email
    address = p.subscriber.email
    digest = digest_from_json(p.payload, recipient=address)
    links = {
        "unsubscribe_url": tokens.url(email.base_url, "unsubscribe", address),
        "preferences_url": tokens.url(email.base_url, "preferences", address),
        "browser_url": browser_url(email.base_url, tokens, address, digest.date),
    }
    votes = {
        i.story_id: (
            tokens.vote_url(email.base_url, Vote(address, i.story_id, 1)),
            tokens.vote_url(email.base_url, Vote(address, i.story_id, -1)),
        )
        for i in digest.items
    }
    return compose_email(
        digest,
        sender=email.sender,
        recipient=address,
        html=render_html(digest, **links, votes=votes),
        text=render_text(digest, **links, votes=votes),
        unsubscribe_url=links["unsubscribe_url"],
        now=now,
    )


def browser_url(base_url: str, tokens: Tokens, address: str, day: date) -> str:
    """The "view in browser" link of ``address``'s digest of ``day``: its archive page, signed."""
    query = urlencode({"t": tokens.make("digest", address)})
    return f"{base_url.rstrip('/')}/d/{day.isoformat()}?{query}"


def unsubscribe_url(base_url: str, address: str, secret_key: str) -> str:
    """The one-click unsubscribe link of ``address``, signed (itsdangerous) for that purpose."""
    return Tokens(secret_key).url(base_url, "unsubscribe", address)
