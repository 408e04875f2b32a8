"""What the public pages read: archived digests, one story, one show's recent episodes.

Reads only; the pages never write. Each method is one or two small queries keyed by an index
(digest date per recipient, story id, show id), so a page costs the same on a large store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from podsift.store import schema as t
from podsift.store.base import StoreBase, _json
from podsift.store.episodes import _episode_row
from podsift.store.records import DigestPage, EpisodeRow, PageQuote, ShowRow, StoryPage


class PageRows(StoreBase):
    """Reads for ``podsift.web``: the archive, story pages and show pages."""

    def latest_digest_day(self, recipient: str) -> date | None:
        """The newest date with a stored digest for ``recipient`` (``""``: the operator)."""
        d = t.digests.c
        with self._tx() as c:
            day: date | None = c.execute(
                sa.select(sa.func.max(d.date)).where(d.recipient == recipient)
            ).scalar()
        return day

    def digest_page(self, recipient: str, day: date) -> DigestPage | None:
        """The digest of ``recipient`` on ``day`` with the previous and next stored dates."""
        d = t.digests.c
        mine = d.recipient == recipient
        with self._tx() as c:
            row = c.execute(sa.select(d.payload, d.created_at).where(mine, d.date == day)).first()
            if row is None:
                return None
            before = c.execute(sa.select(sa.func.max(d.date)).where(mine, d.date < day)).scalar()
            after = c.execute(sa.select(sa.func.min(d.date)).where(mine, d.date > day)).scalar()
        return DigestPage(day, _json(row.payload), row.created_at, before, after)

    def story_page(self, story_id: str) -> StoryPage | None:
        """A story and every quote in it, the representative first, then by score."""
        st, m = t.stories.c, t.story_members.c
        with self._tx() as c:
            story = c.execute(
                sa.select(st.representative_id, st.first_seen, st.last_seen).where(
                    st.id == story_id
                )
            ).first()
            if story is None:
                return None
            rows = c.execute(
                _quotes()
                .join(t.story_members, m.insight_id == t.insights.c.id)
                .where(m.story_id == story_id)
            ).all()
        quotes = sorted(
            (_quote(r) for r in rows),
            key=lambda q: (q.insight_id != story.representative_id, -q.score, q.insight_id),
        )
        return StoryPage(story_id, story.first_seen, story.last_seen, tuple(quotes))

    def latest_digest_item(self, story_id: str) -> dict[str, Any] | None:
        """The newest stored digest item (its JSON) that carried ``story_id``, if any."""
        d, di = t.digests.c, t.digest_items.c
        with self._tx() as c:
            payload = c.execute(
                sa.select(d.payload)
                .join(t.digest_items, di.digest_id == d.id)
                .where(di.story_id == story_id)
                .order_by(d.date.desc(), d.id.desc())
                .limit(1)
            ).scalar()
        if payload is None:
            return None
        items: list[dict[str, Any]] = _json(payload).get("items", [])
        return next((x for x in items if x.get("story_id") == story_id), None)

    def show(self, show_id: int) -> ShowRow | None:
        """One show by id, with its polling state."""
        with self._tx() as c:
            r = c.execute(sa.select(t.shows).where(t.shows.c.id == show_id)).first()
        if r is None:
            return None
        return ShowRow(r.id, r.feed_url, r.title, r.link, r.etag, r.last_modified,
                       r.body_hash, r.state, r.last_polled_at, r.last_error)  # fmt: skip

    def show_names(self) -> list[tuple[int, str]]:
        """Every show's id and name (its title, else its feed URL), by name: the search filter."""
        s = t.shows.c
        with self._tx() as c:
            rows = c.execute(sa.select(s.id, s.title, s.feed_url)).all()
        return sorted(((r.id, r.title or r.feed_url) for r in rows), key=lambda x: (x[1], x[0]))

    def show_ids(self, titles: Sequence[str]) -> dict[str, int]:
        """The id of each show named by title (or feed URL, as digests name untitled shows)."""
        s = t.shows.c
        wanted = sorted(set(titles))
        if not wanted:
            return {}
        with self._tx() as c:
            rows = c.execute(
                sa.select(s.id, s.title, s.feed_url)
                .where(sa.or_(s.title.in_(wanted), s.feed_url.in_(wanted)))
                .order_by(s.id)
            ).all()
        out: dict[str, int] = {}
        for r in rows:
            out.setdefault(r.title or r.feed_url, r.id)
        return out

    def recent_episodes(
        self, show_id: int, limit: int = 20
    ) -> list[tuple[EpisodeRow, tuple[PageQuote, ...]]]:
        """A show's newest episodes, each with its insights, best first."""
        e, s, i = t.episodes.c, t.shows.c, t.insights.c
        with self._tx() as c:
            episodes = c.execute(
                sa.select(t.episodes, s.title.label("show_title"), s.feed_url)
                .join(t.shows, s.id == e.show_id)
                .where(e.show_id == show_id)
                .order_by(e.published.desc().nulls_last(), e.id.desc())
                .limit(limit)
            ).all()
            ids = [r.id for r in episodes]
            rows = c.execute(
                _quotes().where(i.episode_id.in_(ids)).order_by(i.score.desc(), i.id)
            ).all() if ids else []  # fmt: skip
        by_episode: dict[int, list[PageQuote]] = {}
        for r in rows:
            by_episode.setdefault(r.episode_id, []).append(_quote(r))
        return [(_episode_row(r), tuple(by_episode.get(r.id, ()))) for r in episodes]


def _quotes() -> sa.Select[Any]:
    i, e, s = t.insights.c, t.episodes.c, t.shows.c
    return (
        sa.select(
            i.id,
            i.text,
            i.quote,
            i.speaker,
            i.start,
            i.score,
            i.episode_id,
            e.title.label("episode_title"),
            e.key,
            e.published,
            e.audio_url,
            e.link,
            e.show_id,
            s.title.label("show_title"),
            s.feed_url,
        )
        .join(t.episodes, e.id == i.episode_id)
        .join(t.shows, s.id == e.show_id)
    )


def _quote(r: Any) -> PageQuote:
    return PageQuote(
        insight_id=r.id,
        show_id=r.show_id,
        show=r.show_title or r.feed_url,
        episode_id=r.episode_id,
        episode=r.episode_title or r.key,
        published=r.published,
        audio_url=r.audio_url,
        link=r.link,
        text=r.text,
        quote=r.quote,
        speaker=r.speaker,
        start=r.start,
        score=r.score,
    )
