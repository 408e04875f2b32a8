"""The Celery app: late acknowledgement, one task at a time per process, time limits."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from celery import Celery

from podsift.config import QueueSettings, Settings, load_settings
from podsift.context import RunContext
from podsift.net import make_client

log = logging.getLogger(__name__)

#: fetch: publisher transcripts; extract: insights; asr: speech-to-text (route to GPU workers)
QUEUES = ("fetch", "extract", "asr")


def make_app(settings: QueueSettings) -> Celery:
    """A Celery app for ``settings``; the tasks are registered on it."""
    app = Celery("podsift", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=settings.task_time_limit,
        task_ignore_result=True,
        task_default_queue="extract",
        task_routes={
            "podsift.transcript": {"queue": "fetch"},
            "podsift.extract": {"queue": "extract"},
            "podsift.asr": {"queue": "asr"},
        },
        broker_transport_options={"visibility_timeout": settings.visibility_timeout},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    _register(app)
    return app


def check_broker(app: Celery, url: str) -> None:
    """Fail fast with one line when the broker does not answer."""
    from podsift.exceptions import PodsiftError

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
    except Exception as e:  # kombu raises several types for an unreachable broker
        raise PodsiftError(f"{url}: the task broker (Redis) is unreachable ({e})") from e


def _register(app: Celery) -> None:
    retry: dict[str, Any] = {
        "autoretry_for": (OSError,),
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "max_retries": 5,
    }

    @app.task(name="podsift.transcript", **retry)  # type: ignore[untyped-decorator]  # celery has no type hints
    def transcript(episode_id: int) -> str:
        from podsift.queue.work import fetch_transcript

        state = fetch_transcript(worker_context(), episode_id)
        if state == "transcribed":
            app.send_task("podsift.extract", args=[episode_id])
        return state

    @app.task(name="podsift.extract", **retry)  # type: ignore[untyped-decorator]  # celery has no type hints
    def extract(episode_id: int) -> str:
        from podsift.queue.work import extract_insights

        return extract_insights(worker_context(), episode_id)

    @app.task(name="podsift.asr", **retry)  # type: ignore[untyped-decorator]  # celery has no type hints
    def asr() -> int:
        from podsift.queue.work import transcribe_one

        done = transcribe_one(worker_context())
        for episode_id in done:
            app.send_task("podsift.extract", args=[episode_id])
        return len(done)


@cache
def _worker_settings() -> Settings:
    return load_settings()


def worker_context() -> RunContext:
    """The context of this worker process: settings from its environment, its own store."""
    from datetime import UTC, datetime

    from podsift.config import default_db_path

    settings = _worker_settings()
    store = _store(settings.store.db or str(default_db_path()))
    return RunContext(settings, store, _client(), datetime.now(UTC))


@cache
def _store(db: str) -> Any:
    from podsift.store import open_store

    return open_store(db)


@cache
def _client() -> Any:
    return make_client(_worker_settings())
