"""``podcast:person`` (#21): both parse paths read the channel's and each item's people alike.

An item's persons replace the channel's (the namespace: "people information in <item>
wholly replaces all information from the <channel>"); an item without any gets the channel's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podsift.feeds import parse_feed
from podsift.feeds.parse.standard import feed_to_json, parse_feed_with_hints
from podsift.models import ParsedFeed, Person
from tests.feeds.test_fastparse import _fast

FEEDS = Path(__file__).parents[1] / "data" / "feeds"


def _both(content: bytes) -> ParsedFeed:
    """The fast path's result, asserted equal to the feedparser path's."""
    quick = _fast(content)
    slow, _ = parse_feed_with_hints(content, "feed.xml", fast=False)
    assert quick is not None, "the fast path declined this feed"
    assert quick == slow
    return slow


def test_real_feed_persons_at_channel_and_item_level() -> None:
    # The Mike Neumann Show: the host on the channel, each episode lists its guest only
    feed = _both((FEEDS / "themnshow.xml").read_bytes())
    assert feed.show.persons == (
        Person(
            "Mike Neumann",
            "host",
            "cast",
            "https://mikeneumann.show/assets/static/MNeumann.jpeg",
            "https://mikeneumann.net",
        ),
    )
    first = feed.episodes[0]
    assert [(p.name, p.role) for p in first.persons] == [("Dr. Timothy M. Jurgensen", "guest")]
    assert all(e.persons for e in feed.episodes)


def test_real_feed_item_persons_with_the_github_namespace_alias() -> None:
    # Podcasting 2.0's own feed names its namespace by the GitHub URL of the spec
    feed = _both((FEEDS / "podcasting-2.0-persons.xml").read_bytes())
    assert feed.show.persons == ()
    (episode,) = feed.episodes
    assert [(p.name, p.role, p.group) for p in episode.persons] == [
        ("Adam Curry", "host", "cast"),
        ("Dave Jones", "host", "cast"),
        ("Brian of London", "guest", "cast"),
    ]
    assert episode.persons[1].href == "http://dave.sobr.org"


# Hand-written: no real feed at hand has these corner cases together.
_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:pi="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Show</title>
  <pi:person>Ann  Lee</pi:person>
  <pi:person role="Co-Host" group="Cast" img=" https://e.org/b.jpg ">Bo Chen</pi:person>
  <pi:person role="guest"> </pi:person>
  <pi:liveItem status="live" start="2024-01-01T00:00:00Z" end="2024-01-01T01:00:00Z">
    <title>Live</title>
    <pi:person role="guest">Live Guest</pi:person>
  </pi:liveItem>
  <item>
    <title>With a guest</title><guid>a</guid>
    <pi:person>Ann Lee</pi:person>
    <pi:person role="guest" href="https://e.org/cy">Cy Dú</pi:person>
    <pi:person role="guest" href="https://e.org/cy">Cy Dú</pi:person>
  </item>
  <item><title>Regular</title><guid>b</guid></item>
</channel>
</rss>
""".encode()


def test_item_persons_replace_the_channels_and_defaults_apply() -> None:
    feed = _both(_FEED)
    assert feed.show.persons == (
        Person("Ann Lee"),  # no role, no group: "host" in "cast", as the namespace says
        Person("Bo Chen", "co-host", "cast", img="https://e.org/b.jpg"),
    )  # the blank one is no one; the live item's guest is not the channel's
    with_guest, regular = feed.episodes
    assert with_guest.persons == (
        Person("Ann Lee"),
        Person("Cy Dú", "guest", href="https://e.org/cy"),
    )
    assert regular.persons == feed.show.persons


def test_broken_feed_keeps_persons_through_the_salvaging_parser() -> None:
    content = (FEEDS / "no-agenda-broken.xml").read_bytes()
    assert _fast(content) is None  # malformed: feedparser and lxml's recovering parser
    feed = parse_feed(content, "no-agenda.xml")
    assert [p.name for p in feed.episodes[0].persons] == ["Adam Curry", "John C Dvorak"]


@pytest.mark.parametrize("fast", [True, False])
def test_feed_json_lists_persons(fast: bool) -> None:
    feed, _ = parse_feed_with_hints(_FEED, "feed.xml", fast=fast)
    data = feed_to_json(feed)
    assert data["show"]["persons"][1] == {
        "name": "Bo Chen",
        "role": "co-host",
        "group": "cast",
        "img": "https://e.org/b.jpg",
        "href": None,
    }
    assert [p["name"] for p in data["episodes"][1]["persons"]] == ["Ann Lee", "Bo Chen"]
