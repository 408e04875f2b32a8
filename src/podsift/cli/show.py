"""How a digest looks in the terminal."""

from __future__ import annotations

import textwrap

import click

from podsift.digest import format_clock as clock
from podsift.models import AlsoOn, Digest, DigestItem


def show_digest(digest: Digest) -> None:
    """Print the top stories: insight, quote, who said it where and the link, then the same
    for each other show that raised the story."""
    click.echo(click.style(f"\npodsift — top {len(digest.items)} for {digest.date}", bold=True))
    for item in digest.items:
        shows = 1 + len(item.also_on)
        raised = f" raised on {shows} shows" if shows > 1 else ""
        update = " update: new shows since your last digest" if item.update else ""
        click.echo(
            click.style(f"\n{item.rank}.", bold=True)
            + click.style(update, fg="yellow")
            + click.style(raised, fg="green")
        )
        click.echo(textwrap.fill(item.insight, 88, initial_indent="   ", subsequent_indent="   "))
        _mention(item, "   > ", "     ", "   ")
        for other in item.also_on:
            _mention(other, "   also: ", "         ", "         ")
    click.echo("")


def _mention(m: DigestItem | AlsoOn, first: str, rest: str, under: str) -> None:
    """Print one show's quote, who said it where and when, and the link."""
    click.echo(textwrap.fill(f"“{m.quote}”", 88, initial_indent=first, subsequent_indent=rest))
    when = f" at {clock(m.start)}" if m.start is not None else ""
    click.echo(f"{under}— {m.speaker or 'unknown speaker'}, {m.show} · {m.episode}{when}")
    if m.link:
        click.echo(f"{under}{m.link}")
