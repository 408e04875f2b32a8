"""The send ledger, automatic pauses and runs in the store (digests: :mod:`.digests`).

The ledger (``deliveries``, one row per digest) moves ``claimed`` → ``sent`` | ``retry`` |
``failed``; a claim that never finished becomes ``unknown`` and is only settled by the
operator (``podsift digests reconcile``). ``expired`` and ``empty`` record digests that were
deliberately not sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from podsift.store import schema as t
from podsift.store.base import _new_id
from podsift.store.digests import OPEN, DigestRows
from podsift.store.records import Claimer, LedgerRow, Pause


class DeliveryRows(DigestRows):
    """The send ledger, pauses and runs, over the digests of :class:`DigestRows`."""

    # -- the send ledger -----------------------------------------------------------------

    def claim_delivery(self, digest_id: int, now: datetime, claimer: Claimer | None = None) -> bool:
        """Claim a digest for sending; False when it was claimed, settled, or not yet due.

        ``now`` is the moment of the claim (it stamps ``claimed_at``) and ``claimer`` the
        process making it. A delivery left as ``retry`` is claimed again once its
        ``next_attempt_at`` has come.
        """
        dl = t.deliveries.c
        who = _claimer_values(claimer)
        with self._tx() as c:
            retried = c.execute(
                t.deliveries.update()
                .where(
                    dl.digest_id == digest_id,
                    dl.status == "retry",
                    sa.or_(dl.next_attempt_at.is_(None), dl.next_attempt_at <= now),
                )
                .values(status="claimed", attempts=dl.attempts + 1, claimed_at=now, **who)
            )
            if retried.rowcount:
                return True
        return self._insert_ledger(digest_id, "claimed", now, attempts=1, who=who)

    def _insert_ledger(
        self,
        digest_id: int,
        status: str,
        now: datetime,
        attempts: int,
        error: str | None = None,
        who: dict[str, str | int | None] | None = None,
    ) -> bool:
        """Insert the digest's ledger row in its own transaction; False if one exists."""
        try:
            with self._tx() as c:
                c.execute(
                    t.deliveries.insert().values(
                        digest_id=digest_id,
                        channel="email",
                        status=status,
                        attempts=attempts,
                        error=error,
                        claimed_at=now,
                        **(who or {}),
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
        with self._tx() as c:
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
        with self._tx() as c:
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
        with self._tx() as c:
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
        with self._tx() as c:
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

    def digest_exists(self, digest_id: int) -> bool:
        """Whether a digest with this id is stored."""
        with self._tx() as c:
            found = c.execute(sa.select(t.digests.c.id).where(t.digests.c.id == digest_id))
            return found.first() is not None

    def ledger_row(self, digest_id: int) -> LedgerRow | None:
        """The ledger entry of one digest, or None when it has none (or no such digest)."""
        rows = self._ledger(t.deliveries.c.digest_id == digest_id)
        return rows[0] if rows else None

    def sent_since(self, since: datetime) -> int:
        """Messages sent at or after ``since`` (the rolling hourly limit)."""
        dl = t.deliveries.c
        with self._tx() as c:
            return int(
                c.execute(
                    sa.select(sa.func.count()).where(dl.status == "sent", dl.sent_at >= since)
                ).scalar_one()
            )

    def deliveries(self, status: str | None = None) -> list[LedgerRow]:
        """The send ledger, newest digest first (optionally only one status)."""
        dl = t.deliveries.c
        return self._ledger(dl.status == status if status is not None else None)

    def _ledger(self, where: sa.ColumnElement[bool] | None) -> list[LedgerRow]:
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
                dl.claimed_at,
                dl.claimed_host,
                dl.claimed_pid,
            )
            .join(t.digests, d.id == dl.digest_id)
            .order_by(dl.digest_id.desc())
        )
        if where is not None:
            query = query.where(where)
        with self._tx() as c:
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
                r.claimed_at,
                Claimer(r.claimed_host, r.claimed_pid)
                if r.claimed_host is not None and r.claimed_pid is not None
                else None,
            )
            for r in rows
        ]

    # -- automatic pauses ----------------------------------------------------------------

    def pause_state(self, channel: str = "email") -> Pause:
        """The channel's current run of temporary failures and pause."""
        sp = t.send_pauses.c
        with self._tx() as c:
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
        with self._tx() as c:
            done = c.execute(t.send_pauses.update().where(sp.channel == channel).values(values))
            if not done.rowcount:
                c.execute(t.send_pauses.insert().values(channel=channel, **values))

    # -- runs ----------------------------------------------------------------------------

    def start_run(self, stage: str, now: datetime) -> int:
        """Record that a stage started."""
        with self._tx() as c:
            res = c.execute(
                t.runs.insert().values(stage=stage, started_at=now, status="running", counts={})
            )
            return _new_id(res)

    def finish_run(
        self, run_id: int, now: datetime, counts: dict[str, Any], error: str | None = None
    ) -> None:
        """Record how a run ended: its counts (JSON values) and the error that stopped it."""
        with self._tx() as c:
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

    def last_runs(self) -> dict[str, tuple[datetime, dict[str, Any]]]:
        """Each kind of run's latest finished one: ``{kind: (finished_at, counts)}``."""
        r = t.runs.c
        latest = (
            sa.select(r.stage, sa.func.max(r.id).label("id"))
            .where(r.status == "done")
            .group_by(r.stage)
            .subquery()
        )
        query = sa.select(r.stage, r.finished_at, r.counts).join(latest, latest.c.id == r.id)
        with self._tx() as c:
            return {row.stage: (row.finished_at, dict(row.counts)) for row in c.execute(query)}


def _claimer_values(claimer: Claimer | None) -> dict[str, str | int | None]:
    if claimer is None:
        return {"claimed_host": None, "claimed_pid": None}
    return {"claimed_host": claimer.host[:255], "claimed_pid": claimer.pid}
