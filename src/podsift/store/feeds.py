"""Shows, episodes and transcripts in the store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from podsift.models import (
    Episode,
    Segment,
    Show,
    Transcript,
    TranscriptLink,
    text_hash,
)

from . import schema as t
from .base import StoreBase, _new_id
from .records import EpisodeRow, ShowRow


@dataclass(frozen=True, slots=True)
class PollRow:
    """A show due for polling, with what the poller needs to ask and to decide."""

    id: int
    feed_url: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    state: str
    next_poll_at: datetime | None
    error_count: int
    failing_since: datetime | None


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll changes on its show row (``error`` set for a failure)."""

    status: int | None
    state: str
    next_poll_at: datetime | None
    error_count: int
    failing_since: datetime | None
    error: str | None = None
    error_class: str | None = None
    validators: tuple[str | None, str | None, str | None] | None = None
    show: Show | None = None


class FeedRows(StoreBase):
    """Shows and their polling state, episodes and their pipeline state, transcripts."""

    # -- shows ---------------------------------------------------------------------------

    def add_show(self, feed_url: str, now: datetime, title: str | None = None) -> tuple[int, bool]:
        """Add a show by feed URL; return its id and whether it is new."""
        with self.tx() as c:
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
            values |= _show_values(show)
        with self.tx() as c:
            c.execute(t.shows.update().where(t.shows.c.id == show_id).values(**values))

    def due_shows(self, now: datetime, limit: int | None = None) -> list[PollRow]:
        """Shows to poll at ``now``: never polled or past their next poll, never gone."""
        cols = t.shows.c
        query = (
            sa.select(t.shows)
            .where(cols.state != "gone")
            .where(sa.or_(cols.next_poll_at.is_(None), cols.next_poll_at <= now))
            .order_by(cols.next_poll_at.is_not(None), cols.next_poll_at, cols.id)
            .limit(limit)
        )
        with self.tx() as c:
            rows = c.execute(query).all()
        return [
            PollRow(
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
            for r in rows
        ]

    def save_poll(self, show_id: int, now: datetime, outcome: PollOutcome) -> None:
        """Store one poll's outcome on the show row (state, schedule, validators, error)."""
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
        with self.tx() as c:
            c.execute(t.shows.update().where(t.shows.c.id == show_id).values(**values))

    def move_show(self, show_id: int, new_url: str, now: datetime) -> bool:
        """Point a show at ``new_url``, keeping its old URL as an alias.

        Returns False (and changes nothing) when another show already has ``new_url``.
        """
        s, a = t.shows.c, t.show_aliases.c
        with self.tx() as c:
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
        with self.tx() as c:
            rows = c.execute(sa.select(a.url).where(a.show_id == show_id).order_by(a.url))
            return [str(u) for u in rows.scalars()]

    def shows_by_state(self) -> list[tuple[str, str, str | None, str | None]]:
        """Every show as ``(state, feed_url, title, last_error)``, by state then URL."""
        s = t.shows.c
        query = sa.select(s.state, s.feed_url, s.title, s.last_error).order_by(s.state, s.feed_url)
        with self.tx() as c:
            return [(r.state, r.feed_url, r.title, r.last_error) for r in c.execute(query)]

    # -- episodes ------------------------------------------------------------------------

    def add_episodes(
        self,
        show_id: int,
        episodes: Iterable[Episode],
        now: datetime,
        keys: Sequence[str] | None = None,
    ) -> int:
        """Store the episodes not seen before (keyed by GUID, URL, title + date).

        ``keys`` overrides each episode's own key (see ``podsift.sources.episode_keys``).
        An episode that looks like a republished copy of a stored one (same enclosure, or
        same normalised title on the same day with a duration within 10 minutes) is skipped.
        """
        from podsift.sources.identity import fingerprint, is_republished

        episodes = list(episodes)
        keys = list(keys) if keys is not None else [ep.key for ep in episodes]
        added = 0
        e = t.episodes.c
        with self.tx() as c:
            rows = c.execute(
                sa.select(e.key, e.title, e.published, e.audio_url, e.duration).where(
                    e.show_id == show_id
                )
            ).all()
            known = {r.key for r in rows}
            prints = [fingerprint(r.title, r.published, r.audio_url, r.duration) for r in rows]
            for ep, key in zip(episodes, keys, strict=True):
                if key in known:
                    continue
                mark = fingerprint(ep.title, ep.published, ep.audio_url, ep.duration)
                if is_republished(mark, prints):
                    continue
                known.add(key)
                prints.append(mark)
                c.execute(
                    t.episodes.insert().values(
                        show_id=show_id,
                        key=key[:2048],
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

    def episode(self, episode_id: int) -> EpisodeRow | None:
        """One episode by id, with its show's title."""
        e, s = t.episodes.c, t.shows.c
        query = (
            sa.select(t.episodes, s.title.label("show_title"), s.feed_url)
            .join(t.shows, s.id == e.show_id)
            .where(e.id == episode_id)
        )
        with self.tx() as c:
            row = c.execute(query).first()
        return _episode_row(row) if row else None

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
            tid = _new_id(res)
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


def _show_values(show: Show) -> dict[str, Any]:
    return {
        "title": show.title,
        "link": show.link,
        "guid": show.guid,
        "author": show.author,
        "image": show.image,
        "language": show.language,
    }


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
