"""How a digest looks in the terminal."""

from __future__ import annotations

import textwrap

import click

from podsift.digest import format_clock as clock
from podsift.digest import short_day, worth_showing
from podsift.models import AlsoOn, Digest, DigestItem, Related


def show_digest(digest: Digest) -> None:
    """Print the top stories: headline (an LLM's, or the story's key terms), quote, who said it
    where and the link (the insight too when it says more than the quote), then the same
    for each other show that raised the story, then the related discussions on other shows."""
    click.echo(click.style(f"\npodsift — top {len(digest.items)} for {digest.date}", bold=True))
    if note := short_day(digest):
        click.echo(note)
    for item in digest.items:
        shows = 1 + len(item.also_on)
        raised = f" raised on {shows} shows" if shows > 1 else ""
        update = " update: new shows since your last digest" if item.update else ""
        click.echo(
            click.style(f"\n{item.rank}.", bold=True)
            + click.style(f" {item.headline}" if item.headline else "", bold=True)
            + click.style(update, fg="yellow")
            + click.style(raised, fg="green")
        )
        if worth_showing(item.insight, item.headline, item.quote):  # the quote says it once
            click.echo(
                textwrap.fill(item.insight, 88, initial_indent="   ", subsequent_indent="   ")
            )
        _mention(item, "   > ", "     ", "   ")
        for other in item.also_on:
            _mention(other, "   also: ", "         ", "         ")
        if item.related:
            click.echo(click.style("   related: also discussed on", fg="cyan"))
        for r in item.related:
            _related(r)
    click.echo("")


def _related(r: Related) -> None:
    """Print one related discussion: show, episode, minute and its quote, then the link."""
    when = f", {clock(r.start)}" if r.start is not None else ""
    who = f" — {r.speaker}" if r.speaker else ""
    line = f"{r.show} ({r.episode}{when}): “{r.quote}”{who}"
    click.echo(textwrap.fill(line, 88, initial_indent="   - ", subsequent_indent="     "))
    if r.link:
        click.echo(f"     {r.link}")


def _mention(m: DigestItem | AlsoOn, first: str, rest: str, under: str) -> None:
    """Print one show's quote, who said it where and when, and the link."""
    click.echo(textwrap.fill(f"“{m.quote}”", 88, initial_indent=first, subsequent_indent=rest))
    when = f" at {clock(m.start)}" if m.start is not None else ""
    who = f"{m.speaker}, " if m.speaker else ""  # unknown: the show's name says who (#21)
    click.echo(f"{under}— {who}{m.show} · {m.episode}{when}")
    if m.link:
        click.echo(f"{under}{m.link}")
