"""Episodes and their transcripts in the store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podsift.models import Episode, Person, Segment, Transcript, TranscriptLink, text_hash
from podsift.store import schema as t
from podsift.store.base import StoreBase, _chunks, _new_id
from podsift.store.records import EpisodeRow, RepublishedRule

F = TypeVar("F")


class EpisodeRows(StoreBase):
    """Episodes and their pipeline state, transcripts and their segments."""

    def add_episodes(
        self,
        show_id: int,
        episodes: Iterable[Episode],
        now: datetime,
        keys: Sequence[str] | None = None,
        *,
        republished: RepublishedRule[F] | None = None,
    ) -> int:
        """Store the episodes not seen before (keyed by GUID, URL, title + date).

        ``keys`` overrides each episode's own key (see ``podsift.feeds.episode_keys``).
        With ``republished`` (``podsift.feeds.REPUBLISHED``), an episode that the rule
        takes for a republished copy of a stored or earlier one is skipped too.
        """
        episodes = list(episodes)
        keys = list(keys) if keys is not None else [ep.key for ep in episodes]
        with self._tx() as c:
            return insert_new_episodes(c, show_id, episodes, keys, now, republished)

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
        with self._tx() as c:
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
        with self._tx() as c:
            row = c.execute(query).first()
        return _episode_row(row) if row else None

    def set_episode_state(self, episode_id: int, state: str, error: str | None = None) -> None:
        """Move an episode along the pipeline, or record why it failed."""
        with self._tx() as c:
            c.execute(
                t.episodes.update()
                .where(t.episodes.c.id == episode_id)
                .values(state=state, error=error)
            )

    # -- transcripts ---------------------------------------------------------------------

    def save_transcript(
        self,
        episode_id: int,
        transcript: Transcript,
        now: datetime,
        origin: str = "publisher",
        words: Sequence[str | None] = (),
    ) -> None:
        """Store an episode's transcript and segments (replacing an earlier one);
        ``words`` holds each segment's word times as compact JSON (speech-to-text only)."""
        digest = text_hash(
            "\n".join(f"{s.start}|{s.speaker}|{s.text}" for s in transcript.segments)
        )
        with self._tx() as c:
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
                    "words": words[i] if i < len(words) else None,
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
        with self._tx() as c:
            head = c.execute(sa.select(t.transcripts).where(tr.episode_id == episode_id)).first()
            if head is None:
                return None
            rows = c.execute(
                sa.select(t.segments).where(sg.transcript_id == head.id).order_by(sg.position)
            ).all()
        segs = tuple(Segment(r.start, r.end, r.speaker, r.text) for r in rows)
        return Transcript(head.source, head.format, segs, head.language)

    def segment_words(self, episode_id: int) -> list[str | None]:
        """Each stored segment's word times (compact JSON, ``None`` where there are none),
        in segment order; empty when the episode has no transcript."""
        tr, sg = t.transcripts.c, t.segments.c
        query = (
            sa.select(sg.words)
            .join(t.transcripts, tr.id == sg.transcript_id)
            .where(tr.episode_id == episode_id)
            .order_by(sg.position)
        )
        with self._tx() as c:
            return list(c.execute(query).scalars())


def insert_new_episodes(
    c: Connection,
    show_id: int,
    episodes: Sequence[Episode],
    keys: Sequence[str],
    now: datetime,
    republished: RepublishedRule[F] | None,
) -> int:
    """Insert the episodes of one show not seen before (see ``EpisodeRows.add_episodes``).

    A re-polled feed mostly repeats known episodes: only its own keys are looked up, and
    the duplicate guesser compares the new ones with the stored episodes they could
    repeat (same enclosure or same day), not with the show's whole history.
    """
    e = t.episodes.c
    keys = [k[:2048] for k in keys]
    known: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys)), _LOOKUP):
        query = sa.select(e.key).where(e.show_id == show_id, e.key.in_(chunk))
        known.update(c.execute(query).scalars())
    fresh = [(ep, key) for ep, key in zip(episodes, keys, strict=True) if key not in known]
    if not fresh:
        return 0
    stored = [
        _episode_values(show_id, ep, key, now)
        for ep, key in _new_ones(c, show_id, fresh, known, republished)
    ]
    if stored:
        c.execute(t.episodes.insert(), stored)
    return len(stored)


_LOOKUP = 500
"""Keys (or days) looked up in one statement."""


def _new_ones(
    c: Connection,
    show_id: int,
    fresh: Sequence[tuple[Episode, str]],
    known: set[str],
    republished: RepublishedRule[F] | None,
) -> list[tuple[Episode, str]]:
    """The (episode, key) pairs to store: each key once (``known`` grows with them) and,
    with a rule, no republished copy of a stored episode or of one kept before it."""
    prints: list[F] = []
    if republished is not None:
        rows = c.execute(_neighbours(show_id, [ep for ep, _ in fresh])).all()
        prints = [
            republished.fingerprint(r.title, r.published, r.audio_url, r.duration) for r in rows
        ]
    kept: list[tuple[Episode, str]] = []
    for ep, key in fresh:
        if key in known:
            continue
        if republished is not None:
            mark = republished.fingerprint(ep.title, ep.published, ep.audio_url, ep.duration)
            if republished.is_republished(mark, prints):
                continue
            prints.append(mark)
        known.add(key)
        kept.append((ep, key))
    return kept


def _neighbours(show_id: int, fresh: Sequence[Episode]) -> sa.Select[Any]:
    """Stored episodes of the show that new ones could repeat: the same enclosure, or a
    day within the new ones' span (a superset the duplicate guesser then narrows)."""
    e = t.episodes.c
    query = sa.select(e.title, e.published, e.audio_url, e.duration).where(e.show_id == show_id)
    urls = sorted({ep.audio_url for ep in fresh if ep.audio_url})
    days = [ep.published.astimezone(UTC).date() for ep in fresh if ep.published]
    if len(urls) > _LOOKUP:
        return query  # a first poll of a long feed: compare with everything
    if not days:
        return query.where(e.audio_url.in_(urls))
    low = datetime.combine(min(days), time(), UTC)
    high = datetime.combine(max(days), time(), UTC) + timedelta(days=1)
    return query.where(
        sa.or_(e.audio_url.in_(urls), sa.and_(e.published >= low, e.published < high))
    )


def _episode_values(show_id: int, ep: Episode, key: str, now: datetime) -> dict[str, Any]:
    return {
        "show_id": show_id,
        "key": key,
        "guid": ep.guid,
        "title": ep.title,
        "published": ep.published,
        "link": ep.link,
        "audio_url": ep.audio_url,
        "duration": ep.duration,
        "transcript_links": [_link_json(x) for x in ep.transcripts],
        "persons": [_person_json(p) for p in ep.persons],
        "state": "new",
        "created_at": now,
    }


def _link_json(link: TranscriptLink) -> dict[str, str | None]:
    return {"url": link.url, "type": link.type, "language": link.language, "rel": link.rel}


def _person_json(person: Person) -> dict[str, str | None]:
    return {
        "name": person.name,
        "role": person.role,
        "group": person.group,
        "img": person.img,
        "href": person.href,
    }


def _person(x: dict[str, Any]) -> Person:
    role, group = x.get("role") or "host", x.get("group") or "cast"
    return Person(x["name"], role, group, x.get("img"), x.get("href"))


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
        tuple(_person(x) for x in (r.persons or [])),
    )
