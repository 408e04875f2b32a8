"""The feeds stage against a real loopback server and a real SQLite store."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from podsift import feeds
from podsift.config import load_settings
from podsift.context import RunContext
from podsift.net import make_client
from podsift.store import Store

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = load_settings(env={"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.1/32"})


def rss(*items: str, extra: str = "") -> bytes:
    body = "".join(items)
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:podcast="https://podcastindex.org/'
        'namespace/1.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        f"<title>Show</title>{extra}{body}</channel></rss>"
    ).encode()


def item(guid: str, title: str = "", audio: str = "", day: str = "01") -> str:
    enc = f'<enclosure url="{audio}" type="audio/mpeg" length="1"/>' if audio else ""
    return (
        f"<item><guid>{guid}</guid><title>{title or guid}</title>"
        f"<pubDate>{day} Mar 2025 08:00:00 GMT</pubDate>{enc}</item>"
    )


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(SETTINGS) as c:
        yield c


def ctx(store: Store, client: httpx.Client, now: datetime = NOW) -> RunContext:
    return RunContext(SETTINGS, store, client, now, rng=random.Random(0))


def show(store: Store, url: str) -> tuple[str, str | None, str]:
    (row,) = store.shows_by_state()
    return row[0], row[3], row[1]


def test_only_due_shows_are_polled(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/f.xml").respond_with_data(rss(item("a")), headers={"ETag": '"1"'})
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 1
    assert feeds.run(ctx(store, client, NOW + timedelta(minutes=5))).polled == 0
    again = feeds.run(ctx(store, client, NOW + timedelta(hours=2)))
    assert (again.polled, again.unchanged, again.new_episodes) == (1, 1, 0)
    assert httpserver.log[-1][0].headers["If-None-Match"] == '"1"'


def test_ttl_and_update_frequency_set_the_next_poll(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/f.xml").respond_with_data(rss(item("a"), extra="<ttl>300</ttl>"))
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    feeds.run(ctx(store, client))
    assert feeds.run(ctx(store, client, NOW + timedelta(hours=4, minutes=59))).polled == 0
    assert feeds.run(ctx(store, client, NOW + timedelta(hours=5))).polled == 1


def test_cache_control_max_age_is_respected(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/f.xml").respond_with_data(
        rss(item("a")), headers={"Cache-Control": "max-age=10800"}
    )
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    feeds.run(ctx(store, client))
    assert store.due_shows(NOW + timedelta(hours=2, minutes=59)) == []
    assert len(store.due_shows(NOW + timedelta(hours=3))) == 1


def test_410_marks_the_show_gone(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/f.xml").respond_with_data("bye", status=410)
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    assert feeds.run(ctx(store, client)).failed == 1
    state, error, _ = show(store, "")
    assert state == "gone" and error and "http 410" in error
    assert store.due_shows(NOW + timedelta(days=400)) == []


def test_permanent_redirect_moves_the_show_and_keeps_an_alias(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    new = httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data("", 301, {"Location": new})
    httpserver.expect_request("/new.xml").respond_with_data(rss(item("a")))
    old = httpserver.url_for("/old.xml")
    show_id, _ = store.add_show(old, NOW)
    feeds.run(ctx(store, client))
    assert show(store, "")[2] == new
    assert store.show_aliases(show_id) == [old]
    assert store.add_show(old, NOW) == (show_id, False)


@pytest.mark.parametrize("status", [302, 307])
def test_temporary_redirect_keeps_the_url(
    httpserver: HTTPServer, store: Store, client: httpx.Client, status: int
) -> None:
    new = httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data("", status, {"Location": new})
    httpserver.expect_request("/new.xml").respond_with_data(rss(item("a")))
    store.add_show(httpserver.url_for("/old.xml"), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 1
    assert show(store, "")[2] == httpserver.url_for("/old.xml")


def test_permanent_redirect_to_a_non_feed_keeps_the_url(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    new = httpserver.url_for("/page.html")
    httpserver.expect_request("/old.xml").respond_with_data("", 301, {"Location": new})
    httpserver.expect_request("/page.html").respond_with_data(
        "<html><body>Parked domain</body></html>", content_type="text/html"
    )
    store.add_show(httpserver.url_for("/old.xml"), NOW)
    assert feeds.run(ctx(store, client)).failed == 1
    state, error, url = show(store, "")
    assert (state, url) == ("failing", httpserver.url_for("/old.xml"))
    assert error and "not a feed" in error


def test_itunes_new_feed_url_is_honoured(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    new = httpserver.url_for("/moved.xml")
    extra = f"<itunes:new-feed-url>{new}</itunes:new-feed-url>"
    httpserver.expect_request("/f.xml").respond_with_data(rss(item("a"), extra=extra))
    show_id, _ = store.add_show(httpserver.url_for("/f.xml"), NOW)
    feeds.run(ctx(store, client))
    assert show(store, "")[2] == new
    assert store.show_aliases(show_id) == [httpserver.url_for("/f.xml")]


def test_redirect_loop_is_a_recorded_failure(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    a, b = httpserver.url_for("/a.xml"), httpserver.url_for("/b.xml")
    httpserver.expect_request("/a.xml").respond_with_data("", 302, {"Location": b})
    httpserver.expect_request("/b.xml").respond_with_data("", 302, {"Location": a})
    httpserver.expect_request("/ok.xml").respond_with_data(rss(item("x")))
    store.add_show(a, NOW)
    store.add_show(httpserver.url_for("/ok.xml"), NOW)
    report = feeds.run(ctx(store, client))
    assert (report.failed, report.new_episodes) == (1, 1)
    errors = {r[1]: r[3] for r in store.shows_by_state()}
    assert "redirect loop" in (errors[a] or "")


def test_throttled_host_cools_down_and_its_other_feeds_wait(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/a.xml").respond_with_data("slow down", 429, {"Retry-After": "7200"})
    httpserver.expect_request("/b.xml").respond_with_data(rss(item("b")))
    store.add_show(httpserver.url_for("/a.xml"), NOW)
    store.add_show(httpserver.url_for("/b.xml"), NOW)
    report = feeds.run(ctx(store, client))
    assert (report.polled, report.failed, report.deferred) == (1, 1, 1)
    assert len(httpserver.log) == 1
    assert store.due_shows(NOW + timedelta(hours=1, minutes=59)) == []


def test_failures_back_off_then_recover(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_oneshot_request("/f.xml").respond_with_data("oops", status=500)
    httpserver.expect_request("/f.xml").respond_with_data(rss(item("a")))
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    feeds.run(ctx(store, client))
    assert show(store, "")[0] == "failing"
    assert feeds.run(ctx(store, client, NOW + timedelta(minutes=10))).polled == 0
    assert feeds.run(ctx(store, client, NOW + timedelta(hours=1))).new_episodes == 1
    assert show(store, "")[:2] == ("ok", None)


def test_bad_input_is_recorded_and_the_run_goes_on(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    httpserver.expect_request("/html").respond_with_data("<html><p>hi</p></html>")
    httpserver.expect_request("/huge").respond_with_data(b"<rss>" + b" " * 3_000_000)
    httpserver.expect_request("/utf8").respond_with_data(
        rss(item("\xe9t\xe9")).replace(b"\xc3", b"\xff")
    )
    httpserver.expect_request("/good").respond_with_data(rss(item("g")))
    for path in ("/html", "/huge", "/utf8", "/good"):
        store.add_show(httpserver.url_for(path), NOW)
    store.add_show("http://10.1.2.3/feed.xml", NOW)
    settings = load_settings(
        env={"PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.1/32", "PODSIFT_FEEDS__MAX_BYTES": "1000000"}
    )
    run = RunContext(settings, store, client, NOW, rng=random.Random(0))
    report = feeds.run(run)
    errors = {r[1].rsplit("/", 1)[-1]: (r[0], r[3]) for r in store.shows_by_state()}
    assert errors["html"][0] == "failing" and "not a feed" in (errors["html"][1] or "")
    assert "larger than 1000000 bytes" in (errors["huge"][1] or "")
    assert "private address" in (errors["feed.xml"][1] or "")
    assert errors["good"] == ("ok", None)
    assert report.new_episodes >= 1  # invalid utf-8 is salvaged or recorded, never a crash
    assert all("\n" not in (e or "") for _, e in errors.values())


def test_churning_feed_does_not_recreate_episodes(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    stamps = iter(range(100))

    def churn(_request: Request) -> Response:
        build = f"<lastBuildDate>{next(stamps)}</lastBuildDate>"
        return Response(rss(item("a"), item("b"), extra=build))

    httpserver.expect_request("/f.xml").respond_with_handler(churn)
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 2
    second = feeds.run(ctx(store, client, NOW + timedelta(hours=2)))
    assert (second.polled, second.new_episodes) == (1, 0)
    assert store.counts()["episodes"] == 2


def test_repeated_guids_and_republished_episodes(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    feed = rss(
        item("same", "One", "https://cdn.example/1.mp3"),
        item("same", "Two", "https://cdn.example/2.mp3"),
        item("re-1", "Three", "https://cdn.example/3.mp3"),
        item("re-2", "Three (rebroadcast)", "https://cdn.example/3b.mp3"),
        item("re-3", "Four", "https://cdn.example/1.mp3", day="02"),
    )
    httpserver.expect_request("/f.xml").respond_with_data(feed)
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 3


def test_republished_copy_of_a_stored_episode_is_skipped_on_a_later_poll(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    first = rss(item("a", "Talk", "https://cdn.example/a.mp3"), item("b", "Other", day="05"))
    later = rss(
        item("a", "Talk", "https://cdn.example/a.mp3"),
        item("b", "Other", day="05"),
        item("a-again", "Talk (repost)", "https://cdn.example/a.mp3", day="09"),
        item("b-again", "Other!", day="05"),
        item("c", "New", "https://cdn.example/c.mp3", day="09"),
    )
    bodies = iter([first, later])
    httpserver.expect_request("/f.xml").respond_with_handler(lambda _r: Response(next(bodies)))
    store.add_show(httpserver.url_for("/f.xml"), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 2
    assert feeds.run(ctx(store, client, NOW + timedelta(hours=2))).new_episodes == 1
    titles = {e.title for e in store.episodes(["new"])}
    assert titles == {"Talk", "Other", "New"}


def test_feed_with_a_known_podcast_guid_joins_its_show(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    guid = "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"
    old, new = httpserver.url_for("/old.xml"), httpserver.url_for("/new.xml")
    httpserver.expect_request("/old.xml").respond_with_data(rss(item("a"), item("b"), extra=guid))
    httpserver.expect_request("/new.xml").respond_with_data(
        rss(item("a"), item("b"), item("c", day="02"), extra=guid)
    )
    show_id, _ = store.add_show(old, NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 2
    # the publisher moved host; someone adds the new URL as if it were another show
    assert store.add_show(new, NOW + timedelta(hours=1))[1] is True
    report = feeds.run(ctx(store, client, NOW + timedelta(hours=1)))
    assert report.new_episodes == 1
    assert [(s.id, s.feed_url) for s in store.shows()] == [(show_id, new)]
    assert store.show_aliases(show_id) == [old]
    assert sorted(e.key for e in store.episodes(["new"])) == ["guid:a", "guid:b", "guid:c"]
    assert store.add_show(old, NOW) == (show_id, False)
    assert store.add_show(new, NOW) == (show_id, False)


def test_two_new_urls_of_one_podcast_guid_make_one_show(
    httpserver: HTTPServer, store: Store, client: httpx.Client
) -> None:
    guid = "<podcast:guid>396d9ae0-da7e-5557-b894-b606231fa3ea</podcast:guid>"
    # not a UUID: copied placeholder text identifies nothing
    placeholder = "<podcast:guid>y0ur-gu1d-g035-h3r3</podcast:guid>"
    for path, extra in (("/a.xml", guid), ("/b.xml", guid), ("/c.xml", placeholder)):
        httpserver.expect_request(path).respond_with_data(rss(item("x"), item("y"), extra=extra))
        httpserver.expect_request(path + "2").respond_with_data(
            rss(item("x"), item("y"), extra=extra)
        )
    first, _ = store.add_show(httpserver.url_for("/a.xml"), NOW)
    for path in ("/b.xml", "/c.xml", "/c.xml2"):
        store.add_show(httpserver.url_for(path), NOW)
    assert feeds.run(ctx(store, client)).new_episodes == 2 + 2 + 2
    shows = {s.feed_url: s.id for s in store.shows()}
    assert set(shows) == {httpserver.url_for(p) for p in ("/b.xml", "/c.xml", "/c.xml2")}
    assert shows[httpserver.url_for("/b.xml")] == first
    assert store.show_aliases(first) == [httpserver.url_for("/a.xml")]


ZERO_INTERVALS = load_settings(
    env={
        "PODSIFT_FEEDS__ALLOW_NETWORKS": "127.0.0.1/32",
        "PODSIFT_FEEDS__MIN_INTERVAL_MINUTES": "0",
        "PODSIFT_FEEDS__DEFAULT_INTERVAL_MINUTES": "0",
    }
)
# Real feed files that stay on loopback (none moves to another host by itunes:new-feed-url).
FEED_FILES = [
    p
    for p in sorted((Path(__file__).parents[1] / "data" / "feeds").glob("*.xml"))
    if b"new-feed-url" not in p.read_bytes()
]


def serve_feed_files(httpserver: HTTPServer, files: list[Path]) -> list[str]:
    """Serve each real feed file at /<name>; return their URLs."""
    for path in files:
        httpserver.expect_request(f"/{path.name}").respond_with_data(
            path.read_bytes(), content_type="application/rss+xml"
        )
    return [httpserver.url_for(f"/{path.name}") for path in files]


def requests_per_path(httpserver: HTTPServer) -> Counter[str]:
    return Counter(request.path for request, _ in httpserver.log)


def zero_interval_run(store: Store, client: httpx.Client, now: datetime) -> feeds.PollReport:
    return feeds.run(RunContext(ZERO_INTERVALS, store, client, now, rng=random.Random(0)))


@pytest.mark.parametrize("count", [3, len(FEED_FILES)], ids=["one-by-one", "bulk"])
def test_one_run_polls_each_feed_once_with_zero_intervals(
    httpserver: HTTPServer,
    store: Store,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
) -> None:
    assert len(FEED_FILES) >= feeds.stage.BULK_MIN  # the bulk case takes the concurrent path
    # Polls are saved as they are made, as in a run over more than BATCH shows (#20).
    monkeypatch.setattr(feeds.stage, "BATCH", 1)
    for url in serve_feed_files(httpserver, FEED_FILES[:count]):
        store.add_show(url, NOW)
    report = zero_interval_run(store, client, NOW)
    assert report.polled == count
    assert requests_per_path(httpserver) == {f"/{p.name}": 1 for p in FEED_FILES[:count]}


def test_a_later_run_pages_through_due_feeds_polling_each_once(
    httpserver: HTTPServer,
    store: Store,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for url in serve_feed_files(httpserver, FEED_FILES):
        store.add_show(url, NOW)
    zero_interval_run(store, client, NOW)
    httpserver.clear_log()
    monkeypatch.setattr(feeds.stage, "BATCH", 1)
    monkeypatch.setattr(feeds.stage, "PAGE", 2)  # each page is read after earlier polls saved
    report = zero_interval_run(store, client, NOW + timedelta(hours=1))
    polled = requests_per_path(httpserver)
    assert report.polled == len(polled) >= len(FEED_FILES) - 1  # a broken feed backs off
    assert set(polled.values()) == {1}
