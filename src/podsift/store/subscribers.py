"""Subscribers, their preferences, shows and bounces in the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from podsift.store import schema as t
from podsift.store.base import StoreBase, _new_id
from podsift.store.records import NewSubscriber, Subscriber, SubscribersAdded


class SubscriberRows(StoreBase):
    """Subscribers: add, read, change preferences and status, count bounces."""

    # -- subscribers ---------------------------------------------------------------------

    def add_subscriber(
        self,
        email: str,
        now: datetime,
        tz: str = "UTC",
        send_hour: int = 7,
        *,
        status: str = "active",
        topics: str | None = None,
    ) -> int:
        """Add a subscriber, or update and reactivate one; return the id.

        ``status="pending"`` starts a double opt-in; it never demotes an active subscriber.
        """
        sb = t.subscribers.c
        confirmed = now if status == "active" else None
        with self._tx() as c:
            row = c.execute(sa.select(sb.id, sb.status).where(sb.email == email)).first()
            if row:
                values: dict[str, Any] = {"tz": tz, "send_hour": send_hour, "topics": topics}
                if not (status == "pending" and row.status == "active"):
                    values.update(status=status, bounces=0)
                    if confirmed:
                        values["confirmed_at"] = confirmed
                c.execute(t.subscribers.update().where(sb.id == row.id).values(**values))
                return int(row.id)
            res = c.execute(
                t.subscribers.insert().values(
                    email=email,
                    tz=tz,
                    send_hour=send_hour,
                    topics=topics,
                    status=status,
                    created_at=now,
                    confirmed_at=confirmed,
                    bounces=0,
                )
            )
            return _new_id(res)

    def add_subscribers(
        self, rows: Sequence[NewSubscriber], now: datetime, *, status: str = "active"
    ) -> SubscribersAdded:
        """Add checked subscribers in one transaction: all of them, or none on an error.

        An address already stored (in any case) is left exactly as it is, whatever its
        status: a bulk add never resubscribes someone who unsubscribed. Rows go in with
        executemany (and ON CONFLICT DO NOTHING, for an address added meanwhile).
        """
        sb = t.subscribers.c
        confirmed = now if status == "active" else None
        with self._tx() as c:
            known = {e.lower() for e in c.execute(sa.select(sb.email)).scalars()}
            fresh = [r for r in rows if r.email.lower() not in known]
            ids: dict[str, int] = {}
            if fresh:
                values = [
                    {"email": r.email, "tz": r.tz, "send_hour": r.send_hour, "topics": r.topics,
                     "status": status, "created_at": now, "confirmed_at": confirmed, "bounces": 0}
                    for r in fresh
                ]  # fmt: skip
                # no RETURNING: a plain DBAPI executemany (psycopg pipelines it) is several
                # times faster than SQLAlchemy's multi-VALUES rewrite of one; `now` then
                # tells this transaction's rows apart
                c.execute(_insert_or_ignore(c, t.subscribers), values)
                mine = sa.select(sb.id, sb.email).where(sb.created_at == now)
                wanted = {r.email for r in fresh}
                ids = {row.email: row.id for row in c.execute(mine) if row.email in wanted}
            links = [
                {"subscriber_id": ids[r.email], "show_id": show_id}
                for r in fresh
                if r.email in ids
                for show_id in sorted(set(r.show_ids))
            ]
            if links:
                c.execute(t.subscriptions.insert(), links)
        return SubscribersAdded(
            added=tuple(r.email for r in rows if r.email in ids),
            existing=tuple(r.email for r in rows if r.email not in ids),
        )

    def subscribers(self, active_only: bool = False) -> list[Subscriber]:
        """Subscribers by id."""
        sb = t.subscribers.c
        query = sa.select(t.subscribers).order_by(sb.id)
        if active_only:
            query = query.where(sb.status == "active")
        with self._tx() as c:
            rows = c.execute(query).all()
            shows = self._show_ids(c)
        return [_subscriber(r, shows.get(r.id, ())) for r in rows]

    def subscriber(self, email: str) -> Subscriber | None:
        """One subscriber by address (case-insensitive), or None."""
        sb = t.subscribers.c
        with self._tx() as c:
            r = c.execute(
                sa.select(t.subscribers).where(sa.func.lower(sb.email) == email.lower())
            ).first()
            shows = self._show_ids(c, r.id) if r else {}
        return _subscriber(r, shows.get(r.id, ())) if r else None

    def _show_ids(self, c: sa.Connection, sub_id: int | None = None) -> dict[int, tuple[int, ...]]:
        ss = t.subscriptions.c
        query = sa.select(ss.subscriber_id, ss.show_id).order_by(ss.subscriber_id, ss.show_id)
        if sub_id is not None:
            query = query.where(ss.subscriber_id == sub_id)
        out: dict[int, list[int]] = {}
        for r in c.execute(query):
            out.setdefault(r.subscriber_id, []).append(r.show_id)
        return {k: tuple(v) for k, v in out.items()}

    def set_preferences(
        self,
        subscriber_id: int,
        *,
        tz: str | None = None,
        send_hour: int | None = None,
        topics: str | None = None,
        show_ids: Sequence[int] | None = None,
    ) -> None:
        """Change a subscriber's time zone, hour, topics or shows (None: unchanged)."""
        values: dict[str, Any] = {}
        if tz is not None:
            values["tz"] = tz
        if send_hour is not None:
            values["send_hour"] = send_hour
        if topics is not None:
            values["topics"] = topics or None
        with self._tx() as c:
            if values:
                c.execute(
                    t.subscribers.update().where(t.subscribers.c.id == subscriber_id).values(values)
                )
            if show_ids is not None:
                ss = t.subscriptions.c
                c.execute(t.subscriptions.delete().where(ss.subscriber_id == subscriber_id))
                if show_ids:
                    c.execute(
                        t.subscriptions.insert(),
                        [{"subscriber_id": subscriber_id, "show_id": s} for s in set(show_ids)],
                    )

    def set_subscriber_status(self, subscriber_id: int, status: str, now: datetime) -> None:
        """Set pending / active / unsubscribed / suspended (confirming stamps the time)."""
        values: dict[str, Any] = {"status": status}
        if status == "active":
            values.update(confirmed_at=now, bounces=0)
        with self._tx() as c:
            c.execute(
                t.subscribers.update().where(t.subscribers.c.id == subscriber_id).values(values)
            )

    def count_bounce(self, subscriber_id: int, threshold: int) -> bool:
        """Count a permanent failure; suspend at ``threshold``. Return True when suspended."""
        sb = t.subscribers.c
        with self._tx() as c:
            c.execute(
                t.subscribers.update().where(sb.id == subscriber_id).values(bounces=sb.bounces + 1)
            )
            bounces = c.execute(sa.select(sb.bounces).where(sb.id == subscriber_id)).scalar_one()
            if threshold and bounces >= threshold:
                c.execute(
                    t.subscribers.update()
                    .where(sb.id == subscriber_id, sb.status == "active")
                    .values(status="suspended")
                )
                return True
        return False

    def reset_bounces(self, subscriber_id: int) -> None:
        """A delivered message clears the bounce count."""
        sb = t.subscribers.c
        with self._tx() as c:
            c.execute(
                t.subscribers.update()
                .where(sb.id == subscriber_id, sb.bounces > 0)
                .values(bounces=0)
            )

    def show_ids_named(self, names: Sequence[str]) -> dict[str, int | None]:
        """Resolve shows by feed URL or title (case-insensitive); None where none matches."""
        sh = t.shows.c
        with self._tx() as c:
            rows = c.execute(sa.select(sh.id, sh.feed_url, sh.title)).all()
        out: dict[str, int | None] = {}
        for name in names:
            key = name.strip().casefold()
            out[name] = next(
                (r.id for r in rows if key in (r.feed_url.casefold(), (r.title or "").casefold())),
                None,
            )
        return out


def _insert_or_ignore(c: sa.Connection, table: sa.Table) -> Any:
    """INSERT … ON CONFLICT DO NOTHING in the connection's dialect (SQLite or PostgreSQL)."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # same API
    return insert(table).on_conflict_do_nothing()


def _subscriber(r: Any, show_ids: tuple[int, ...]) -> Subscriber:
    return Subscriber(
        r.id,
        r.email,
        r.tz,
        r.send_hour,
        r.status,
        topics=r.topics,
        show_ids=show_ids,
        bounces=r.bounces or 0,
        confirmed_at=r.confirmed_at,
    )
