"""The public site under load: requests per second and p50/p95 latency per page (#19).

A store of ``--stories`` stories (default 100,000) holding ``--insights`` insights (default
1,000,000) is written straight into the tables, then ``podsift serve`` (uvicorn, one process)
runs on loopback over it, and a small aiohttp client keeps ``--concurrency`` requests in flight
for ``--seconds`` per page:

- ``home``: today's five (``/``);
- ``archive``: a random past day (``/d/DATE``);
- ``story``: a random story (``/s/ID``), every quote of it read from the store;
- ``story 304``: the same with the page's ETag, as a browser or cache that has it asks;
- ``search``: ``/search?q=`` with a word or two of the insights' own text.

The insight text is real: sentences of the transcripts in ``tests/data`` and the demo
(MIT, CC-BY-SA, GPL-3.0 test data; see their PROVENANCE files), reused across the insights.
PostgreSQL runs in a database of its own (created and dropped), so no other data is touched.
Goals: p95 ≤ 50 ms for the cached pages (home, archive, story) and ≤ 200 ms for search.

    python benchmarks/web.py [--stories 100000] [--insights 1000000] [--seconds 10]
        [--concurrency 8] [--postgres postgresql://postgres@127.0.0.1:5432/test | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa

from podsift.digest import OPERATOR, digest_to_json
from podsift.models import Digest, DigestItem
from podsift.store import open_store, resolve_db_url
from podsift.store import schema as t

ROOT = Path(__file__).resolve().parent.parent
TEXTS = (ROOT / "tests" / "data", ROOT / "src" / "podsift" / "demo" / "data")
NOW = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
SHOWS = 500
DAYS = 365
MEMBERS = 10  # insights per story
CHUNK = 20_000


def sentences(limit: int = 20_000) -> list[str]:
    """Distinct real sentences (40-300 characters) of the bundled transcripts."""
    found: dict[str, None] = {}
    for folder in TEXTS:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".txt", ".md", ".vtt", ".srt") or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            text = re.sub(r"\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?|-->|<[^>]+>", " ", text)
            for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
                if 40 <= len(s) <= 300 and not s[0].isdigit():
                    found.setdefault(s, None)
            if len(found) >= limit:
                return list(found)
    return list(found)


def fill(db: str, n_stories: int, n_insights: int, seed: int = 19) -> dict[str, Any]:
    """Write shows, episodes, insights, stories and a year of the operator's digests."""
    rng = random.Random(seed)
    pool = sentences()
    store = open_store(db)
    engine = store.engine
    per_episode = 50
    n_episodes = max(1, n_insights // per_episode)
    started = time.perf_counter()
    with engine.begin() as c:
        c.execute(t.shows.insert(), [
            {"id": s + 1, "feed_url": f"https://show{s}.example/feed.xml", "title": f"Show {s}",
             "state": "ok", "created_at": NOW} for s in range(SHOWS)
        ])  # fmt: skip
        for lo in range(0, n_episodes, CHUNK):
            c.execute(t.episodes.insert(), [
                {"id": e + 1, "show_id": e % SHOWS + 1, "key": f"ep{e}", "title": f"Episode {e}",
                 "published": NOW - timedelta(minutes=e * DAYS * 1440 // n_episodes),
                 "audio_url": f"https://cdn.example/{e}.mp3", "link": f"https://show.example/{e}",
                 "transcript_links": [], "state": "extracted", "created_at": NOW}
                for e in range(lo, min(n_episodes, lo + CHUNK))
            ])  # fmt: skip
    for lo in range(0, n_insights, CHUNK):
        with engine.begin() as c:
            c.execute(t.insights.insert(), [
                {"id": f"i{i}", "episode_id": i // per_episode + 1, "extractor": "bench@1",
                 "text": (text := pool[rng.randrange(len(pool))]), "quote": text,
                 "speaker": f"Speaker {i % 7}", "start": float(i % 3600), "end": None,
                 "score": rng.random(), "text_hash": f"h{i}", "created_at": NOW}
                for i in range(lo, min(n_insights, lo + CHUNK))
            ])  # fmt: skip
    centroid = bytes(16)
    in_stories = min(n_insights, n_stories * MEMBERS)
    for lo in range(0, n_stories, CHUNK):
        hi = min(n_stories, lo + CHUNK)
        with engine.begin() as c:
            c.execute(t.stories.insert(), [
                {"id": f"s{s}", "model": "bench", "representative_id": f"i{s * MEMBERS}",
                 "centroid": centroid, "size": MEMBERS, "show_count": 2, "first_seen": NOW,
                 "last_seen": NOW, "created_at": NOW} for s in range(lo, hi)
            ])  # fmt: skip
            c.execute(t.story_members.insert(), [
                {"insight_id": f"i{i}", "story_id": f"s{i // MEMBERS}", "similarity": 1.0}
                for i in range(lo * MEMBERS, min(in_stories, hi * MEMBERS))
            ])  # fmt: skip
    days = [NOW.date() - timedelta(days=d) for d in range(DAYS)]
    with engine.begin() as c:
        for n, day in enumerate(days):
            ids = [f"s{(n * 5 + k) % n_stories}" for k in range(5)]
            payload = digest_to_json(_digest(day, ids, pool, rng))
            digest_id = c.execute(t.digests.insert().values(
                recipient=OPERATOR, date=day, payload=payload, created_at=NOW
            )).inserted_primary_key[0]  # fmt: skip
            c.execute(t.digest_items.insert(), [
                {"digest_id": digest_id, "rank": k + 1, "story_id": sid}
                for k, sid in enumerate(ids)
            ])  # fmt: skip
    store.close()
    words = sorted({w for s in pool[:2000] for w in re.findall(r"[a-z]{6,}", s.lower())})
    return {"seconds": time.perf_counter() - started, "days": days, "words": words,
            "stories": n_stories}  # fmt: skip


def _digest(day: date, ids: list[str], pool: list[str], rng: random.Random) -> Digest:
    items = []
    for rank, sid in enumerate(ids, 1):
        quote = pool[rng.randrange(len(pool))]
        items.append(DigestItem(rank, sid, quote[:80], quote, quote, "Speaker 1",
                                f"Show {rank}", f"Episode {rank}", "https://show.example/1",
                                float(rank * 60)))  # fmt: skip
    return Digest(day, tuple(items))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(db: str) -> Iterator[str]:
    """``podsift serve`` over ``db`` on a free loopback port, until the block ends."""
    port = free_port()
    env = {**os.environ, "PODSIFT_DB": db, "PODSIFT_SECRET_KEY": "bench-" + uuid.uuid4().hex,
           "PODSIFT_BASE_URL": f"http://127.0.0.1:{port}"}  # fmt: skip
    podsift = Path(sys.executable).with_name("podsift")
    proc = subprocess.Popen([str(podsift), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise SystemExit(f"podsift serve did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


async def load(base: str, paths: list[tuple[str, dict[str, str]]], seconds: float,
               concurrency: int) -> dict[str, float]:  # fmt: skip
    """Keep ``concurrency`` requests in flight for ``seconds``; rps, p50 and p95 in ms."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop = time.perf_counter() + seconds
    rng = random.Random(7)

    async def worker(session: aiohttp.ClientSession) -> None:
        while time.perf_counter() < stop:
            path, headers = paths[rng.randrange(len(paths))]
            began = time.perf_counter()
            async with session.get(base + path, headers=headers) as r:
                await r.read()
                statuses[r.status] = statuses.get(r.status, 0) + 1
            latencies.append(time.perf_counter() - began)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "statuses": statuses,  # type: ignore[dict-item]
    }


def etags(base: str, paths: list[str]) -> list[tuple[str, dict[str, str]]]:
    """Each page's path with the If-None-Match its ETag makes."""

    async def fetch() -> list[tuple[str, dict[str, str]]]:
        async with aiohttp.ClientSession() as session:
            out = []
            for p in paths:
                async with session.get(base + p) as r:
                    await r.read()
                    out.append((p, {"If-None-Match": r.headers.get("ETag", "")}))
            return out

    return asyncio.run(fetch())


def bench(db: str, label: str, args: argparse.Namespace) -> None:
    made = fill(db, args.stories, args.insights)
    print(f"\n{label}: {args.stories:,} stories, {args.insights:,} insights written in "
          f"{made['seconds']:.0f} s")  # fmt: skip
    rng = random.Random(3)
    stories = [f"/s/s{rng.randrange(made['stories'])}" for _ in range(2000)]
    days = [f"/d/{d.isoformat()}" for d in made["days"]]
    words = made["words"]
    queries = [f"/search?q={rng.choice(words)}" for _ in range(300)]
    queries += [f"/search?q={rng.choice(words)}+{rng.choice(words)}" for _ in range(100)]
    with serving(db) as base:
        pages: dict[str, list[tuple[str, dict[str, str]]]] = {
            "home": [("/", {})],
            "archive": [(d, {}) for d in days],
            "story": [(s, {}) for s in stories],
            "story 304": etags(base, stories[:200]),
            "search": [(q, {}) for q in queries],
        }
        asyncio.run(load(base, pages["home"], 1.0, args.concurrency))  # warm up
        print("| page | requests/s | p50 ms | p95 ms | goal p95 | statuses |")
        print("|---|---|---|---|---|---|")
        for name, paths in pages.items():
            got = asyncio.run(load(base, paths, args.seconds, args.concurrency))
            goal = 200 if name == "search" else 50
            print(f"| {name} | {got['rps']:,.0f} | {got['p50']:.1f} | {got['p95']:.1f} | "
                  f"≤ {goal} | {got['statuses']} |", flush=True)  # fmt: skip


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A new, empty database on the server of ``url``, dropped afterwards."""
    name = "podsift_web_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(resolve_db_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stories", type=int, default=100_000)
    ap.add_argument("--insights", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; "
          f"{args.concurrency} requests in flight, {args.seconds:.0f} s a page")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        bench(str(Path(tmp) / "web.db"), "SQLite", args)
    if not args.no_postgres:
        with postgres_database(args.postgres) as url:
            bench(url, "PostgreSQL", args)
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
