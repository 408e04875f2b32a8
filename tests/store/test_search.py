"""Full-text search over insights, on SQLite (FTS5) and PostgreSQL: words, ranking, filters,
search syntax taken literally, the index kept in step, and the migration's backfill."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from podsift.exceptions import SearchQueryError
from podsift.models import Episode, Insight
from podsift.store import Store, open_store, resolve_db_url
from podsift.store import schema as t
from tests.conftest import POSTGRES_DSN, _postgres_or_skip

NOW = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)


def say(
    store: Store,
    show: str,
    day: date | None,
    text: str,
    *,
    quote: str | None = None,
    speaker: str | None = None,
    start: float | None = 1.0,
    saved: datetime = NOW,
) -> str:
    """Store one insight in an episode of its own; return the insight's id."""
    show_id, _ = store.add_show(f"https://{show.replace(' ', '-').lower()}.example/feed", NOW, show)
    key = f"{show}|{day}|{text}"
    published = datetime.combine(day, time(12), UTC) if day else None
    store.add_episodes(show_id, [Episode(f"{show} on {day}", guid=key, published=published,
                                         link="https://example.org/ep")], NOW)  # fmt: skip
    (episode,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
    insight = Insight(text, quote or text, speaker, start, None, 0.5).with_id(key)
    store.save_insights(episode.id, "test@1", [insight], saved)  # the episode leaves "new"
    return insight.id


class Corpus:
    """A few insights over two shows and three weeks, with filler so every word is rare."""

    def __init__(self, store: Store) -> None:
        self.a = say(store, "Show A", date(2024, 4, 1),
                     "Rust rewrites cut our crash rate by half within a year.", speaker="Ann",
                     start=75.0)  # fmt: skip
        b = "The crash rate fell after the parser moved to Rust."
        self.b = say(store, "Show B", date(2024, 4, 2), b, speaker="Bob")
        self.c = say(store, "Show A", date(2024, 3, 20),
                     "Python packaging finally has a lock file standard.")  # fmt: skip
        self.e = say(store, "Show B", date(2024, 3, 25), "Rustaceans love the borrow checker.")
        self.k = say(store, "Show A", date(2024, 3, 26), "Rust and Python get along well.")
        self.n = say(store, "Show B", date(2024, 3, 27), "Near the end, rust and crash came up.")
        for n in range(12):
            say(store, "Show C", date(2024, 2, 1 + n), f"Filler remark number {n} on weather.")


@pytest.fixture
def corpus(any_store: Store) -> Corpus:
    return Corpus(any_store)


def ids(store: Store, query: str, **filters: object) -> list[str]:
    return [h.insight_id for h in store.search_insights(query, **filters)]  # type: ignore[arg-type]


def test_finds_by_a_word_in_any_form_and_case(any_store: Store, corpus: Corpus) -> None:
    assert ids(any_store, "packaging") == [corpus.c]
    assert ids(any_store, "PYTHON packaging") == [corpus.c]
    assert set(ids(any_store, "crashes")) == {corpus.a, corpus.b, corpus.n}  # stemmed
    assert ids(any_store, "Ann") == [corpus.a]  # the speaker is searched too
    assert ids(any_store, "rust packaging") == []  # every word must occur


def test_a_hit_says_who_said_it_where_and_in_which_story(any_store: Store, corpus: Corpus) -> None:
    any_store.add_to_story("s1", "m", [(corpus.a, np.ones(3, dtype=np.float32), 1.0)], NOW)
    (hit,) = any_store.search_insights("half", show_id=None)
    assert (hit.insight_id, hit.speaker, hit.start, hit.show, hit.story_id) == (
        corpus.a, "Ann", 75.0, "Show A", "s1"
    )  # fmt: skip
    assert hit.quote == hit.text == "Rust rewrites cut our crash rate by half within a year."
    assert hit.episode == "Show A on 2024-04-01" and hit.link == "https://example.org/ep"
    assert hit.published == datetime(2024, 4, 1, 12, tzinfo=UTC)
    assert any_store.search_insights("packaging")[0].story_id is None


def test_the_more_relevant_hit_comes_first_even_when_older(any_store: Store) -> None:
    Corpus(any_store)
    strong = say(any_store, "Show A", date(2024, 1, 1), "Budget, budget, budget: the budget rules.")
    long = "We covered hiring, planning, roadmaps, tooling and, briefly, next year's budget."
    weak = say(any_store, "Show B", date(2024, 4, 2), long)
    assert ids(any_store, "budget") == [strong, weak]


def test_equally_relevant_hits_come_newest_first(any_store: Store) -> None:
    Corpus(any_store)
    text = "Zebras cross the road at dawn."
    old = say(any_store, "Show A", date(2024, 3, 1), text)
    new = say(any_store, "Show B", date(2024, 3, 30), text)
    undated = say(any_store, "Show C", None, text)
    assert ids(any_store, "zebras") == [new, old, undated]
    assert ids(any_store, "zebras", limit=1) == [new]
    assert ids(any_store, "zebras", limit=1, offset=1) == [old]


def test_only_the_newest_matches_of_a_common_word_are_ranked(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    strong = say(any_store, "Show A", date(2024, 1, 1), "Budget, budget, budget: the budget rules.")
    later = [NOW + timedelta(minutes=n) for n in (1, 2)]
    weak = [
        say(any_store, "Show B", date(2024, 4, n), f"Item {n} of the budget list.", saved=when)
        for n, when in zip((1, 2), later, strict=True)
    ]
    assert ids(any_store, "budget")[0] == strong
    monkeypatch.setattr("podsift.store.search.MAX_RANKED", 2)  # the two newest only
    assert ids(any_store, "budget") == [weak[1], weak[0]]


def test_filters_by_show_and_by_inclusive_dates(any_store: Store, corpus: Corpus) -> None:
    show_a = any_store.show_ids(["Show A"])["Show A"]
    assert ids(any_store, "crash", show_id=show_a) == [corpus.a]
    assert ids(any_store, "crash", since=date(2024, 4, 2)) == [corpus.b]
    assert set(ids(any_store, "crash", until=date(2024, 4, 1))) == {corpus.a, corpus.n}
    assert ids(any_store, "crash", since=date(2024, 4, 1), until=date(2024, 4, 1)) == [corpus.a]
    assert ids(any_store, "crash", since=date(2024, 4, 3)) == []


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("NEAR(crash rust)", ["n"], ["a", "b"]),  # NEAR is the word, not the operator
        ("rust NEAR(crash", ["n"], ["a", "b"]),  # an unbalanced bracket is no syntax error
        ("rust AND python", ["k"], ["a", "c"]),  # never an OR, never a syntax error
        ("rust OR python", [], ["a", "c", "e"]),
        ("rust*", ["a", "b"], ["e"]),  # no prefix search
        ("python NOT rust", [], ["c"]),  # no negation
        ('"crash', ["a", "b"], []),  # a lone quote
        ('crash "rate', ["a", "b"], ["n"]),
        ("text:python", [], ["c", "k"]),  # no column filter
        ("^rust crash", ["a", "b"], []),
        ("crash -rust", ["a", "b"], []),  # no negation either
        ("crash + rust", ["a", "b"], []),
    ],
)
def test_search_syntax_is_taken_literally(
    any_store: Store, corpus: Corpus, query: str, found: list[str], not_found: list[str]
) -> None:
    hits = set(ids(any_store, query))
    assert {getattr(corpus, x) for x in found} <= hits
    assert not hits & {getattr(corpus, x) for x in not_found}


