"""One show per ``podcast:guid``: a feed that turns up under a second URL joins its show.

The Podcasting 2.0 GUID stays with a show when its feed moves host. When a polled feed
carries the GUID of an older show, the polled row is folded into that show: the show now
polls the URL that just answered, its other URL is kept as an alias, the polled row's
episodes that the show lacks (by identity key) and its subscriptions move over, and the
polled row is deleted. Only the show being polled is ever folded, so a row that a poller
may still hold in this run is never deleted under it.

Which GUIDs identify a show is the feeds stage's call (``podsift.feeds.show_identity``):
the store is handed only the ones that do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podsift.store import schema as t
from podsift.store.base import _chunks

LOOKUP = 500
"""GUIDs looked up in one statement."""


def fold_by_guid(
    c: Connection, polled: Sequence[tuple[int, str | None]], now: datetime
) -> dict[int, int]:
    """Fold each polled show (id, the GUID that identifies it) into an older show with the
    same GUID; return {folded id: the show it joined}.

    Shows polled in the same batch count too: the later of two newly added URLs of one
    feed joins the earlier one.
    """
    guids = sorted({guid for _, guid in polled if guid})
    owners: dict[str, set[int]] = {}
    s = t.shows.c
    for chunk in _chunks(guids, LOOKUP):
        for row in c.execute(sa.select(s.id, s.guid).where(s.guid.in_(chunk))):
            owners.setdefault(row.guid, set()).add(int(row.id))
    folded: dict[int, int] = {}
    for show_id, guid in polled:
        if not guid:
            continue
        known = owners.setdefault(guid, set())
        older = [i for i in known if i < show_id and i not in folded]
        if older:
            folded[show_id] = min(older)
            fold_show(c, show_id, min(older), now)
        else:
            known.add(show_id)
    return folded


def fold_show(c: Connection, dup: int, into: int, now: datetime) -> None:
    """Merge show ``dup`` into show ``into``, which takes over ``dup``'s feed URL."""
    s, e, a, sub = t.shows.c, t.episodes.c, t.show_aliases.c, t.subscriptions.c
    url = c.execute(sa.select(s.feed_url).where(s.id == dup)).scalar_one()
    old = c.execute(sa.select(s.feed_url).where(s.id == into)).scalar_one()
    have = sa.select(e.key).where(e.show_id == into)
    c.execute(
        t.episodes.update()
        .where(e.show_id == dup, e.key.not_in(have.scalar_subquery()))
        .values(show_id=into)
    )
    subscribed = sa.select(sub.subscriber_id).where(sub.show_id == into)
    c.execute(
        t.subscriptions.insert().from_select(
            ["subscriber_id", "show_id"],
            sa.select(sub.subscriber_id, sa.literal(into)).where(
                sub.show_id == dup, sub.subscriber_id.not_in(subscribed.scalar_subquery())
            ),
        )
    )
    c.execute(t.show_aliases.update().where(a.show_id == dup).values(show_id=into))
    c.execute(t.shows.delete().where(s.id == dup))  # what did not move goes with it
    c.execute(t.show_aliases.delete().where(a.url.in_([url, old])))
    if old != url:
        c.execute(t.show_aliases.insert().values(url=old, show_id=into, created_at=now))
    c.execute(t.shows.update().where(s.id == into).values(feed_url=url))
