"""Stories for feedback tests: two the readers got yesterday, and today's neighbours of each.

Yesterday's digest (two items) holds ``db1`` (databases) and ``rust1`` (Rust). Today brings
``db2`` (close to db1, the best-scored), ``other`` (another subject) and ``rust2`` (close to rust1,
the lowest). Without feedback today's two are db2 and other; a reader who says "less like" db1
and "more like" rust1 should get rust2 instead of db2. Each story comes from a show of its own,
so what moves it is its topic (the show part is tested on its own in tests/rank).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import numpy as np

from podsift.config import Settings, load_settings
from podsift.context import RunContext
from podsift.digest import compose_for
from podsift.models import Digest, Episode, Insight
from podsift.store import Store

DAY1, DAY2 = date(2024, 4, 2), date(2024, 4, 3)
SEEN1 = datetime(2024, 4, 2, 4, 0, tzinfo=UTC)
SEEN2 = datetime(2024, 4, 3, 4, 0, tzinfo=UTC)
READER, CONTROL = "ann@example.org", "bob@example.org"


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


# story id: (show, text, insight score, centroid, seen)
STORIES = {
    "db1": ("Data Talk", "PostgreSQL 17 cut our vacuum time from four hours to forty minutes.",
            0.9, _unit(1, 0, 0, 0), SEEN1),
    "rust1": ("Rust Weekly", "Rust rewrites cut our crash rate by half within a year at Dropbox.",
              0.85, _unit(0, 1, 0, 0), SEEN1),
    "db2": ("Query Hour", "SQLite 3.45 made our JSON queries three times faster on one laptop.",
            0.9, _unit(0.95, 0, 0, 0.3), SEEN2),
    "other": ("Cloud Cast", "AWS now charges half a cent an hour for every public IPv4 address.",
              0.65, _unit(0, 0, 1, 0), SEEN2),
    "rust2": ("Systems Pod", "Moving the parser to Rust removed all 40 memory bugs Mozilla saw.",
              0.5, _unit(0, 0.95, 0, 0.3), SEEN2),
}  # fmt: skip


def settings(**env: str) -> Settings:
    """Two items a digest, and the secret and base URL the web tests use."""
    return load_settings(env={"PODSIFT_RANK__TOP": "2", "PODSIFT_SECRET_KEY": "feedback-key",
                              "PODSIFT_BASE_URL": "https://podsift.example", **env})  # fmt: skip


def seed_day(store: Store, seen: datetime) -> None:
    """Store the stories first seen at ``seen``, each in an episode of its own show."""
    model = settings().cluster.embedder
    for sid, (show, text, score, vector, when) in STORIES.items():
        if when != seen:
            continue
        show_id, _ = store.add_show(f"https://{sid}.example/feed.xml", when, show)
        store.add_episodes(show_id, [Episode(f"{show} on {sid}", guid=sid, published=when)], when)
        (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
        insight = Insight(text, text, "Ann Host", 60.0, 70.0, score).with_id(f"i-{sid}")
        store.save_insights(ep.id, "test@1", [insight], when)
        store.add_to_story(sid, model, [(insight.id, vector, 1.0)], when)


def subscribers(store: Store) -> dict[str, int]:
    """The reader and the control reader, active, with no topics and no shows of their own."""
    return {a: store.add_subscriber(a, SEEN1) for a in (READER, CONTROL)}


def compose(store: Store, address: str, day: date, subscriber_id: int | None = None) -> Digest:
    """Compose and store ``address``'s digest of ``day`` the way the daily run does."""
    now = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=6)
    with httpx.Client() as client:
        ctx = RunContext(settings(), store, client, now)
        _, digest = compose_for(ctx, address, day, subscriber_id)
    return digest


def first_day(store: Store) -> dict[str, int]:
    """Seed yesterday, subscribe both readers and compose their digests of DAY1."""
    seed_day(store, SEEN1)
    ids = subscribers(store)
    for address, sub_id in ids.items():
        compose(store, address, DAY1, sub_id)
    return ids


def ids_of(digest: Digest) -> list[str]:
    """The story ids of a digest, in order."""
    return [i.story_id for i in digest.items]