@pytest.mark.parametrize("query", ['"', "*", '* " ( ) : ^ - + {}', "   ", "", "-- ++ ::"])
def test_a_search_without_a_word_is_refused(any_store: Store, query: str) -> None:
    with pytest.raises(SearchQueryError, match="nothing to search for"):
        any_store.search_insights(query)


@pytest.mark.parametrize("length", [201, 10_000])
def test_a_long_search_is_refused(any_store: Store, length: int) -> None:
    with pytest.raises(SearchQueryError, match=f"search too long: {length:,} characters"):
        any_store.search_insights("r" * length)
    assert any_store.search_insights("rust " * 39 + "rust") == []  # 199 characters are fine


def test_the_index_follows_new_changed_and_deleted_insights(
    any_store: Store, corpus: Corpus
) -> None:
    assert ids(any_store, "zeppelin") == []
    new = say(any_store, "Show A", date(2024, 4, 2), "A zeppelin carried the servers.")
    assert ids(any_store, "zeppelin") == [new]
    with any_store.engine.begin() as c:
        c.execute(t.insights.update().where(t.insights.c.id == new)
                  .values(text="A blimp carried the servers.", quote="A blimp."))  # fmt: skip
    assert ids(any_store, "zeppelin") == [] and ids(any_store, "blimp") == [new]
    with any_store.engine.begin() as c:
        c.execute(t.insights.delete().where(t.insights.c.id == new))
    assert ids(any_store, "blimp") == []
    with any_store.engine.begin() as c:  # a deleted episode takes its insights with it
        c.execute(t.episodes.delete().where(t.episodes.c.id == _episode_of(c, corpus.c)))
    assert ids(any_store, "packaging") == []
    assert set(ids(any_store, "crash")) == {corpus.a, corpus.b, corpus.n}  # the rest stays


