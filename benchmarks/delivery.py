"""Delivery benchmark: personalised digests composed per second, messages per second over SMTP.

Composing = for each subscriber, keep the stories of their shows, rank them with their topic
interest, build the digest and its stored JSON (what `tick` writes before any send).
Sending = `send_due` through the ledger to an aiosmtpd server on loopback (real SQLite store,
real SMTP), with rendering (text + HTML, CSS inlined) and composing the MIME message included.

    python benchmarks/delivery.py [--subscribers 100000] [--messages 300]
"""

from __future__ import annotations

import argparse
import random
import socket
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller

from podsift.config import DeliverySettings, EmailSettings, Settings
from podsift.context import RunContext
from podsift.deliver import SmtpSender, SmtpSettings, send_due
from podsift.digest import build_digest, digest_to_json
from podsift.models import Mention, StoryView
from podsift.rank import rank_stories
from podsift.store import open_store

NOW = datetime(2024, 4, 3, 6, 0, tzinfo=UTC)
TOPICS = ["rust", "python", "ai", "databases", "security", "web", "cloud", "linux", "go", "music"]


def stories(n_stories: int, n_shows: int, rng: random.Random) -> list[StoryView]:
    views = []
    for s in range(n_stories):
        topic = TOPICS[s % len(TOPICS)]
        shows = rng.sample(range(n_shows), rng.randint(1, 6))
        mentions = tuple(
            Mention(f"i{s}-{k}", f"Show {sh}", f"Ep {s}", "Ann", f"A {topic} claim number {s}.",
                    f"Quote about {topic} {s}", f"https://s{sh}.example/{s}.mp3", 60.0 * k,
                    rng.random(), NOW - timedelta(hours=rng.randint(1, 200)))
            for k, sh in enumerate(shows)
        )  # fmt: skip
        views.append(StoryView(f"story{s:05d}", mentions, mentions[0].published, NOW))
    return views


def compose_all(views: list[StoryView], n_subs: int, n_shows: int, rng: random.Random) -> float:
    by_show: dict[str, list[StoryView]] = {}
    for v in views:
        for show in v.shows:
            by_show.setdefault(show, []).append(v)
    topic_of = {v.id: TOPICS[int(v.id[5:]) % len(TOPICS)] for v in views}
    subs = [
        (rng.sample(range(n_shows), rng.randint(3, 12)), rng.sample(TOPICS, rng.randint(1, 3)))
        for _ in range(n_subs)
    ]
    start = time.perf_counter()
    for i, (shows, topics) in enumerate(subs):
        mine = list({v.id: v for sh in shows for v in by_show.get(f"Show {sh}", ())}.values())
        interest = {v.id: 1.5 for v in mine if topic_of[v.id] in topics}
        ranked = rank_stories(mine, now=NOW, limit=5, interest=interest)
        digest = build_digest(ranked, day=NOW.date(), recipient=f"r{i}@example.com")
        digest_to_json(digest)
    return time.perf_counter() - start


class Sink:
    count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def send_all(views: list[StoryView], n_messages: int) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    tmp = Path(tempfile.mkdtemp())
    store = open_store(str(tmp / "bench.db"))
    payload = digest_to_json(build_digest(rank_stories(views, now=NOW), day=NOW.date()))
    for i in range(n_messages):
        address = f"r{i}@example.com"
        sub_id = store.add_subscriber(address, NOW, tz="UTC", send_hour=0)
        store.save_digest(address, NOW.date(), payload, [], NOW, sub_id)
    settings = Settings(
        email=EmailSettings(sender="digest@news.example", secret_key="bench"),
        delivery=DeliverySettings(cutoff_hour=24),
    )
    sender = SmtpSender(SmtpSettings("127.0.0.1", port, timeout=10))
    with httpx.Client() as client:
        start = time.perf_counter()
        report = send_due(RunContext(settings, store, client, NOW), sender)
        elapsed = time.perf_counter() - start
    controller.stop()
    store.close()
    assert report.sent == sink.count == n_messages, (report, sink.count)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--shows", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(6)
    views = stories(args.stories, args.shows, rng)
    composed = compose_all(views, args.subscribers, args.shows, rng)
    sent = send_all(views, args.messages)
    print("| measure | count | seconds | per second |")
    print("|---|---|---|---|")
    print(
        f"| personalised digests composed ({args.stories} stories, {args.shows} shows) "
        f"| {args.subscribers} | {composed:.1f} | {args.subscribers / composed:,.0f} |"
    )
    print(
        f"| messages sent to loopback SMTP (ledger, render, MIME, one session each) "
        f"| {args.messages} | {sent:.1f} | {args.messages / sent:,.0f} |"
    )
    print(
        f"goal: 100,000 composed in under 60 s -> "
        f"{100_000 / (args.subscribers / composed):.1f} s at this rate"
    )


if __name__ == "__main__":
    main()
