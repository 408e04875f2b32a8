"""Throughput of the per-episode stages on Celery workers against the in-process run.

Run: ``.venv/bin/python benchmarks/workers.py`` (needs PostgreSQL on 127.0.0.1:5432 and
``redis-server`` on PATH; it starts its own Redis on a free port and its own workers).

The demo's 29 real episodes are polled from a loopback server into a fresh PostgreSQL schema,
then transcripts + insights run (a) in this process and (b) on 1, 2 and 4 worker processes;
the stories stage runs here after both. Printed: seconds, episodes/s, the ratio to the
in-process run, and the store round-trips per episode (statements counted by SQLAlchemy).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from podsift import feeds, insights, stories, transcripts
from podsift.asr import transcribe_pending
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.demo import DEMO_DATA, serve
from podsift.net import make_client
from podsift.queue import make_app, run_distributed
from podsift.store import Store, open_store

DSN = os.environ.get("PODSIFT_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
EXTRA = Path(__file__).parents[1] / "tests" / "data" / "demo-talkpython"
NOW = datetime(2026, 6, 3, tzinfo=UTC)
LOOKBACK = timedelta(days=1000)
ENV = {"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_store() -> tuple[Store, str]:
    schema = f"podsift_bench_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(DSN.replace("postgresql://", "postgresql+psycopg://")).begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    return open_store(f"{DSN}?options=-csearch_path%3D{schema}"), schema


def count_statements(store: Store) -> list[int]:
    counter = [0]
    sa.event.listen(
        store.engine,
        "before_cursor_execute",
        lambda *a, **k: counter.__setitem__(0, counter[0] + 1),
    )
    return counter


def prepare(base: str) -> tuple[Store, str, RunContext]:
    store, schema = fresh_store()
    for feed in sorted(p for r in (DEMO_DATA, EXTRA) for p in (r / "feeds").glob("*.xml")):
        store.add_show(f"{base}/feeds/{feed.name}", NOW)
    settings = load_settings(env=ENV)
    ctx = RunContext(settings, store, make_client(settings), NOW, lookback=LOOKBACK)
    feeds.run(ctx)
    return store, schema, ctx


def in_process(base: str) -> tuple[float, int, int]:
    store, _, ctx = prepare(base)
    counter = count_statements(store)
    began = time.perf_counter()
    transcripts.run(ctx)
    found = insights.run(ctx)
    took = time.perf_counter() - began
    stories.run(ctx)
    return took, found.episodes, counter[0]


def start_workers(
    store: Store, env: dict[str, str], redis_url: str, queues: str, n: int
) -> list[subprocess.Popen[bytes]]:
    """``n`` one-slot ``podsift worker`` processes on ``queues``, sharing ``store``."""
    worker_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PODSIFT_")},
        **env,
        "PODSIFT_DB": store.engine.url.render_as_string(hide_password=False),
        "PODSIFT_QUEUE__BROKER_URL": redis_url,
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "podsift", "worker", "--concurrency", "1", "--queues", queues]
    return [
        subprocess.Popen(
            command,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(n)
    ]


def stop_workers(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop the workers (and their children) and wait for them."""
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait()


def with_workers(base: str, n: int, redis_url: str) -> tuple[float, int, int]:
    store, _, ctx = prepare(base)
    procs = start_workers(store, ENV, redis_url, "fetch,extract", n)
    time.sleep(4)  # workers import podsift and connect before the clock starts
    counter = count_statements(store)
    app = make_app(load_settings(env={"PODSIFT_QUEUE__BROKER_URL": redis_url}).queue)
    began = time.perf_counter()
    report = run_distributed(ctx, app, timeout=600, poll_every=0.2)
    took = time.perf_counter() - began
    stop_workers(procs)
    stories.run(ctx)
    done = len(store.episodes(["extracted"]))
    return took, done, counter[0] + report.enqueued


AUDIO = Path(__file__).parents[1] / "tests" / "data"
CLIPS = 8
ASR_ENV = {**ENV, "PODSIFT_ASR__PROVIDER": "whisper-tiny"}


