"""The web pages through the real ASGI app: double opt-in, RFC 8058 unsubscribe, feeds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from podsift.deliver import TokenError, Tokens
from podsift.digest import digest_to_json
from podsift.store import Store
from podsift.web import create_app
from tests.deliver.test_ledger import DAY, NOW, SECRET, digest, settings
from tests.web.forms import csrf_of, submit


class Outbox:
    name: ClassVar[str] = "outbox"

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, msg: EmailMessage) -> None:
        self.sent.append(msg)


@pytest.fixture
def web(store: Store) -> Iterator[tuple[TestClient, Outbox]]:
    outbox = Outbox()
    app = create_app(settings(), store, sender=outbox, clock=lambda: NOW)
    with TestClient(app, base_url="https://podsift.example") as client:
        yield client, outbox


def token_in(text: str) -> str:
    url = next(w for w in text.split() if "?t=" in w)
    return parse_qs(urlsplit(url).query)["t"][0]


def test_double_opt_in_needs_the_confirm_button(
    store: Store, web: tuple[TestClient, Outbox]
) -> None:
    client, outbox = web
    r = submit(client, "/", "/subscribe", {"email": "ann@example.org", "tz": "Europe/Berlin"})
    assert r.status_code == 200 and "Check your inbox" in r.text
    sub = store.subscriber("ann@example.org")
    assert sub is not None and sub.status == "pending"
    body = outbox.sent[0].get_content()
    token = token_in(body)
    page = client.get("/confirm", params={"t": token})
    assert "<button" in page.text and 'method="post"' in page.text
    assert store.subscriber("ann@example.org").status == "pending"  # a GET changes nothing
    done = client.post("/confirm", data={"t": token, "csrf": csrf_of(page.text)})
    assert done.status_code == 200
    assert store.subscriber("ann@example.org").status == "active"


def test_bad_subscribe_input_gets_a_clear_page(web: tuple[TestClient, Outbox]) -> None:
    client, outbox = web
    r = submit(client, "/", "/subscribe", {"email": "not-an-address"})
    assert r.status_code == 400 and "not an email address" in r.text
    r = client.post(
        "/subscribe", data={"email": "a@example.org", "tz": "Mars/Olympus", "csrf": csrf_of(r.text)}
    )  # the error page's form
    assert r.status_code == 400 and "unknown time zone" in r.text
    assert outbox.sent == []


def test_one_click_unsubscribe_is_a_post_without_session(
    store: Store, web: tuple[TestClient, Outbox]
) -> None:
    client, _ = web
    store.add_subscriber("bob@example.org", NOW)
    token = Tokens(SECRET).make("unsubscribe", "bob@example.org")
    shown = client.get("/unsubscribe", params={"t": token})
    assert shown.status_code == 200 and "<button" in shown.text
    assert store.subscriber("bob@example.org").status == "active"
    client.cookies.clear()  # a mail client has no cookie and no form token
    r = client.post(
        f"/unsubscribe?t={token}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200
    assert store.subscriber("bob@example.org").status == "unsubscribed"


@pytest.mark.parametrize("path", ["/unsubscribe", "/confirm", "/preferences"])
def test_tampered_token_is_refused_with_a_page(
    store: Store, web: tuple[TestClient, Outbox], path: str
) -> None:
    client, _ = web
    store.add_subscriber("bob@example.org", NOW)
    token = Tokens(SECRET).make("unsubscribe", "bob@example.org")
    # change the payload's first character: the signature's last one may carry unused bits
    tampered = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (tampered, Tokens("other-key").make("unsubscribe", "bob@example.org")):
        r = client.get(path, params={"t": bad})
        assert r.status_code == 400 and "not valid" in r.text
    assert store.subscriber("bob@example.org").status == "active"


def test_token_for_one_purpose_does_not_open_another() -> None:
    tokens = Tokens(SECRET)
    with pytest.raises(TokenError, match="not valid"):
        tokens.read("unsubscribe", tokens.make("confirm", "a@example.org"))


def test_expired_confirm_link_says_so() -> None:
    old = Tokens(SECRET, clock=lambda: time.time() - 8 * 24 * 3600)
    with pytest.raises(TokenError, match="expired"):
        Tokens(SECRET).read("confirm", old.make("confirm", "a@example.org"))


def test_rotated_key_still_verifies_old_links() -> None:
    before = Tokens("old-key").make("unsubscribe", "a@example.org")
    assert Tokens("new-key,old-key").read("unsubscribe", before) == "a@example.org"
    with pytest.raises(TokenError):
        Tokens("new-key").read("unsubscribe", before)


def test_preferences_page_changes_hour_and_topics(
    store: Store, web: tuple[TestClient, Outbox]
) -> None:
    client, _ = web
    store.add_subscriber("ann@example.org", NOW)
    token = Tokens(SECRET).make("preferences", "ann@example.org")
    shown = client.get("/preferences", params={"t": token})
    assert 'name="hour"' in shown.text
    csrf = csrf_of(shown.text)
    r = client.post("/preferences", data={"t": token, "tz": "Asia/Tokyo", "hour": "6",
                                          "topics": "rust, databases", "csrf": csrf})  # fmt: skip
    assert r.status_code == 200 and "Saved." in r.text
    sub = store.subscriber("ann@example.org")
    assert sub is not None and (sub.tz, sub.send_hour, sub.topics) == (
        "Asia/Tokyo", 6, "rust, databases")  # fmt: skip
    bad = client.post("/preferences", data={"t": token, "tz": "Nowhere/City", "hour": "6",
                                            "csrf": csrf})  # fmt: skip
    assert bad.status_code == 400 and "unknown time zone" in bad.text


def test_feeds_of_stored_digests(store: Store, web: tuple[TestClient, Outbox]) -> None:
    client, _ = web
    sub_id = store.add_subscriber("ann@example.org", NOW)
    store.save_digest("ann@example.org", DAY, digest_to_json(digest()), [], NOW, sub_id)
    token = Tokens(SECRET).make("feed", "ann@example.org")
    atom = client.get("/feed.atom", params={"t": token})
    assert atom.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.text for e in root.findall("a:entry/a:title", ns)] == ["Top 5 for 2024-04-03"]
    rss = ElementTree.fromstring(client.get("/feed.rss", params={"t": token}).content)
    assert rss.find("channel/item/title").text == "Top 5 for 2024-04-03"
    data = client.get("/feed.json", params={"t": token}).json()
    assert data["digests"][0]["date"] == "2024-04-03"
    assert data["digests"][0]["items"][0]["headline"] == "Story 1"


def test_now_is_aware() -> None:
    assert datetime.now(UTC).tzinfo is UTC
