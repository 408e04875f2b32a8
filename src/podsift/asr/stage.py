"""The speech-to-text stage: claim episodes without a transcript, transcribe, store.

Runs inside ``podsift run`` (one process) or alone as ``podsift transcribe --pending``
(several worker processes sharing the queue through store leases). A failing episode is
recorded with its reason and retried later with a back-off; it never stops the run.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path

import platformdirs

from podsift.asr.audio import audio_path, decode_windows, download_audio
from podsift.asr.base import AsrError, Transcriber, transcribers
from podsift.asr.hints import feed_language
from podsift.asr.records import AsrResult
from podsift.asr.windows import transcribe_windows
from podsift.context import RunContext
from podsift.exceptions import PodsiftError
from podsift.net import DownloadLimits
from podsift.store import AsrJob

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class AsrReport:
    """What the speech-to-text stage did."""

    transcribed: int = 0
    retrying: int = 0
    failed: int = 0
    dropped_segments: int = 0
    audio_seconds: float = 0.0

    def __add__(self, other: AsrReport) -> AsrReport:
        return AsrReport(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def worker_id() -> str:
    """A name for this worker that no other process or machine shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def run(ctx: RunContext) -> AsrReport:
    """Transcribe the episodes of the run's window that wait for speech-to-text."""
    return transcribe_pending(ctx, published_since=ctx.since)


def transcribe_pending(
    ctx: RunContext,
    transcriber: Transcriber | None = None,
    *,
    clock: Clock | None = None,
    owner: str | None = None,
    published_since: datetime | None = None,
    limit: int | None = None,
) -> AsrReport:
    """Claim and transcribe episodes until none is claimable (or ``limit`` are done).

    The loop of a speech-to-text worker (``podsift transcribe --pending``, a queue task);
    ``published_since`` keeps it to a run's window. The model loads only when there is an
    episode to transcribe.
    """
    cfg = ctx.settings.asr
    clock = clock or (lambda: ctx.now)
    owner = owner or worker_id()
    lease = timedelta(seconds=cfg.lease_seconds)
    report = AsrReport()
    done = 0
    while limit is None or done < limit:
        job = ctx.store.claim_asr(owner, clock(), lease, cfg.max_attempts, published_since)
        if job is None:
            break
        done += 1
        if transcriber is None:
            transcriber = transcribers.create(cfg.provider, cfg)
        report += _one(ctx, job, transcriber, clock)
    return report


def _one(ctx: RunContext, job: AsrJob, transcriber: Transcriber, clock: Clock) -> AsrReport:
    cfg = ctx.settings.asr
    try:
        result = transcribe_episode(ctx, job, transcriber, clock)
    except PodsiftError as e:
        permanent = isinstance(e, AsrError) and e.permanent
        state = ctx.store.fail_asr(
            job, clock(), str(e), permanent=permanent, max_attempts=cfg.max_attempts,
            retry_after=timedelta(seconds=cfg.retry_after),
        )  # fmt: skip
        log.warning("asr failed: %s — %s: %s", job.show_title, job.label, e)
        ctx.progress(f"asr failed: {job.show_title} — {job.label}: {e}")
        return AsrReport(failed=1) if state == "asr_failed" else AsrReport(retrying=1)
    if not ctx.store.holds_lease(job):
        log.warning("asr lease lost: %s — %s", job.show_title, job.label)
        return AsrReport()
    ctx.store.save_transcript(
        job.episode_id,
        result.to_transcript(job.audio_url or ""),
        clock(),
        origin="asr",
        words=result.word_times(),
    )
    ctx.store.finish_asr(job, result.model)
    ctx.progress(
        f"asr: {job.show_title} — {job.label} ({len(result.segments)} segments, "
        f"{result.duration:.0f} s, {result.dropped} dropped)"
    )
    return AsrReport(1, 0, 0, result.dropped, result.duration)


def transcribe_episode(
    ctx: RunContext, job: AsrJob, transcriber: Transcriber, clock: Clock
) -> AsrResult:
    """Download, decode and transcribe one claimed episode; the audio is removed afterwards
    unless ``[asr] keep_audio``.

    Raises:
        AsrError: no enclosure, too long, download or decoding failed, unsupported language.
    """
    cfg = ctx.settings.asr
    if not job.audio_url:
        raise AsrError("episode has no audio enclosure", permanent=True)
    if job.duration is not None and job.duration > cfg.max_duration:
        raise AsrError(
            f"episode is {job.duration:.0f} s long, over the {cfg.max_duration:.0f} s limit",
            permanent=True,
        )
    path = audio_path(audio_dir(cfg.audio_dir), job.audio_url)
    limits = DownloadLimits(cfg.max_bytes, cfg.download_timeout)
    try:
        download_audio(ctx.client, job.audio_url, path, limits)
    except AsrError as e:
        if e.permanent:  # else the partial download stays, and the retry resumes it
            path.with_name(path.name + ".part").unlink(missing_ok=True)
        raise
    try:
        ctx.store.renew_lease(job, clock(), timedelta(seconds=cfg.lease_seconds))
        language = cfg.language or feed_language(job.language)
        with closing(decode_windows(path, cfg.window_seconds, cfg.max_duration)) as windows:
            return transcribe_windows(transcriber, windows, language)
    finally:
        if not cfg.keep_audio:
            path.unlink(missing_ok=True)


def audio_dir(setting: str) -> Path:
    """Where audio is downloaded: ``[asr] audio_dir``, else the user cache folder."""
    if setting:
        return Path(setting).expanduser()
    return Path(platformdirs.user_cache_dir("podsift")) / "audio"
