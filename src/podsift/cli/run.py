"""Commands that run the daily job: demo, run, status."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from podsift.cli.app import App, pass_app, print_json


@click.command("demo")
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON instead.")
@click.option(
    "--data",
    "extra",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Another folder of feeds/ and transcripts/ to include.",
)
@click.option(
    "--only",
    is_flag=True,
    help="Sift only the --data folders, without the bundled podcasts.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the HTML email (default: podsift-demo.html in a temp folder).",
)
@click.option(
    "--llm/--no-llm",
    default=True,
    help="Headlines by the local model when it is installed (`podsift models fetch "
    "qwen-1.5b`) and no other LLM is configured (default: on).",
)
@pass_app
def demo_cmd(
    app: App,
    as_json: bool,
    extra: tuple[Path, ...],
    only: bool,
    html_path: Path | None,
    llm: bool,
) -> None:
    """Run the whole daily job offline on the bundled real podcasts and show the top 5.

    Feeds and transcripts are served from a loopback HTTP server; the store is a fresh
    temporary one unless --db is given. The bundled episodes span years, so the demo runs
    as of the day after the newest one, with a window reaching back to the oldest. --data
    adds a folder laid out as the bundled one (feeds/*.xml whose links start with __BASE__,
    the files they link under it); --only sifts those folders alone.
    """
    from podsift.cli.show import show_digest
    from podsift.demo import run_demo, with_local_headlines
    from podsift.digest import digest_to_json, render_html
    from podsift.store import open_store

    if only and not extra:
        raise click.UsageError("--only sifts the --data folders: give at least one")
    workdir = Path(tempfile.mkdtemp(prefix="podsift-demo-"))
    temporary = not (app.db or app.settings.store.db)  # else the app's store, closed by the app
    store = open_store(str(workdir / "demo.db")) if temporary else app.store()
    what = "the --data folders" if only else "the bundled real podcasts"
    click.echo(f"podsift demo: sifting {what} (offline)…", err=True)
    settings = app.settings
    local = with_local_headlines(settings) if llm else None
    if local is not None:
        settings = local
        click.echo(f"headlines: the local model {settings.insights.local.model} "
                   "(--no-llm leaves it out)", err=True)  # fmt: skip
    elif not settings.insights.headlines and settings.insights.provider == "local":
        click.echo("headlines: none, each item is its quote (`pip install 'podsift[llm-local]'` "
                   "and `podsift models fetch qwen-1.5b` add them)", err=True)  # fmt: skip
    result = run_demo(store, settings, extra, progress=app.progress, bundled=not only)
    html_file = html_path or workdir / "podsift-demo.html"
    html_file.write_text(render_html(result.digest), encoding="utf-8")
    counts = result.report.as_dict()
    click.echo(
        f"as of {result.as_of.date()} (window {result.window.days} days, to take in every "
        f"episode): {counts['feeds']['polled']} shows, {counts['transcripts']['fetched']} "
        f"episodes, {counts['insights']['insights']} insights, "
        f"{counts['stories']['new_stories']} stories",
        err=True,
    )
    if as_json:
        print_json(digest_to_json(result.digest))
    else:
        show_digest(result.digest)
    click.echo(f"HTML email written to {html_file}", err=True)
    if temporary:
        store.close()


@click.command("run")
@click.option("--json", "as_json", is_flag=True, help="Print what each stage did as JSON.")
@click.option(
    "--send/--no-send",
    default=True,
    help="Send due digests by email at the end (needs PODSIFT_SMTP_URL).",
)
@click.option(
    "--distributed",
    is_flag=True,
    help="Hand transcripts and insights to Celery "
    "workers (`podsift worker`) instead of doing them in this process.",
)
@pass_app
def run_cmd(app: App, as_json: bool, send: bool, distributed: bool) -> None:
    """Run the daily job once: poll, transcripts, insights, stories, digests, send.

    Says on stderr what each stage did, how long it took and how many items a second it
    handled (--json: the same on stdout).
    """
    from podsift.pipeline import run_daily, run_daily_distributed

    settings = app.settings
    sender = app.smtp_sender() if send and settings.email.smtp_url else None
    with app.context(sender=sender) as ctx:
        if distributed:
            from podsift.cli.queue import require_queue

            require_queue()
            from podsift.queue import check_broker, make_app

            celery_app = make_app(settings.queue)
            check_broker(celery_app, settings.queue.broker_url)
            report = run_daily_distributed(ctx, celery_app)
        else:
            report = run_daily(ctx)
    if as_json:
        print_json(report.with_times())
        return
    for stage, counts in report.as_dict().items():
        spent = report.times.get(stage)
        took = f" ({spent.seconds:.3f} s{_rate(spent.per_second)})" if spent else ""
        click.echo(f"{stage}: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + took, err=True)


def _rate(per_second: float | None) -> str:
    """ ", 12.5 items/s", or nothing when the rate is unknown."""
    return "" if per_second is None else f", {per_second:.1f} items/s"


COMMANDS = [demo_cmd, run_cmd]
