"""``podsift transcribe --pending --workers N``: worker processes sharing the ASR queue.

Each process opens the store itself, loads its own model and claims episodes with leases
until none is claimable; the store is the only thing they share.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

from podsift.asr.stage import AsrReport
from podsift.config import Settings


def _now() -> datetime:
    return datetime.now(UTC)


def work_queue(settings: Settings, db: str) -> AsrReport:
    """One worker: claim and transcribe until the queue is empty (runs in its own process)."""
    from podsift.asr.stage import transcribe_pending
    from podsift.context import RunContext
    from podsift.net import make_client
    from podsift.store import open_store

    store = open_store(db)
    try:
        with make_client(settings) as client:
            ctx = RunContext(settings, store, client, _now())
            return transcribe_pending(ctx, clock=_now)
    finally:
        store.close()


def run_workers(settings: Settings, db: str, workers: int) -> AsrReport:
    """Run ``workers`` worker processes on the store at ``db``; add up their reports.

    With one worker the work runs in this process.
    """
    if workers <= 1:
        return work_queue(settings, db)
    spawn = multiprocessing.get_context("spawn")  # no forked model or SQLite handles
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        futures = [pool.submit(work_queue, settings, db) for _ in range(workers)]
        return sum((f.result() for f in futures), AsrReport())
