"""Subscribers, digests, the send ledger and runs in the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from . import schema as t
from .base import StoreBase, _json, _new_id
from .records import DeliveryRow, SubscriberRow


class DeliveryRows(StoreBase):
    """Subscribers, digests written once per recipient and date, the send ledger, runs."""

    # -- subscribers ---------------------------------------------------------------------

    def add_subscriber(self, email: str, now: datetime, tz: str = "UTC", send_hour: int = 7) -> int:
        """Add (or reactivate) a subscriber; return the id."""
        sb = t.subscribers.c
        with self.tx() as c:
            row = c.execute(sa.select(sb.id).where(sb.email == email)).first()
            if row:
                c.execute(
                    t.subscribers.update()
                    .where(sb.id == row.id)
                    .values(tz=tz, send_hour=send_hour, status="active")
                )
                return int(row.id)
            res = c.execute(
                t.subscribers.insert().values(
                    email=email, tz=tz, send_hour=send_hour, status="active", created_at=now
                )
            )
            return _new_id(res)

    def subscribers(self, active_only: bool = False) -> list[SubscriberRow]:
        """Subscribers by id."""
        sb = t.subscribers.c
        query = sa.select(t.subscribers).order_by(sb.id)
        if active_only:
            query = query.where(sb.status == "active")
        with self.tx() as c:
            rows = c.execute(query).all()
        return [SubscriberRow(r.id, r.email, r.tz, r.send_hour, r.status) for r in rows]

    def sent_story_ids(self, recipient: str, before: date) -> frozenset[str]:
        """Stories already put in this recipient's digests of earlier dates."""
        d, di = t.digests.c, t.digest_items.c
        with self.tx() as c:
            rows = c.execute(
                sa.select(di.story_id)
                .join(t.digests, d.id == di.digest_id)
                .where(d.recipient == recipient, d.date < before)
            ).scalars()
            return frozenset(rows)

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
        with self.tx() as c:
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

    def digest_row(self, recipient: str, day: date) -> tuple[int, dict[str, Any]] | None:
        """The stored digest (id, payload) for a recipient and date."""
        d = t.digests.c
        with self.tx() as c:
            row = c.execute(
                sa.select(d.id, d.payload).where(d.recipient == recipient, d.date == day)
            ).first()
        return (int(row.id), _json(row.payload)) if row else None

    def claim_delivery(self, digest_id: int, now: datetime) -> bool:
        """Claim a digest for sending; False when it was claimed or sent before.

        A delivery left as ``retry`` (a temporary failure) is claimed again.
        """
        dl = t.deliveries.c
        with self.tx() as c:
            retried = c.execute(
                t.deliveries.update()
                .where(dl.digest_id == digest_id, dl.status == "retry")
                .values(status="claimed", attempts=dl.attempts + 1, claimed_at=now, error=None)
            )
            if retried.rowcount:
                return True
            try:
                c.execute(
                    t.deliveries.insert().values(
                        digest_id=digest_id,
                        channel="email",
                        status="claimed",
                        attempts=1,
                        claimed_at=now,
                    )
                )
            except sa.exc.IntegrityError:
                return False
        return True

    def finish_delivery(
        self,
        digest_id: int,
        status: str,
        now: datetime,
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        """Record how a claimed send ended: sent, failed or unknown."""
        with self.tx() as c:
            c.execute(
                t.deliveries.update()
                .where(t.deliveries.c.digest_id == digest_id)
                .values(
                    status=status,
                    message_id=message_id,
                    error=error,
                    sent_at=now if status == "sent" else None,
                )
            )

    def deliveries(self) -> list[DeliveryRow]:
        """The send ledger, newest digest first."""
        dl, d = t.deliveries.c, t.digests.c
        with self.tx() as c:
            rows = c.execute(
                sa.select(dl.digest_id, d.recipient, dl.status, dl.message_id, dl.attempts)
                .join(t.digests, d.id == dl.digest_id)
                .order_by(dl.digest_id.desc())
            ).all()
        return [
            DeliveryRow(r.digest_id, r.recipient, r.status, r.message_id, r.attempts) for r in rows
        ]

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, stage: str, now: datetime) -> int:
        """Record that a stage started."""
        with self.tx() as c:
            res = c.execute(
                t.runs.insert().values(stage=stage, started_at=now, status="running", counts={})
            )
            return _new_id(res)

    def finish_run(
        self, run_id: int, now: datetime, counts: dict[str, int], error: str | None = None
    ) -> None:
        """Record how a stage ended."""
        with self.tx() as c:
            c.execute(
                t.runs.update()
                .where(t.runs.c.id == run_id)
                .values(
                    finished_at=now,
                    counts=counts,
                    error=error,
                    status="failed" if error else "done",
                )
            )
