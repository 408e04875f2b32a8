"""Commands that run one stage on one input: transcript, extract, cluster."""

from __future__ import annotations

import sys
from typing import TextIO

import click

from podsift.context import make_client
from podsift.digest import format_clock

from .app import App, pass_app, print_json


def _read(app: App, target: str) -> bytes:
    from podsift.sources import fetch_url_or_file

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
    from podsift.insights import extractors, insights_to_json
    from podsift.insights.local import LocalExtractorSettings
    from podsift.transcripts import parse_transcript

    transcript = parse_transcript(_read(app, target), source=target)
    cfg = app.settings.insights
    extractor = extractors.create(cfg.provider, LocalExtractorSettings(top_n=top or cfg.top_n))
    found = [x.with_id(target) for x in extractor.extract(transcript)]
    if as_json:
        print_json(insights_to_json(target, found))
        return
    for n, x in enumerate(found, start=1):
        when = format_clock(x.start) if x.start is not None else "--:--"
        click.echo(f"{n}. [{when}] {x.text}")
        click.echo(f"   — {x.speaker or 'unknown speaker'}  (score {x.score:.2f})")


@click.command("cluster")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Similarity needed to merge (default: the embedder's calibrated one).",
)
@pass_app
def cluster_cmd(app: App, file: TextIO, as_json: bool, threshold: float | None) -> None:
    """Group statements that say the same thing (FILE: JSON Lines or one per line; - for stdin)."""
    from podsift.cluster import (
        DEFAULT_THRESHOLD,
        cluster_to_json,
        embedders,
        group_statements,
        read_statements,
    )

    statements = read_statements(file.read())
    embedder = embedders.create(app.settings.cluster.embedder, None)
    vectors = embedder.embed([s.text for s in statements])
    limit = threshold or app.settings.cluster.threshold or DEFAULT_THRESHOLD
    clusters = group_statements(statements, vectors, threshold=limit)
    if as_json:
        print_json(cluster_to_json(clusters))
        return
    text = {s.id: s.text for s in statements}
    for c in sorted(clusters, key=lambda c: -len(c.members)):
        click.echo(f"{c.id} ({len(c.members)}): {text[c.representative]}")
        for m in c.members:
            if m != c.representative:
                click.echo(f"    {m}: {text[m]}")
    _ = sys
