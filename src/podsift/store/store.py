"""The Store: typed methods over the tables in ``schema.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from podsift.exceptions import StoreError
from podsift.models import Episode, Insight, Mention, Segment, Show, StoryView, Transcript
from podsift.models import TranscriptLink, text_hash

from . import schema as t
from .records import DeliveryRow, EpisodeRow, InsightRow, ShowRow, SubscriberRow

MIGRATIONS = Path(__file__).parent / "migrations"
Vector = npt.NDArray[np.float32]


def resolve_db_url(db: str) -> str:
    """Turn a ``--db`` / ``PODSIFT_DB`` value (a path or a URL) into a SQLAlchemy URL."""
    if "://" in db:
        return (
            db.replace("postgresql://", "postgresql+psycopg://", 1)
            if db.startswith("postgresql://")
            else db
        )
    if db == ":memory:":
        return "sqlite://"
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def open_store(db: str) -> Store:
    """Open (creating and migrating as needed) the store at ``db``.

    Raises:
        StoreError: the database cannot be created, opened or migrated.
    """
    url = resolve_db_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"{db}: cannot create the store's folder ({e.strerror})") from e
    try:
        engine = _engine(url)
        with engine.begin() as conn:
            _migrate(conn)
    except SQLAlchemyError as e:
        raise StoreError(f"{db}: cannot open the store ({_first_line(e)})") from e
    return Store(engine)


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def _migrate(conn: Connection) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def _first_line(e: BaseException) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


class Store:
    """podsift's persistent state. Methods are small transactions; rows come back typed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- shows ---------------------------------------------------------------------------

    def add_show(self, feed_url: str, now: datetime, title: str | None = None) -> tuple[int, bool]:
        """Add a show by feed URL; return its id and whether it is new."""
        with self.tx() as c:
            row = c.execute(sa.select(t.shows.c.id).where(t.shows.c.feed_url == feed_url)).first()
            if row:
                return int(row.id), False
            res = c.execute(
                t.shows.insert().values(
                    feed_url=feed_url, title=title, state="new", error_count=0, created_at=now
                )
            )
            return int(res.inserted_primary_key[0]), True

    def shows(self) -> list[ShowRow]:
        """Every show, by id."""
        cols = t.shows.c
        with self.tx() as c:
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

    def record_poll(
        self,
        show_id: int,
        now: datetime,
        *,
        status: int | None,
        show: Show | None = None,
        validators: tuple[str | None, str | None, str | None] | None = None,
        error: str | None = None,
    ) -> None:
        """Store a poll's outcome: new show metadata and validators, or the error."""
        values: dict[str, Any] = {"last_polled_at": now, "last_status": status}
        if error is not None:
            values |= {
                "state": "failing",
                "last_error": error,
                "error_count": t.shows.c.error_count + 1,
            }
        else:
            values |= {"state": "ok", "last_error": None, "error_count": 0}
        if validators is not None:
            values |= dict(zip(("etag", "last_modified", "body_hash"), validators, strict=True))
        if show is not None:
            values |= {
                "title": show.title,
                "link": show.link,
                "guid": show.guid,
                "author": show.author,
                "image": show.image,
                "language": show.language,
            }
        with self.tx() as c:
            c.execute(t.shows.update().where(t.shows.c.id == show_id).values(**values))

    # -- episodes ------------------------------------------------------------------------

    def add_episodes(self, show_id: int, episodes: Iterable[Episode], now: datetime) -> int:
        """Store the episodes not seen before (keyed by GUID, URL, title + date)."""
        added = 0
        with self.tx() as c:
            known = set(
                c.execute(
                    sa.select(t.episodes.c.key).where(t.episodes.c.show_id == show_id)
                ).scalars()
            )
            for ep in episodes:
                if ep.key in known:
                    continue
                known.add(ep.key)
                c.execute(
                    t.episodes.insert().values(
                        show_id=show_id,
                        key=ep.key[:2048],
                        guid=ep.guid,
                        title=ep.title,
                        published=ep.published,
                        link=ep.link,
                        audio_url=ep.audio_url,
                        duration=ep.duration,
                        transcript_links=[_link_json(x) for x in ep.transcripts],
                        state="new",
                        created_at=now,
                    )
                )
                added += 1
        return added

    def episodes(
        self,
        states: Sequence[str],
        published_since: datetime | None = None,
        published_until: datetime | None = None,
    ) -> list[EpisodeRow]:
        """Episodes in any of ``states``, oldest first, optionally within a publication window.

        An episode with no date is always in the window.
        """
        e, s = t.episodes.c, t.shows.c
        query = (
            sa.select(t.episodes, s.title.label("show_title"), s.feed_url)
            .join(t.shows, s.id == e.show_id)
            .where(e.state.in_(states))
            .order_by(e.published, e.id)
        )
        if published_since is not None:
            query = query.where(sa.or_(e.published.is_(None), e.published >= published_since))
        if published_until is not None:
            query = query.where(sa.or_(e.published.is_(None), e.published <= published_until))
        with self.tx() as c:
            rows = c.execute(query).all()
        return [_episode_row(r) for r in rows]

    def set_episode_state(self, episode_id: int, state: str, error: str | None = None) -> None:
        """Move an episode along the pipeline, or record why it failed."""
        with self.tx() as c:
            c.execute(
                t.episodes.update()
                .where(t.episodes.c.id == episode_id)
                .values(state=state, error=error)
            )

    # -- transcripts ---------------------------------------------------------------------

    def save_transcript(
        self, episode_id: int, transcript: Transcript, now: datetime, origin: str = "publisher"
    ) -> None:
        """Store an episode's transcript and segments (replacing an earlier one)."""
        digest = text_hash(
            "\n".join(f"{s.start}|{s.speaker}|{s.text}" for s in transcript.segments)
        )
        with self.tx() as c:
            c.execute(t.transcripts.delete().where(t.transcripts.c.episode_id == episode_id))
            res = c.execute(
                t.transcripts.insert().values(
                    episode_id=episode_id,
                    source=transcript.source,
                    format=transcript.format,
                    origin=origin,
                    language=transcript.language,
                    content_hash=digest,
                    fetched_at=now,
                )
            )
            tid = int(res.inserted_primary_key[0])
            rows = [
                {
                    "transcript_id": tid,
                    "position": i,
                    "start": s.start,
                    "end": s.end,
                    "speaker": s.speaker,
                    "text": s.text,
                }
                for i, s in enumerate(transcript.segments)
            ]
            if rows:
                c.execute(t.segments.insert(), rows)
            c.execute(
                t.episodes.update()
                .where(t.episodes.c.id == episode_id)
                .values(state="transcribed", error=None)
            )

    def transcript(self, episode_id: int) -> Transcript | None:
        """The stored transcript of an episode, if any."""
        tr, sg = t.transcripts.c, t.segments.c
        with self.tx() as c:
            head = c.execute(sa.select(t.transcripts).where(tr.episode_id == episode_id)).first()
            if head is None:
                return None
            rows = c.execute(
                sa.select(t.segments).where(sg.transcript_id == head.id).order_by(sg.position)
            ).all()
        segs = tuple(Segment(r.start, r.end, r.speaker, r.text) for r in rows)
        return Transcript(head.source, head.format, segs, head.language)

    # -- insights ------------------------------------------------------------------------

    def save_insights(
        self, episode_id: int, extractor: str, found: Sequence[Insight], now: datetime
    ) -> int:
        """Store an episode's insights from one extractor, once; mark the episode extracted."""
        i = t.insights.c
        with self.tx() as c:
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
        with self.tx() as c:
            rows = c.execute(query).all()
        found = [
            InsightRow(
                r.id, r.episode_id, r.show_title or "", r.text, r.score, r.published, r.created_at
            )
            for r in rows
        ]
        return sorted(found, key=lambda r: (r.published or r.created_at, r.id))

    # -- embeddings (a VectorCache for podsift.cluster) ----------------------------------

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vector]:
        """Cached vectors of ``model`` for the given text hashes."""
        out: dict[str, Vector] = {}
        em = t.embeddings.c
        with self.tx() as c:
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
            with self.tx() as c:
                c.execute(t.embeddings.insert(), rows)

    # -- stories -------------------------------------------------------------------------

    def story_centroids(self, model: str, since: datetime) -> list[tuple[str, Vector]]:
        """(id, centroid) of the stories of ``model`` seen since ``since``, by id."""
        st = t.stories.c
        with self.tx() as c:
            rows = c.execute(
                sa.select(st.id, st.centroid)
                .where(st.model == model, st.last_seen >= since)
                .order_by(st.id)
            ).all()
        return [(r.id, np.frombuffer(r.centroid, dtype="<f4")) for r in rows]

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
        with self.tx() as c:
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
        with self.tx() as c:
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
        with self.tx() as c:
            return {
                name: int(
                    c.execute(
                        sa.select(sa.func.count()).select_from(t.metadata.tables[name])
                    ).scalar_one()
                )
                for name in tables
            }

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
            return int(res.inserted_primary_key[0])

    def subscribers(self, active_only: bool = False) -> list[SubscriberRow]:
        """Subscribers by id."""
        sb = t.subscribers.c
        query = sa.select(t.subscribers).order_by(sb.id)
        if active_only:
            query = query.where(sb.status == "active")
        with self.tx() as c:
            rows = c.execute(query).all()
        return [SubscriberRow(r.id, r.email, r.tz, r.send_hour, r.status) for r in rows]

    def set_subscriber_status(self, email: str, status: str) -> bool:
        """Change a subscriber's status; return whether the address was known."""
        with self.tx() as c:
            res = c.execute(
                t.subscribers.update().where(t.subscribers.c.email == email).values(status=status)
            )
            return bool(res.rowcount)

    # -- digests and the send ledger -----------------------------------------------------

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
            digest_id = int(res.inserted_primary_key[0])
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

    def latest_digest_date(self, recipient: str) -> date | None:
        """The most recent date a digest was stored for ``recipient``."""
        d = t.digests.c
        with self.tx() as c:
            return c.execute(
                sa.select(sa.func.max(d.date)).where(d.recipient == recipient)
            ).scalar()

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
            return int(res.inserted_primary_key[0])

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


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _json(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def _link_json(link: TranscriptLink) -> dict[str, str | None]:
    return {"url": link.url, "type": link.type, "language": link.language, "rel": link.rel}


def _episode_row(r: Any) -> EpisodeRow:
    links = tuple(TranscriptLink(**x) for x in (r.transcript_links or []))
    return EpisodeRow(
        r.id,
        r.show_id,
        r.show_title or r.feed_url,
        r.key,
        r.title,
        r.published,
        r.link,
        r.audio_url,
        links,
        r.state,
        r.error,
    )


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


def _centroid(old: Any, members: Sequence[tuple[str, Vector, float]]) -> Vector:
    """Running mean of unit vectors, renormalised: the story's direction."""
    total = np.sum([v for _, v, _ in members], axis=0).astype(np.float32)
    if old is not None:
        total = total + np.frombuffer(old.centroid, dtype="<f4") * old.size
    norm = float(np.linalg.norm(total))
    return (total / norm if norm else total).astype(np.float32)
