"""The daily job end to end: real loopback HTTP server, real SQLite, real model, real SMTP."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from podsift.config import load_settings
from podsift.context import RunContext
from podsift.deliver import senders
from podsift.deliver.smtp import SmtpSettings
from podsift.demo import DEMO_DATA, serve
from podsift.digest import OPERATOR
from podsift.net import make_client
from podsift.pipeline import run_daily, run_tick
from podsift.store import Store
from tests.smtp_server import SmtpServer

NOW = datetime(2024, 4, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def feeds_dir(tmp_path: Path) -> Path:
    """Two real shows that covered the xz backdoor the same week, plus one broken feed."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    for name in ("changelog-news.xml", "python-bytes.xml"):
        shutil.copyfile(DEMO_DATA / "feeds" / name, feeds / name)
    (feeds / "broken.xml").write_text("this is not a feed")
    return tmp_path


@pytest.fixture
def served(feeds_dir: Path) -> Iterator[str]:
    with serve([feeds_dir, DEMO_DATA]) as base:
        yield base


LOOPBACK = {"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8"}  # the test servers, by config


def _ctx(store: Store, client: object, lookback_days: float = 10, **env: str) -> RunContext:
    settings = load_settings(
        env={
            **LOOPBACK,
            "PODSIFT_RANK__RECENCY_HALF_LIFE_DAYS": "3650",
            "PODSIFT_SECRET_KEY": "test-key",
            **env,
        }
    )
    return RunContext(settings, store, client, NOW, lookback=timedelta(days=lookback_days))  # type: ignore[arg-type]


def test_daily_job_end_to_end(store: Store, served: str) -> None:
    for name in ("changelog-news.xml", "python-bytes.xml", "broken.xml"):
        store.add_show(f"{served}/feeds/{name}", NOW)
    store.add_show("http://127.0.0.1:9/feeds/unreachable.xml", NOW)
    with make_client(load_settings(env=LOOPBACK)) as client:
        report = run_daily(_ctx(store, client))
    counts = report.as_dict()
    # Every episode of both feeds is stored; only the two in the 10-day window are processed.
    assert counts["feeds"]["new_episodes"] == 13
    assert counts["feeds"]["failed"] == 2
    assert counts["transcripts"]["fetched"] == 2
    assert counts["insights"]["episodes"] == 2
    failing = {
        s.feed_url.rsplit("/", 1)[1]: s.last_error for s in store.shows() if s.state == "failing"
    }
    assert set(failing) == {"broken.xml", "unreachable.xml"}
    assert all(failing.values())

    row = store.digest_row(OPERATOR, NOW.date())
    assert row is not None
    items = row[1]["items"]
    assert 1 <= len(items) <= 5
    assert len({i["story_id"] for i in items}) == len(items)
    for item in items:
        assert item["quote"] and item["show"] in ("Changelog News", "Python Bytes")
    # The xz backdoor was raised on both shows: one story, with the other show "also on".
    xz = [
        i
        for i in items
        if "xz" in (i["insight"] + i["quote"]).lower()
        or "backdoor" in (i["insight"] + i["quote"]).lower()
    ]
    assert xz, [i["insight"] for i in items]
    assert any(i["also_on"] for i in xz), [(i["insight"], i["also_on"]) for i in xz]
    pb = [i for i in items if i["show"] == "Python Bytes"]
    assert all(i["start"] is not None and "#t=" in i["link"] for i in pb)


def test_second_run_polls_304_and_stores_nothing_new(store: Store, served: str) -> None:
    store.add_show(f"{served}/feeds/python-bytes.xml", NOW)
    with make_client(load_settings(env=LOOPBACK)) as client:
        first = run_daily(_ctx(store, client, lookback_days=1)).as_dict()
        before = store.counts()
        later = _ctx(store, client, lookback_days=1)
        later = dataclasses.replace(later, now=later.now + timedelta(hours=2))  # due again
        second = run_daily(later).as_dict()
    assert first["feeds"]["new_episodes"] == 8
    assert second["feeds"] == {
        "polled": 1,
        "unchanged": 1,
        "new_episodes": 0,
        "failed": 0,
        "deferred": 0,
    }
    assert store.counts() == before


def test_run_sends_each_subscriber_one_email(store: Store, served: str) -> None:
    store.add_show(f"{served}/feeds/changelog-news.xml", NOW)
    store.add_subscriber("ann@example.org", NOW, tz="Europe/Berlin", send_hour=7)  # 11:00 there
    store.add_subscriber("bob@example.org", NOW, tz="America/New_York", send_hour=5)  # 05:00
    with SmtpServer() as smtp, make_client(load_settings(env=LOOPBACK)) as client:
        sender = senders.create("smtp", SmtpSettings.from_url(smtp.url))
        first = run_daily(dataclasses.replace(_ctx(store, client), sender=sender)).as_dict()
        again = run_daily(dataclasses.replace(_ctx(store, client), sender=sender)).as_dict()
    assert first["sent"]["sent"] == 2
    assert again["sent"]["sent"] == 0 and again["sent"]["failed"] == 0
    assert sorted(rcpt for env in smtp.received for rcpt in env.rcpt_tos) == [
        "ann@example.org",
        "bob@example.org",
    ]
    msg = email.message_from_bytes(smtp.received[0].content, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["List-Unsubscribe"] and msg["Message-ID"]
    assert [d.status for d in store.deliveries()] == ["sent", "sent"]


def test_tick_composes_and_sends_only_the_digests_due_now(store: Store, served: str) -> None:
    store.add_show(f"{served}/feeds/changelog-news.xml", NOW)
    store.add_subscriber("ann@example.org", NOW, tz="Europe/Berlin", send_hour=7)  # 11:00 there
    store.add_subscriber("bob@example.org", NOW, tz="America/New_York", send_hour=5)  # 05:00
    store.add_subscriber("cy@example.org", NOW, tz="America/Los_Angeles", send_hour=7)  # 02:00
    with SmtpServer() as smtp, make_client(load_settings(env=LOOPBACK)) as client:
        sender = senders.create("smtp", SmtpSettings.from_url(smtp.url))
        ctx = dataclasses.replace(_ctx(store, client), sender=sender)
        first = run_tick(ctx).as_dict()
        again = run_tick(ctx, poll=False).as_dict()
    assert list(first) == ["feeds", "transcripts", "insights", "stories", "digests", "sent"]
    assert first["digests"] == {"built": 2, "waiting": 1, "judged": 0, "unjudged": 0}
    assert first["sent"]["sent"] == 2
    assert list(again) == ["digests", "sent"]
    assert again["digests"] == {"built": 0, "waiting": 1, "judged": 0, "unjudged": 0}
    assert again["sent"]["sent"] == 0
    assert store.digest_row(OPERATOR, NOW.date()) is None  # the tick composes no operator digest
    assert sorted(rcpt for env in smtp.received for rcpt in env.rcpt_tos) == [
        "ann@example.org",
        "bob@example.org",
    ]
