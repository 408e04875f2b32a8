"""The speech-to-text stage: leases in the store, bad input recorded, worker processes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from podsift.asr import AsrResult, AsrSegment, Word, parse_words
from podsift.asr.stage import AsrReport, transcribe_pending
from podsift.asr.workers import run_workers
from podsift.config import AsrSettings, FeedSettings, Settings
from podsift.context import RunContext
from podsift.insights import LocalExtractorSettings, extractors
from podsift.models import Episode
from podsift.net import make_client
from podsift.store import AsrJob, Store

AUDIO = Path(__file__).parents[1] / "data" / "audio"
LEASE = timedelta(minutes=10)


def add_pending(
    store: Store, now: datetime, items: list[tuple[str, str | None, float | None]]
) -> dict[str, int]:
    """Episodes waiting for speech-to-text: (name, audio URL, duration) → episode id."""
    show_id, _ = store.add_show("http://127.0.0.1:1/feed.xml", now, title="Show")
    eps = [
        Episode(name, guid=name, published=now - timedelta(hours=1, minutes=i), audio_url=url,
                duration=dur)
        for i, (name, url, dur) in enumerate(items)
    ]  # fmt: skip
    store.add_episodes(show_id, eps, now)
    ids = {}
    for row in store.episodes(["new"]):
        store.set_episode_state(row.id, "no_transcript")
        ids[row.title or ""] = row.id
    return ids


def settings_for(tmp_path: Path, **asr: object) -> Settings:
    cfg = {"provider": "whisper-tiny", "audio_dir": str(tmp_path / "audio"), **asr}
    return Settings(
        feeds=FeedSettings(allow_networks="127.0.0.0/8"),
        asr=AsrSettings(**cfg),  # type: ignore[arg-type]
    )


@pytest.fixture
def served(httpserver: HTTPServer) -> Iterator[tuple[HTTPServer, Counter[str]]]:
    """Real clips, an HTML page, a 404 and a truncated MP3-named file on loopback."""
    hits: Counter[str] = Counter()
    files = {
        "/a.flac": ((AUDIO / "jfk.flac").read_bytes(), "audio/flac"),
        "/b.flac": ((AUDIO / "jfk.flac").read_bytes(), "audio/flac"),
        "/c.wav": ((AUDIO / "english.wav").read_bytes(), "audio/wav"),
        "/d.wav": ((AUDIO / "english.wav").read_bytes(), "audio/wav"),
        "/page.mp3": (b"<!doctype html><title>Episode</title>", "text/html"),
        "/broken.mp3": ((AUDIO / "jfk.flac").read_bytes()[:300], "audio/mpeg"),
    }

    def handle(request: Request) -> Response:
        hits[request.path] += 1
        if request.path not in files:
            return Response("not found", status=404)
        body, ctype = files[request.path]
        return Response(body, content_type=ctype)

    httpserver.expect_request("").respond_with_handler(handle)
    yield httpserver, hits


# -- leases (the store contract: SQLite, and PostgreSQL where it runs) -----------------


def test_a_claimed_episode_is_not_claimed_twice(any_store: Store, now: datetime) -> None:
    add_pending(any_store, now, [("one", "http://x/1.mp3", None), ("two", "http://x/2.mp3", None)])
    a = any_store.claim_asr("worker-a", now, LEASE, max_attempts=3)
    b = any_store.claim_asr("worker-b", now, LEASE, max_attempts=3)
    assert a is not None and b is not None and a.episode_id != b.episode_id
    assert (a.label, b.label) == ("two", "one")  # oldest published first
    assert any_store.claim_asr("worker-c", now, LEASE, max_attempts=3) is None
    assert any_store.asr_counts(now, 3) == {"ready": 0, "waiting": 2, "failed": 0}


def test_a_dead_workers_lease_expires(any_store: Store, now: datetime) -> None:
    add_pending(any_store, now, [("one", "http://x/1.mp3", None)])
    dead = any_store.claim_asr("dead", now, LEASE, max_attempts=3)
    assert dead is not None
    assert any_store.claim_asr("live", now + timedelta(minutes=5), LEASE, 3) is None
    live = any_store.claim_asr("live", now + timedelta(minutes=11), LEASE, 3)
    assert live is not None and live.attempts == 2
    assert not any_store.holds_lease(dead) and any_store.holds_lease(live)
    # the dead worker coming back cannot fail or renew what it no longer holds
    assert not any_store.renew_lease(dead, now, LEASE)
    any_store.fail_asr(dead, now, "late", permanent=True, max_attempts=3, retry_after=LEASE)
    assert any_store.holds_lease(live)


def test_failures_back_off_then_give_up(any_store: Store, now: datetime) -> None:
    add_pending(any_store, now, [("one", "http://x/1.mp3", None)])
    hour = timedelta(hours=1)

    def fail(at: datetime) -> str:
        job = any_store.claim_asr("w", at, LEASE, max_attempts=2)
        assert job is not None
        return any_store.fail_asr(job, at, "HTTP 503", permanent=False, max_attempts=2,
                                  retry_after=hour)  # fmt: skip

    assert fail(now) == "no_transcript"
    assert any_store.claim_asr("w", now + timedelta(minutes=59), LEASE, 2) is None
    assert fail(now + hour) == "asr_failed"
    assert any_store.claim_asr("w", now + 10 * hour, LEASE, 2) is None
    assert any_store.asr_counts(now, 2) == {"ready": 0, "waiting": 0, "failed": 1}
    (row,) = any_store.episodes(["asr_failed"])
    assert row.error == "HTTP 503"


# -- the stage on real audio from a loopback server -------------------------------------


@pytest.mark.asr
def test_stage_transcribes_and_records_bad_input(
    store: Store, now: datetime, served: tuple[HTTPServer, Counter[str]], tmp_path: Path
) -> None:
    server, _ = served
    ids = add_pending(
        store,
        now,
        [
            ("speech", server.url_for("/a.flac"), 11.0),
            ("gone", server.url_for("/missing.mp3"), None),
            ("page", server.url_for("/page.mp3"), None),
            ("broken", server.url_for("/broken.mp3"), None),
            ("twelve hours", server.url_for("/c.wav"), 12 * 3600.0),
            ("no enclosure", None, None),
        ],
    )
    settings = settings_for(tmp_path)
    with make_client(settings) as client:
        report = transcribe_pending(RunContext(settings, store, client, now))
    assert report.transcribed == 1 and report.retrying == 2 and report.failed == 3
    transcript = store.transcript(ids["speech"])
    assert transcript is not None and transcript.format == "asr"
    assert "fellow americans" in " ".join(s.text for s in transcript.segments).lower()
    assert store.asr_model(ids["speech"]) == "whisper-tiny.en-int8"
    errors = {r.title: r.error for r in store.episodes(["asr_failed"])}
    assert "43200 s long" in (errors["twelve hours"] or "")
    assert "no audio enclosure" in (errors["no enclosure"] or "")
    assert "decode" in (errors["broken"] or "") or "no decodable" in (errors["broken"] or "")
    assert {r.title for r in store.episodes(["no_transcript"])} == {"gone", "page"}
    assert not any((tmp_path / "audio").iterdir())  # audio removed after transcription
    assert_word_times_link_insights(store, ids["speech"])


def assert_word_times_link_insights(store: Store, episode_id: int) -> None:
    """Stored word times lie inside their segments, and an insight extracted from the ASR
    transcript starts inside the segment its quote begins in, at or before its first word."""
    transcript = store.transcript(episode_id)
    assert transcript is not None
    stored = store.segment_words(episode_id)
    assert len(stored) == len(transcript.segments)
    for seg, raw in zip(transcript.segments, stored, strict=True):
        found = parse_words(raw)
        assert found and " ".join(w.text for w in found) == seg.text
        assert seg.start is not None and seg.end is not None
        assert all(seg.start - 0.05 <= w.start <= w.end <= seg.end + 0.05 for w in found)
    extractor = extractors.create("local", LocalExtractorSettings(min_words=5))
    (insight,) = extractor.extract(transcript)
    first = next(s for s in transcript.segments if insight.quote.startswith(s.text[:20]))
    assert first.start is not None and first.end is not None and insight.start is not None
    assert first.start <= insight.start < first.end
    assert insight.start <= parse_words(stored[transcript.segments.index(first)])[0].start


@pytest.mark.asr
def test_two_worker_processes_share_the_queue(
    store: Store, now: datetime, served: tuple[HTTPServer, Counter[str]], tmp_path: Path
) -> None:
    server, hits = served
    names = ["/a.flac", "/b.flac", "/c.wav", "/d.wav"]
    ids = add_pending(store, now, [(n, server.url_for(n), None) for n in names])
    db = str(tmp_path / "podsift.db")
    report = run_workers(settings_for(tmp_path), db, workers=2)
    assert report == AsrReport(4, 0, 0, report.dropped_segments, report.audio_seconds)
    assert [hits[n] for n in names] == [1, 1, 1, 1]  # no episode was done twice
    assert all(store.asr_model(i) == "whisper-tiny.en-int8" for i in ids.values())
    assert store.asr_counts(datetime.now(now.tzinfo), 3)["waiting"] == 0


def test_word_times_are_stored_with_their_segments(any_store: Store, now: datetime) -> None:
    ids = add_pending(any_store, now, [("one", "http://x/1.mp3", None)])
    words = (Word(0.5, 0.9, "Hello", 0.9), Word(1.0, 1.4, "world.", 0.8))
    result = AsrResult((AsrSegment(0.5, 1.4, "Hello world.", words), AsrSegment(2, 3, "Hm")),
                       "en", 3.0, "m")  # fmt: skip
    any_store.save_transcript(
        ids["one"], result.to_transcript("x"), now, origin="asr", words=result.word_times()
    )
    stored = any_store.segment_words(ids["one"])
    assert [parse_words(w) for w in stored] == [
        (Word(0.5, 0.9, "Hello", 1.0), Word(1.0, 1.4, "world.", 1.0)),
        (),
    ]
    assert any_store.segment_words(ids["one"] + 1) == []


def test_job_row_names_the_episode(store: Store, now: datetime) -> None:
    add_pending(store, now, [("one", "http://x/1.mp3", 60.0)])
    job = store.claim_asr("w", now, LEASE, 3)
    assert job is not None
    assert job == AsrJob(job.episode_id, "Show", "one", "http://x/1.mp3", 60.0, None, 1, "w")


@pytest.mark.asr
def test_the_daily_run_transcribes_episodes_without_a_transcript(
    store: Store, now: datetime, served: tuple[HTTPServer, Counter[str]], tmp_path: Path
) -> None:
    from podsift.pipeline import run_daily

    server, _ = served
    ids = add_pending(store, now, [("speech", server.url_for("/a.flac"), None)])
    settings = settings_for(tmp_path)
    with make_client(settings) as client:
        report = run_daily(RunContext(settings, store, client, now))
    assert report.as_dict()["asr"]["transcribed"] == 1
    assert store.transcript(ids["speech"]) is not None
    off = settings_for(tmp_path, in_daily_run=False)
    with make_client(off) as client:
        assert "asr" not in run_daily(RunContext(off, store, client, now)).stages
