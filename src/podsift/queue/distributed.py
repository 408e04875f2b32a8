"""`podsift run --distributed`: poll here, hand episodes to the workers, finish here."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import Celery
from kombu.exceptions import KombuError

from podsift.context import RunContext

PENDING = ("new", "failed", "transcribed")


@dataclass(frozen=True, slots=True)
class DistributedReport:
    """What a distributed run did."""

    enqueued: int
    still_pending: int
    waited_seconds: float


def pending_count(ctx: RunContext) -> int:
    """Episodes in the run's window that still need a transcript or insights."""
    return len(
        ctx.store.episodes(list(PENDING), published_since=ctx.since, published_until=ctx.now)
    )


def enqueue_pending(ctx: RunContext, app: Celery) -> int:
    """Send one task per pending episode of the window: the store decides what is pending.

    Episodes waiting for speech-to-text get one ``podsift.asr`` task each; such a task claims
    any waiting episode by lease, so two tasks never transcribe the same one.
    """
    sent = 0
    window = {"published_since": ctx.since, "published_until": ctx.now}
    for ep in ctx.store.episodes([*PENDING, "no_transcript"], **window):
        if ep.state == "no_transcript":
            app.send_task("podsift.asr")
        elif ep.state == "transcribed":
            app.send_task("podsift.extract", args=[ep.id])
        else:
            app.send_task("podsift.transcript", args=[ep.id])
        sent += 1
    return sent


def run_distributed(
    ctx: RunContext,
    app: Celery,
    *,
    timeout: float,
    requeue_every: float = 60.0,
    poll_every: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> DistributedReport:
    """Enqueue the window's pending episodes and wait until the workers have done them.

    What is still pending is enqueued again every ``requeue_every`` seconds: tasks are
    idempotent, so a broker that lost its messages (a Redis restart) only delays the work.
    Failed transcripts stay ``failed`` (recorded, retried by a later run) and do not hold the
    wait; anything still ``new`` or ``transcribed`` at the timeout is reported. Speech-to-text
    does not hold the wait either: what it finishes later joins the next run's stories.
    """
    began = clock()
    sent, last_sent = _try_enqueue(ctx, app), clock()
    while True:
        waiting = len(
            ctx.store.episodes(
                ["new", "transcribed"], published_since=ctx.since, published_until=ctx.now
            )
        )
        if waiting == 0 or clock() - began >= timeout:
            return DistributedReport(sent, waiting, round(clock() - began, 3))
        if clock() - last_sent >= requeue_every:
            sent, last_sent = sent + _try_enqueue(ctx, app), clock()
        sleep(poll_every)


def _try_enqueue(ctx: RunContext, app: Celery) -> int:
    """Enqueue, or enqueue nothing while the broker is away (the next round tries again)."""
    try:
        return enqueue_pending(ctx, app)
    except (OSError, KombuError) as e:
        ctx.progress(f"broker unreachable, will retry: {e}")
        return 0
