"""Delivery benchmark: personalised digests composed per second, messages per second over SMTP.

Composing = for each subscriber, keep the stories of their shows, rank them with their topic
interest, build the digest and its stored JSON (what `tick` writes before any send).
Sending = the delivery stage (`deliver.run`) through the ledger to an aiosmtpd server on
loopback (real SQLite store, real SMTP), with rendering (text + HTML, CSS inlined) and composing
the MIME message included.

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
import numpy as np
from aiosmtpd.controller import Controller

from podsift import deliver
from podsift.config import DeliverySettings, EmailSettings, Settings
from podsift.context import RunContext
from podsift.deliver import SmtpSender, SmtpSettings
from podsift.digest import build_digest, digest_to_json
from podsift.models import Mention, StoryView
from podsift.rank import BaseScores, rank_stories, rank_with_base
from podsift.store import DigestDraft, open_store

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


VECTORS: dict[str, np.ndarray] = {}


def centroids(views: list[StoryView]) -> dict[str, np.ndarray]:
    """Unit 384-d story vectors, near their topic's direction (like real story centroids)."""
    gen = np.random.default_rng(6)
    axis = {t: gen.normal(size=384) for t in TOPICS}
    out = {}
    for v in views:
        vec = axis[TOPICS[int(v.id[5:]) % len(TOPICS)]] + gen.normal(size=384)
        out[v.id] = (vec / np.linalg.norm(vec)).astype(np.float32)
    return out


def readers(n_subs: int, n_shows: int, rng: random.Random) -> list[tuple[list[int], list[str]]]:
    return [
        (rng.sample(range(n_shows), rng.randint(3, 12)), rng.sample(TOPICS, rng.randint(1, 3)))
        for _ in range(n_subs)
    ]


def compose_all(views: list[StoryView], subs: list[tuple[list[int], list[str]]]) -> float:
    """The old path: rank_stories rescoring every story of the reader's shows."""
    by_show: dict[str, list[StoryView]] = {}
    for v in views:
        for show in v.shows:
            by_show.setdefault(show, []).append(v)
    topic_of = {v.id: TOPICS[int(v.id[5:]) % len(TOPICS)] for v in views}
    start = time.perf_counter()
    for i, (shows, topics) in enumerate(subs):
        mine = list({v.id: v for sh in shows for v in by_show.get(f"Show {sh}", ())}.values())
        interest = {v.id: 1.5 for v in mine if topic_of[v.id] in topics}
        ranked = rank_stories(mine, now=NOW, limit=5, interest=interest, vectors=VECTORS)
        digest = build_digest(ranked, day=NOW.date(), recipient=f"r{i}@example.com")
        digest_to_json(digest)
    return time.perf_counter() - start


def compose_fast(
    views: list[StoryView], subs: list[tuple[list[int], list[str]]], check: int = 0
) -> float:
    """The batch path: BaseScores once, then per reader interest and the windowed MMR pick."""
    start = time.perf_counter()
    base = BaseScores.build(views, now=NOW, vectors=VECTORS)
    by_show = {
        show: base.positions([v.id for v in views if show in v.shows])
        for show in {s for v in views for s in v.shows}
    }
    by_topic: dict[str, list[str]] = {}
    for v in base.views:
        by_topic.setdefault(TOPICS[int(v.id[5:]) % len(TOPICS)], []).append(v.id)
    empty = np.array([], dtype=np.intp)
    for i, (shows, topics) in enumerate(subs):
        mine = np.unique(np.concatenate([by_show.get(f"Show {sh}", empty) for sh in shows]))
        ids = {base.views[j].id for j in mine} if i < check else None
        interest = {sid: 1.5 for t in topics for sid in by_topic.get(t, ())}
        ranked = rank_with_base(base, limit=5, interest=interest, candidates=mine)
        if ids is not None:  # same answer as the old path
            own = [v for v in views if v.id in ids]
            assert ranked == rank_stories(
                own,
                now=NOW,
                limit=5,
                interest={k: f for k, f in interest.items() if k in ids},
                vectors=VECTORS,
            )
        digest = build_digest(ranked, day=NOW.date(), recipient=f"r{i}@example.com")
        digest_to_json(digest)
    return time.perf_counter() - start


def store_writes(views: list[StoryView], n: int, batch: int = 500) -> tuple[float, float]:
    """Seconds to write ``n`` digests one transaction each vs ``batch`` per transaction."""
    payload = digest_to_json(build_digest(rank_stories(views, now=NOW), day=NOW.date()))
    out = []
    for batched in (False, True):
        tmp = Path(tempfile.mkdtemp())
        store = open_store(str(tmp / "w.db"))
        drafts = [DigestDraft(f"r{i}@example.com", NOW.date(), payload, []) for i in range(n)]
        start = time.perf_counter()
        if batched:
            for k in range(0, n, batch):
                store.save_digests(drafts[k : k + batch], NOW)
        else:
            for x in drafts:
                store.save_digest(x.recipient, x.day, x.payload, [], NOW)
        out.append(time.perf_counter() - start)
        store.close()
    return out[0], out[1]


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
        report = deliver.run(RunContext(settings, store, client, NOW, sender=sender))
        elapsed = time.perf_counter() - start
    controller.stop()
    store.close()
    assert report.sent == sink.count == n_messages, (report, sink.count)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="readers on the old path")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--writes", type=int, default=20_000)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--shows", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(6)
    views = stories(args.stories, args.shows, rng)
    VECTORS.update(centroids(views))
    subs = readers(args.subscribers, args.shows, rng)
    old = compose_all(views, subs[: args.baseline])
    fast = compose_fast(views, subs, check=200)
    one, batched = store_writes(views, args.writes)
    sent = send_all(views, args.messages)
    old_rate, fast_rate = args.baseline / old, args.subscribers / fast
    print("| measure | count | seconds | per second |")
    print("|---|---|---|---|")
    print(
        f"| digests composed, rank_stories per reader ({args.stories} stories, "
        f"{args.shows} shows) | {args.baseline} | {old:.1f} | {old_rate:,.0f} |"
    )
    print(
        f"| digests composed, BaseScores + windowed MMR | {args.subscribers} | {fast:.1f} "
        f"| {fast_rate:,.0f} |"
    )
    print(
        f"| digests stored, one transaction each | {args.writes} | {one:.1f} "
        f"| {args.writes / one:,.0f} |"
    )
    print(
        f"| digests stored, 500 per transaction (executemany) | {args.writes} | {batched:.1f} "
        f"| {args.writes / batched:,.0f} |"
    )
    print(
        f"| messages sent to loopback SMTP (ledger, render, MIME) | {args.messages} "
        f"| {sent:.1f} | {args.messages / sent:,.0f} |"
    )
    print(
        f"compose speed-up: {fast_rate / old_rate:.1f}x; 100,000 composed + stored in "
        f"{100_000 / fast_rate + 100_000 * batched / args.writes:.1f} s (goal: under 60 s)"
    )


if __name__ == "__main__":
    main()
