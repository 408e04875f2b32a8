"""`podsift worker`: Celery workers that run stages for `podsift run --distributed`."""

from __future__ import annotations

import os

import click

from podsift.cli.app import App, pass_app


@click.command("worker")
@click.option(
    "--queues",
    default="fetch,extract,asr",
    show_default=True,
    help="Comma-separated queues to serve (route speech-to-text to GPU workers with --queues asr).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    help="Worker processes (default: one per CPU core).",
)
@pass_app
def worker_cmd(app: App, queues: str, concurrency: int | None) -> None:
    """Run Celery workers on the Redis broker ([queue] broker_url) until stopped."""
    from podsift.exceptions import ConfigError

    require_queue()
    from podsift.queue import QUEUES, check_broker, make_app

    chosen = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = sorted(set(chosen) - set(QUEUES))
    if unknown or not chosen:
        raise ConfigError(f"--queues {queues}: unknown queue (known: {', '.join(QUEUES)})")
    settings = app.settings
    os.environ["PODSIFT_DB"] = app.db_location()  # the worker processes open the same store
    app.store()  # fail here, not in every task, when the store is wrong
    celery_app = make_app(settings.queue)
    check_broker(celery_app, settings.queue.broker_url)
    argv = [
        "worker",
        "-Q",
        ",".join(chosen),
        "--loglevel",
        "WARNING",
        "-c",
        str(concurrency or os.cpu_count() or 1),
        "--without-gossip",
        "--without-mingle",
    ]
    celery_app.worker_main(argv)


def require_queue() -> None:
    """Fail with the install hint when Celery (the 'queue' extra) is missing."""
    from importlib.util import find_spec

    from podsift.exceptions import PodsiftError

    if find_spec("celery") is None:
        raise PodsiftError("workers need the 'queue' extra: pip install 'podsift[queue]'")


COMMANDS = [worker_cmd]
