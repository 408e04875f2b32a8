"""Who said it (#21), end to end: a feed's ``podcast:person`` names the transcript's speakers.

The daily job runs on a loopback server over real data: the first item of the Podcasting 2.0
feed (tests/data/feeds/podcasting-2.0-persons.xml: hosts Adam Curry and Dave Jones), its
transcript link pointed at the show's real captions of episode 124 with the labels cut to
first names ("Adam:", "Dave:"), as many publishers write them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podsift.cli.show import show_digest
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.demo import serve
from podsift.digest import (
    OPERATOR,
    digest_from_json,
    digest_to_json,
    render_html,
    render_markdown,
    render_text,
)
from podsift.net import make_client
from podsift.pipeline import run_daily
from podsift.store import Store
from tests.conftest import DATA

NOW = datetime(2021, 10, 9, 9, 0, tzinfo=UTC)  # the day after episode 57 was published
ENV = {
    "PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8",
    "PODSIFT_RANK__RECENCY_HALF_LIFE_DAYS": "3650",
    "PODSIFT_SECRET_KEY": "test-key",
}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    feed = (DATA / "feeds" / "podcasting-2.0-persons.xml").read_text(encoding="utf-8")
    real_link = "https://mp3s.nashownotes.com/PC20-57-Captions.srt"
    assert real_link in feed
    captions = DATA / "transcripts" / "publisher-formats" / "podcasting_20_episode_124.srt"
    srt = captions.read_text(encoding="utf-8")
    first_names = srt.replace("Adam Curry:", "Adam:").replace("Dave Jones:", "Dave:")
    assert "Adam:" in first_names and "Adam Curry:" not in first_names
    (tmp_path / "feeds").mkdir()
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "feeds" / "pc20.xml").write_text(
        feed.replace(real_link, "__BASE__/transcripts/pc20-124.srt"), encoding="utf-8"
    )
    (tmp_path / "transcripts" / "pc20-124.srt").write_text(first_names, encoding="utf-8")
    return tmp_path


def test_first_name_labels_reach_the_digest_as_the_feeds_full_names(
    store: Store, site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(env=ENV)
    with serve([site]) as base, make_client(settings) as client:
        store.add_show(f"{base}/feeds/pc20.xml", NOW)
        ctx = RunContext(settings, store, client, NOW, lookback=timedelta(days=2))
        counts = run_daily(ctx).as_dict()
    assert counts["transcripts"]["fetched"] == 1
    assert counts["insights"]["insights"] > 0

    (episode,) = store.episodes(["extracted"])
    assert [p.name for p in episode.persons] == ["Adam Curry", "Dave Jones", "Brian of London"]
    stored = store.transcript(episode.id)
    assert stored is not None  # the transcript is kept as published ...
    assert {s.speaker for s in stored.segments} == {"Adam", "Dave", None}

    row = store.digest_row(OPERATOR, NOW.date())
    assert row is not None
    items = row[1]["items"]
    speakers = [i["speaker"] for i in items]
    assert items and set(speakers) <= {"Adam Curry", "Dave Jones", None}  # ... the digest names
    assert "Adam Curry" in speakers

    digest = digest_from_json(row[1])
    assert digest_to_json(digest)["items"] == items
    who = next(i for i in items if i["speaker"] == "Adam Curry")
    for out in (render_text(digest), render_markdown(digest), render_html(digest)):
        assert "Adam Curry" in out
        assert "Adam," not in out and "Adam</" not in out  # never the bare label
    show_digest(digest)
    terminal = capsys.readouterr().out
    assert f"— Adam Curry, Podcasting 2.0 · {who['episode']}" in terminal
