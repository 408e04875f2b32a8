"""A story is shown by its best telling, on the real compose path, store and site (#21).

The store keeps as representative the member nearest the story's centroid, ties to the higher
score. Here that is one show's bare line; another show told the same news whole, with its dates
and its cause. The digest and the story page lead with the whole telling.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import numpy as np
from starlette.testclient import TestClient

from podsift import digest
from podsift.context import RunContext
from podsift.models import Episode, Insight
from podsift.store import Store
from podsift.web import create_app
from tests.digest.test_judgement import settings
from tests.rank.test_score import STRIKE_BARE, STRIKE_WHOLE

DAY = date(2024, 4, 3)
SEEN = datetime(2024, 4, 3, 4, 0, tzinfo=UTC)
NOW = datetime(2024, 4, 3, 6, 0, tzinfo=UTC)


def seed(store: Store) -> None:
    """One story told by two shows with one vector: the bare line scored higher."""
    vector = np.ones(8, dtype=np.float32) / np.sqrt(8)
    members = []
    for show, text, score in (
        ("Full Time", STRIKE_BARE, 0.9),
        ("The Evening Wrap", STRIKE_WHOLE, 0.6),
    ):
        show_id, _ = store.add_show(f"https://{len(members)}.example/feed.xml", SEEN, show)
        store.add_episodes(show_id, [Episode(f"{show} 1", guid=show, published=SEEN)], SEEN)
        (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
        insight = Insight(text, text, "Host", 60.0, 70.0, score).with_id(show)
        store.save_insights(ep.id, "test@1", [insight], SEEN)
        members.append((insight.id, vector, 1.0))
    store.add_to_story("strike", settings().cluster.embedder, members, SEEN)


def test_the_digest_and_the_story_page_lead_with_the_best_telling(store: Store) -> None:
    seed(store)
    (view,) = store.story_views(SEEN)
    assert view.mentions[0].text == STRIKE_BARE  # the store's representative
    with httpx.Client() as client:
        digest.run(RunContext(settings(), store, client, NOW))
    row = store.digest_row(digest.OPERATOR, DAY)
    assert row is not None
    (item,) = row[1]["items"]
    assert (item["show"], item["quote"]) == ("The Evening Wrap", STRIKE_WHOLE)
    assert [a["show"] for a in item["also_on"]] == ["Full Time"]
    with TestClient(create_app(settings(), store, clock=lambda: NOW)) as site:
        page = site.get("/s/strike").text
    assert page.index("on Tuesday the twentieth") < page.index("Yesterday, Wednesday")
