"""Digests, the send ledger, automatic pauses and runs in the store.

The ledger (``deliveries``, one row per digest) moves ``claimed`` → ``sent`` | ``retry`` |
``failed``; a claim that never finished becomes ``unknown`` and is only settled by the
operator (``podsift digests reconcile``). ``expired`` and ``empty`` record digests that were
deliberately not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from . import schema as t
from .base import _json, _new_id
from .records import DeliveryRow
from .subscribers import Subscriber, SubscriberRows, _subscriber

OPEN = ("retry",)
"""Ledger states a send may (re)claim once due."""


@dataclass(frozen=True, slots=True)
class LedgerRow(DeliveryRow):
    """A send ledger entry with its date, error and next attempt."""

    date: date | None = None
    error: str | None = None
    smtp_code: int | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DigestDraft:
    """A digest to store (see :meth:`DeliveryRows.save_digests`)."""

    recipient: str
    day: date
    payload: dict[str, Any]
    story_ids: Sequence[str]
    subscriber_id: int | None = None


@dataclass(frozen=True, slots=True)
class PendingDigest:
    """A stored subscriber digest that has not been delivered (no ledger row, or ``retry``)."""

    digest_id: int
    subscriber: Subscriber
    date: date
    payload: dict[str, Any]
    status: str | None
    attempts: int
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class Pause:
    """A channel's run of temporary failures and the pause it earned."""

    failures: int
    paused_until: datetime | None
    reason: str | None


