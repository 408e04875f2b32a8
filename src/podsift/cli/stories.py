"""Commands about stories: cluster."""

from __future__ import annotations

from typing import TextIO

import click

from .app import App, pass_app, print_json


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


COMMANDS = [cluster_cmd]
