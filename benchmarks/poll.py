"""Feed polling throughput on a loopback feed farm: the bulk fetcher against a plain baseline.

Run: ``.venv/bin/python benchmarks/poll.py [--feeds 20000]``. The farm is a small
hand-written HTTP/1.1 server (two processes sharing each listening socket with
SO_REUSEPORT) on eight loopback addresses, 127.0.0.1 to 127.0.0.8, standing in for eight
hosts. It serves any number of distinct feeds made from a real feed
(``tests/data/feeds/pc20-namespace-example.xml``, 17 KB, 3 episodes) with a title,
episode GUIDs and a ``podcast:guid`` of their own, and an ETag per version; between two
polls 10 % of the feeds gain one episode. Each measurement runs in a fresh process (its
peak RSS is its own), one after another, against the same farm. On a 2-core machine the
farm and the poller share the cores, so every figure is a floor; compare the ratios, which
are measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import socket
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

TEMPLATE = (
    Path(__file__).parents[1] / "tests" / "data" / "feeds" / "pc20-namespace-example.xml"
).read_bytes()
TITLE = b"Podcasting 2.0 Namespace Example"
HOSTS = [f"127.0.0.{i}" for i in range(1, 9)]
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


# -- the farm ---------------------------------------------------------------------------


def changed(n: int, rnd: int) -> bool:
    """Whether feed ``n`` gains an episode in round ``rnd`` (10 % of feeds per round)."""
    return rnd > 0 and (n * 2654435761 + rnd * 40503) % 10 == 0


def version(n: int, rnd: int) -> int:
    return sum(changed(n, r) for r in range(1, rnd + 1))


def feed_body(n: int, ver: int) -> bytes:
    body = TEMPLATE.replace(TITLE, TITLE + b" #%d" % n)
    # a podcast:guid of its own, a UUID as the namespace asks (shows are identified by it)
    body = body.replace(
        b"y0ur-gu1d-g035-h3r3", str(uuid.uuid5(uuid.NAMESPACE_URL, str(n))).encode()
    )
    body = body.replace(b"https://example.com/", b"https://example.com/show%d/" % n)
    extra = b"".join(
        b"<item><title>Bonus %d</title><guid>https://example.com/show%d/bonus%d</guid>"
        b"<pubDate>Sat, 01 Mar 2025 0%d:00:00 GMT</pubDate></item>\n" % (v, n, v, v % 10)
        for v in range(1, ver + 1)
    )
    return body.replace(b"</channel>", extra + b"</channel>", 1)


class FarmProtocol(asyncio.Protocol):
    """Just enough HTTP/1.1 (keep-alive, GET, If-None-Match) to be fast in Python."""

    def __init__(self, rnd: Synchronized[int]) -> None:
        self.rnd = rnd
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while b"\r\n\r\n" in self.buf:
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            self.answer(head)

    def answer(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        path = lines[0].split(b" ")[1]
        inm = b""
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"if-none-match":
                inm = value.strip()
        n = int(path.rsplit(b"/", 1)[1].split(b".")[0])
        ver = version(n, self.rnd.value)
        etag = b'"%d-%d"' % (n, ver)
        assert self.transport is not None
        if inm == etag:
            self.transport.write(b"HTTP/1.1 304 Not Modified\r\nETag: %s\r\n\r\n" % etag)
            return
        body = feed_body(n, ver)
        self.transport.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: %s\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (etag, len(body), body)
        )


def serve(port: int, rnd: Synchronized[int]) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        for host in HOSTS:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            await loop.create_server(lambda: FarmProtocol(rnd), sock=sock, backlog=1024)
        await asyncio.Event().wait()

    asyncio.run(main())


# -- the pollers (each in its own process) ------------------------------------------------


def urls(port: int, count: int) -> list[str]:
    return [f"http://{HOSTS[n % len(HOSTS)]}:{port}/f/{n}.xml" for n in range(count)]


def run_bulk(port: int, count: int, rnd: Synchronized[int], parse: bool) -> dict[str, Any]:
    from podsift.feeds import BulkOptions, FeedRequest, FetchResult, fetch_many, parse_feed
    from podsift.net import NetworkPolicy

    opts = BulkOptions(
        concurrency=64, per_host=8, policy=NetworkPolicy.from_text("127.0.0.0/8"), timeout=30
    )
    reqs = [FeedRequest(i, u) for i, u in enumerate(urls(port, count))]
    rates = []
    for round_no in (0, 1):
        rnd.value = round_no
        began = time.perf_counter()
        nxt, bad = [], 0
        for req, answer in fetch_many(reqs, opts, NOW):
            if not isinstance(answer, FetchResult):
                bad += 1
                nxt.append(req)
                continue
            if parse and answer.content is not None:
                parse_feed(answer.content, answer.final_url)
            nxt.append(FeedRequest(req.key, req.url, answer.validators))
        rates.append(count / (time.perf_counter() - began))
        reqs = nxt
        assert not bad, f"{bad} failed"
    return {"rates": rates}


def run_sequential(port: int, count: int, rnd: Synchronized[int], plain: bool) -> dict[str, Any]:
    import httpx

    from podsift.config import load_settings
    from podsift.feeds import Validators, fetch_feed, parse_feed
    from podsift.net import make_client

    settings = load_settings(env={"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8"})
    targets = urls(port, count)
    rates = []
    with httpx.Client(trust_env=False) as raw, make_client(settings) as guarded:
        known: dict[str, Validators] = {}
        for round_no in (0, 1):
            rnd.value = round_no
            began = time.perf_counter()
            for url in targets:
                if plain:
                    parse_feed(raw.get(url).raise_for_status().content, url)
                    continue
                result = fetch_feed(guarded, url, known.get(url), now=NOW)
                known[url] = result.validators
                if result.content is not None:
                    parse_feed(result.content, url)
            rates.append(count / (time.perf_counter() - began))
    return {"rates": rates}


def run_poll_all(port: int, count: int, rnd: Synchronized[int]) -> dict[str, Any]:
    import random

    import httpx

    from podsift import feeds
    from podsift.config import load_settings
    from podsift.context import RunContext
    from podsift.store import open_store

    settings = load_settings(
        env={
            "PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8",
            "PODSIFT_FEEDS__CONCURRENCY": "64",
            "PODSIFT_FEEDS__PER_HOST": "8",
        }
    )
    rates, news = [], []
    with tempfile.TemporaryDirectory() as tmp, httpx.Client() as client:
        store = open_store(f"{tmp}/bench.db")
        for url in urls(port, count):
            store.add_show(url, NOW)
        for round_no, when in ((0, NOW), (1, NOW + timedelta(days=2))):
            rnd.value = round_no
            ctx = RunContext(settings, store, client, when, rng=random.Random(0))
            began = time.perf_counter()
            report = feeds.run(ctx)  # the feeds stage (was poll_all)
            rates.append(count / (time.perf_counter() - began))
            news.append(report.new_episodes)
            assert report.failed == 0 and report.polled == count, report
        store.close()
    return {"rates": rates, "new": news}


def child(kind: str, args: tuple[Any, ...], out: mp.Queue[Any]) -> None:
    fn = {"bulk": run_bulk, "seq": run_sequential, "poll_all": run_poll_all}[kind]
    result = fn(*args)
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(result)


def measure(ctx: Any, kind: str, *args: Any) -> dict[str, Any]:
    out = ctx.Queue()
    proc = ctx.Process(target=child, args=(kind, args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=20_000, help="feeds for the large bulk run")
    ap.add_argument("--baseline", type=int, default=500, help="feeds for the sequential runs")
    ap.add_argument("--poll-all", type=int, default=2_000, help="feeds for poll_all")
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    rnd = ctx.Value("i", 0)
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    farm = [ctx.Process(target=serve, args=(port, rnd), daemon=True) for _ in range(2)]
    for p in farm:
        p.start()
    time.sleep(1.5)
    small = max(1, a.feeds // 4)
    rows: list[tuple[str, int, dict[str, Any]]] = []
    plan: list[tuple[str, int, str, tuple[Any, ...]]] = [
        ("baseline: sequential httpx GET + parse every feed", a.baseline, "seq", (True,)),
        ("sequential fetch_feed (conditional) + parse changed", a.baseline, "seq", (False,)),
        ("bulk fetch_many, fetch only", small, "bulk", (False,)),
        ("bulk fetch_many, fetch only", a.feeds, "bulk", (False,)),
        ("bulk fetch_many + parse changed", a.baseline * 4, "bulk", (True,)),
        ("poll_all (bulk fetch + parse + SQLite store)", a.poll_all, "poll_all", ()),
    ]
    try:
        for label, n, kind, extra in plan:
            res = measure(ctx, kind, port, n, rnd, *extra)
            rows.append((label, n, res))
            print(f"done: {label} ({n})", file=sys.stderr)
    finally:
        for p in farm:
            p.terminate()
    base = rows[0][2]["rates"][1]
    print(f"\nfeed farm on loopback, {os.cpu_count()} cores; bulk: concurrency 64, per_host 8")
    print(
        "| what | feeds | first poll (feeds/s) | re-poll, 90 % unchanged (feeds/s) "
        "| re-poll vs baseline | peak RSS (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, n, res in rows:
        first, again = res["rates"]
        print(
            f"| {label} | {n:,} | {first:,.0f} | {again:,.0f} | {again / base:.1f}x "
            f"| {res['rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
