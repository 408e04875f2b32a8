"""Commands for subscribers in bulk: subscribers (list), subscribers import, subscribers export.

Heavy imports (the store, the senders) stay inside the commands, so the CLI starts at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from podsift.cli.app import App, pass_app, print_json

if TYPE_CHECKING:
    from podsift.deliver import Sender
    from podsift.deliver.subscriber_file import ImportReport, OptInReport

FORMATS = ("csv", "jsonl")
STATUSES = ("active", "pending", "unsubscribed", "suspended", "all")


@click.group("subscribers", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def subscribers_group(ctx: click.Context, as_json: bool) -> None:
    """List subscribers: address, time zone, send hour, status, bounces, shows and topics.

    `podsift subscribers import FILE` and `podsift subscribers export` move them in bulk.
    """
    if ctx.invoked_subcommand is not None:
        return
    subs = ctx.find_object(App).store().subscribers()  # type: ignore[union-attr]
    if as_json:
        print_json([
            {"email": s.email, "tz": s.tz, "hour": s.send_hour, "status": s.status,
             "bounces": s.bounces, "show_ids": list(s.show_ids), "topics": s.topics}
            for s in subs
        ])  # fmt: skip
        return
    for s in subs:
        click.echo(f"{s.email}\t{s.tz}\t{s.send_hour:02d}:00\t{s.status}\t{s.topics or ''}")


@subscribers_group.command("import")
@click.argument("file", metavar="FILE")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: by the suffix.")
@click.option(
    "--confirmed",
    is_flag=True,
    help="The operator vouches for these addresses' consent: no opt-in email, active at once.",
)
@click.option(
    "--per-second",
    type=float,
    help="Opt-in emails a second (default: [delivery] per_second; 0: no limit).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was imported as JSON.")
@pass_app
def import_cmd(
    app: App, file: str, fmt: str | None, confirmed: bool, per_second: float | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Add subscribers from a CSV or JSON Lines FILE (- for stdin).

    Columns: email, tz, hour, shows (titles or feed URLs, ";"-separated in CSV), topics.
    Bad rows are reported by line and skipped; the good rows go in one transaction.
    Without --confirmed each new address is emailed the opt-in link, paced.
    """
    from podsift.deliver import Pacer, Tokens
    from podsift.deliver.subscribe import confirmation_email
    from podsift.deliver.subscriber_file import import_subscribers, send_opt_ins

    sender = None if confirmed else _opt_in_sender(app)  # refused before anything is written
    report = import_subscribers(app.store(), file, app.now(), confirmed=confirmed, fmt=fmt)
    _say_imported(file, report)
    opt_in = None
    if sender is not None and report.added:
        tokens = Tokens(app.settings.email.secret_key)
        rate = app.settings.delivery.per_second if per_second is None else per_second
        opt_in = send_opt_ins(
            report.added,
            lambda address: confirmation_email(app.settings, tokens, address, app.now()),
            sender.send,
            Pacer(rate).wait,
            app.progress,
        )
        _say_opt_ins(opt_in)
    if as_json:
        print_json(_import_json(report, opt_in))


def _opt_in_sender(app: App) -> Sender:
    from podsift.exceptions import ConfigError

    if not app.settings.email.smtp_url:
        raise ConfigError(
            "no SMTP server for the opt-in emails: set PODSIFT_SMTP_URL, "
            "or use --confirmed if you vouch for these addresses' consent"
        )
    return app.smtp_sender()


def _say_imported(file: str, report: ImportReport) -> None:
    for bad in report.bad:
        click.echo(f"{file}:{bad.line}: {bad.problem}", err=True)
    click.echo(
        f"import: {len(report.added)} added ({report.status}), "
        f"{len(report.existing)} already subscribers (left as they are), "
        f"{len(report.bad)} bad rows",
        err=True,
    )


def _say_opt_ins(opt_in: OptInReport) -> None:
    for address, error in opt_in.failed:
        click.echo(f"podsift: warning: opt-in email to {address} failed: {error}", err=True)
    click.echo(f"opt-in emails: sent {opt_in.sent}, failed {len(opt_in.failed)}", err=True)


def _import_json(report: ImportReport, opt_in: OptInReport | None) -> dict[str, object]:
    return {
        "added": list(report.added),
        "status": report.status,
        "existing": list(report.existing),
        "bad": [{"line": b.line, "problem": b.problem} for b in report.bad],
        "opt_in": None
        if opt_in is None
        else {"sent": opt_in.sent, "failed": [a for a, _ in opt_in.failed]},
    }


@subscribers_group.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Default: by the suffix, else csv."
)
@click.option(
    "-o", "--output", default="-", metavar="FILE", help="Where to write (default: stdout)."
)
@click.option("--status", type=click.Choice(STATUSES), default="active", show_default=True)
@pass_app
def export_cmd(app: App, fmt: str | None, output: str, status: str) -> None:
    """Write subscribers as CSV or JSON Lines, in the columns `subscribers import` reads."""
    import sys
    from pathlib import Path
    from typing import TextIO, cast

    from podsift.deliver.subscriber_file import export_subscribers

    chosen = fmt or ("jsonl" if Path(output).suffix in (".jsonl", ".ndjson") else "csv")
    wanted = None if status == "all" else status
    store = app.store()
    if output == "-":
        count = export_subscribers(store, sys.stdout, chosen, wanted)
    else:
        with click.open_file(output, "w", encoding="utf-8", atomic=True) as out:
            count = export_subscribers(store, cast("TextIO", out), chosen, wanted)
    click.echo(f"export: {count} subscribers ({status})", err=True)


COMMANDS = [subscribers_group]
