"""Commands for digests and subscribers: digest, send, tick, digests reconcile, subscribe, …

(`subscribers` and its import and export are in :mod:`podsift.cli.subscribers`.)
"""

from __future__ import annotations

from datetime import date

import click

from podsift.cli.app import App, pass_app, print_json

FORMATS = ("text", "html", "md", "json")


@click.command("digest")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The local date (default: today).",
)
@click.option("--to", "email", help="The subscriber (default: the operator's own digest).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@pass_app
def digest_cmd(app: App, day: object, email: str | None, fmt: str) -> None:
    """Build (or show the stored) digest for a date and print it."""
    from podsift.digest import (
        OPERATOR,
        compose_for,
        digest_to_json,
        render_html,
        render_markdown,
        render_text,
    )

    when: date = day.date() if day is not None else app.now().date()  # type: ignore[attr-defined]
    with app.context() as ctx:
        _, digest = compose_for(ctx, email or OPERATOR, when)
    if fmt == "json":
        print_json(digest_to_json(digest))
    elif fmt == "html":
        click.echo(render_html(digest))
    elif fmt == "md":
        click.echo(render_markdown(digest))
    else:
        click.echo(render_text(digest))


def _say_sent(counts: dict[str, int]) -> None:
    shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v or k == "sent")
    click.echo(f"send: {shown}", err=True)
    if counts.get("unknown"):
        click.echo(
            "podsift: warning: sends in doubt were not retried: run `podsift digests reconcile`",
            err=True,
        )


@click.command("send")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@pass_app
def send_cmd(app: App, as_json: bool) -> None:
    """Send the stored digests whose local send time has come, once (SMTP: PODSIFT_SMTP_URL)."""
    import dataclasses

    from podsift import deliver

    sender = app.smtp_sender()
    with app.context(sender=sender) as ctx:
        counts = dataclasses.asdict(deliver.run(ctx))
    if as_json:
        print_json(counts)
    _say_sent(counts)


@click.command("tick")
@click.option("--poll/--no-poll", default=True, help="Also poll feeds and process new episodes.")
@click.option("--send/--no-send", default=True, help="Send due digests (needs PODSIFT_SMTP_URL).")
@click.option("--json", "as_json", is_flag=True, help="Print what each stage did as JSON.")
@pass_app
def tick_cmd(app: App, poll: bool, send: bool, as_json: bool) -> None:
    """Do what is due now: build and send each digest whose local hour has come.

    Meant for cron or a systemd timer every few minutes (see examples/systemd/).
    """
    from podsift.pipeline import run_tick

    sender = app.smtp_sender() if send else None
    with app.context(sender=sender) as ctx:
        report = run_tick(ctx, poll=poll).with_times()
    if as_json:
        print_json(report)
    for stage, counts in report.items():
        if stage == "sent":
            _say_sent(counts)
        else:
            click.echo(f"{stage}: " + ", ".join(f"{k} {v}" for k, v in counts.items()), err=True)


@click.group("digests")
def digests_group() -> None:
    """Inspect and settle the send ledger."""


@digests_group.command("reconcile")
@click.option(
    "--sent",
    "mark_sent",
    multiple=True,
    type=int,
    metavar="ID",
    help="The message did arrive: mark it sent.",
)
@click.option(
    "--resend",
    multiple=True,
    type=int,
    metavar="ID",
    help="It did not arrive: send it again (same Message-ID).",
)
@click.option(
    "--failed", "mark_failed", multiple=True, type=int, metavar="ID", help="Give up on it."
)
@click.option("--json", "as_json", is_flag=True, help="Print the unknown sends as JSON.")
@pass_app
def reconcile_cmd(
    app: App,
    mark_sent: tuple[int, ...],
    resend: tuple[int, ...],
    mark_failed: tuple[int, ...],
    as_json: bool,
) -> None:  # fmt: skip
    """List sends in doubt ("unknown"), or settle them by digest ID.

    --resend is refused while the process that claimed the send still runs on this host.
    """
    from podsift.deliver import reconcile

    store = app.store()
    decisions = [(i, "sent") for i in mark_sent] + [(i, "resend") for i in resend]
    decisions += [(i, "failed") for i in mark_failed]
    for digest_id, decision in decisions:
        reconcile(store, digest_id, decision, app.now())
        click.echo(f"digest {digest_id}: {decision}", err=True)
    if decisions:
        return
    rows = store.deliveries(status="unknown")
    if as_json:
        print_json([
            {"digest_id": r.digest_id, "recipient": r.recipient, "date": str(r.date),
             "message_id": r.message_id, "attempts": r.attempts, "error": r.error,
             "claimed_at": r.claimed_at.isoformat() if r.claimed_at else None,
             "claimed_by": f"{r.claimer.host}:{r.claimer.pid}" if r.claimer else None}
            for r in rows
        ])  # fmt: skip
        return
    for r in rows:
        click.echo(f"{r.digest_id}\t{r.recipient}\t{r.date}\t{r.error or ''}")
    if not rows:
        click.echo("no sends in doubt", err=True)


