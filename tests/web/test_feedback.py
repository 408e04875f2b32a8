"""Feedback, CSRF and rate limits through the real ASGI app on a real store."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from podsift.deliver import Tokens, Vote, message_for
from podsift.store import PendingDigest, Store
from podsift.web import Rate, RateLimits, create_app
from tests.digest.feedback_data import DAY1, READER, SEEN1, first_day, settings
from tests.web.forms import csrf_of, submit

SECRET = "feedback-key"
BASE = "https://podsift.example"


def votes_of(store: Store) -> list[tuple[str, int]]:
    return [(v.story_id, v.value) for v in store.feedback_of(READER, "minilm-l6-int8")]


def vote_link(story_id: str, value: int, tokens: Tokens | None = None) -> str:
    return (tokens or Tokens(SECRET)).vote_url(BASE, Vote(READER, story_id, value))


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    first_day(store)
    app = create_app(settings(), store, clock=lambda: SEEN1)
    with TestClient(app, base_url=BASE) as c:
        yield c


# --- feedback ---------------------------------------------------------------------------------


def test_the_feedback_links_get_only_asks_and_the_post_records(
    store: Store, client: TestClient
) -> None:
    shown = client.get(vote_link("db1", -1))
    assert shown.status_code == 200 and "Less like this?" in shown.text
    assert "<button" in shown.text and 'method="post"' in shown.text
    assert votes_of(store) == []  # a mail scanner's GET changes nothing
    token = parse_qs(urlsplit(vote_link("db1", -1)).query)["t"][0]
    done = client.post("/feedback", data={"t": token, "csrf": csrf_of(shown.text)})
    assert done.status_code == 200 and "fewer stories like" in done.text
    assert "location" not in done.headers  # a page, never a redirect
    assert votes_of(store) == [("db1", -1)]
    again = submit(client, "/feedback", "/feedback", {"t": vote_link("db1", 1).split("t=")[1]},
                   t=vote_link("db1", 1).split("t=")[1])  # fmt: skip
    assert again.status_code == 200 and "more stories like" in again.text
    assert votes_of(store) == [("db1", 1)]  # the newer vote replaced the older


@pytest.mark.parametrize("kind", ["tampered", "expired", "other purpose", "other key"])
def test_a_bad_feedback_link_says_so_and_changes_nothing(
    store: Store, client: TestClient, kind: str
) -> None:
    good = parse_qs(urlsplit(vote_link("db1", -1)).query)["t"][0]
    token = {
        "tampered": ("A" if good[0] != "A" else "B") + good[1:],
        "expired": Tokens(SECRET, clock=lambda: time.time() - 91 * 86400).make_vote(
            Vote(READER, "db1", -1)
        ),
        "other purpose": Tokens(SECRET).make("digest", READER),
        "other key": Tokens("another-key").make_vote(Vote(READER, "db1", -1)),
    }[kind]
    shown = client.get("/feedback", params={"t": token})
    assert shown.status_code == 400 and "Link not valid" in shown.text
    assert ("expired" in shown.text) == (kind == "expired")
    assert 'method="post"' not in shown.text
    csrf = csrf_of(client.get("/").text)
    posted = client.post("/feedback", data={"t": token, "csrf": csrf})
    assert posted.status_code == 400 and "Link not valid" in posted.text
    assert votes_of(store) == []


def test_a_vote_on_a_story_no_longer_kept_is_not_stored(store: Store, client: TestClient) -> None:
    r = client.get(vote_link("gone", 1))
    assert r.status_code == 404 and "nothing was recorded" in r.text
    assert votes_of(store) == []


def test_a_subscribers_digest_page_has_the_buttons_and_they_record(
    store: Store, client: TestClient
) -> None:
    digest_token = Tokens(SECRET).make("digest", READER)
    page = client.get(f"/d/{DAY1.isoformat()}", params={"t": digest_token})
    assert page.status_code == 200
    assert page.headers["cache-control"].startswith("private")
    assert "Cookie" in page.headers["vary"]
    forms = re.findall(r'<form method="post" action="/feedback">(.*?)</form>', page.text)
    assert len(forms) == 4  # two items, two buttons each
    less = next(f for f in forms if "Less like this" in f and "db1" in _story_of(f))
    fields = dict(re.findall(r'name="(\w+)" value="([^"]+)"', less))
    r = client.post("/feedback", data=fields)
    assert r.status_code == 200 and votes_of(store) == [("db1", -1)]
    assert 'href="/s/db1?t=' in page.text  # the story page keeps the buttons
    story = client.get("/s/db1", params={"t": digest_token})
    assert story.status_code == 200 and story.text.count('action="/feedback"') == 2
    assert story.headers["cache-control"].startswith("private")


def _story_of(form: str) -> str:
    token = dict(re.findall(r'name="(\w+)" value="([^"]+)"', form))["t"]
    return Tokens(SECRET).read_vote(token).story_id


def test_anonymous_pages_have_no_buttons_and_stay_public(client: TestClient) -> None:
    story = client.get("/s/db1")
    assert story.status_code == 200 and "/feedback" not in story.text
    assert story.headers["cache-control"].startswith("public")
    assert "set-cookie" not in story.headers  # no form, no cookie
    assert client.get("/s/db1", params={"t": "forged"}).status_code == 400


def test_the_email_carries_both_links_for_every_item(store: Store, client: TestClient) -> None:
    row = store.digest_row(READER, DAY1)
    assert row is not None
    (sub,) = [s for s in store.subscribers() if s.email == READER]
    msg = message_for(settings(), Tokens(SECRET), PendingDigest(1, sub, DAY1, row[1], None, 0,
                                                                None), SEEN1)  # fmt: skip
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    links = re.findall(r"https://podsift\.example/feedback\?t=[\w.\-]+", text)
    assert len(links) == 4 and len(set(links)) == 4
    assert text.count("More like this:") == 2 and text.count("Less like this:") == 2
    assert html.count(">More like this</a>") == 2 and html.count(">Less like this</a>") == 2
    for link in links:
        vote = Tokens(SECRET).read_vote(parse_qs(urlsplit(link).query)["t"][0])
        assert vote.address == READER and vote.story_id in ("db1", "rust1")
        assert link.replace("&", "&amp;") in html or link in html
    assert client.get(links[0]).status_code == 200


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize("with_field", [False, True])
def test_every_post_route_refuses_a_form_without_a_valid_token(
    client: TestClient, with_field: bool
) -> None:
    routes = client.app.routes  # type: ignore[attr-defined]  # the Starlette app
    posts = [r.path for r in routes if isinstance(r, Route) and "POST" in (r.methods or ())]
    assert {"/subscribe", "/confirm", "/unsubscribe", "/preferences", "/feedback"} <= set(posts)
    client.get("/")  # the browser has a cookie, but the token below is for another one
    stolen = Tokens(SECRET).make("digest", "x")[:43] if with_field else ""
    for path in posts:
        r = client.post(path, data={"csrf": stolen} if with_field else {})
        assert r.status_code == 403, path
        assert "Form not accepted" in r.text and "reload the page" in r.text


def test_posts_without_a_token_change_nothing(store: Store, client: TestClient) -> None:
    tokens = Tokens(SECRET)
    r = client.post("/subscribe", data={"email": "eve@example.org"})
    assert r.status_code == 403 and store.subscriber("eve@example.org") is None
    pref = tokens.make("preferences", READER)
    r = client.post("/preferences", data={"t": pref, "tz": "Asia/Tokyo", "hour": "3"})
    assert r.status_code == 403 and store.subscriber(READER).send_hour == 7  # type: ignore[union-attr]
    unsub = tokens.make("unsubscribe", READER)
    r = client.post(f"/unsubscribe?t={unsub}", data={"List-Unsubscribe": "Yes"})
    assert r.status_code == 403 and store.subscriber(READER).status == "active"  # type: ignore[union-attr]
    r = client.post("/feedback", data={"t": vote_link("db1", -1).split("t=")[1]})
    assert r.status_code == 403 and votes_of(store) == []


def test_a_valid_form_without_its_link_gets_a_clear_page(client: TestClient) -> None:
    csrf = csrf_of(client.get("/").text)
    for path in ("/confirm", "/preferences", "/feedback"):
        r = client.post(path, data={"csrf": csrf})
        assert r.status_code == 400 and "Link not valid" in r.text, path


def test_a_token_from_another_browser_is_refused(store: Store, client: TestClient) -> None:
    token = csrf_of(client.get("/").text)
    client.cookies.clear()
    client.get("/")  # a new cookie: the old token no longer matches
    r = client.post("/subscribe", data={"email": "eve@example.org", "csrf": token})
    assert r.status_code == 403 and store.subscriber("eve@example.org") is None


def test_the_one_click_body_is_exempt_only_on_unsubscribe(store: Store, client: TestClient) -> None:
    tokens = Tokens(SECRET)
    client.cookies.clear()
    body, form = "List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"}
    pref = client.post(f"/preferences?t={tokens.make('preferences', READER)}", content=body,
                       headers=form)  # fmt: skip
    assert pref.status_code == 403
    r = client.post(f"/unsubscribe?t={tokens.make('unsubscribe', READER)}", content=body,
                    headers=form)  # fmt: skip
    assert r.status_code == 200 and "Unsubscribed" in r.text
    assert store.subscriber(READER).status == "unsubscribed"  # type: ignore[union-attr]


def test_the_cookie_is_httponly_lax_and_secure_over_https(client: TestClient) -> None:
    r = client.get("/")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("podsift_csrf=")
    for attr in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/"):
        assert attr in cookie
    assert r.headers["cache-control"].startswith("private,")  # the form's token is per browser
    assert "set-cookie" not in client.get("/").headers  # kept, not renewed


def test_a_huge_form_is_refused(client: TestClient) -> None:
    csrf = csrf_of(client.get("/").text)
    r = client.post("/subscribe", data={"email": "a" * 70_000, "csrf": csrf})
    assert r.status_code == 413


# --- rate limits ------------------------------------------------------------------------------


def _limited_app(store: Store, limits: RateLimits) -> TestClient:
    return TestClient(create_app(settings(), store, clock=lambda: SEEN1, limits=limits),
                      base_url=BASE)  # fmt: skip


def test_subscribing_too_often_from_one_client_gets_429(store: Store) -> None:
    first_day(store)
    with _limited_app(store, RateLimits(subscribe_per_client=Rate(3, 60.0))) as c:
        csrf = csrf_of(c.get("/").text)
        codes = [c.post("/subscribe", data={"email": f"r{n}@example.org", "csrf": csrf})
                 for n in range(4)]  # fmt: skip
    assert [r.status_code for r in codes[:3]] == [503, 503, 503]  # stored; no mail server here
    assert codes[3].status_code == 429 and codes[3].headers["retry-after"] == "60"
    assert "Too many requests" in codes[3].text and "60 seconds" in codes[3].text
    assert store.subscriber("r3@example.org") is None  # refused before anything is stored


def test_one_address_is_limited_from_many_clients(store: Store) -> None:
    first_day(store)
    limits = RateLimits(subscribe_per_address=Rate(2, 3600.0))
    with _limited_app(store, limits) as c:
        csrf = csrf_of(c.get("/").text)
        target = {"email": "Target@example.org", "csrf": csrf}
        codes = [c.post("/subscribe", data=target).status_code for _ in range(3)]
        other = c.post("/subscribe", data={"email": "me@example.org", "csrf": csrf})
    assert codes == [503, 503, 429] and other.status_code == 503


def test_voting_too_often_gets_429(store: Store) -> None:
    first_day(store)
    with _limited_app(store, RateLimits(feedback_per_client=Rate(2, 10.0))) as c:
        token = vote_link("db1", -1).split("t=")[1]
        csrf = csrf_of(c.get("/feedback", params={"t": token}).text)
        codes = [c.post("/feedback", data={"t": token, "csrf": csrf}).status_code
                 for _ in range(3)]  # fmt: skip
        assert c.get("/feedback", params={"t": token}).status_code == 200  # asking is not limited
    assert codes == [200, 200, 429]
