"""Insights, cached vectors and stories in the store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podsift.models import (
    Insight,
    Mention,
    StoryView,
    text_hash,
)
from podsift.store import schema as t
from podsift.store.base import StoreBase, _chunks
from podsift.store.records import InsightRow

if TYPE_CHECKING:
    from podsift.store.base import Vector


class StoryRows(StoreBase):
    """Insights, the vector cache (a ``podsift.stories.VectorCache``) and stories."""

    # -- insights ------------------------------------------------------------------------

    def save_insights(
        self, episode_id: int, extractor: str, found: Sequence[Insight], now: datetime
    ) -> int:
        """Store an episode's insights from one extractor, once; mark the episode extracted."""
        i = t.insights.c
        with self._tx() as c:
            have = set(c.execute(sa.select(i.id).where(i.episode_id == episode_id)).scalars())
            new = [x for x in found if x.id not in have]
            if new:
                c.execute(
                    t.insights.insert(),
                    [
                        {
                            "id": x.id,
                            "episode_id": episode_id,
                            "extractor": extractor,
                            "text": x.text,
                            "quote": x.quote,
                            "speaker": x.speaker,
                            "start": x.start,
                            "end": x.end,
                            "score": x.score,
                            "text_hash": text_hash(x.text),
                            "created_at": now,
                        }
                        for x in new
                    ],
                )
            c.execute(
                t.episodes.update()
                .where(t.episodes.c.id == episode_id)
                .values(state="extracted", error=None)
            )
        return len(new)

    def unassigned_insights(self) -> list[InsightRow]:
        """Insights that belong to no story yet, in canonical order (published, then id)."""
        i, e, s, m = t.insights.c, t.episodes.c, t.shows.c, t.story_members.c
        query = (
            sa.select(
                i.id,
                i.episode_id,
                s.title.label("show_title"),
                s.feed_url,
                i.text,
                i.score,
                e.published,
                i.created_at,
            )
            .join(t.episodes, e.id == i.episode_id)
            .join(t.shows, s.id == e.show_id)
            .outerjoin(t.story_members, m.insight_id == i.id)
            .where(m.insight_id.is_(None))
        )
        with self._tx() as c:
            rows = c.execute(query).all()
        found = [
            InsightRow(  # a show is named as its mentions name it: its title, else its feed
                r.id,
                r.episode_id,
                r.show_title or r.feed_url,
                r.text,
                r.score,
                r.published,
                r.created_at,
            )
            for r in rows
        ]
        return sorted(found, key=lambda r: (r.published or r.created_at, r.id))

    # -- embeddings (a VectorCache for podsift.stories) ----------------------------------

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vector]:
        """Cached vectors of ``model`` for the given text hashes."""
        import numpy as np  # lazily: most commands never read a vector (#20)

        out: dict[str, Vector] = {}
        em = t.embeddings.c
        with self._tx() as c:
            for chunk in _chunks(list(dict.fromkeys(hashes)), 500):
                rows = c.execute(
                    sa.select(em.text_hash, em.vector).where(
                        em.model == model, em.text_hash.in_(chunk)
                    )
                ).all()
                out.update({r.text_hash: np.frombuffer(r.vector, dtype="<f4") for r in rows})
        return out

    def put_many(self, model: str, vectors: dict[str, Vector]) -> None:
        """Cache vectors of ``model`` by text hash (existing ones are kept)."""
        have = self.get_many(model, list(vectors))
        rows = [
            {"model": model, "text_hash": h, "vector": v.astype("<f4").tobytes()}
            for h, v in vectors.items()
            if h not in have
        ]
        if rows:
            with self._tx() as c:
                c.execute(t.embeddings.insert(), rows)

    # -- stories -------------------------------------------------------------------------

    def story_centroids(self, model: str, since: datetime) -> list[tuple[str, Vector]]:
        """(id, centroid) of the stories of ``model`` seen since ``since``, by id."""
        import numpy as np

        st = t.stories.c
        with self._tx() as c:
            rows = c.execute(
                sa.select(st.id, st.centroid)
                .where(st.model == model, st.last_seen >= since)
                .order_by(st.id)
            ).all()
        return [(r.id, np.frombuffer(r.centroid, dtype="<f4")) for r in rows]

    def stories_of_other_models(self, model: str, since: datetime) -> dict[str, list[str]]:
        """Member texts of the stories seen since ``since`` whose centroid is not ``model``'s
        (the configured embedder changed), by story id."""
        st, m, i = t.stories.c, t.story_members.c, t.insights.c
        with self._tx() as c:
            rows = c.execute(
                sa.select(st.id, i.text)
                .join(t.story_members, m.story_id == st.id)
                .join(t.insights, i.id == m.insight_id)
                .where(st.model != model, st.last_seen >= since)
                .order_by(st.id, i.id)
            ).all()
        out: dict[str, list[str]] = {}
        for r in rows:
            out.setdefault(r.id, []).append(r.text)
        return out

    def adopt_story(self, story_id: str, model: str, centroid: Vector) -> None:
        """Give a story ``model``'s centroid, and the representative nearest it."""
        st, m = t.stories.c, t.story_members.c
        with self._tx() as c:
            ids = list(c.execute(sa.select(m.insight_id).where(m.story_id == story_id)).scalars())
            summary = self._story_summary(c, ids, model, centroid)
            c.execute(
                t.stories.update()
                .where(st.id == story_id)
                .values(model=model, centroid=centroid.astype("<f4").tobytes(), **summary)
            )

    def add_to_story(
        self,
        story_id: str,
        model: str,
        members: Sequence[tuple[str, Vector, float]],
        now: datetime,
    ) -> None:
        """Add insights to a story (creating it) and refresh its centroid and summary.

        ``members`` are (insight id, vector, similarity to the story). The representative
        is the member nearest the new centroid, ties to the higher score.
        """
        st, m = t.stories.c, t.story_members.c
        with self._tx() as c:
            old = c.execute(sa.select(t.stories).where(st.id == story_id)).first()
            centroid = _centroid(old, members)
            if old is None:  # members refer to the story: create it first, summary below
                c.execute(
                    t.stories.insert().values(
                        id=story_id,
                        model=model,
                        representative_id=members[0][0],
                        centroid=centroid.astype("<f4").tobytes(),
                        size=0,
                        show_count=0,
                        first_seen=now,
                        last_seen=now,
                        created_at=now,
                    )
                )
            c.execute(
                t.story_members.insert(),
                [
                    {"insight_id": i, "story_id": story_id, "similarity": sim}
                    for i, _, sim in members
                ],
            )
            ids = list(c.execute(sa.select(m.insight_id).where(m.story_id == story_id)).scalars())
            summary = self._story_summary(c, ids, model, centroid)
            c.execute(
                t.stories.update()
                .where(st.id == story_id)
                .values(centroid=centroid.astype("<f4").tobytes(), **summary)
            )

    def leave_story(self, story_id: str, members: Sequence[tuple[str, Vector]]) -> None:
        """Take insights ``(id, vector)`` out of a story that keeps other members, and refresh
        its centroid and summary. The centroid is the normalised sum of the vectors left, as
        the store holds them for the story's model (else the running sum less the leaving
        ones). The insights then join no story until added to one (:meth:`add_to_story`)."""
        st, m, i, em = t.stories.c, t.story_members.c, t.insights.c, t.embeddings.c
        leaving = [insight_id for insight_id, _ in members]
        with self._tx() as c:
            old = c.execute(sa.select(t.stories).where(st.id == story_id)).one()
            c.execute(
                t.story_members.delete().where(m.story_id == story_id, m.insight_id.in_(leaving))
            )
            ids = list(c.execute(sa.select(m.insight_id).where(m.story_id == story_id)).scalars())
            if not ids:
                raise ValueError(f"story {story_id} would have no member left")
            kept = c.execute(
                sa.select(em.vector)
                .join(t.insights, i.text_hash == em.text_hash)
                .where(i.id.in_(ids), em.model == old.model)
            ).scalars()
            centroid = _without(old, [v for _, v in members], list(kept), len(ids))
            summary = self._story_summary(c, ids, old.model, centroid)
            c.execute(
                t.stories.update()
                .where(st.id == story_id)
                .values(centroid=centroid.astype("<f4").tobytes(), **summary)
            )

    def _story_summary(
        self, c: Connection, ids: list[str], model: str, centroid: Vector
    ) -> dict[str, Any]:
        i, e, em = t.insights.c, t.episodes.c, t.embeddings.c
        rows = c.execute(
            sa.select(i.id, i.score, i.created_at, e.published, e.show_id, em.vector)
            .join(t.episodes, e.id == i.episode_id)
            .outerjoin(t.embeddings, sa.and_(em.text_hash == i.text_hash, em.model == model))
            .where(i.id.in_(ids))
        ).all()

        import numpy as np

        def closeness(r: Any) -> tuple[float, float, str]:
            sim = float(np.frombuffer(r.vector, dtype="<f4") @ centroid) if r.vector else 0.0
            return (-round(sim, 6), -r.score, r.id)

        seen = [r.published or r.created_at for r in rows]
        return {
            "representative_id": min(rows, key=closeness).id,
            "size": len(rows),
            "show_count": len({r.show_id for r in rows}),
            "first_seen": min(seen),
            "last_seen": max(seen),
        }

    def story_views(self, since: datetime) -> list[StoryView]:
        """Stories seen since ``since`` with every mention, the representative first."""
        st, m, i, e, s = (t.stories.c, t.story_members.c, t.insights.c, t.episodes.c, t.shows.c)
        query = (
            sa.select(
                st.id.label("story_id"),
                st.representative_id,
                st.first_seen,
                st.last_seen,
                i.id,
                i.text,
                i.quote,
                i.speaker,
                i.start,
                i.score,
                e.title.label("episode_title"),
                e.key,
                e.link,
                e.audio_url,
                e.published,
                s.title.label("show_title"),
                s.feed_url,
            )
            .join(t.story_members, m.story_id == st.id)
            .join(t.insights, i.id == m.insight_id)
            .join(t.episodes, e.id == i.episode_id)
            .join(t.shows, s.id == e.show_id)
            .where(st.last_seen >= since)
            .order_by(st.id, i.score.desc(), i.id)
        )
        with self._tx() as c:
            rows = c.execute(query).all()
        grouped: dict[str, list[Any]] = {}
        for r in rows:
            grouped.setdefault(r.story_id, []).append(r)
        views = []
        for sid, members in grouped.items():
            members.sort(key=lambda r: r.id != r.representative_id)
            views.append(
                StoryView(
                    sid,
                    tuple(_mention(r) for r in members),
                    members[0].first_seen,
                    members[0].last_seen,
                )
            )
        return views

    # -- what ranking reads about a reader ------------------------------------------------

    def sent_story_shows(self, recipient: str, before: date) -> dict[str, frozenset[str]]:
        """For each story in this recipient's digests of earlier dates, the shows it named."""
        d = t.digests.c
        with self._tx() as c:
            payloads = c.execute(
                sa.select(d.payload).where(d.recipient == recipient, d.date < before)
            ).scalars()
            out: dict[str, set[str]] = {}
            for payload in payloads:
                for item in payload.get("items", []):
                    shows = out.setdefault(item["story_id"], set())
                    shows.add(item["show"])
                    shows.update(a["show"] for a in item.get("also_on", []))
        return {k: frozenset(v) for k, v in out.items()}

    def reader_profile(self, recipient: str) -> tuple[str, frozenset[str]]:
        """A subscriber's free-text topics and the titles of their own shows ("" and none)."""
        sub, sc, s = t.subscribers.c, t.subscriptions.c, t.shows.c
        with self._tx() as c:
            row = c.execute(sa.select(sub.id, sub.topics).where(sub.email == recipient)).first()
            if row is None:
                return "", frozenset()
            titles = c.execute(
                sa.select(s.title)
                .join(t.subscriptions, sc.show_id == s.id)
                .where(sc.subscriber_id == row.id)
            ).scalars()
            return row.topics or "", frozenset(x for x in titles if x)

    def counts(self) -> dict[str, int]:
        """How many rows each main table holds."""
        tables = (
            "shows",
            "episodes",
            "transcripts",
            "insights",
            "stories",
            "digests",
            "deliveries",
            "subscribers",
        )
        with self._tx() as c:
            return {
                name: int(
                    c.execute(
                        sa.select(sa.func.count()).select_from(t.metadata.tables[name])
                    ).scalar_one()
                )
                for name in tables
            }