@digests_group.command("feed")
@click.argument("email")
@click.option("--format", "fmt", type=click.Choice(["atom", "rss", "json"]), default="atom",
              show_default=True)  # fmt: skip
@pass_app
def digests_feed_cmd(app: App, email: str, fmt: str) -> None:
    """Print a subscriber's stored digests as an Atom or RSS feed, or JSON."""
    from podsift.deliver import Tokens
    from podsift.web import atom_feed, json_feed, rss_feed

    digests = app.store().digests_of(email)
    if fmt == "json":
        print_json(json_feed(email, digests))
        return
    link = Tokens(app.settings.email.secret_key).url(app.settings.email.base_url, "feed", email)
    link = link.replace("/feed?", f"/feed.{fmt}?")
    body = atom_feed(email, digests, link) if fmt == "atom" else rss_feed(email, digests, link)
    click.echo(body.decode())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@pass_app
def serve_cmd(app: App, host: str, port: int) -> None:
    """Serve the web pages: subscribe, confirm, unsubscribe, preferences, feeds."""
    import uvicorn

    from podsift.web import create_app

    sender = app.smtp_sender() if app.settings.email.smtp_url else None
    uvicorn.run(create_app(app.settings, app.store(), sender=sender), host=host, port=port)


_SHOWS_HELP = "A show (title or feed URL) to draw from; repeat it. Default: every show."


@click.command("subscribe")
@click.argument("email")
@click.option("--tz", default="UTC", show_default=True, help="The subscriber's time zone.")
@click.option("--hour", type=int, default=7, show_default=True, help="The local hour to send at.")
@click.option("--shows", "shows", multiple=True, help=_SHOWS_HELP)
@click.option("--topics", help='Topics of interest, e.g. "rust, databases".')
@click.option(
    "--confirmed",
    is_flag=True,
    help="Skip the double opt-in (the operator vouches for the address).",
)
@pass_app
def subscribe_cmd(
    app: App, email: str, tz: str, hour: int, shows: tuple[str, ...], topics: str | None,
    confirmed: bool,
) -> None:  # fmt: skip
    """Add a subscriber; unless --confirmed, email them a confirmation link first."""
    from podsift.deliver import Tokens
    from podsift.deliver.subscribe import Preferences, confirmation_email, subscribe

    prefs = Preferences(tz=tz, send_hour=hour, topics=topics, shows=shows or None)
    subscribe(app.store(), email, app.now(), prefs, confirmed=confirmed)
    if confirmed:
        click.echo(f"subscribed: {email} ({tz}, {hour:02d}:00)", err=True)
        return
    tokens = Tokens(app.settings.email.secret_key)
    msg = confirmation_email(app.settings, tokens, email.strip(), app.now())
    if app.settings.email.smtp_url:
        app.smtp_sender().send(msg)
        click.echo(f"pending: confirmation sent to {email}", err=True)
    else:
        link = tokens.url(app.settings.email.base_url, "confirm", email.strip())
        click.echo(f"pending: no SMTP server; confirmation link: {link}", err=True)


@click.command("preferences")
@click.argument("email")
@click.option("--tz", help="A new time zone.")
@click.option("--hour", type=int, help="A new local send hour.")
@click.option("--shows", "shows", multiple=True, help=_SHOWS_HELP)
@click.option("--all-shows", is_flag=True, help="Draw from every show again.")
@click.option("--topics", help="New topics (empty to clear).")
@pass_app
def preferences_cmd(
    app: App, email: str, tz: str | None, hour: int | None, shows: tuple[str, ...],
    all_shows: bool, topics: str | None,
) -> None:  # fmt: skip
    """Change a subscriber's time zone, send hour, shows or topics."""
    from podsift.deliver.subscribe import Preferences, change_preferences

    chosen = () if all_shows else (shows or None)
    change_preferences(app.store(), email, Preferences(tz, hour, topics, chosen))
    click.echo(f"preferences changed: {email}", err=True)


COMMANDS = [
    digest_cmd,
    send_cmd,
    tick_cmd,
    digests_group,
    serve_cmd,
    subscribe_cmd,
    preferences_cmd,
]
