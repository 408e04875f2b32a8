"""Work leases on episodes: speech-to-text workers claim, renew, finish or fail an episode.

A claim is a compare-and-set UPDATE in its own transaction, so several processes (or
machines, on PostgreSQL) share the queue without doing an episode twice; a dead worker's
lease simply expires. ``lease_expires_at`` also holds the back-off after a failure: an
episode in state ``no_transcript`` is claimable when it is empty or past.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podsift.store import schema as t
from podsift.store.base import StoreBase
from podsift.store.records import AsrJob

ASR_PENDING = "no_transcript"
ASR_FAILED = "asr_failed"


class WorkRows(StoreBase):
    """Claiming episodes for speech-to-text, with leases and retries."""

    def _claimable(self, now: datetime, max_attempts: int) -> sa.ColumnElement[bool]:
        e = t.episodes.c
        return sa.and_(
            e.state == ASR_PENDING,
            sa.or_(e.lease_expires_at.is_(None), e.lease_expires_at <= now),
            e.asr_attempts < max_attempts,
        )

    def claim_asr(
        self,
        owner: str,
        now: datetime,
        lease: timedelta,
        max_attempts: int,
        published_since: datetime | None = None,
    ) -> AsrJob | None:
        """Claim the oldest claimable episode for ``owner`` until ``now + lease``; ``None``
        when nothing is left.

        PostgreSQL locks the candidate row with ``FOR UPDATE SKIP LOCKED``, so concurrent
        claimers pass each other by; elsewhere a conditional update decides who wins.
        """
        e = t.episodes.c
        query = sa.select(e.id).where(self._claimable(now, max_attempts))
        if published_since is not None:
            query = query.where(sa.or_(e.published.is_(None), e.published >= published_since))
        query = query.order_by(e.published, e.id)
        if self.engine.dialect.name == "postgresql":
            with self._tx() as c:
                episode_id = c.execute(query.limit(1).with_for_update(skip_locked=True)).scalar()
                if episode_id is None:
                    return None
                return self._take(c, episode_id, owner, now, lease, max_attempts)
        with self._tx() as c:
            candidates = list(c.execute(query.limit(8)).scalars())
        for episode_id in candidates:
            # its own write transaction: SQLite waits on the busy timeout here instead of
            # failing to upgrade a read snapshot another worker has made stale
            with self._tx() as c:
                job = self._take(c, episode_id, owner, now, lease, max_attempts)
            if job is not None:
                return job
        return None

    def _take(
        self,
        c: Connection,
        episode_id: int,
        owner: str,
        now: datetime,
        lease: timedelta,
        max_attempts: int,
    ) -> AsrJob | None:
        """Lease one episode if it is still claimable; return its job, else None."""
        e, s = t.episodes.c, t.shows.c
        won = c.execute(
            t.episodes.update()
            .where(e.id == episode_id, self._claimable(now, max_attempts))
            .values(lease_owner=owner, lease_expires_at=now + lease,
                    asr_attempts=e.asr_attempts + 1)
        ).rowcount  # fmt: skip
        if won != 1:
            return None
        r = c.execute(
            sa.select(e.id, e.title, e.key, e.audio_url, e.duration, e.asr_attempts,
                      s.title.label("show_title"), s.feed_url, s.language)
            .join(t.shows, s.id == e.show_id)
            .where(e.id == episode_id)
        ).one()  # fmt: skip
        return AsrJob(
            r.id, r.show_title or r.feed_url, r.title or r.key, r.audio_url, r.duration,
            r.language, r.asr_attempts, owner,
        )  # fmt: skip

    def renew_lease(self, job: AsrJob, now: datetime, lease: timedelta) -> bool:
        """Extend ``job``'s lease; False when the worker has lost it."""
        e = t.episodes.c
        with self._tx() as c:
            n = c.execute(
                t.episodes.update()
                .where(e.id == job.episode_id, e.lease_owner == job.owner)
                .values(lease_expires_at=now + lease)
            ).rowcount
        return n == 1

    def holds_lease(self, job: AsrJob) -> bool:
        """Whether ``job``'s worker still holds its episode (check before storing results)."""
        e = t.episodes.c
        with self._tx() as c:
            row = c.execute(
                sa.select(e.id).where(e.id == job.episode_id, e.lease_owner == job.owner)
            ).first()
        return row is not None

    def finish_asr(self, job: AsrJob, model: str) -> None:
        """After the transcript is stored: note its model and release the lease."""
        e = t.episodes.c
        with self._tx() as c:
            c.execute(
                t.transcripts.update()
                .where(t.transcripts.c.episode_id == job.episode_id)
                .values(model=model)
            )
            c.execute(
                t.episodes.update()
                .where(e.id == job.episode_id)
                .values(lease_owner=None, lease_expires_at=None, asr_error=None)
            )

    def fail_asr(
        self,
        job: AsrJob,
        now: datetime,
        error: str,
        *,
        permanent: bool,
        max_attempts: int,
        retry_after: timedelta,
    ) -> str:
        """Record why ``job`` failed; retry later with a doubling back-off, or give up.

        Returns the episode's new state (``no_transcript`` or ``asr_failed``).
        """
        give_up = permanent or job.attempts >= max_attempts
        state = ASR_FAILED if give_up else ASR_PENDING
        backoff = retry_after * (2 ** max(0, job.attempts - 1))
        e = t.episodes.c
        with self._tx() as c:
            c.execute(
                t.episodes.update()
                .where(e.id == job.episode_id, e.lease_owner == job.owner)
                .values(
                    state=state,
                    error=error if give_up else None,
                    asr_error=error,
                    lease_owner=None,
                    lease_expires_at=None if give_up else now + backoff,
                )
            )
        return state

    def episode_states(self) -> dict[str, tuple[int, datetime | None]]:
        """Episodes by pipeline state: how many, and when the oldest of them was stored."""
        e = t.episodes.c
        query = sa.select(e.state, sa.func.count(), sa.func.min(e.created_at)).group_by(e.state)
        with self._tx() as c:
            rows = c.execute(query).all()
        return {r[0]: (int(r[1]), _aware(r[2])) for r in rows}

    def asr_counts(self, now: datetime, max_attempts: int) -> dict[str, int]:
        """Episodes waiting for speech-to-text: claimable now, leased or backing off, failed."""
        e = t.episodes.c
        with self._tx() as c:
            ready = c.execute(
                sa.select(sa.func.count()).where(self._claimable(now, max_attempts))
            ).scalar_one()
            waiting = c.execute(
                sa.select(sa.func.count()).where(e.state == ASR_PENDING)
            ).scalar_one()
            failed = c.execute(sa.select(sa.func.count()).where(e.state == ASR_FAILED)).scalar_one()
        return {"ready": ready, "waiting": waiting - ready, "failed": failed}

    def asr_model(self, episode_id: int) -> str | None:
        """The speech-to-text model of an episode's stored transcript, if it has one."""
        tr = t.transcripts.c
        with self._tx() as c:
            return c.execute(
                sa.select(tr.model).where(tr.episode_id == episode_id)
            ).scalar_one_or_none()


def _aware(value: Any) -> datetime | None:
    """Aggregates skip the column type, so SQLite hands back text or a naive datetime."""
    if value is None:
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo else when.replace(tzinfo=UTC)
