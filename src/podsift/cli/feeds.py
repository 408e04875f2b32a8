"""Commands that manage shows and read feeds."""

from __future__ import annotations

from pathlib import Path

import click

from podsift.context import make_client

from .app import App, pass_app, print_json


@click.command("add")
@click.argument("urls", nargs=-1, required=True)
@pass_app
def add_cmd(app: App, urls: tuple[str, ...]) -> None:
    """Add shows by feed URL (they are polled by the next `podsift run`)."""
    from podsift.exceptions import SourceError

    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise SourceError(f"{url}: not a feed URL (it must start with http:// or https://)")
    store = app.store()
    for url in urls:
        _, new = store.add_show(url, app.now())
        click.echo(f"{'added' if new else 'already there'}: {url}", err=True)


@click.command("import-opml")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def import_opml_cmd(app: App, file: Path) -> None:
    """Add every show listed in an OPML file."""
    from podsift.exceptions import SourceError
    from podsift.sources import parse_opml

    try:
        content = file.read_bytes()
    except OSError as e:
        raise SourceError(f"{file}: {e.strerror.lower() if e.strerror else e}") from e
    store = app.store()
    added = 0
    outlines = parse_opml(content, str(file))
    for outline in outlines:
        added += store.add_show(outline.url, app.now(), title=outline.title)[1]
    click.echo(f"{file}: {added} new show(s), {len(outlines) - added} already there", err=True)


@click.command("export-opml")
@pass_app
def export_opml_cmd(app: App) -> None:
    """Print every show as OPML on stdout."""
    from podsift.sources import export_opml

    click.echo(export_opml((s.feed_url, s.title) for s in app.store().shows()), nl=False)


@click.command("feed")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed feed as JSON.")
@pass_app
def feed_cmd(app: App, target: str, as_json: bool) -> None:
    """Parse one feed (a file or a URL) and print its show and episodes."""
    from podsift.sources import feed_to_json, fetch_url_or_file, parse_feed

    with make_client(app.settings) as client:
        content, _ = fetch_url_or_file(target, client)
    parsed = parse_feed(content, target)
    if as_json:
        print_json(feed_to_json(parsed))
        return
    click.echo(f"{parsed.show.title} ({len(parsed.episodes)} episodes)")
    for ep in parsed.episodes:
        day = ep.published.date().isoformat() if ep.published else "????-??-??"
        marks = f"  [{len(ep.transcripts)} transcript(s)]" if ep.transcripts else ""
        click.echo(f"  {day}  {ep.title}{marks}")
    for warning in parsed.warnings:
        click.echo(f"warning: {warning}", err=True)


COMMANDS = [add_cmd, import_opml_cmd, export_opml_cmd, feed_cmd]
