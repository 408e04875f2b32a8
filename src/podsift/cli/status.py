"""`podsift status`: feeds, stages, queues and sends at a glance."""

from __future__ import annotations

import click

from .app import App, pass_app, print_json

FEED_STATES = ("ok", "new", "failing", "dead", "gone")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def status_cmd(app: App, as_json: bool) -> None:
    """Show feeds by state (ok, failing, dead, gone) with the last error, and the counts."""
    store = app.store()
    counts = store.counts()
    shows = store.shows_by_state()
    by_state = {state: sum(1 for s in shows if s[0] == state) for state in FEED_STATES}
    troubled = [s for s in shows if s[0] in ("failing", "dead", "gone")]
    if as_json:
        print_json(
            {
                "db": app.db_location(),
                "counts": counts,
                "feeds": by_state,
                "failing": [{"url": s[1], "error": s[3]} for s in shows if s[0] == "failing"],
                "troubled": [{"state": s[0], "url": s[1], "error": s[3]} for s in troubled],
            }
        )
        return
    click.echo(f"store: {app.db_location()}")
    click.echo("  ".join(f"{k}: {v}" for k, v in counts.items()))
    click.echo("feeds: " + "  ".join(f"{k}: {v}" for k, v in by_state.items()))
    for state, url, _title, error in troubled:
        click.echo(f"{state}: {url}: {error}")


COMMANDS = [status_cmd]
