"""`podsift status`: feeds, stages, queues and sends at a glance."""

from __future__ import annotations

import click

from .app import App, pass_app, print_json


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def status_cmd(app: App, as_json: bool) -> None:
    """Show feeds, stages and sends at a glance."""
    store = app.store()
    counts = store.counts()
    shows = store.shows()
    failing = [s for s in shows if s.state == "failing"]
    if as_json:
        print_json(
            {
                "db": app.db_location(),
                "counts": counts,
                "failing": [{"url": s.feed_url, "error": s.last_error} for s in failing],
            }
        )
        return
    click.echo(f"store: {app.db_location()}")
    click.echo("  ".join(f"{k}: {v}" for k, v in counts.items()))
    for s in failing:
        click.echo(f"failing: {s.feed_url}: {s.last_error}")


COMMANDS = [status_cmd]