class DeliveryRows(SubscriberRows):
    """Digests written once per recipient and date, the send ledger, pauses, runs."""

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
            with self.tx() as c:
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
        with self.tx() as c:
            row = c.execute(
                sa.select(d.id, d.payload).where(d.recipient == recipient, d.date == day)
            ).first()
        return (int(row.id), _json(row.payload)) if row else None

    def digests_of(
        self, recipient: str, limit: int = 30
    ) -> list[tuple[date, dict[str, Any], datetime]]:
        """A recipient's stored digests, newest first: (date, payload, created_at)."""
        d = t.digests.c
        with self.tx() as c:
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
        with self.tx() as c:
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

    # -- the send ledger -----------------------------------------------------------------

    def claim_delivery(self, digest_id: int, now: datetime) -> bool:
        """Claim a digest for sending; False when it was claimed, settled, or not yet due.

        A delivery left as ``retry`` is claimed again once its ``next_attempt_at`` has come.
        """
        dl = t.deliveries.c
        with self.tx() as c:
            retried = c.execute(
                t.deliveries.update()
                .where(
                    dl.digest_id == digest_id,
                    dl.status == "retry",
                    sa.or_(dl.next_attempt_at.is_(None), dl.next_attempt_at <= now),
                )
                .values(status="claimed", attempts=dl.attempts + 1, claimed_at=now)
            )
            if retried.rowcount:
                return True
        return self._insert_ledger(digest_id, "claimed", now, attempts=1)

    def _insert_ledger(
        self, digest_id: int, status: str, now: datetime, attempts: int, error: str | None = None
    ) -> bool:
        """Insert the digest's ledger row in its own transaction; False if one exists."""
        try:
            with self.tx() as c:
                c.execute(
                    t.deliveries.insert().values(
                        digest_id=digest_id,
                        channel="email",
                        status=status,
                        attempts=attempts,
                        error=error,
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
        *,
        smtp_code: int | None = None,
        next_attempt_at: datetime | None = None,
    ) -> None:
        """Record how a claimed send ended: sent, retry (with its next attempt) or failed."""
        with self.tx() as c:
            c.execute(
                t.deliveries.update()
                .where(t.deliveries.c.digest_id == digest_id)
                .values(
                    status=status,
                    message_id=message_id,
                    error=error,
                    smtp_code=smtp_code,
                    next_attempt_at=next_attempt_at,
                    sent_at=now if status == "sent" else None,
                )
            )

    def settle_undelivered(self, digest_id: int, status: str, now: datetime, reason: str) -> bool:
        """Record a digest deliberately not sent (``expired``, ``empty``); False if settled."""
        dl = t.deliveries.c
        with self.tx() as c:
            done = c.execute(
                t.deliveries.update()
                .where(dl.digest_id == digest_id, dl.status.in_(OPEN))
                .values(status=status, error=reason, next_attempt_at=None)
            )
            if done.rowcount:
                return True
        return self._insert_ledger(digest_id, status, now, attempts=0, error=reason)

    def mark_unknown(self, claimed_before: datetime) -> list[str]:
        """Turn claims older than ``claimed_before`` into ``unknown``; return the recipients."""
        dl, d = t.deliveries.c, t.digests.c
        with self.tx() as c:
            rows = c.execute(
                sa.select(dl.digest_id, d.recipient)
                .join(t.digests, d.id == dl.digest_id)
                .where(dl.status == "claimed", dl.claimed_at < claimed_before)
            ).all()
            if rows:
                c.execute(
                    t.deliveries.update()
                    .where(dl.digest_id.in_([r.digest_id for r in rows]), dl.status == "claimed")
                    .values(
                        status="unknown",
                        error="the process stopped during the send: it may have gone out",
                    )
                )
        return [r.recipient for r in rows]

    def reconcile(self, digest_id: int, decision: str, now: datetime) -> bool:
        """Settle an ``unknown`` send: ``sent`` (it arrived), ``resend`` or ``failed``."""
        status = {"sent": "sent", "resend": "retry", "failed": "failed"}[decision]
        dl = t.deliveries.c
        with self.tx() as c:
            done = c.execute(
                t.deliveries.update()
                .where(dl.digest_id == digest_id, dl.status == "unknown")
                .values(
                    status=status,
                    next_attempt_at=now if status == "retry" else None,
                    sent_at=now if status == "sent" else None,
                    error=f"reconciled by the operator: {decision}",
                )
            )
        return bool(done.rowcount)

    def sent_since(self, since: datetime) -> int:
        """Messages sent at or after ``since`` (the rolling hourly limit)."""
        dl = t.deliveries.c
        with self.tx() as c:
            return int(
                c.execute(
                    sa.select(sa.func.count()).where(dl.status == "sent", dl.sent_at >= since)
                ).scalar_one()
            )

    def deliveries(self, status: str | None = None) -> list[LedgerRow]:
        """The send ledger, newest digest first (optionally only one status)."""
        dl, d = t.deliveries.c, t.digests.c
        query = (
            sa.select(
                dl.digest_id,
                d.recipient,
                d.date,
                dl.status,
                dl.message_id,
                dl.attempts,
                dl.error,
                dl.smtp_code,
                dl.next_attempt_at,
            )
            .join(t.digests, d.id == dl.digest_id)
            .order_by(dl.digest_id.desc())
        )
        if status is not None:
            query = query.where(dl.status == status)
        with self.tx() as c:
            rows = c.execute(query).all()
        return [
            LedgerRow(
                r.digest_id,
                r.recipient,
                r.status,
                r.message_id,
                r.attempts,
                r.date,
                r.error,
                r.smtp_code,
                r.next_attempt_at,
            )
            for r in rows
        ]

    # -- automatic pauses ----------------------------------------------------------------

    def pause_state(self, channel: str = "email") -> Pause:
        """The channel's current run of temporary failures and pause."""
        sp = t.send_pauses.c
        with self.tx() as c:
            r = c.execute(sa.select(t.send_pauses).where(sp.channel == channel)).first()
        return Pause(r.failures, r.paused_until, r.reason) if r else Pause(0, None, None)

    def save_pause(self, pause: Pause, channel: str = "email") -> None:
        """Store the channel's failure run and pause."""
        sp = t.send_pauses.c
        values = {
            "failures": pause.failures,
            "paused_until": pause.paused_until,
            "reason": pause.reason,
        }
        with self.tx() as c:
            done = c.execute(t.send_pauses.update().where(sp.channel == channel).values(values))
            if not done.rowcount:
                c.execute(t.send_pauses.insert().values(channel=channel, **values))

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
