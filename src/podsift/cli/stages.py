"""Commands that run one stage on one input: transcript, extract, cluster."""

from __future__ import annotations

import dataclasses

import click

from podsift.cli.app import App, pass_app, print_json


def _read(app: App, target: str) -> bytes:
    from podsift.feeds import fetch_url_or_file
    from podsift.net import make_client

    with make_client(app.settings) as client:
        return fetch_url_or_file(target, client)[0]


@click.command("transcript")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the segments as JSON.")
@click.option(
    "--format",
    "fmt",
    help="The format, when it can't be told from the input (json, vtt, srt, html, text, markdown).",
)
@pass_app
def transcript_cmd(app: App, target: str, as_json: bool, fmt: str | None) -> None:
    """Parse one transcript into segments (start, end, speaker, text)."""
    from podsift.digest import format_clock
    from podsift.transcripts import parse_transcript, transcript_to_json

    transcript = parse_transcript(_read(app, target), source=target, format=fmt)
    if as_json:
        print_json(transcript_to_json(transcript))
        return
    for s in transcript.segments:
        when = format_clock(s.start) if s.start is not None else "--:--"
        who = f"{s.speaker}: " if s.speaker else ""
        click.echo(f"[{when}] {who}{s.text}")


@click.command("extract")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the insights as JSON.")
@click.option(
    "--top", type=click.IntRange(1, 100), help="How many insights (default: insights.top_n)."
)
@pass_app
def extract_cmd(app: App, target: str, as_json: bool, top: int | None) -> None:
    """Extract the insights of one transcript, best first."""
    from podsift.digest import format_clock
    from podsift.insights import (
        ReportsFallbacks,
        build_extractor,
        extract_one,
        insights_to_json,
    )
    from podsift.transcripts import parse_transcript

    transcript = parse_transcript(_read(app, target), source=target)
    cfg = app.settings.insights
    if top:
        cfg = dataclasses.replace(cfg, top_n=top)
    extractor = build_extractor(cfg)
    result = extract_one(extractor, transcript, cfg.grounding_threshold)
    if result.reason:
        click.echo(f"{target}: no insights: {result.reason}", err=True)
    elif result.dropped:
        click.echo(f"{target}: {result.dropped} insight(s) dropped: quote not grounded", err=True)
    found = [x.with_id(target) for x in result.insights]
    if as_json:
        # tokens: what an LLM provider spent (0 for the local extractor)
        tokens = extractor.tokens_spent if isinstance(extractor, ReportsFallbacks) else 0
        print_json(insights_to_json(target, found) | {"tokens": tokens})
        return
    for n, x in enumerate(found, start=1):
        when = format_clock(x.start) if x.start is not None else "--:--"
        click.echo(f"{n}. [{when}] {x.text}")
        who = f"— {x.speaker}  " if x.speaker else ""
        click.echo(f"   {who}(score {x.score:.2f})")


COMMANDS = [transcript_cmd, extract_cmd]
