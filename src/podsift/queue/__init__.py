"""Run the per-episode stages on Celery workers (Redis broker); the store stays the truth.

The queue only decides *where* a stage's work item runs: a task carries an episode id, looks
at the episode's state in the store, and does that stage only if it is still to be done.
Tasks are acknowledged late, so a worker that dies hands its task back; a lost broker loses
no work, because `podsift run --distributed` enqueues again whatever the store says is pending.
"""

from __future__ import annotations

from podsift.queue.app import QUEUES, check_broker, make_app
from podsift.queue.distributed import (
    DistributedReport,
    enqueue_pending,
    pending_count,
    run_distributed,
)

__all__ = [
    "QUEUES",
    "DistributedReport",
    "check_broker",
    "enqueue_pending",
    "make_app",
    "pending_count",
    "run_distributed",
]
