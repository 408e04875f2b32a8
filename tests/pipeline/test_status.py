"""`podsift status` and `/metrics`: the same snapshot, over the CLI and a real HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from podsift.cli import main
from podsift.config import load_settings
from podsift.models import Episode
from podsift.status import Snapshot, collect, to_prometheus
from podsift.store import Store
from podsift.web import create_app

NOW = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)


def _fill(store: Store) -> None:
    show, _ = store.add_show("https://a.example/feed.xml", NOW)
    store.add_episodes(
        show,
        [Episode("One", guid="1", published=NOW), Episode("Two", guid="2", published=NOW)],
        NOW,
    )
    first = store.episodes(["new"])[0]
    store.set_episode_state(first.id, "failed", "boom")


def test_snapshot_counts_feeds_episodes_and_oldest(store: Store) -> None:
    _fill(store)
    snap = collect(store, load_settings(env={}), NOW, broker=False)
    assert snap.counts["episodes"] == 2
    assert snap.feeds == {"new": 1}
    assert {k: n for k, (n, _) in snap.episodes.items()} == {"new": 1, "failed": 1}
    assert snap.episodes["new"][1] == NOW
    assert snap.queues is None


def test_prometheus_text_is_well_formed() -> None:
    snap = Snapshot(
        {"shows": 3},
        {"ok": 2, "dead": 1},
        {"new": (4, NOW)},
        {"ready": 1},
        {"sent": 5},
        {"extract": 7},
        ("w1@host",),
    )
    text = to_prometheus(snap)
    assert 'podsift_feeds{state="dead"} 1' in text
    assert 'podsift_episodes{state="new"} 4' in text
    assert f'podsift_episode_oldest_timestamp_seconds{{state="new"}} {NOW.timestamp():g}' in text
    assert 'podsift_queue_depth{queue="extract"} 7' in text and "podsift_workers 1" in text
    for line in text.splitlines():
        assert line.startswith(("# HELP podsift_", "# TYPE podsift_", "podsift_"))


def test_status_json_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from podsift.store import open_store

    db = tmp_path / "p.db"
    s = open_store(str(db))
    _fill(s)
    s.close()
    with pytest.raises(SystemExit) as done:
        main(["--db", str(db), "status", "--json", "--no-broker"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["episodes"]["failed"]["count"] == 1
    assert data["feeds"]["new"] == 1 and data["queues"] is None


@pytest.fixture
def server(store: Store) -> Iterator[str]:
    """The web app on a real uvicorn server on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load_settings(
        env={"PODSIFT_SECRET_KEY": "k", "PODSIFT_QUEUE__BROKER_URL": "redis://127.0.0.1:1/0"}
    )
    app = create_app(settings, store, clock=lambda: NOW)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join()


def test_metrics_over_http(store: Store, server: str) -> None:
    _fill(store)
    reply = httpx.get(f"{server}/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    assert 'podsift_episodes{state="failed"} 1' in reply.text
    assert "podsift_queue_depth" not in reply.text  # no broker at that address


def test_metrics_over_http_show_where_the_latest_run_spent_its_time(
    store: Store, server: str
) -> None:
    run = store.start_run("daily", NOW)
    counts = {"feeds.polled": 40, "feeds.seconds": 0.5, "feeds.items": 40, "feeds.per_second": 80.0,
              "asr.seconds": 0.0, "asr.items": 0, "asr.per_second": None}  # fmt: skip
    store.finish_run(run, NOW, counts)
    text = httpx.get(f"{server}/metrics").text
    assert 'podsift_stage_seconds{run="daily",stage="feeds"} 0.5\n' in text
    assert 'podsift_stage_items_per_second{run="daily",stage="feeds"} 80\n' in text
    assert 'podsift_stage_items{run="daily",stage="asr"} 0\n' in text
    assert 'stage_items_per_second{run="daily",stage="asr"}' not in text  # unknown: no sample
    assert f'podsift_run_finished_timestamp_seconds{{run="daily"}} {NOW.timestamp():.0f}' in text
