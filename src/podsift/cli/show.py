"""How a digest looks in the terminal."""

from __future__ import annotations

import textwrap

import click

from podsift.digest import format_clock as clock
from podsift.models import Digest


def show_digest(digest: Digest) -> None:
    """Print the top stories: insight, quote, who said it where, the link, and also-on shows."""
    click.echo(click.style(f"\npodsift — top {len(digest.items)} for {digest.date}", bold=True))
    for item in digest.items:
        shows = 1 + len(item.also_on)
        raised = f" raised on {shows} shows" if shows > 1 else ""
        click.echo(click.style(f"\n{item.rank}.", bold=True) + click.style(raised, fg="green"))
        click.echo(textwrap.fill(item.insight, 88, initial_indent="   ", subsequent_indent="   "))
        click.echo(
            textwrap.fill(f"“{item.quote}”", 88, initial_indent="   > ", subsequent_indent="     ")
        )
        when = f" at {clock(item.start)}" if item.start is not None else ""
        click.echo(f"   — {item.speaker or 'unknown speaker'}, {item.show} · {item.episode}{when}")
        if item.link:
            click.echo(f"   {item.link}")
        for other in item.also_on:
            at = f" ({clock(other.start)})" if other.start is not None else ""
            click.echo(f"   also on: {other.show} · {other.episode}{at}  {other.link or ''}")
    click.echo("")
