"""An episode's ``podcast:person`` entries in the store (migration 0012), on both backends."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from podsift.models import Episode, Person
from podsift.store import Store, open_store
from podsift.store.store import MIGRATIONS, resolve_db_url

PEOPLE = (
    Person("Łukasz Langa", "host", "cast", "https://e.org/l.jpg", "https://lukasz.langa.pl"),
    Person("Pablo Galindo", "guest"),
    Person("Becky Smith", "cover art designer", "visuals", href="https://e.org/becky"),
)


def test_episode_persons_round_trip(any_store: Store, now: datetime) -> None:
    show_id, _ = any_store.add_show("https://a/feed", now)
    any_store.add_episodes(
        show_id,
        [
            Episode("With people", guid="a", published=now, persons=PEOPLE),
            Episode("No one", guid="b"),
        ],
        now,
    )
    by_title = {e.title: e for e in any_store.episodes(["new"])}
    assert by_title["With people"].persons == PEOPLE
    assert by_title["No one"].persons == ()
    one = any_store.episode(by_title["With people"].id)
    assert one is not None and one.persons == PEOPLE


def test_episodes_stored_before_0012_have_no_persons(tmp_path: Path, now: datetime) -> None:
    from alembic import command
    from alembic.config import Config

    db = tmp_path / "old.db"
    engine = sa.create_engine(resolve_db_url(str(db)))
    with engine.begin() as conn:  # the store as it was before migration 0012
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
        command.upgrade(cfg, "0004")
        conn.execute(
            sa.text(
                "INSERT INTO shows (id, feed_url, state, error_count, created_at)"
                " VALUES (1, 'https://a/feed', 'new', 0, :now)"
            ),
            {"now": now.replace(tzinfo=None)},
        )
        conn.execute(
            sa.text(
                "INSERT INTO episodes (show_id, key, title, transcript_links, state, created_at)"
                " VALUES (1, 'guid:a', 'Old', '[]', 'new', :now)"
            ),
            {"now": now.replace(tzinfo=None)},
        )
    engine.dispose()
    store = open_store(str(db))
    try:
        (old,) = store.episodes(["new"])
        assert old.title == "Old" and old.persons == ()
    finally:
        store.close()
