"""The stories stage: real store, real embedder; stories join only within the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from podsift.cluster import group_all
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.models import Episode, Insight
from podsift.store import Store

XZ_A = "A backdoor was found in xz utils, the compression library that OpenSSH depends on."
XZ_B = "Someone planted a backdoor in the xz compression library, which OpenSSH uses."
FED = "The Federal Reserve raised interest rates by a quarter point on Wednesday."


def _episode(store: Store, show: str, day: datetime, texts: list[str]) -> None:
    show_id, _ = store.add_show(f"https://{show}.example/feed", day)
    store.add_episodes(
        show_id, [Episode(f"{show} {day:%F}", guid=f"{show}{day:%F}", published=day)], day
    )
    (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id and e.published == day]
    found = [
        Insight(t, t, None, float(n), None, 0.5, id=f"{show}-{day:%F}-{n}")
        for n, t in enumerate(texts)
    ]
    store.save_insights(ep.id, "local@test", found, day)


def _run(store: Store, now: datetime) -> RunContext:
    with httpx.Client() as client:
        ctx = RunContext(load_settings(env={}), store, client, now)
        group_all(ctx)
        return ctx


def test_same_story_across_shows_within_the_window_joins(store: Store) -> None:
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    _episode(store, "news", day, [XZ_A, FED])
    _episode(store, "bytes", day + timedelta(days=1), [XZ_B])
    _run(store, day + timedelta(days=2))
    views = store.story_views(since=day - timedelta(days=1))
    shows = sorted(len(v.shows) for v in views)
    assert shows == [1, 2]
    xz = next(v for v in views if len(v.shows) == 2)
    assert {m.text for m in xz.mentions} == {XZ_A, XZ_B}


def test_the_same_words_months_apart_start_a_new_story(store: Store) -> None:
    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    _episode(store, "news", day, [XZ_A])
    _episode(store, "bytes", day + timedelta(days=45), [XZ_B])
    _run(store, day + timedelta(days=46))
    views = store.story_views(since=day - timedelta(days=1))
    assert sorted(len(v.shows) for v in views) == [1, 1]


def test_a_catch_up_run_builds_what_daily_runs_build(store: Store, tmp_path: Path) -> None:
    from podsift.store import open_store

    day = datetime(2024, 4, 1, 12, tzinfo=UTC)
    daily = open_store(str(tmp_path / "daily.db"))
    for s in (store, daily):
        _episode(s, "news", day, [XZ_A, FED])
    _run(daily, day + timedelta(hours=1))
    for s in (store, daily):
        _episode(s, "bytes", day + timedelta(days=1), [XZ_B])
    _run(daily, day + timedelta(days=1, hours=1))
    _run(store, day + timedelta(days=2))

    def grouping(s: Store) -> list[list[str]]:
        return sorted(
            sorted(m.insight_id for m in v.mentions)
            for v in s.story_views(since=day - timedelta(days=1))
        )

    assert grouping(store) == grouping(daily)
    daily.close()
