"""Subscribers' feedback on stories ("more like this" / "less like this") in the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from podsift.store import schema as t
from podsift.store.base import StoreBase
from podsift.store.records import FeedbackRow

FEEDBACK_READ = 200
"""How many of a subscriber's newest votes ranking learns from (older ones are kept, unread)."""


class FeedbackRows(StoreBase):
    """Votes: one per subscriber and story, the newer replacing the older."""

    def record_feedback(self, subscriber_id: int, story_id: str, value: int, now: datetime) -> bool:
        """Store ``subscriber_id``'s vote (+1 or -1) on ``story_id``; False if no such story.

        A second vote on the same story replaces the first (its value and its time).

        Raises:
            ValueError: ``value`` is not +1 or -1.
        """
        if value not in (1, -1):
            raise ValueError(f"a vote is +1 or -1, not {value}")
        st, fb = t.stories.c, t.feedback.c
        with self._tx() as c:
            if c.execute(sa.select(st.id).where(st.id == story_id)).first() is None:
                return False
            row = {"subscriber_id": subscriber_id, "story_id": story_id, "value": value,
                   "created_at": now}  # fmt: skip
            upsert = _insert(c, t.feedback).values(**row)
            c.execute(
                upsert.on_conflict_do_update(
                    index_elements=[fb.subscriber_id, fb.story_id],
                    set_={"value": value, "created_at": now},
                )
            )
        return True

    def feedback_of(
        self, recipient: str, model: str, limit: int = FEEDBACK_READ
    ) -> list[FeedbackRow]:
        """The newest ``limit`` votes of the subscriber at ``recipient``, newest first.

        Each carries its story's shows and, when the story holds ``model``'s centroid, that
        vector; none for an unknown address.
        """
        import numpy as np

        fb, sub, st = t.feedback.c, t.subscribers.c, t.stories.c
        with self._tx() as c:
            votes = c.execute(
                sa.select(fb.story_id, fb.value, fb.created_at, st.model, st.centroid)
                .join(t.subscribers, sub.id == fb.subscriber_id)
                .join(t.stories, st.id == fb.story_id)
                .where(sub.email == recipient)
                .order_by(fb.created_at.desc(), fb.id.desc())
                .limit(limit)
            ).all()
            shows = self._shows_of(c, [v.story_id for v in votes])
        return [
            FeedbackRow(
                v.story_id,
                v.value,
                v.created_at,
                shows.get(v.story_id, ()),
                np.frombuffer(v.centroid, dtype="<f4") if v.model == model else None,
            )
            for v in votes
        ]

    def _shows_of(self, c: sa.Connection, story_ids: list[str]) -> dict[str, tuple[str, ...]]:
        """The shows (title, else feed URL) that raised each story, in name order."""
        if not story_ids:
            return {}
        m, i, e, s = t.story_members.c, t.insights.c, t.episodes.c, t.shows.c
        name = sa.func.coalesce(sa.func.nullif(s.title, ""), s.feed_url)  # as StoryView names it
        rows = c.execute(
            sa.select(m.story_id, name.label("show"))
            .join(t.insights, i.id == m.insight_id)
            .join(t.episodes, e.id == i.episode_id)
            .join(t.shows, s.id == e.show_id)
            .where(m.story_id.in_(story_ids))
            .distinct()
            .order_by(m.story_id, name)
        ).all()
        out: dict[str, tuple[str, ...]] = {}
        for r in rows:
            out[r.story_id] = (*out.get(r.story_id, ()), r.show)
        return out


def _insert(c: sa.Connection, table: sa.Table) -> Any:
    """INSERT with ON CONFLICT support in the connection's dialect (SQLite or PostgreSQL)."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # same API
    return insert(table)
