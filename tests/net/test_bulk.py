"""The bulk fetcher against a real loopback aiohttp server serving real feed files."""

from __future__ import annotations

import asyncio
import gzip
import random
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web

from podsift import __version__, feeds
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.feeds import (
    BulkOptions,
    FeedRequest,
    FetchResult,
    HostCooling,
    PollError,
    fetch_many,
    parse_feed,
)
from podsift.net import ErrorClass, NetworkPolicy, make_client
from podsift.store import Store

FEED = (Path(__file__).parents[1] / "data" / "feeds" / "pc20-namespace-example.xml").read_bytes()
TITLE = b"Podcasting 2.0 Namespace Example"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BOMB = gzip.compress(b"\0" * 64_000_000, compresslevel=9)
LOOPBACK = NetworkPolicy.from_text("127.0.0.0/8")


def feed(n: int) -> bytes:
    """The real feed with a title and GUIDs of its own."""
    out = FEED.replace(TITLE, TITLE + f" #{n}".encode())
    return out.replace(b"https://example.com/", f"https://example.com/show{n}/".encode())


class Farm:
    """An aiohttp server on 127.0.0.1 and 127.0.0.2 (same port), counting concurrency per Host."""

    def __init__(self) -> None:
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.hits: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.delay = 0.0
        self.loop = asyncio.new_event_loop()
        self.port = 0

    async def feed(self, request: web.Request) -> web.StreamResponse:
        host = request.host
        self.hits[host] += 1
        self.agents.add(request.headers.get("User-Agent", ""))
        self.active[host] += 1
        self.peak[host] = max(self.peak[host], self.active[host])
        try:
            await asyncio.sleep(self.delay)
            n = int(request.match_info["n"])
            etag = f'"v1-{n}"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            return web.Response(
                body=feed(n), headers={"ETag": etag}, content_type="application/rss+xml"
            )
        finally:
            self.active[host] -= 1

    async def redirect(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.host] += 1
        return web.Response(status=302, headers={"Location": request.query["to"]})

    async def moved(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=301, headers={"Location": "/feed/7.xml"})

    async def looping(self, request: web.Request) -> web.StreamResponse:
        other = "b" if request.match_info["n"] == "a" else "a"
        return web.Response(status=307, headers={"Location": f"/loop/{other}"})

    async def throttled(self, request: web.Request) -> web.StreamResponse:
        self.hits[request.host] += 1
        await asyncio.sleep(0.05)
        return web.Response(status=429, headers={"Retry-After": "120"})

    async def bomb(self, request: web.Request) -> web.StreamResponse:
        return web.Response(body=BOMB, headers={"Content-Encoding": "gzip"})

    async def missing(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    def start(self) -> None:
        app = web.Application()
        app.router.add_get(r"/feed/{n:\d+}.xml", self.feed)
        app.router.add_get("/redirect", self.redirect)
        app.router.add_get("/moved", self.moved)
        app.router.add_get("/loop/{n}", self.looping)
        app.router.add_get("/throttled/{n}", self.throttled)
        app.router.add_get("/bomb", self.bomb)
        app.router.add_get("/missing", self.missing)
        self.runner = web.AppRunner(app, access_log=None)
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._bind(), self.loop).result(10)

    async def _bind(self) -> None:
        await self.runner.setup()
        first = socket.create_server(("127.0.0.1", 0))
        self.port = first.getsockname()[1]
        second = socket.create_server(("127.0.0.2", self.port))
        for sock in (first, second):
            await web.SockSite(self.runner, sock).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def reset(self) -> None:
        for c in (self.active, self.peak, self.hits):
            c.clear()
        self.delay = 0.0


@pytest.fixture(scope="module")
def farm_server() -> Iterator[Farm]:
    f = Farm()
    f.start()
    yield f
    f.stop()


@pytest.fixture
def farm(farm_server: Farm) -> Farm:
    farm_server.reset()
    return farm_server


def fetch(reqs: list[FeedRequest], **options: object) -> dict[int, FetchResult | PollError]:
    opts = replace(BulkOptions(policy=LOOPBACK, timeout=5.0), **options)  # type: ignore[arg-type]
    return {req.key: answer for req, answer in fetch_many(reqs, opts, NOW)}


def test_many_feeds_concurrently_then_all_304(farm: Farm) -> None:
    farm.delay = 0.02
    hosts = ("127.0.0.1", "127.0.0.2")
    reqs = [FeedRequest(n, farm.url(f"/feed/{n}.xml", hosts[n % 2])) for n in range(60)]
    first = fetch(reqs, concurrency=16, per_host=8)
    assert len(first) == 60
    for n, answer in first.items():
        assert isinstance(answer, FetchResult) and answer.content is not None
        assert answer.status == 200 and not answer.not_modified
        assert answer.validators.etag == f'"v1-{n}"'
        assert parse_feed(answer.content, answer.url).show.title == f"{TITLE.decode()} #{n}"
    assert max(farm.peak.values()) > 1  # they overlapped
    assert farm.agents == {f"podsift/{__version__} (+https://github.com/podsift/podsift)"}
    again = [replace(r, validators=first[r.key].validators) for r in reqs]  # type: ignore[union-attr]
    second = fetch(again, concurrency=16, per_host=8)
    assert all(isinstance(a, FetchResult) and a.status == 304 for a in second.values())
    assert all(a.not_modified and a.content is None for a in second.values())  # type: ignore[union-attr]