def _mention(r: Any) -> Mention:
    return Mention(
        insight_id=r.id,
        show=r.show_title or r.feed_url,
        episode=r.episode_title or r.key,
        speaker=r.speaker,
        text=r.text,
        quote=r.quote,
        link=r.link or r.audio_url,
        start=r.start,
        score=r.score,
        published=r.published,
    )


def _without(old: Any, leaving: Sequence[Vector], kept: Sequence[bytes], size: int) -> Vector:
    """A story's direction once ``leaving`` left it: the normalised sum of the ``kept``
    members' stored vectors when there is one for each of its ``size`` members, else the
    running sum less ``leaving``."""
    import numpy as np

    if kept and len(kept) == size:
        total = np.sum([np.frombuffer(v, dtype="<f4") for v in kept], axis=0)
    else:
        total = np.frombuffer(old.centroid, dtype="<f4") * old.size - np.sum(leaving, axis=0)
    norm = float(np.linalg.norm(total))
    unit: Vector = (total / norm if norm else total).astype(np.float32)
    return unit


def _centroid(old: Any, members: Sequence[tuple[str, Vector, float]]) -> Vector:
    """Running mean of unit vectors, renormalised: the story's direction."""
    import numpy as np

    total = np.sum([v for _, v, _ in members], axis=0).astype(np.float32)
    if old is not None:
        total = total + np.frombuffer(old.centroid, dtype="<f4") * old.size
    norm = float(np.linalg.norm(total))
    unit: Vector = (total / norm if norm else total).astype(np.float32)
    return unit
