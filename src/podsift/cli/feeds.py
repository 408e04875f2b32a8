"""Commands that manage shows and read feeds."""

from __future__ import annotations

from pathlib import Path

import click

from podsift.cli.app import App, pass_app, print_json


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
    from podsift.feeds import parse_opml

    try:
        content = file.read_bytes()
    except OSError as e:
        raise SourceError(f"{file}: {e.strerror.lower() if e.strerror else e}") from e
    outlines = parse_opml(content, str(file))
    added = app.store().add_shows([(o.url, o.title) for o in outlines], app.now())
    click.echo(f"{file}: {added} new show(s), {len(outlines) - added} already there", err=True)


@click.command("export-opml")
@pass_app
def export_opml_cmd(app: App) -> None:
    """Print every show as OPML on stdout."""
    from podsift.feeds import export_opml

    click.echo(export_opml((s.feed_url, s.title) for s in app.store().shows()), nl=False)


@click.command("feed")
@click.argument("target", metavar="FILE_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed feed as JSON.")
@pass_app
def feed_cmd(app: App, target: str, as_json: bool) -> None:
    """Parse one feed (a file or a URL) and print its show and episodes."""
    from podsift.feeds import feed_to_json, fetch_url_or_file, parse_feed
    from podsift.net import make_client

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


@click.command("search")
@click.argument("term")
@click.option(
    "--add", "add", type=int, multiple=True, metavar="N", help="Add result N (repeatable)."
)
@click.option("--limit", type=int, default=20, show_default=True, help="Results per service.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@pass_app
def search_cmd(app: App, term: str, add: tuple[int, ...], limit: int, as_json: bool) -> None:
    """Find shows (iTunes; Podcast Index too with a key); `--add N` adds result N."""
    from podsift.feeds import SearchError, search_shows
    from podsift.net import make_client

    with make_client(app.settings) as client:
        hits = search_shows(client, term, app.settings.feeds, app.now(), limit)
    for n in add:
        if not 1 <= n <= len(hits):
            raise SearchError(f"--add {n}: no such result (there are {len(hits)})")
        _, new = app.store().add_show(hits[n - 1].feed_url, app.now(), title=hits[n - 1].title)
        click.echo(f"{'added' if new else 'already there'}: {hits[n - 1].feed_url}", err=True)
    if as_json:
        print_json([{"n": i, **vars_of(h)} for i, h in enumerate(hits, 1)])
        return
    for i, h in enumerate(hits, 1):
        click.echo(f"{i:3}. {h.title} — {h.author or '?'}  {h.feed_url}  [{h.source}]")
    if not hits:
        click.echo(f"no shows found for {term!r}", err=True)


def vars_of(hit: object) -> dict[str, object]:
    """The fields of a slotted dataclass as a dict."""
    import dataclasses

    return dataclasses.asdict(hit)  # type: ignore[call-overload, no-any-return]


COMMANDS = [add_cmd, import_opml_cmd, export_opml_cmd, feed_cmd, search_cmd]