def _episode_of(c: sa.Connection, insight_id: str) -> int:
    i = t.insights.c
    return int(c.execute(sa.select(i.episode_id).where(i.id == insight_id)).scalar_one())


# -- the migration -------------------------------------------------------------------------


@contextmanager
def _empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if kind == "sqlite":
        yield str(tmp_path / "old.db")
        return
    _postgres_or_skip()
    schema = f"podsift_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(resolve_db_url(POSTGRES_DSN))
    with admin.begin() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_DSN else "?"
    try:
        yield f"{POSTGRES_DSN}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _migrate_all_but_search(engine: sa.Engine) -> None:
    """Apply every migration except 0010 and those built on it: a store from before search."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from podsift.store.store import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        for head in sorted(script.get_heads()):
            ancestry = {r.revision for r in script.iterate_revisions(head, "base")}
            if "0010" not in ancestry:
                command.upgrade(cfg, head)
        applied = set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    assert applied and "0010" not in applied  # every other branch is at its head


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_upgrading_an_old_store_indexes_the_insights_it_holds(kind: str, tmp_path: Path) -> None:
    with _empty_database(kind, tmp_path) as db:
        engine = sa.create_engine(resolve_db_url(db))
        _migrate_all_but_search(engine)
        old = Store(engine)
        before = say(old, "Show A", date(2024, 3, 1), "Packaging was rebuilt on standards.")
        old.close()
        store = open_store(db)  # migrates 0010
        try:
            assert ids(store, "packaging") == [before]
            after = say(store, "Show A", date(2024, 3, 2), "Packaging kept its standards.")
            assert set(ids(store, "packaging standards")) == {before, after}
        finally:
            store.close()


@pytest.mark.postgres
def test_postgres_finds_words_through_the_gin_index() -> None:
    from tests.conftest import postgres_store

    with postgres_store() as store:
        Corpus(store)
        seen: list[tuple[str, object]] = []

        def keep(conn: object, cursor: object, statement: str, params: object, *_: object) -> None:
            if "plainto_tsquery" in statement:
                seen.append((statement, params))

        sa.event.listen(store.engine, "before_cursor_execute", keep)
        assert store.search_insights("crash rust")
        sa.event.remove(store.engine, "before_cursor_execute", keep)
        ((statement, params),) = seen
        with store.engine.begin() as c:
            c.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a tiny table: force the choice
            plan = "\n".join(r[0] for r in c.exec_driver_sql("EXPLAIN " + statement, params))
    assert "ix_insights_search_document" in plan
