"""Commands for digests and subscribers: digest, send, subscribe, subscribers."""

from __future__ import annotations

from datetime import date, timedelta

import click

from podsift.context import RunContext, make_client

from .app import App, pass_app, print_json
from .show import show_digest

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
    settings = app.settings
    with make_client(settings) as client:
        ctx = RunContext(
            settings,
            app.store(),
            client,
            app.now(),
            lookback=timedelta(days=settings.run.lookback_days),
        )
        _, digest = compose_for(ctx, email or OPERATOR, when)
    if fmt == "json":
        print_json(digest_to_json(digest))
    elif fmt == "html":
        click.echo(render_html(digest))
    elif fmt == "md":
        click.echo(render_markdown(digest))
    else:
        click.echo(render_text(digest))
    _ = show_digest


@click.command("send")
@pass_app
def send_cmd(app: App) -> None:
    """Send today's stored digests that have not been sent (SMTP from PODSIFT_SMTP_URL)."""
    from podsift.deliver import send_due, senders
    from podsift.deliver.smtp import SmtpSettings
    from podsift.exceptions import ConfigError

    settings = app.settings
    if not settings.email.smtp_url:
        raise ConfigError("no SMTP server: set PODSIFT_SMTP_URL (smtp://user:pass@host:port)")
    sender = senders.create("smtp", SmtpSettings.from_url(settings.email.smtp_url))
    with make_client(settings) as client:
        ctx = RunContext(settings, app.store(), client, app.now(), progress=app.progress)
        report = send_due(ctx, sender)
    click.echo(
        f"sent {report.sent}, already sent or nothing stored {report.skipped}, "
        f"failed {report.failed}",
        err=True,
    )


@click.command("subscribe")
@click.argument("email")
@click.option("--tz", default="UTC", show_default=True, help="The subscriber's time zone.")
@click.option(
    "--hour",
    type=click.IntRange(0, 23),
    default=7,
    show_default=True,
    help="The local hour to send at.",
)
@pass_app
def subscribe_cmd(app: App, email: str, tz: str, hour: int) -> None:
    """Add a subscriber (or change their time zone and hour)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from podsift.exceptions import ConfigError

    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise ConfigError(f"{email}: not an email address")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{tz}: unknown time zone (e.g. Europe/Berlin)") from None
    app.store().add_subscriber(email, app.now(), tz=tz, send_hour=hour)
    click.echo(f"subscribed: {email} ({tz}, {hour:02d}:00)", err=True)


@click.command("subscribers")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@pass_app
def subscribers_cmd(app: App, as_json: bool) -> None:
    """List subscribers: address, time zone, send hour and status."""
    subs = app.store().subscribers()
    if as_json:
        print_json(
            [{"email": s.email, "tz": s.tz, "hour": s.send_hour, "status": s.status} for s in subs]
        )
        return
    for s in subs:
        click.echo(f"{s.email}\t{s.tz}\t{s.send_hour:02d}:00\t{s.status}")


COMMANDS = [digest_cmd, send_cmd, subscribe_cmd, subscribers_cmd]
