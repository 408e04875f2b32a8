"""Distributed runs: real Redis, real PostgreSQL, real Celery worker processes on loopback."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podsift.config import load_settings
from podsift.context import RunContext
from podsift.demo import DEMO_DATA, serve
from podsift.digest import OPERATOR
from podsift.net import make_client
from podsift.pipeline import run_daily, run_daily_distributed
from podsift.queue import make_app
from podsift.store import EpisodeRow, Store, open_store
from tests.conftest import postgres_store

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

NOW = datetime(2024, 6, 30, 9, 0, tzinfo=UTC)
LOOPBACK = {"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8"}  # the test servers, by config
LOOKBACK = timedelta(days=100)  # Changelog News 88–100 and Python Bytes 377


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """A redis-server of the test's own on a free loopback port, that can be restarted."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI") == "true":
                pytest.fail("redis-server is required in CI")
            pytest.skip("no redis-server")
        self.binary = binary
        self.port = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis() -> Iterator[Redis]:
    r = Redis()
    r.start()
    yield r
    r.stop()


@pytest.fixture
def pg() -> Iterator[Store]:
    with postgres_store() as s:
        yield s


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "feeds").mkdir()
    for name in ("changelog-news.xml", "python-bytes.xml"):
        shutil.copyfile(DEMO_DATA / "feeds" / name, tmp_path / "feeds" / name)
    with serve([tmp_path, DEMO_DATA]) as base:
        yield base


def _env(store: Store, redis: Redis) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODSIFT_")}
    env |= {
        "PODSIFT_DB": store.engine.url.render_as_string(hide_password=False),
        "PODSIFT_QUEUE__BROKER_URL": redis.url,
        "PODSIFT_QUEUE__VISIBILITY_TIMEOUT": "4",
        "HF_HUB_OFFLINE": "1",
        **LOOPBACK,
    }
    return env


@contextmanager
def workers(store: Store, redis: Redis, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "podsift",
                "worker",
                "--concurrency",
                "1",
                "--queues",
                "fetch,extract",
            ],
            env=_env(store, redis),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(count)
    ]
    try:
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()  # a warm shutdown of the worker and its pool
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def _ctx(store: Store, client: object, redis_url: str = "redis://127.0.0.1:1/0") -> RunContext:
    settings = load_settings(
        env={
            **LOOPBACK,
            "PODSIFT_RANK__RECENCY_HALF_LIFE_DAYS": "3650",
            "PODSIFT_QUEUE__BROKER_URL": redis_url,
        }
    )
    return RunContext(settings, store, client, NOW, lookback=LOOKBACK)  # type: ignore[arg-type]


def _add(store: Store, base: str) -> None:
    for name in ("changelog-news.xml", "python-bytes.xml"):
        store.add_show(f"{base}/feeds/{name}", NOW)


def _wait_for_progress(store: Store, timeout: float = 60) -> None:
    """Wait until a worker has moved some episode of the window along."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(e.state != "new" for e in _window(store)):
            return
        time.sleep(0.1)
    raise AssertionError("no worker picked up any work")


def _window(store: Store) -> list[EpisodeRow]:
    return store.episodes(
        ["new", "transcribed", "extracted", "failed"],
        published_since=NOW - LOOKBACK,
        published_until=NOW,
    )


def _insights(store: Store) -> dict[str, int]:
    import sqlalchemy as sa

    with store.engine.begin() as c:
        rows = c.execute(
            sa.text(
                "select e.key, count(i.id) from episodes e join insights i on i.episode_id = e.id "
                "group by e.key"
            )
        ).all()
    return {k: n for k, n in rows}


def test_distributed_on_postgres_gives_the_same_digest_as_in_process_sqlite(
    tmp_path: Path, pg: Store, redis: Redis, feeds: str
) -> None:
    local = open_store(str(tmp_path / "local.db"))
    _add(local, feeds)
    _add(pg, feeds)
    with make_client(load_settings(env=LOOPBACK)) as client:
        run_daily(_ctx(local, client))
        with workers(pg, redis, 2):
            ctx = _ctx(pg, client, redis.url)
            report = run_daily_distributed(ctx, make_app(ctx.settings.queue)).as_dict()
    assert report["workers"]["still_pending"] == 0
    assert report["workers"]["enqueued"] == len(_insights(local)) >= 5
    assert _insights(pg) == _insights(local)
    assert pg.digest_row(OPERATOR, NOW.date())[1] == local.digest_row(OPERATOR, NOW.date())[1]
    local.close()


def test_a_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(
    pg: Store, redis: Redis, feeds: str
) -> None:
    _add(pg, feeds)
    with make_client(load_settings(env=LOOPBACK)) as client, workers(pg, redis, 2) as procs:
        ctx = _ctx(pg, client, redis.url)
        from podsift.feeds import run as poll_feeds
        from podsift.queue import enqueue_pending, run_distributed

        poll_feeds(ctx)
        app = make_app(ctx.settings.queue)
        enqueue_pending(ctx, app)
        _wait_for_progress(pg)  # both workers are up and taking tasks
        os.killpg(procs[0].pid, signal.SIGKILL)
        report = run_distributed(ctx, app, timeout=120, requeue_every=1000)
    assert report.still_pending == 0
    states = {
        e.state
        for e in pg.episodes(
            ["new", "transcribed", "extracted", "failed"],
            published_since=NOW - LOOKBACK,
            published_until=NOW,
        )
    }
    assert states == {"extracted"}
    counts = _insights(pg)
    assert len(counts) == len(states and _window(pg)) >= 5
    assert all(n > 0 for n in counts.values())


def test_redis_restarted_mid_run_only_delays_the_work(pg: Store, redis: Redis, feeds: str) -> None:
    _add(pg, feeds)
    with make_client(load_settings(env=LOOPBACK)) as client, workers(pg, redis, 1):
        ctx = _ctx(pg, client, redis.url)
        from podsift.feeds import run as poll_feeds
        from podsift.queue import enqueue_pending, run_distributed

        poll_feeds(ctx)
        app = make_app(ctx.settings.queue)
        enqueue_pending(ctx, app)
        _wait_for_progress(pg)  # the worker is up and working: now pull the broker away
        redis.stop()  # the queued messages are gone: Redis keeps nothing on disk here
        time.sleep(1.0)
        redis.start()
        report = run_distributed(ctx, app, timeout=120, requeue_every=2)
    assert report.still_pending == 0
    assert len(_insights(pg)) == len(_window(pg)) >= 5


def test_worker_with_redis_down_exits_1_with_one_line(pg: Store) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODSIFT_")}
    env |= {
        "PODSIFT_DB": pg.engine.url.render_as_string(hide_password=False),
        "PODSIFT_QUEUE__BROKER_URL": f"redis://127.0.0.1:{_free_port()}/0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "podsift", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "the task broker (Redis) is unreachable" in done.stderr
    assert done.stderr.count("\n") == 1