def asr_feed(folder: Path) -> None:
    """A feed of short real clips (JFK's 11 s "ask not"), each its own episode."""
    items = "".join(
        f"<item><title>Clip {n}</title><guid>clip-{n}</guid>"
        f"<pubDate>Mon, 01 Jun 2026 12:00:00 +0000</pubDate>"
        f'<enclosure url="__BASE__/audio/jfk.flac?n={n}" type="audio/flac" length="1"/></item>'
        for n in range(CLIPS)
    )
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    (folder / "feeds" / "asr.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Clips</title>{items}'
        "</channel></rss>"
    )


def asr_in_process(base: str) -> tuple[float, int]:
    store, _ = fresh_store()
    store.add_show(f"{base}/feeds/asr.xml", NOW)
    settings = load_settings(env=ASR_ENV)
    ctx = RunContext(settings, store, make_client(settings), NOW, lookback=LOOKBACK)
    feeds.run(ctx)
    transcripts.run(ctx)
    began = time.perf_counter()
    report = transcribe_pending(ctx)
    return time.perf_counter() - began, report.transcribed


def asr_with_workers(base: str, n: int, redis_url: str) -> tuple[float, int]:
    from podsift.queue import enqueue_pending

    store, _ = fresh_store()
    store.add_show(f"{base}/feeds/asr.xml", NOW)
    settings = load_settings(env={**ASR_ENV, "PODSIFT_QUEUE__BROKER_URL": redis_url})
    ctx = RunContext(settings, store, make_client(settings), NOW, lookback=LOOKBACK)
    feeds.run(ctx)
    transcripts.run(ctx)
    procs = start_workers(store, ASR_ENV, redis_url, "asr", n)
    time.sleep(4)
    began = time.perf_counter()
    enqueue_pending(ctx, make_app(settings.queue))
    while store.episodes(["no_transcript"]) and time.perf_counter() - began < 600:
        time.sleep(0.2)
    took = time.perf_counter() - began
    stop_workers(procs)
    return took, len(store.episodes(["transcribed", "extracted"]))


def main() -> None:
    port = free_port()
    redis = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    url = f"redis://127.0.0.1:{port}/0"
    clips = Path(tempfile.mkdtemp(prefix="podsift-asr-bench-"))
    asr_feed(clips)
    try:
        with serve([DEMO_DATA, EXTRA]) as base:
            rows = [("in-process", *in_process(base))]
            rows += [(f"{n} worker(s)", *with_workers(base, n, url)) for n in (1, 2, 4)]
        with serve([clips, AUDIO]) as base:
            asr_rows = [("in-process", *asr_in_process(base))]
            asr_rows += [(f"{n} worker(s)", *asr_with_workers(base, n, url)) for n in (1, 2, 4)]
    finally:
        redis.kill()
    base_rate = rows[0][2] / rows[0][1]
    print(f"{'run':<14}{'seconds':>9}{'episodes':>10}{'ep/s':>8}{'ratio':>8}{'store trips/ep':>16}")
    for name, took, episodes, trips in rows:
        rate = episodes / took
        per_episode = f"{trips / max(episodes, 1):.1f}" if name == "in-process" else "-"
        print(
            f"{name:<14}{took:>9.1f}{episodes:>10}{rate:>8.2f}{rate / base_rate:>8.2f}"
            f"{per_episode:>16}"
        )
    print("store trips: SQL statements per episode for transcript + insights (in-process run)")
    print(f"\nspeech-to-text (whisper-tiny) of {CLIPS} real 11 s clips, each its own episode:")
    asr_base = asr_rows[0][2] / asr_rows[0][1]
    print(f"{'run':<14}{'seconds':>9}{'clips':>10}{'clips/s':>9}{'ratio':>8}")
    for name, took, done in asr_rows:
        rate = done / took
        print(f"{name:<14}{took:>9.1f}{done:>10}{rate:>9.2f}{rate / asr_base:>8.2f}")


if __name__ == "__main__":
    main()
