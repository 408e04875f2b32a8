"""Batched poll writes and paged due shows in the store (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podsift.feeds.writes import PollWrites
from podsift.models import Episode, Show
from podsift.store import PollOutcome, Store, open_store

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "t.db"))
    yield s
    s.close()


def test_iter_due_shows_pages_in_due_order(store: Store) -> None:
    ids = [store.add_show(f"https://e.com/{i}.xml", NOW)[0] for i in range(7)]
    for n, show_id in enumerate(ids[:4]):
        when = NOW - timedelta(hours=n % 2, minutes=n)
        polled = NOW - timedelta(hours=2)  # an earlier run; one at NOW would not be due again
        store.save_polls(polled, [(show_id, PollOutcome(200, "ok", when, 0, None))])
    store.save_polls(NOW, [(ids[4], PollOutcome(200, "ok", NOW + timedelta(hours=1), 0, None))])
    pages = list(store.iter_due_shows(NOW, page=2))
    assert all(len(p) <= 2 for p in pages)
    assert [r.id for p in pages for r in p] == [r.id for r in store.due_shows(NOW)]
    assert len([r for p in pages for r in p]) == 6


def test_polled_shows_do_not_come_back_on_a_later_page(store: Store) -> None:
    ids = [store.add_show(f"https://e.com/{i}.xml", NOW)[0] for i in range(5)]
    seen: list[int] = []
    for page in store.iter_due_shows(NOW, page=2):
        for row in page:
            seen.append(row.id)
            later = NOW + timedelta(hours=1)
            store.save_polls(NOW, [(row.id, PollOutcome(304, "ok", later, 0, None))])
    assert seen == ids


def test_batched_writes_store_outcomes_and_episodes_in_one_flush(store: Store) -> None:
    a, _ = store.add_show("https://e.com/a.xml", NOW)
    b, _ = store.add_show("https://e.com/b.xml", NOW)
    writes = PollWrites(store, NOW, size=100)
    later = NOW + timedelta(hours=2)
    writes.save(a, PollOutcome(304, "ok", later, 0, None, validators=('"e1"', None, "h")))
    writes.save(b, PollOutcome(200, "ok", later, 0, None, show=Show("B show", None)))
    eps = [Episode("one", guid="g1", published=NOW), Episode("two", guid="g2", published=NOW)]
    writes.episodes(b, "B show", eps, ["g:g1", "g:g2"])
    assert store.due_shows(NOW)  # nothing written yet
    assert writes.flush() == 2
    assert store.due_shows(NOW) == []
    shows = {s.id: s for s in store.shows()}
    assert shows[a].etag == '"e1"' and shows[b].title == "B show"
    writes.episodes(b, "B show", eps, ["g:g1", "g:g2"])
    assert writes.flush() == 0  # already stored
    assert writes.added == 2


def test_a_full_batch_is_written_without_waiting_for_flush(store: Store) -> None:
    ids = [store.add_show(f"https://e.com/{i}.xml", NOW)[0] for i in range(5)]
    writes = PollWrites(store, NOW, size=2)
    for show_id in ids[:4]:
        writes.save(show_id, PollOutcome(304, "ok", NOW + timedelta(hours=1), 0, None))
    assert [r.id for r in store.due_shows(NOW)] == [ids[4]]
