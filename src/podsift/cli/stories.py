"""Commands about stories: cluster, explain."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import BinaryIO

import click

from podsift.cli.app import App, pass_app, print_json


@click.command("cluster")
@click.argument("file", type=click.File("rb"))
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON.")
@click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    help="Similarity needed to merge (default: the embedder's calibrated one).",
)
@pass_app
def cluster_cmd(app: App, file: BinaryIO, as_json: bool, threshold: float | None) -> None:
    """Group statements that say the same thing (FILE: JSON Lines or one per line; - for stdin)."""
    from podsift.stories import (
        cluster_to_json,
        decode_statements,
        embedders,
        group_statements,
        threshold_for,
    )

    name = app.settings.cluster.embedder
    limit = threshold_for(
        name, threshold if threshold is not None else app.settings.cluster.threshold
    )
    statements = decode_statements(file.read(), getattr(file, "name", "-"))
    embedder = embedders.create(name, app.settings)
    vectors = embedder.embed([s.text for s in statements])
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


@click.command("explain")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The local date (default: today).",
)
@click.option("--to", "email", help="The subscriber (default: the operator's own digest).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@pass_app
def explain_cmd(app: App, day: object, email: str | None, as_json: bool) -> None:
    """Show each story's score and its factors (breadth, salience, substance, recency,
    judgement, novelty, interest, feedback), and how surely it reads alone: the five picked
    by score reach the reader in that order, the surest first.

    With --to, interest comes from the subscriber's topics and own shows, and feedback from
    their "more / less like this" votes. With [rank] judge set, the day's top candidates are
    judged first (the model runs), as the daily run judges them. A past --date is explained as
    of the end of that day (its window, its recency).
    """
    from podsift.digest import OPERATOR, rank_for
    from podsift.rank import reads_alone

    when: date = day.date() if day is not None else app.now().date()  # type: ignore[attr-defined]
    as_of = min(app.now(), datetime.combine(when + timedelta(days=1), time.min, UTC))
    with app.context(now=as_of) as ctx:
        scored = rank_for(ctx, email or OPERATOR, when, explain=True)
    rows = [
        {
            "story_id": r.story.id,
            "score": round(r.score, 6),
            **{name: round(value, 6) for name, value in r.reasons},
            "reads_alone": reads_alone(r),
            "shows": list(r.story.shows),
            "headline": r.story.mentions[0].text[:100],
        }
        for r in scored
    ]
    if as_json:
        print_json({"date": when.isoformat(), "stories": rows})
        return
    for r in scored:
        factors = "  ".join(f"{name} {value:.3f}" for name, value in r.reasons)
        shows, alone = len(r.story.shows), reads_alone(r)
        head = r.story.mentions[0].text[:80]
        click.echo(f"{r.score:.4f}  {factors}  reads alone {alone:.3f}  [{shows} shows] {head}")


COMMANDS = [cluster_cmd, explain_cmd]
