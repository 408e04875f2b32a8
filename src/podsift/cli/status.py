"""`podsift status`: feeds, stages, queues and sends at a glance."""

from __future__ import annotations

import click

from podsift.cli.app import App, pass_app, print_json

FEED_STATES = ("ok", "new", "failing", "dead", "gone")


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option(
    "--broker/--no-broker",
    default=True,
    show_default=True,
    help="Also ask the task broker for queue depths and live workers.",
)
@pass_app
def status_cmd(app: App, as_json: bool, broker: bool) -> None:
    """Show feeds by state with the last error, episodes by stage, queues and sends."""
    from podsift.status import as_json as snapshot_json
    from podsift.status import collect

    store = app.store()
    snap = collect(store, app.settings, app.now(), broker=broker)
    troubled = [s for s in store.shows_by_state() if s[0] in ("failing", "dead", "gone")]
    feeds = {state: snap.feeds.get(state, 0) for state in FEED_STATES}
    if as_json:
        data = snapshot_json(snap)
        data |= {
            "db": app.db_location(),
            "feeds": feeds,
            "failing": [{"url": s[1], "error": s[3]} for s in troubled if s[0] == "failing"],
            "troubled": [{"state": s[0], "url": s[1], "error": s[3]} for s in troubled],
        }
        print_json(data)
        return
    click.echo(f"store: {app.db_location()}")
    click.echo("  ".join(f"{k}: {v}" for k, v in snap.counts.items()))
    click.echo("feeds: " + "  ".join(f"{k}: {v}" for k, v in feeds.items()))
    for state, (n, oldest) in sorted(snap.episodes.items()):
        since = f" (oldest {oldest:%Y-%m-%d %H:%M})" if oldest else ""
        click.echo(f"episodes {state}: {n}{since}")
    if any(snap.asr.values()):
        click.echo("speech-to-text: " + "  ".join(f"{k}: {v}" for k, v in snap.asr.items()))
    if snap.sends:
        click.echo("sends: " + "  ".join(f"{k}: {v}" for k, v in sorted(snap.sends.items())))
    if snap.queues is not None:
        click.echo(
            "queues: "
            + "  ".join(f"{k}: {v}" for k, v in snap.queues.items())
            + f"  workers: {len(snap.workers)}"
        )
    elif broker:
        click.echo("queues: broker not reachable")
    for kind, run in sorted(snap.runs.items()):
        took = "  ".join(f"{stage}: {t['seconds']:.3f} s" for stage, t in run.stages.items()
                         if t.get("seconds") is not None)  # fmt: skip
        click.echo(f"last {kind} run: {took}")
    for state, url, _title, error in troubled:
        click.echo(f"{state}: {url}: {error}")


COMMANDS = [status_cmd]
