"""Full-text search over insights: SQLite FTS5 or PostgreSQL text search, one method.

The index (migration 0010) covers each insight's text, quote and speaker, stemmed as English
on both backends. What a person types is never handed to either query language: it becomes
a tuple of literal terms (:func:`search_terms`), so ``AND``, ``NEAR(``, ``*``, ``"`` and ``:``
are words or punctuation, never operators. Every term must occur. Hits come best first
(BM25 on SQLite, ``ts_rank`` on PostgreSQL), then from the newest episode: the best among the
newest :data:`MAX_RANKED` matches, so a common word costs about the same on a store of any
size.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from podsift.exceptions import SearchQueryError
from podsift.store import schema as t
from podsift.store.base import StoreBase
from podsift.store.records import SearchHit

MAX_QUERY_CHARS = 200
"""The longest search accepted: a sentence, not a transcript."""

MAX_LIMIT = 100
"""The most hits one call returns."""

# each insight's English tsvector on PostgreSQL, a stored column with a GIN index (migration
# 0014); SQLAlchemy's table does not describe it, since SQLite has no such column
_PG_DOCUMENT: sa.ColumnClause[Any] = sa.literal_column("insights.search_document")
_PG_CONFIG: sa.ColumnClause[Any] = sa.literal_column("'english'::regconfig")

MAX_RANKED = 2000
"""Each backend ranks at most the newest this many matches of a search (SQLite by rowid,
which grows with time; PostgreSQL by ``created_at``): ranking costs a few microseconds a
match, so a common word over a million insights would otherwise take a quarter of a second
or more."""

_SQLITE_MATCHES = sa.text(
    "SELECT r.insight_id AS insight_id, -bm25(insight_fts) AS relevance"
    " FROM insight_fts JOIN insight_rowids AS r ON r.id = insight_fts.rowid"
    " WHERE insight_fts MATCH :match AND insight_fts.rowid >= :floor"
).columns(sa.column("insight_id", sa.String), sa.column("relevance", sa.Float))
_SQLITE_FLOOR = sa.text(
    "SELECT rowid FROM insight_fts WHERE insight_fts MATCH :match"
    " ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
)


_WORD = re.compile(r"[^\W_]+")

_i, _e, _s = t.insights.c, t.episodes.c, t.shows.c
_HIT_COLUMNS = (
    *(_i.id, _i.text, _i.quote, _i.speaker, _i.start, _i.episode_id),
    *(_e.title.label("episode_title"), _e.key, _e.link, _e.published, _e.show_id),
    *(_s.title.label("show_title"), _s.feed_url, t.story_members.c.story_id),
)


def search_terms(query: str) -> tuple[str, ...]:
    """Split a search into literal terms: its words, each kept with its own punctuation.

    A piece without a letter or digit (``*``, a lone ``"``, ``-``) is dropped.

    >>> search_terms('  rust AND "crash  NEAR(')
    ('rust', 'AND', '"crash', 'NEAR(')

    Raises:
        SearchQueryError: the search is longer than :data:`MAX_QUERY_CHARS`, or has no word.
    """
    text = query.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise SearchQueryError(
            f"search too long: {len(text):,} characters (at most {MAX_QUERY_CHARS}); "
            "a few words find more"
        )
    terms = tuple(p for p in text.split() if any(ch.isalnum() for ch in p))
    if not terms:
        raise SearchQueryError(
            "nothing to search for: type a word or two (operators and punctuation "
            'such as * " ( ) are taken as text, not as search syntax)'
        )
    return terms


def fts5_match(terms: tuple[str, ...]) -> str:
    """The FTS5 query that finds every word of ``terms`` literally: each one quoted.

    Words are runs of letters and digits, as FTS5's tokenizer cuts them, so ``node.js`` asks
    for ``node`` and ``js`` (PostgreSQL's parser keeps ``node.js`` whole, in the text too).

    >>> fts5_match(('AND', 'NEAR(crash', 'say"hi', 'x*'))
    '"AND" "NEAR" "crash" "say" "hi" "x"'
    """
    words = (w for term in terms for w in _WORD.findall(term))
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


class SearchRows(StoreBase):
    """Full-text search for the site's ``/search`` and ``podsift search-insights``."""

    def search_insights(
        self,
        query: str,
        *,
        show_id: int | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Insights holding every word of ``query``, best match first, then newest.

        Args:
            query: what a person typed; taken literally (see :func:`search_terms`).
            show_id: only this show's insights.
            since: only episodes published on or after this UTC date.
            until: only episodes published on or before this UTC date.
            limit: at most this many hits (capped at :data:`MAX_LIMIT`).
            offset: skip this many hits first (the next page).

        Raises:
            SearchQueryError: the query is too long or has no word to look for.
        """
        terms = search_terms(query)
        limit, offset = max(0, min(limit, MAX_LIMIT)), max(0, offset)
        filters = _filters(show_id, since, until)
        i, e, s, m = t.insights.c, t.episodes.c, t.shows.c, t.story_members.c
        with self._tx() as c:
            # unfiltered, only the hits as relevant as the page's last can be on it
            relevance, joined, where = _matches(c, terms, None if filters else offset + limit)
            rows = c.execute(
                sa.select(*_HIT_COLUMNS)
                .select_from(joined)
                .join(t.episodes, e.id == i.episode_id)
                .join(t.shows, s.id == e.show_id)
                .outerjoin(t.story_members, m.insight_id == i.id)
                .where(*where, *filters)
                .order_by(relevance.desc(), e.published.desc().nulls_last(), i.id)
                .limit(limit)
                .offset(offset)
            ).all()
        return [_hit(r) for r in rows]


def _matches(
    c: Connection, terms: tuple[str, ...], cut: int | None
) -> tuple[sa.ColumnElement[Any], sa.FromClause, list[sa.ColumnElement[bool]]]:
    """The relevance column, the FROM clause and the match condition of this backend.

    Each ranks the newest :data:`MAX_RANKED` matches; with ``cut``, only the hits that can be
    among the ``cut`` best are joined to their episodes, not thousands. PostgreSQL keeps
    exactly the ``cut`` best (its ``ts_rank`` ties whenever texts repeat); SQLite keeps those
    at least as relevant as the ``cut``-th best, ties included (BM25 weighs the length too).
    """
    if c.dialect.name == "postgresql":
        hits = _pg_matches(terms, cut).cte("hits")
        return hits.c.relevance, hits.join(t.insights, t.insights.c.id == hits.c.insight_id), []
    match = fts5_match(terms)
    floor = c.execute(_SQLITE_FLOOR, {"match": match, "skip": MAX_RANKED - 1}).scalar() or 0
    hits = _SQLITE_MATCHES.bindparams(match=match, floor=floor).cte("hits")
    joined = hits.join(t.insights, t.insights.c.id == hits.c.insight_id)
    if not cut:
        return hits.c.relevance, joined, []
    last = (
        sa.select(hits.c.relevance)
        .order_by(hits.c.relevance.desc())
        .limit(1)
        .offset(cut - 1)
        .scalar_subquery()
    )
    return hits.c.relevance, joined, [sa.or_(last.is_(None), hits.c.relevance >= last)]


def _pg_matches(terms: tuple[str, ...], cut: int | None) -> sa.Select[Any]:
    """The newest :data:`MAX_RANKED` insights holding every word, with ``ts_rank``; with
    ``cut``, only the ``cut`` best of them (relevance, then newest episode, then id).

    ``plainto_tsquery`` reads no operators at all: every word of the text is ANDed.
    """
    i = t.insights.c
    query = sa.func.plainto_tsquery(_PG_CONFIG, " ".join(terms))
    newest = (
        sa.select(i.id, i.episode_id, _PG_DOCUMENT.label("document"))
        .where(_PG_DOCUMENT.op("@@")(query))
        .order_by(i.created_at.desc())
        .limit(MAX_RANKED)
        .subquery()
    )
    relevance = sa.func.ts_rank(newest.c.document, query, type_=sa.Float).label("relevance")
    hits = sa.select(newest.c.id.label("insight_id"), relevance)
    if not cut:
        return hits
    published = t.episodes.c.published
    return (
        hits.join_from(newest, t.episodes, t.episodes.c.id == newest.c.episode_id)
        .order_by(relevance.desc(), published.desc().nulls_last(), newest.c.id)
        .limit(cut)
    )


def _filters(
    show_id: int | None, since: date | None, until: date | None
) -> list[sa.ColumnElement[bool]]:
    e = t.episodes.c
    out: list[sa.ColumnElement[bool]] = []
    if show_id is not None:
        out.append(e.show_id == show_id)
    if since is not None:
        out.append(e.published >= datetime.combine(since, time.min, UTC))
    if until is not None:
        out.append(e.published < datetime.combine(until + timedelta(days=1), time.min, UTC))
    return out


def _hit(r: Any) -> SearchHit:
    return SearchHit(
        insight_id=r.id,
        text=r.text,
        quote=r.quote,
        speaker=r.speaker,
        start=r.start,
        show_id=r.show_id,
        show=r.show_title or r.feed_url,
        episode_id=r.episode_id,
        episode=r.episode_title or r.key,
        link=r.link,
        published=r.published,
        story_id=r.story_id,
    )
