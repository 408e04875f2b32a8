"""Feedback rows: one vote per subscriber and story, read back with the story's shows and vector."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from podsift.models import Episode, Insight
from podsift.store import Store


def _story(store: Store, sid: str, shows: list[str], now: datetime, model: str = "m") -> None:
    members = []
    for n, show in enumerate(shows):
        show_id, _ = store.add_show(f"https://{sid}-{n}.example/feed", now, show or None)
        store.add_episodes(show_id, [Episode(f"Ep {sid}", guid=f"{sid}{n}", published=now)], now)
        (ep,) = [e for e in store.episodes(["new"]) if e.show_id == show_id]
        insight = Insight("A claim.", "A claim.", None, 1.0, 2.0, 0.5).with_id(f"{sid}-{n}")
        store.save_insights(ep.id, "t@1", [insight], now)
        members.append((insight.id, np.array([0.6, 0.8], dtype=np.float32), 1.0))
    store.add_to_story(sid, model, members, now)


def test_a_newer_vote_replaces_the_older(any_store: Store, now: datetime) -> None:
    sub = any_store.add_subscriber("ann@example.org", now)
    _story(any_store, "s1", ["Show A", "Show B", "Show A"], now)
    assert any_store.record_feedback(sub, "s1", -1, now)
    assert any_store.record_feedback(sub, "s1", 1, now + timedelta(hours=1))
    (vote,) = any_store.feedback_of("ann@example.org", "m")
    assert (vote.story_id, vote.value, vote.created_at) == ("s1", 1, now + timedelta(hours=1))
    assert vote.shows == ("Show A", "Show B")
    assert vote.centroid is not None and np.allclose(vote.centroid, [0.6, 0.8])
    with any_store.engine.begin() as c:
        assert c.execute(sa.text("SELECT COUNT(*) FROM feedback")).scalar() == 1


def test_votes_read_newest_first_with_a_vector_only_of_the_model(
    any_store: Store, now: datetime
) -> None:
    sub = any_store.add_subscriber("ann@example.org", now)
    other = any_store.add_subscriber("bob@example.org", now)
    _story(any_store, "old", [""], now)  # no title: named by its feed URL, as in StoryView
    _story(any_store, "new", ["Show N"], now, model="other-model")
    any_store.record_feedback(sub, "old", 1, now)
    any_store.record_feedback(sub, "new", -1, now + timedelta(minutes=5))
    any_store.record_feedback(other, "old", -1, now)
    votes = any_store.feedback_of("ann@example.org", "m")
    assert [(v.story_id, v.value) for v in votes] == [("new", -1), ("old", 1)]
    assert votes[0].centroid is None and votes[1].centroid is not None
    assert votes[1].shows == ("https://old-0.example/feed",)
    assert [v.story_id for v in any_store.feedback_of("ann@example.org", "m", limit=1)] == ["new"]
    assert any_store.feedback_of("nobody@example.org", "m") == []


def test_a_vote_on_an_unknown_story_is_not_stored(any_store: Store, now: datetime) -> None:
    sub = any_store.add_subscriber("ann@example.org", now)
    assert not any_store.record_feedback(sub, "gone", 1, now)
    assert any_store.feedback_of("ann@example.org", "m") == []
    with pytest.raises(ValueError, match="a vote is"):
        any_store.record_feedback(sub, "gone", 2, now)
