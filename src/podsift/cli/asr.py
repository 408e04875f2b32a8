"""`podsift transcribe`: speech-to-text of one audio file, or of the episodes waiting for it."""

from __future__ import annotations

import dataclasses
import tempfile
from contextlib import closing
from pathlib import Path

import click

from podsift.cli.app import App, pass_app, print_json
from podsift.exceptions import PodsiftError


class TranscribeUsageError(PodsiftError, ValueError):
    """``transcribe`` was given neither an input nor ``--pending``, or both."""


@click.command("transcribe")
@click.argument("target", metavar="FILE_OR_URL", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the segments as JSON.")
@click.option("--model", "provider", help="The transcriber (default: asr.provider).")
@click.option("--language", help="The spoken language (ISO 639-1); default: detected.")
@click.option("--pending", is_flag=True, help="Transcribe the episodes waiting for speech-to-text.")
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Worker processes for --pending (asr.workers)."
)
@pass_app
def transcribe_cmd(
    app: App,
    target: str | None,
    as_json: bool,
    provider: str | None,
    language: str | None,
    pending: bool,
    workers: int | None,
) -> None:
    """Speech-to-text of one audio file or URL, or (--pending) of the stored episodes
    without a transcript, in worker processes that share the queue."""
    settings = app.settings
    if provider:
        settings = dataclasses.replace(
            settings, asr=dataclasses.replace(settings.asr, provider=provider)
        )
    if pending == bool(target):
        raise TranscribeUsageError("transcribe: give either FILE_OR_URL or --pending")
    if pending:
        from podsift.asr.workers import run_workers

        app.store()  # create and migrate the store once, before the workers open it
        report = run_workers(settings, app.db_location(), workers or settings.asr.workers)
        values = dataclasses.asdict(report)
        if as_json:
            print_json(values)
        else:
            click.echo("  ".join(f"{k}: {v}" for k, v in values.items()))
        return
    assert target is not None
    _transcribe_one(app, settings, target, as_json, language)


def _transcribe_one(
    app: App, settings: object, target: str, as_json: bool, language: str | None
) -> None:
    from podsift.asr import result_to_json, transcribe_windows, transcribers
    from podsift.asr.audio import audio_path, decode_windows, download_audio
    from podsift.config import Settings
    from podsift.digest import format_clock
    from podsift.net import DownloadLimits, make_client

    assert isinstance(settings, Settings)
    cfg = settings.asr
    transcriber = transcribers.create(cfg.provider, cfg)
    with tempfile.TemporaryDirectory(prefix="podsift-audio-") as tmp:
        if "://" in target:
            path = audio_path(Path(tmp), target)
            with make_client(settings) as client:
                download_audio(
                    client, target, path, DownloadLimits(cfg.max_bytes, cfg.download_timeout)
                )
        else:
            path = Path(target)
            if not path.is_file():
                raise TranscribeUsageError(f"{target}: no such file")
        with closing(decode_windows(path, cfg.window_seconds, cfg.max_duration)) as windows:
            result = transcribe_windows(transcriber, windows, language or cfg.language or None)
    if as_json:
        print_json(result_to_json(result, target))
        return
    for s in result.segments:
        click.echo(f"[{format_clock(s.start)}] {s.text}")
    app.progress(
        f"{result.model}: {result.duration:.1f} s, language {result.language}, "
        f"{result.dropped} segments dropped"
    )


COMMANDS = [transcribe_cmd]
