"""A small store for the public pages: two shows, a story both raised, archived digests.

One quote is hostile on purpose (a script tag, a javascript: link, an attribute breakout), as
transcript text can be; every page must show it as text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from podsift.digest import OPERATOR, digest_to_json
from podsift.models import AlsoOn, Digest, DigestItem, Episode, Insight, Related, Show
from podsift.store import PollOutcome, Store

NOW = datetime(2024, 4, 3, 5, 30, tzinfo=UTC)
DAYS = (date(2024, 4, 1), date(2024, 4, 2), date(2024, 4, 3))
HOSTILE = (
    '<script>alert("x")</script> see <a href="javascript:alert(1)">here</a> " onmouseover="alert(2)'
)
QUOTE_A = "Rust rewrites cut our crash rate by half within a year."
QUOTE_B = "We saw the crash rate fall by half after moving the parser to Rust."


def seed(store: Store, audio_url: str = "https://cdn.example/a.mp3") -> dict[str, int]:
    """Fill ``store`` and return the show ids by title."""
    a, _ = store.add_show("https://a.example/feed.xml", NOW, "Show A")
    b, _ = store.add_show("https://b.example/feed.xml", NOW, "Show B")
    polled = PollOutcome(200, "ok", NOW + timedelta(hours=1), 0, None,
                         show=Show("Show A", link="javascript:alert(3)"))  # fmt: skip
    store.save_polls(NOW, [(a, polled)])
    for show_id, n in ((a, 1), (b, 2)):
        store.add_episodes(show_id, [Episode(f"Episode {n}", guid=f"g{n}", audio_url=audio_url,
                                             published=NOW - timedelta(days=n),
                                             link="javascript:alert(4)")], NOW)  # fmt: skip
    episodes = {e.show_id: e.id for e in store.episodes(["new"])}
    one = Insight("Rust halves crashes.", QUOTE_A, "Ann", 3.0, 6.0, 0.9).with_id("a")
    two = Insight("Rust halved crashes.", QUOTE_B, "Bob", 2.5, 5.0, 0.8).with_id("b")
    bad = Insight(HOSTILE, HOSTILE, HOSTILE, 1.0, 2.0, 0.7).with_id("c")
    store.save_insights(episodes[a], "test@1", [one], NOW)
    store.save_insights(episodes[b], "test@1", [two, bad], NOW)
    v = np.array([1, 0, 0], dtype=np.float32)
    store.add_to_story("s1", "m", [(one.id, v, 1.0), (two.id, v, 0.9)], NOW)
    store.add_to_story("s2", "m", [(bad.id, np.array([0, 1, 0], dtype=np.float32), 1.0)], NOW)
    for n, day in enumerate(DAYS):
        made = NOW - timedelta(days=len(DAYS) - 1 - n)
        store.save_digest(OPERATOR, day, digest_to_json(_digest(day)), ["s1", "s2"], made)
    return {"Show A": a, "Show B": b}


def _digest(day: date) -> Digest:
    related = Related("Show C", "Ep 9", None, "Memory safety is a budget question.",
                      "https://c.example/9", 61.0)  # fmt: skip
    return Digest(day, (
        DigestItem(1, "s1", f"Rust halves crash rates ({day.isoformat()})", "Rust halves crashes.",
                   QUOTE_A, "Ann", "Show A", "Episode 1", "https://a.example/1", 3.0,
                   also_on=(AlsoOn("Show B", "Episode 2", "Bob", QUOTE_B, None, 2.5),),
                   related=(related,)),
        DigestItem(2, "s2", HOSTILE, HOSTILE, HOSTILE, HOSTILE, "Show B", HOSTILE,
                   "javascript:alert(5)", 1.0),
    ))  # fmt: skip
