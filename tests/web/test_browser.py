"""The web pages in a real headless Chromium against a real server on loopback.

Double opt-in (subscribe form → confirmation email over real SMTP → confirm button), one-click
unsubscribe (GET shows a button, the click POSTs), and preferences.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from podsift.config import load_settings
from podsift.deliver import SmtpSender, SmtpSettings, Tokens
from podsift.store import Store
from podsift.web import create_app
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.browser
SECRET = "browser-test-key"


@pytest.fixture
def site(store: Store) -> Iterator[tuple[str, SmtpServer]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    settings = load_settings(env={"PODSIFT_SECRET_KEY": SECRET, "PODSIFT_BASE_URL": base})
    with SmtpServer() as smtp:
        sender = SmtpSender(SmtpSettings.from_url(smtp.url))
        app = create_app(settings, store, sender=sender)
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))  # fmt: skip
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.01)
        yield base, smtp
        server.should_exit = True
        thread.join()


@pytest.fixture
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])  # fmt: skip
        yield b
        b.close()


def test_subscribe_confirm_preferences_and_unsubscribe_in_chromium(
    store: Store, site: tuple[str, SmtpServer], browser: object, tmp_path: Path
) -> None:
    base, smtp = site
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + "/")
    page.fill("#email", "ann@example.org")
    page.fill("#tz", "Europe/Berlin")
    page.fill("#hour", "6")
    with page.expect_navigation():
        page.click("button:has-text('Subscribe')")  # the header has a search button
    assert "Check your inbox" in page.content()
    sub = store.subscriber("ann@example.org")
    assert sub is not None and sub.status == "pending"

    (received,) = smtp.received
    msg = email.message_from_bytes(received.content, policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    link = re.search(r"http://\S+/confirm\?t=\S+", text)
    assert link is not None
    page.goto(link.group(0))
    assert store.subscriber("ann@example.org").status == "pending"  # a GET changes nothing
    with page.expect_navigation():
        page.click("button:has-text('Confirm')")
    assert "Subscribed" in page.content()
    assert store.subscriber("ann@example.org").status == "active"

    tokens = Tokens(SECRET)
    page.goto(tokens.url(base, "preferences", "ann@example.org"))
    page.fill("#hour", "9")
    with page.expect_navigation():
        page.click("button:has-text('Save')")
    assert "Saved." in page.content()
    assert store.subscriber("ann@example.org").send_hour == 9

    page.goto(tokens.url(base, "unsubscribe", "ann@example.org"))
    page.screenshot(path=str(tmp_path / "unsubscribe.png"), full_page=True)
    assert (tmp_path / "unsubscribe.png").stat().st_size > 1000
    assert store.subscriber("ann@example.org").status == "active"  # the GET only asks
    with page.expect_navigation():
        page.click("button:has-text('Unsubscribe')")
    assert "Unsubscribed" in page.content()
    assert store.subscriber("ann@example.org").status == "unsubscribed"


def test_a_tampered_link_shows_a_clear_page(site: tuple[str, SmtpServer], browser: object) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    reply = page.goto(base + "/unsubscribe?t=tampered.token.value")
    assert reply.status == 400
    assert "Link not valid" in page.content()
