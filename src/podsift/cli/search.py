"""Search the stored insights: ``podsift search-insights`` (``podsift search`` finds shows)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from podsift.cli.app import App, pass_app, print_json

if TYPE_CHECKING:
    from podsift.store import SearchHit

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.command("search-insights")
@click.argument("term")
@click.option("--show", metavar="ID_OR_TITLE", help="Only this show (its id, title or feed URL).")
@click.option("--since", type=DAY, help="Only episodes published on or after this UTC date.")
@click.option("--until", type=DAY, help="Only episodes published on or before this UTC date.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True,
              help="At most this many quotes.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the quotes as JSON.")
@pass_app
def search_insights_cmd(
    app: App,
    term: str,
    show: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find stored quotes holding every word of TERM, best match first, then newest.

    TERM is taken literally: AND, OR, NEAR, *, quotes and the like are words or punctuation,
    never search syntax.
    """
    store = app.store()
    hits = store.search_insights(
        term,
        show_id=_show_id(app, show) if show else None,
        since=since.date() if since else None,
        until=until.date() if until else None,
        limit=limit,
    )
    if as_json:
        print_json([_hit_json(h) for h in hits])
        return
    from podsift.digest import format_clock

    for h in hits:
        at = f"[{format_clock(h.start)}]" if h.start is not None else "[-]"
        click.echo(f"{h.show} · {h.speaker or '?'} {at} {h.quote}")
    if not hits:
        click.echo(f"no quotes found for {term!r}", err=True)


def _show_id(app: App, show: str) -> int:
    """A show's id from its id, title or feed URL."""
    from podsift.exceptions import SearchQueryError

    if show.isascii() and show.isdigit() and len(show) <= 9:
        if app.store().show(int(show)) is None:
            raise SearchQueryError(f"--show {show}: no show with this id")
        return int(show)
    found = next(iter(app.store().show_ids([show]).values()), None)  # keyed by title
    if found is None:
        raise SearchQueryError(f"--show {show!r}: no show with this title or feed URL")
    return found


def _hit_json(h: SearchHit) -> dict[str, object]:
    return {
        "id": h.insight_id,
        "text": h.text,
        "quote": h.quote,
        "speaker": h.speaker,
        "start": h.start,
        "show": h.show,
        "show_id": h.show_id,
        "episode": h.episode,
        "episode_id": h.episode_id,
        "link": h.link,
        "published": h.published.isoformat().replace("+00:00", "Z") if h.published else None,
        "story_id": h.story_id,
    }


COMMANDS = [search_insights_cmd]
