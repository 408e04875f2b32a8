"""The public site through the real ASGI app: home, archive, story and show pages, 404s, headers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from podsift.deliver import Tokens, message_for
from podsift.digest import digest_to_json
from podsift.models import Episode, Insight
from podsift.store import PendingDigest, Store, schema
from podsift.web import create_app
from tests.deliver.test_ledger import SECRET, digest, settings
from tests.web.forms import csrf_of
from tests.web.site_data import DAYS, HOSTILE, NOW, QUOTE_A, QUOTE_B, seed


@pytest.fixture
def site(store: Store) -> Iterator[tuple[TestClient, dict[str, int]]]:
    shows = seed(store)
    app = create_app(settings(), store, clock=lambda: NOW)
    with TestClient(app, base_url="https://podsift.example") as client:
        yield client, shows


def test_home_shows_todays_five_their_shows_and_the_subscribe_form(
    site: tuple[TestClient, dict[str, int]],
) -> None:
    client, shows = site
    r = client.get("/")
    assert r.status_code == 200
    assert "Rust halves crash rates (2024-04-03)" in r.text  # the newest date
    assert "as of 2024-04-03 05:30 UTC" in r.text
    assert f'href="/shows/{shows["Show A"]}"' in r.text and f'/shows/{shows["Show B"]}"' in r.text
    assert 'action="/subscribe"' in r.text and 'id="email"' in r.text
    assert 'href="/s/s1"' in r.text and 'href="/d/2024-04-02"' in r.text


def test_home_without_a_digest_still_offers_the_form(store: Store) -> None:
    with TestClient(create_app(settings(), store)) as client:
        r = client.get("/")
    assert r.status_code == 200 and "No digest yet" in r.text and 'id="email"' in r.text


def test_archive_links_previous_and_next(site: tuple[TestClient, dict[str, int]]) -> None:
    client, _ = site
    middle = client.get("/d/2024-04-02")
    assert middle.status_code == 200 and "(2024-04-02)" in middle.text
    assert 'rel="prev" href="/d/2024-04-01"' in middle.text
    assert 'rel="next" href="/d/2024-04-03"' in middle.text
    first = client.get(f"/d/{DAYS[0].isoformat()}")
    assert 'rel="prev"' not in first.text and 'rel="next"' in first.text


@pytest.mark.parametrize("path", ["/d/2023-01-01", "/d/2024-02-30", "/d/20240401", "/d/x",
                                  "/s/nope", "/s/" + "a" * 500, "/shows/999", "/shows/abc",
                                  "/no/such/page"])  # fmt: skip
def test_unknown_dates_stories_and_shows_are_404_pages(
    site: tuple[TestClient, dict[str, int]], path: str
) -> None:
    client, _ = site
    r = client.get(path)
    assert r.status_code == 404
    assert "Not found" in r.text and "Traceback" not in r.text
    assert r.headers["content-type"].startswith("text/html")


def test_a_subscriber_reads_their_own_digest_by_signed_link(
    store: Store, site: tuple[TestClient, dict[str, int]]
) -> None:
    client, _ = site
    store.add_subscriber("ann@example.org", NOW)
    store.save_digest("ann@example.org", DAYS[2], digest_to_json(digest(DAYS[2])), [], NOW)
    token = Tokens(SECRET).make("digest", "ann@example.org")
    r = client.get(f"/d/{DAYS[2].isoformat()}", params={"t": token})
    assert r.status_code == 200 and "Story 1" in r.text and "Rust halves" not in r.text
    assert r.headers["cache-control"].startswith("private")
    assert client.get(f"/d/{DAYS[1].isoformat()}", params={"t": token}).status_code == 404


@pytest.mark.parametrize("kind", ["tampered", "expired", "other purpose"])
def test_a_bad_digest_link_says_so(site: tuple[TestClient, dict[str, int]], kind: str) -> None:
    client, _ = site
    if kind == "expired":
        token = Tokens(SECRET, clock=lambda: time.time() - 400 * 86400).make("digest", "a@b.org")
    elif kind == "other purpose":
        token = Tokens(SECRET).make("unsubscribe", "a@b.org")
    else:
        token = Tokens(SECRET).make("digest", "a@b.org")[:-3] + "xyz"
    r = client.get("/d/2024-04-03", params={"t": token})
    assert r.status_code == 400 and "Link not valid" in r.text
    assert ("expired" in r.text) == (kind == "expired")


def test_story_page_lists_every_show_with_quote_player_and_related(
    site: tuple[TestClient, dict[str, int]],
) -> None:
    client, shows = site
    r = client.get("/s/s1")
    assert r.status_code == 200
    assert "<h1>Rust halves crash rates (2024-04-03)</h1>" in r.text  # the newest digest's line
    assert "Raised on 2 shows" in r.text
    assert r.text.index(QUOTE_A) < r.text.index(QUOTE_B)  # the representative first
    assert "Ann" in r.text and "Bob" in r.text and "Episode 1" in r.text and "2024-04-02" in r.text
    assert "at 0:03" in r.text and "at 0:02" in r.text
    audios = re.findall(r'<audio[^>]* src="([^"]+)"', r.text)
    assert audios == ["https://cdn.example/a.mp3#t=3", "https://cdn.example/a.mp3#t=2.5"]
    assert "Also discussed" in r.text and "Memory safety is a budget question." in r.text
    assert f'href="/shows/{shows["Show B"]}"' in r.text
    assert '<meta property="og:title" content="Rust halves crash rates (2024-04-03)">' in r.text
    assert '<meta property="og:url" content="https://podsift.example/s/s1">' in r.text
    assert '<meta name="twitter:card" content="summary">' in r.text


def test_show_page_lists_episodes_insights_and_feed_state(
    site: tuple[TestClient, dict[str, int]],
) -> None:
    client, shows = site
    r = client.get(f"/shows/{shows['Show A']}")
    assert r.status_code == 200
    assert "<h1>Show A</h1>" in r.text and "ok" in r.text
    assert "last polled 2024-04-03 05:30 UTC" in r.text
    assert "Episode 1" in r.text and QUOTE_A in r.text and QUOTE_B not in r.text
    never = client.get(f"/shows/{shows['Show B']}")
    assert "last polled never" in never.text and "new" in never.text


def test_archive_and_story_pages_answer_304_to_a_known_etag(
    site: tuple[TestClient, dict[str, int]],
) -> None:
    client, _ = site
    for path, modified in (("/d/2024-04-01", "Mon, 01 Apr 2024 05:30:00 GMT"),
                           ("/s/s1", "Tue, 02 Apr 2024 05:30:00 GMT")):  # fmt: skip
        first = client.get(path)
        etag = first.headers["etag"]
        assert first.headers["last-modified"] == modified
        assert first.headers["cache-control"] == "public, max-age=300"
        again = client.get(path, headers={"If-None-Match": f'W/"other", {etag}'})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert (
        client.get("/d/2024-04-02").headers["etag"] != client.get("/d/2024-04-01").headers["etag"]
    )


@pytest.mark.parametrize("path", ["/", "/d/2024-04-03", "/s/s2", "/shows/1", "/shows/2"])
def test_hostile_transcript_text_shows_as_text(
    site: tuple[TestClient, dict[str, int]], path: str
) -> None:
    client, _ = site
    r = client.get(path)
    assert r.status_code == 200
    assert "<script" not in r.text
    assert not re.search(r"""(href|src|content)\s*=\s*["']?\s*javascript:""", r.text, re.I)
    assert 'onmouseover="' not in r.text
    if path != "/shows/1":  # show 1 carries only a javascript: website link
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text


