"""Shows and their polling state in the store (episodes: :mod:`.episodes`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from podsift.models import Show
from podsift.store import schema as t
from podsift.store.base import StoreBase, _new_id
from podsift.store.episodes import insert_new_episodes
from podsift.store.records import EpisodeBatch, PollOutcome, PollRow, RepublishedRule, ShowRow
from podsift.store.show_identity import fold_by_guid

F = TypeVar("F")


class FeedRows(StoreBase):
    """Shows and their polling state, aliases and identity."""

    # -- shows ---------------------------------------------------------------------------

    def add_show(self, feed_url: str, now: datetime, title: str | None = None) -> tuple[int, bool]:
        """Add a show by feed URL; return its id and whether it is new."""
        with self._tx() as c:
            row = c.execute(sa.select(t.shows.c.id).where(t.shows.c.feed_url == feed_url)).first()
            if row:
                return int(row.id), False
            alias = c.execute(
                sa.select(t.show_aliases.c.show_id).where(t.show_aliases.c.url == feed_url)
            ).first()
            if alias:
                return int(alias.show_id), False
            res = c.execute(
                t.shows.insert().values(
                    feed_url=feed_url, title=title, state="new", error_count=0, created_at=now
                )
            )
            return _new_id(res), True

    def add_shows(
        self, feeds: Sequence[tuple[str, str | None]], now: datetime, batch: int = 1000
    ) -> int:
        """Add many shows (feed URL, title) in batches; known URLs and aliases are skipped.

        Returns how many were new. An OPML of 100,000 feeds costs a few hundred statements.
        """
        sh, al = t.shows.c, t.show_aliases.c
        added = 0
        for start in range(0, len(feeds), batch):
            chunk = dict(feeds[start : start + batch])  # a URL listed twice counts once
            with self._tx() as c:
                known = set(
                    c.execute(sa.select(sh.feed_url).where(sh.feed_url.in_(chunk))).scalars()
                )
                known |= set(c.execute(sa.select(al.url).where(al.url.in_(chunk))).scalars())
                rows = [
                    {"feed_url": url, "title": title, "state": "new", "error_count": 0,
                     "created_at": now}
                    for url, title in chunk.items() if url not in known
                ]  # fmt: skip
                if rows:
                    c.execute(t.shows.insert(), rows)
            added += len(rows)
        return added

    def shows(self) -> list[ShowRow]:
        """Every show, by id."""
        cols = t.shows.c
        with self._tx() as c:
            rows = c.execute(sa.select(t.shows).order_by(cols.id)).all()
        return [
            ShowRow(
                r.id,
                r.feed_url,
                r.title,
                r.link,
                r.etag,
                r.last_modified,
                r.body_hash,
                r.state,
                r.last_polled_at,
                r.last_error,
            )
            for r in rows
        ]

    def due_shows(self, now: datetime, limit: int | None = None) -> list[PollRow]:
        """Shows to poll at ``now``: never polled or past their next poll, never gone, and not
        already polled at ``now`` (by this run: see :func:`_not_polled_since`).

        Loads them all at once; a poller over millions of shows reads
        :meth:`iter_due_shows` page by page instead.
        """
        cols = t.shows.c
        query = (
            sa.select(*_POLL_COLUMNS)
            .where(cols.state != "gone", _not_polled_since(now))
            .where(sa.or_(cols.next_poll_at.is_(None), cols.next_poll_at <= now))
            .order_by(cols.next_poll_at.is_not(None), cols.next_poll_at, cols.id)
            .limit(limit)
        )
        with self._tx() as c:
            return [_poll_row(r) for r in c.execute(query)]

    def iter_due_shows(self, now: datetime, page: int = 5000) -> Iterator[list[PollRow]]:
        """The shows :meth:`due_shows` returns, in the same order, ``page`` rows at a time.

        Keyset paging (never-polled shows by id, then by ``(next_poll_at, id)``): each page
        is its own short read, so no transaction stays open while the caller writes, and a
        show polled meanwhile is not seen twice, even when its next poll is ``now`` itself
        (zero intervals, #20).
        """
        cols = t.shows.c
        live = sa.and_(cols.state != "gone", _not_polled_since(now))
        after_id = 0
        while True:  # never polled: by id
            query = (
                sa.select(*_POLL_COLUMNS)
                .where(live, cols.next_poll_at.is_(None), cols.id > after_id)
                .order_by(cols.id)
                .limit(page)
            )
            with self._tx() as c:
                rows = [_poll_row(r) for r in c.execute(query)]
            if rows:
                yield rows
            if len(rows) < page:
                break
            after_id = rows[-1].id
        cursor: tuple[datetime, int] | None = None
        while True:  # past their next poll: most overdue first
            query = (
                sa.select(*_POLL_COLUMNS)
                .where(live, cols.next_poll_at.is_not(None), cols.next_poll_at <= now)
                .order_by(cols.next_poll_at, cols.id)
                .limit(page)
            )
            if cursor is not None:
                when, last = cursor
                query = query.where(
                    sa.or_(
                        cols.next_poll_at > when,
                        sa.and_(cols.next_poll_at == when, cols.id > last),
                    )
                )
            with self._tx() as c:
                rows = [_poll_row(r) for r in c.execute(query)]
            if rows:
                yield rows
            if len(rows) < page:
                return
            last_due = rows[-1].next_poll_at
            assert last_due is not None  # selected with next_poll_at IS NOT NULL
            cursor = (last_due, rows[-1].id)

    def save_polls(
        self,
        now: datetime,
        outcomes: Sequence[tuple[int, PollOutcome]],
        episodes: Sequence[EpisodeBatch] = (),
        *,
        republished: RepublishedRule[F] | None = None,
    ) -> list[int]:
        """Store many polls in ONE transaction; return the new episodes stored per batch.

        Outcomes of the same shape (an unchanged feed: schedule and validators only) go to
        the database as one ``executemany`` UPDATE; ``episodes`` are stored like
        :meth:`add_episodes` (with the ``republished`` rule), one show after another. A
        show polled with the ``identity`` of an older show joins that show
        (:func:`.show_identity.fold_by_guid`).
        """
        added: list[int] = []
        with self._tx() as c:
            polled = [(i, o.identity) for i, o in outcomes if o.identity]
            folded = fold_by_guid(c, polled, now) if polled else {}
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for show_id, outcome in outcomes:
                values = {f"b_{k}": v for k, v in _poll_values(now, outcome).items()}
                values["b_show_id"] = folded.get(show_id, show_id)
                groups.setdefault(tuple(sorted(values)), []).append(values)
            for keys, rows in groups.items():
                sets: dict[str, Any] = {k[2:]: sa.bindparam(k) for k in keys if k != "b_show_id"}
                stmt = t.shows.update().where(t.shows.c.id == sa.bindparam("b_show_id"))
                c.execute(stmt.values(sets), rows)
            for batch in episodes:
                show_id = folded.get(batch.show_id, batch.show_id)
                added.append(
                    insert_new_episodes(c, show_id, batch.episodes, batch.keys, now, republished)
                )
        return added

    def move_show(self, show_id: int, new_url: str, now: datetime) -> bool:
        """Point a show at ``new_url``, keeping its old URL as an alias.

        Returns False (and changes nothing) when another show already has ``new_url``.
        """
        s, a = t.shows.c, t.show_aliases.c
        with self._tx() as c:
            taken = c.execute(sa.select(s.id).where(s.feed_url == new_url, s.id != show_id)).first()
            if taken:
                return False
            old = c.execute(sa.select(s.feed_url).where(s.id == show_id)).scalar_one()
            if old == new_url:
                return True
            c.execute(t.show_aliases.delete().where(a.url.in_([old, new_url])))
            c.execute(t.show_aliases.insert().values(url=old, show_id=show_id, created_at=now))
            c.execute(t.shows.update().where(s.id == show_id).values(feed_url=new_url))
        return True

    def show_aliases(self, show_id: int) -> list[str]:
        """The old feed URLs of a show."""
        a = t.show_aliases.c
        with self._tx() as c:
            rows = c.execute(sa.select(a.url).where(a.show_id == show_id).order_by(a.url))
            return [str(u) for u in rows.scalars()]

    def shows_by_state(self) -> list[tuple[str, str, str | None, str | None]]:
        """Every show as ``(state, feed_url, title, last_error)``, by state then URL."""
        s = t.shows.c
        query = sa.select(s.state, s.feed_url, s.title, s.last_error).order_by(s.state, s.feed_url)
        with self._tx() as c:
            return [(r.state, r.feed_url, r.title, r.last_error) for r in c.execute(query)]


_POLL_COLUMNS = (
    t.shows.c.id,
    t.shows.c.feed_url,
    t.shows.c.etag,
    t.shows.c.last_modified,
    t.shows.c.body_hash,
    t.shows.c.state,
    t.shows.c.next_poll_at,
    t.shows.c.error_count,
    t.shows.c.failing_since,
)


def _not_polled_since(now: datetime) -> sa.ColumnElement[bool]:
    """Shows not polled at or after ``now``.

    A poll stamps ``last_polled_at`` with its run's ``now``, so this leaves out what the run
    polled already: with zero intervals its next poll is ``now`` again, and the due query,
    read page by page while polls are saved, would pick it up a second time (#20).
    """
    last = t.shows.c.last_polled_at
    return sa.or_(last.is_(None), last < now)


def _poll_row(r: Any) -> PollRow:
    return PollRow(
        r.id,
        r.feed_url,
        r.etag,
        r.last_modified,
        r.body_hash,
        r.state,
        r.next_poll_at,
        r.error_count,
        r.failing_since,
    )


def _poll_values(now: datetime, outcome: PollOutcome) -> dict[str, Any]:
    values: dict[str, Any] = {
        "last_polled_at": now,
        "last_status": outcome.status,
        "state": outcome.state,
        "next_poll_at": outcome.next_poll_at,
        "error_count": outcome.error_count,
        "failing_since": outcome.failing_since,
        "last_error": outcome.error,
        "error_class": outcome.error_class,
    }
    if outcome.validators is not None:
        keys = ("etag", "last_modified", "body_hash")
        values |= dict(zip(keys, outcome.validators, strict=True))
    if outcome.show is not None:
        values |= _show_values(outcome.show)
    return values


def _show_values(show: Show) -> dict[str, Any]:
    return {
        "title": show.title,
        "link": show.link,
        "guid": show.guid,
        "author": show.author,
        "image": show.image,
        "language": show.language,
    }
