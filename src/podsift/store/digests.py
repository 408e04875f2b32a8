"""Digests in the store: written once per recipient and date, read back for sending."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from podsift.store import schema as t
from podsift.store.base import _json, _new_id
from podsift.store.records import DigestDraft, PendingDigest
from podsift.store.subscribers import SubscriberRows, _subscriber

OPEN = ("retry",)
"""Ledger states a send may (re)claim once due."""


class DigestRows(SubscriberRows):
    """Digests written once per recipient and date, and those still to send."""

    # -- digests -------------------------------------------------------------------------

    def save_digest(
        self,
        recipient: str,
        day: date,
        payload: dict[str, Any],
        story_ids: Sequence[str],
        now: datetime,
        subscriber_id: int | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Store a digest once per recipient and date; return the stored (id, payload).

        A digest already stored for that recipient and date wins: it was written before any
        send, so what is sent is what was stored.
        """
        d = t.digests.c
        with self._tx() as c:
            row = c.execute(
                sa.select(d.id, d.payload).where(d.recipient == recipient, d.date == day)
            ).first()
            if row:
                return int(row.id), _json(row.payload)
            res = c.execute(
                t.digests.insert().values(
                    subscriber_id=subscriber_id,
                    recipient=recipient,
                    date=day,
                    payload=payload,
                    created_at=now,
                )
            )
            digest_id = _new_id(res)
            if story_ids:
                c.execute(
                    t.digest_items.insert(),
                    [
                        {"digest_id": digest_id, "rank": n, "story_id": sid}
                        for n, sid in enumerate(story_ids, start=1)
                    ],
                )
            return digest_id, payload

    def save_digests(
        self, drafts: Sequence[DigestDraft], now: datetime
    ) -> list[tuple[int, dict[str, Any]]]:
        """Store many digests in one transaction (executemany); return each stored (id, payload).

        Same rule as :meth:`save_digest`: a digest already stored for a recipient and date
        wins. If another writer inserts one of them meanwhile, the batch falls back to one
        :meth:`save_digest` per draft.
        """
        if not drafts:
            return []
        try:
            with self._tx() as c:
                found = self._digests_by_key(c, drafts)
                new = [x for x in drafts if (x.recipient, x.day) not in found]
                if new:
                    c.execute(t.digests.insert(), [
                        {"subscriber_id": x.subscriber_id, "recipient": x.recipient,
                         "date": x.day, "payload": x.payload, "created_at": now}
                        for x in new
                    ])  # fmt: skip
                    ids = self._digests_by_key(c, new)
                    items = [
                        {"digest_id": ids[(x.recipient, x.day)][0], "rank": n, "story_id": sid}
                        for x in new
                        for n, sid in enumerate(x.story_ids, start=1)
                    ]
                    if items:
                        c.execute(t.digest_items.insert(), items)
                    found.update({k: (ids[k][0], x.payload) for x in new
                                  for k in [(x.recipient, x.day)]})  # fmt: skip
        except sa.exc.IntegrityError:
            return [
                self.save_digest(x.recipient, x.day, x.payload, x.story_ids, now, x.subscriber_id)
                for x in drafts
            ]
        return [found[(x.recipient, x.day)] for x in drafts]

    @staticmethod
    def _digests_by_key(
        c: sa.Connection, drafts: Sequence[DigestDraft]
    ) -> dict[tuple[str, date], tuple[int, dict[str, Any]]]:
        d = t.digests.c
        out: dict[tuple[str, date], tuple[int, dict[str, Any]]] = {}
        wanted = {(x.recipient, x.day) for x in drafts}
        recipients = sorted({x.recipient for x in drafts})
        days = sorted({x.day for x in drafts})
        for start in range(0, len(recipients), 500):
            rows = c.execute(
                sa.select(d.id, d.recipient, d.date, d.payload).where(
                    d.recipient.in_(recipients[start : start + 500]), d.date.in_(days)
                )
            ).all()
            for r in rows:
                if (r.recipient, r.date) in wanted:
                    out[(r.recipient, r.date)] = (int(r.id), _json(r.payload))
        return out

    def digest_row(self, recipient: str, day: date) -> tuple[int, dict[str, Any]] | None:
        """The stored digest (id, payload) for a recipient and date."""
        d = t.digests.c
        with self._tx() as c:
            row = c.execute(
                sa.select(d.id, d.payload).where(d.recipient == recipient, d.date == day)
            ).first()
        return (int(row.id), _json(row.payload)) if row else None

    def digests_of(
        self, recipient: str, limit: int = 30
    ) -> list[tuple[date, dict[str, Any], datetime]]:
        """A recipient's stored digests, newest first: (date, payload, created_at)."""
        d = t.digests.c
        with self._tx() as c:
            rows = c.execute(
                sa.select(d.date, d.payload, d.created_at)
                .where(d.recipient == recipient)
                .order_by(d.date.desc())
                .limit(limit)
            ).all()
        return [(r.date, _json(r.payload), r.created_at) for r in rows]

    def pending_digests(self) -> list[PendingDigest]:
        """Subscriber digests with no ledger row or a ``retry`` one, oldest date first."""
        d, dl, sb = t.digests.c, t.deliveries.c, t.subscribers.c
        query = (
            sa.select(
                d.id.label("digest_id"),
                d.date,
                d.payload,
                dl.status.label("dstatus"),
                dl.attempts,
                dl.next_attempt_at,
                t.subscribers,
            )
            .join(t.subscribers, sb.id == d.subscriber_id)
            .outerjoin(t.deliveries, dl.digest_id == d.id)
            .where(sa.or_(dl.status.is_(None), dl.status.in_(OPEN)))
            .order_by(d.date, d.id)
        )
        with self._tx() as c:
            rows = c.execute(query).all()
            shows = self._show_ids(c)
        return [
            PendingDigest(
                r.digest_id,
                _subscriber(r, shows.get(r.id, ())),
                r.date,
                _json(r.payload),
                r.dstatus,
                r.attempts or 0,
                r.next_attempt_at,
            )
            for r in rows
        ]