@pytest.mark.parametrize("path", ["//evil.example/", "/d/2024-04-03/", "/\\evil.example"])
def test_no_redirect_leaves_the_site(site: tuple[TestClient, dict[str, int]], path: str) -> None:
    client, _ = site
    r = client.get(path, follow_redirects=False)
    location = r.headers.get("location", "")
    assert not location or location.startswith("https://podsift.example/")
    assert HOSTILE not in location


def test_the_emails_view_in_browser_link_opens_that_digest(
    store: Store, site: tuple[TestClient, dict[str, int]]
) -> None:
    client, _ = site
    store.add_subscriber("ann@example.org", NOW)
    store.save_digest("ann@example.org", DAYS[2], digest_to_json(digest(DAYS[2])), [], NOW)
    (ann,) = [s for s in store.subscribers() if s.email == "ann@example.org"]
    payload = digest_to_json(digest(DAYS[2]))
    pending = PendingDigest(1, ann, DAYS[2], payload, None, 0, None)
    msg = message_for(settings(), Tokens(SECRET), pending, NOW)
    text = msg.get_body(("plain",))
    assert text is not None
    (link,) = re.findall(r"https://\S+/d/\S+", text.get_content())
    assert link.startswith("https://podsift.example/d/2024-04-03?t=")
    r = client.get(link)
    assert r.status_code == 200 and "Story 1" in r.text and "Rust halves" not in r.text
    html = msg.get_body(("html",))
    assert html is not None and "View in browser" in html.get_content()


def _change_the_store(store: Store) -> None:
    """A later run: the story gains a show's quote and the day's digest another headline."""
    episode = store.episodes(["new"])
    show_id = store.show_ids(["Show A"])["Show A"]
    store.add_episodes(show_id, [Episode("Episode 9", guid="g9", published=NOW)], NOW)
    (ep,) = [e for e in store.episodes(["new"]) if e not in episode]
    late = Insight("Rust cut crashes.", "Crashes fell a lot after Rust.", "Cy", 1.0, 2.0, 0.5)
    late = late.with_id("late")
    store.save_insights(ep.id, "test@1", [late], NOW)
    store.add_to_story("s1", "m", [(late.id, np.array([1, 0, 0], dtype=np.float32), 0.9)], NOW)
    d = schema.digests.c
    with store.engine.begin() as c:
        row = c.execute(sa.select(d.id, d.payload).where(d.date == DAYS[-1])).one()
        payload = json.loads(row.payload) if isinstance(row.payload, str) else row.payload
        payload["items"][0]["headline"] = "A new headline"
        c.execute(sa.update(schema.digests).where(d.id == row.id).values(payload=payload))


def test_anonymous_pages_are_kept_a_minute_and_subscriber_pages_never(store: Store) -> None:
    seed(store)
    now = [NOW]
    app = create_app(settings(), store, clock=lambda: now[0])
    token = Tokens(SECRET).make("digest", "")  # the operator's own digest, by signed link
    with TestClient(app, base_url="https://podsift.example") as client:
        pages = ("/", "/d/2024-04-03", "/s/s1")
        before = {p: client.get(p).text for p in pages}
        signed = client.get(f"/d/2024-04-03?t={token}").text
        _change_the_store(store)
        now[0] = NOW + timedelta(seconds=59)
        assert {p: client.get(p).text for p in pages} == before  # kept: the store not read
        assert "A new headline" in client.get(f"/d/2024-04-03?t={token}").text != signed
        now[0] = NOW + timedelta(seconds=61)
        after = {p: client.get(p).text for p in pages}
        assert "A new headline" in after["/"] and "A new headline" in after["/d/2024-04-03"]
        assert "Crashes fell a lot after Rust." in after["/s/s1"]
        with TestClient(app, base_url="https://podsift.example") as other:
            assert csrf_of(client.get("/").text) != csrf_of(other.get("/").text)  # one page kept