def test_per_host_limit_is_respected(farm: Farm) -> None:
    farm.delay = 0.02
    hosts = ("127.0.0.1", "127.0.0.2")
    reqs = [FeedRequest(n, farm.url(f"/feed/{n}.xml", hosts[n % 2])) for n in range(40)]
    answers = fetch(reqs, concurrency=16, per_host=2)
    assert all(isinstance(a, FetchResult) for a in answers.values())
    assert set(farm.peak) == {f"127.0.0.1:{farm.port}", f"127.0.0.2:{farm.port}"}
    assert all(peak <= 2 for peak in farm.peak.values()), farm.peak


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_private_addresses_refused_unless_allowed(farm: Farm, host: str) -> None:
    reqs = [FeedRequest(n, farm.url(f"/feed/{n}.xml", host)) for n in range(3)]
    refused = fetch(reqs, policy=NetworkPolicy())
    for answer in refused.values():
        assert isinstance(answer, PollError) and answer.kind == ErrorClass.REFUSED
        assert "loopback address" in str(answer) and "allow_networks" in str(answer)
    assert not farm.hits
    allowed = fetch(reqs, policy=NetworkPolicy.from_text("127.0.0.0/8, ::1/128"))
    assert all(isinstance(a, FetchResult) and a.status == 200 for a in allowed.values())


@pytest.mark.parametrize(
    "target", ["http://127.0.0.2:{port}/feed/1.xml", "http://169.254.169.254/latest/meta-data/"]
)
def test_redirect_hop_to_a_refused_address_is_refused(farm: Farm, target: str) -> None:
    url = farm.url("/redirect") + "?to=" + target.format(port=farm.port)
    (answer,) = fetch(
        [FeedRequest(1, url)], policy=NetworkPolicy.from_text("127.0.0.1/32")
    ).values()
    assert isinstance(answer, PollError) and answer.kind == ErrorClass.REFUSED
    assert "(redirected to" not in str(answer) and "refused" in str(answer)
    assert farm.hits[f"127.0.0.1:{farm.port}"] == 1
    assert not farm.hits[f"127.0.0.2:{farm.port}"]


def test_permanent_redirect_and_loop_follow_the_sequential_rules(farm: Farm) -> None:
    answers = fetch([FeedRequest(1, farm.url("/moved")), FeedRequest(2, farm.url("/loop/a"))])
    moved = answers[1]
    assert isinstance(moved, FetchResult) and moved.final_url == farm.url("/feed/7.xml")
    assert moved.permanent_url == farm.url("/feed/7.xml")
    assert isinstance(answers[2], PollError) and answers[2].kind == ErrorClass.REFUSED
    assert "redirect loop" in str(answers[2])


def test_gzip_bomb_stops_at_the_decoded_cap(farm: Farm) -> None:
    reqs = [FeedRequest(1, farm.url("/bomb")), FeedRequest(2, farm.url("/feed/2.xml"))]
    answers = fetch(reqs, max_bytes=1_000_000)
    assert isinstance(answers[1], PollError) and answers[1].kind == ErrorClass.REFUSED
    assert "larger than 1000000 bytes" in str(answers[1])
    assert isinstance(answers[2], FetchResult) and answers[2].status == 200


def test_429_cools_the_host_down_for_the_rest_of_the_run(farm: Farm) -> None:
    reqs = [FeedRequest(n, farm.url(f"/throttled/{n}")) for n in range(5)]
    answers = fetch(reqs, per_host=1)
    throttled = [a for a in answers.values() if not isinstance(a, HostCooling)]
    assert len(throttled) == 1 and farm.hits[f"127.0.0.1:{farm.port}"] == 1
    assert isinstance(throttled[0], PollError) and throttled[0].retry_after == "120"


def test_the_feeds_stage_records_bulk_answers_like_the_sequential_path(
    farm: Farm, store: Store
) -> None:
    settings = load_settings(env={"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.0/8"})
    for n in range(12):
        store.add_show(farm.url(f"/feed/{n}.xml", ("127.0.0.1", "127.0.0.2")[n % 2]), NOW)
    store.add_show(farm.url("/missing"), NOW)
    with make_client(settings) as client:
        ctx = RunContext(settings, store, client, NOW, rng=random.Random(0))
        first = feeds.run(ctx)
        assert (first.polled, first.failed, first.new_episodes) == (13, 1, 12 * 3)
        later = RunContext(settings, store, client, NOW + timedelta(days=2), rng=random.Random(0))
        second = feeds.run(later)
    assert (second.polled, second.unchanged, second.new_episodes) == (13, 12, 0)
    by_state = {row[1]: row for row in store.shows_by_state()}
    assert by_state[farm.url("/missing")][3] is not None  # the last error is recorded
