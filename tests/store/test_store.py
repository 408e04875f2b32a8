"""The SQLite store: migrations, WAL, idempotent rows, the digest and send ledgers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from podsift.exceptions import StoreError
from podsift.feeds import REPUBLISHED
from podsift.models import (
    Episode,
    Insight,
    Segment,
    Show,
    Transcript,
    TranscriptLink,
    text_hash,
)
from podsift.store import PollOutcome, Store, open_store, resolve_db_url


def test_open_creates_schema_in_wal_mode(store: Store) -> None:
    with store.engine.begin() as c:
        tables = set(sa.inspect(c).get_table_names())
        mode = c.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = c.exec_driver_sql("PRAGMA busy_timeout").scalar()
        versions = set(c.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    assert {
        "shows",
        "episodes",
        "transcripts",
        "segments",
        "insights",
        "stories",
        "story_members",
        "subscribers",
        "subscriptions",
        "digests",
        "digest_items",
        "deliveries",
        "feedback",
        "runs",
        "embeddings",
    } <= tables
    assert mode == "wal"
    assert timeout == 30000
    assert versions == _heads()


def _heads() -> set[str]:
    from importlib.resources import files

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(files("podsift.store") / "migrations"))
    return set(ScriptDirectory.from_config(cfg).get_heads())


def test_reopen_keeps_data(tmp_path: Path, now: datetime) -> None:
    path = str(tmp_path / "p.db")
    s = open_store(path)
    s.add_show("https://example.org/feed.xml", now)
    s.close()
    s = open_store(path)
    assert [x.feed_url for x in s.shows()] == ["https://example.org/feed.xml"]
    s.close()


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        open_store(str(blocker / "sub" / "p.db"))


def test_db_urls() -> None:
    assert resolve_db_url(":memory:") == "sqlite://"
    assert resolve_db_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_db_url("/tmp/x.db") == "sqlite:////tmp/x.db"


def test_add_show_is_idempotent(any_store: Store, now: datetime) -> None:
    assert any_store.add_show("https://a/feed", now) == (1, True)
    assert any_store.add_show("https://a/feed", now) == (1, False)


def test_episodes_keyed_by_guid_then_url_then_title_date(any_store: Store, now: datetime) -> None:
    show_id, _ = any_store.add_show("https://a/feed", now)
    eps = [
        Episode("One", guid="g1", published=now),
        Episode("One again", guid="g1", published=now),  # same GUID: same episode
        Episode("Two", audio_url="https://a/2.mp3"),
        Episode("Two renamed", audio_url="https://a/2.mp3"),  # same enclosure
        Episode("Three", published=now),
        Episode("Three", published=now + timedelta(hours=2)),  # same title, same day
        Episode("Three", published=now + timedelta(days=1)),  # another day: new
    ]
    assert any_store.add_episodes(show_id, eps, now, republished=REPUBLISHED) == 4
    assert any_store.add_episodes(show_id, eps, now, republished=REPUBLISHED) == 0
    assert any_store.add_episodes(show_id, eps, now) == 0  # known keys, with no rule too


def test_the_republished_rule_comes_from_the_caller(any_store: Store, now: datetime) -> None:
    show_id, _ = any_store.add_show("https://a/feed", now)
    any_store.add_episodes(show_id, [Episode("One", guid="g1", audio_url="https://a/1.mp3")], now)
    copy = [Episode("One (rebroadcast)", guid="g1-again", audio_url="https://a/1.mp3")]
    assert any_store.add_episodes(show_id, copy, now, republished=REPUBLISHED) == 0
    assert any_store.add_episodes(show_id, copy, now) == 1  # no rule: only keys decide


def test_a_show_polled_with_an_older_shows_identity_joins_it(
    any_store: Store, now: datetime
) -> None:
    a, _ = any_store.add_show("https://a/feed", now)
    b, _ = any_store.add_show("https://b/feed", now)
    c, _ = any_store.add_show("https://c/feed", now)

    def polled(identity: str | None) -> PollOutcome:
        return PollOutcome(200, "ok", None, 0, None, show=Show("S", guid="g"), identity=identity)

    any_store.save_polls(now, [(a, polled("g")), (c, polled(None))])
    any_store.save_polls(now, [(b, polled("g"))])  # b joins a; c's GUID was not an identity
    assert [(x.id, x.feed_url) for x in any_store.shows()] == [
        (a, "https://b/feed"),
        (c, "https://c/feed"),
    ]
    assert any_store.show_aliases(a) == ["https://a/feed"]


def test_transcript_round_trip_and_state(any_store: Store, now: datetime) -> None:
    show_id, _ = any_store.add_show("https://a/feed", now)
    link = TranscriptLink("https://a/t.vtt", "text/vtt", "en", "captions")
    any_store.add_episodes(
        show_id, [Episode("E", guid="g", published=now, transcripts=(link,))], now
    )
    (ep,) = any_store.episodes(["new"])
    assert ep.transcript_links == (link,)
    t = Transcript(
        "https://a/t.vtt",
        "vtt",
        (Segment(1.5, 3.0, "Ann", "Hello."), Segment(None, None, None, "Bye.")),
    )
    any_store.save_transcript(ep.id, t, now)
    any_store.save_transcript(ep.id, t, now)  # a rerun replaces, never duplicates
    assert any_store.transcript(ep.id) == t
    assert [e.state for e in any_store.episodes(["transcribed"])] == ["transcribed"]


def _insight(n: int, score: float = 0.5) -> Insight:
    return Insight(
        f"Insight number {n} text.", f"quote {n}", None, float(n), None, score, id=f"i{n}"
    )


def test_insights_once_and_stories_summary(any_store: Store, now: datetime) -> None:
    a, _ = any_store.add_show("https://a/feed", now)
    b, _ = any_store.add_show("https://b/feed", now)
    any_store.add_episodes(a, [Episode("A1", guid="a1", published=now)], now)
    any_store.add_episodes(b, [Episode("B1", guid="b1", published=now - timedelta(days=2))], now)
    ea, eb = sorted(any_store.episodes(["new"]), key=lambda e: e.show_id)
    assert any_store.save_insights(ea.id, "local@1", [_insight(1, 0.9), _insight(2)], now) == 2
    assert any_store.save_insights(ea.id, "local@1", [_insight(1, 0.9)], now) == 0
    any_store.save_insights(eb.id, "local@1", [_insight(3, 0.7)], now)
    assert [r.id for r in any_store.unassigned_insights()] == ["i3", "i1", "i2"]
    v = np.array([1, 0, 0], dtype=np.float32)
    any_store.put_many("m", {"h": v})
    assert np.array_equal(any_store.get_many("m", ["h", "missing"])["h"], v)
    any_store.add_to_story("s1", "m", [("i1", v, 1.0), ("i3", v, 0.9)], now)
    any_store.add_to_story("s2", "m", [("i2", np.array([0, 1, 0], dtype=np.float32), 1.0)], now)
    assert [r.id for r in any_store.unassigned_insights()] == []
    views = {v.id: v for v in any_store.story_views(since=now - timedelta(days=30))}
    assert views["s1"].shows == ("https://a/feed", "https://b/feed")
    assert views["s1"].first_seen == now - timedelta(days=2)
    assert views["s1"].last_seen == now
    assert [x for x, _ in any_store.story_centroids("m", since=now - timedelta(days=1))] == [
        "s1",
        "s2",
    ]
    assert any_store.story_centroids("m", since=now + timedelta(days=1)) == []
    # another embedder: the window's stories, by their member texts, then adopted one by one
    since = now - timedelta(days=1)
    assert any_store.stories_of_other_models("m", since) == {}
    others = any_store.stories_of_other_models("m2", since)
    assert others == {"s1": ["Insight number 1 text.", "Insight number 3 text."],
                      "s2": ["Insight number 2 text."]}  # fmt: skip
    w = np.array([0, 0, 0.6, 0.8], dtype=np.float32)  # another model: another size
    any_store.adopt_story("s1", "m2", w)
    assert [(x, list(c)) for x, c in any_store.story_centroids("m2", since)] == [("s1", list(w))]
    assert list(any_store.stories_of_other_models("m2", since)) == ["s2"]


def test_digest_written_once_per_recipient_and_date(any_store: Store, now: datetime) -> None:
    day = date(2024, 4, 3)
    first_id, first = any_store.save_digest(
        "a@x.org", day, {"date": "2024-04-03", "items": []}, [], now
    )
    again_id, again = any_store.save_digest(
        "a@x.org", day, {"date": "other", "items": [1]}, [], now
    )
    assert (again_id, again) == (first_id, first)
    assert any_store.digest_row("a@x.org", day) == (first_id, first)
    assert any_store.digest_row("a@x.org", day + timedelta(days=1)) is None


def test_delivery_claimed_once(any_store: Store, now: datetime) -> None:
    digest_id, _ = any_store.save_digest("a@x.org", date(2024, 4, 3), {"items": []}, [], now)
    assert any_store.claim_delivery(digest_id, now) is True
    assert any_store.claim_delivery(digest_id, now) is False
    any_store.finish_delivery(digest_id, "sent", now, message_id="<m@x>")
    (row,) = any_store.deliveries()
    assert (row.status, row.message_id, row.recipient) == ("sent", "<m@x>", "a@x.org")


def test_naive_datetimes_are_refused(any_store: Store) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        any_store.add_show("https://a/feed", datetime(2024, 1, 1))


def test_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from podsift.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--db", "postgresql://nobody@127.0.0.1:9/none", "status"])
    err = capsys.readouterr().err
    assert done.value.code == 1
    assert err.startswith("podsift: error: postgresql://nobody@127.0.0.1:9/none: cannot open")
    assert err.count("\n") == 1


def test_a_store_from_a_newer_podsift_is_refused_untouched(any_store: Store) -> None:
    with any_store.engine.begin() as c:
        c.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES ('9999')")
        before = set(c.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    url = any_store.engine.url.render_as_string(hide_password=False)
    if url.startswith("sqlite:///"):
        url = url[len("sqlite:///") :]
    with pytest.raises(StoreError, match="migrated by a newer podsift"):
        open_store(url)
    with any_store.engine.begin() as c:
        after = set(c.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    assert after == before


@pytest.mark.postgres
def test_concurrent_opens_migrate_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import postgres_store

    with postgres_store() as s:
        url = s.engine.url.render_as_string(hide_password=False)
        with s.engine.begin() as c:  # a fresh, empty schema: every table goes, migrations run again
            for table in reversed(s.engine.dialect.get_table_names(c)):
                c.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        with ThreadPoolExecutor(4) as pool:
            stores = list(pool.map(lambda _: open_store(url), range(4)))
        assert {x.counts()["shows"] for x in stores} == {0}
        for x in stores:
            x.close()


def test_an_insight_leaves_a_story_for_one_of_its_own(any_store: Store, now: datetime) -> None:
    shows = [any_store.add_show(f"https://{x}/feed", now)[0] for x in "abc"]
    for n, show in enumerate(shows, 1):
        any_store.add_episodes(show, [Episode(f"E{n}", guid=f"e{n}", published=now)], now)
    for n, ep in enumerate(sorted(any_store.episodes(["new"]), key=lambda e: e.show_id), 1):
        any_store.save_insights(ep.id, "local@1", [_insight(n, 0.1 * n)], now)
    x, y = np.array([1, 0], dtype=np.float32), np.array([0, 1], dtype=np.float32)
    any_store.put_many("m", {text_hash(_insight(n).text): v for n, v in ((1, x), (2, x), (3, y))})
    any_store.add_to_story("s1", "m", [("i1", x, 1.0), ("i2", x, 1.0), ("i3", y, 0.5)], now)
    any_store.leave_story("s1", [("i3", y)])
    assert [r.id for r in any_store.unassigned_insights()] == ["i3"]
    (view,) = any_store.story_views(since=now - timedelta(days=1))
    assert [m.insight_id for m in view.mentions] == ["i2", "i1"]
    assert set(view.shows) == {"https://a/feed", "https://b/feed"}
    ((_, centroid),) = any_store.story_centroids("m", since=now - timedelta(days=1))
    assert np.allclose(centroid, x, atol=1e-6)  # the members left, not a running sum
    with pytest.raises(ValueError, match="no member left"):
        any_store.leave_story("s1", [("i1", x), ("i2", x)])
    (view,) = any_store.story_views(since=now - timedelta(days=1))
    assert len(view.mentions) == 2  # nothing left it
