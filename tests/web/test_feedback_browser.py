"""Feedback in a real headless Chromium: a subscriber votes and their next digest changes.

The subscriber opens their own digest by its signed link and presses "Less like this" on one
story, then follows an email's "more like this" link for another and confirms it. The next
day's digest, composed by the real compose path, swaps the disliked story's neighbour for the
liked one's, while a reader who gave no feedback keeps it. axe-core checks the pages on the way.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from podsift.deliver import Tokens, Vote
from podsift.store import Store
from podsift.web import create_app
from tests.digest.feedback_data import (
    CONTROL,
    DAY1,
    DAY2,
    READER,
    SEEN1,
    SEEN2,
    compose,
    first_day,
    ids_of,
    seed_day,
    settings,
)
from tests.web.test_site_browser import browser, serving

__all__ = ["browser"]  # the fixture, shared with the site's browser tests
pytestmark = pytest.mark.browser
SECRET = "feedback-key"


@pytest.fixture
def site(store: Store) -> Iterator[tuple[str, dict[str, int]]]:
    ids = first_day(store)
    app = create_app(settings(PODSIFT_BASE_URL="http://127.0.0.1"), store, clock=lambda: SEEN1)
    with serving(app) as base:
        yield base, ids


def _no_serious_violations(page: object, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page).response
    assert result["passes"], where  # axe really ran on the page
    bad = [(v["id"], v["impact"]) for v in result["violations"]
           if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert bad == [], where


def test_feedback_in_chromium_changes_the_next_digest(
    store: Store, site: tuple[str, dict[str, int]], browser: object
) -> None:
    base, ids = site
    tokens = Tokens(SECRET)
    mine = f"?t={tokens.make('digest', READER)}"
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{base}/d/{DAY1.isoformat()}{mine}")
    assert page.locator("button:has-text('Less like this')").count() == 2
    _no_serious_violations(page, "digest page with buttons")
    item = page.locator("article.item", has=page.locator("a[href^='/s/db1']"))
    with page.expect_navigation():
        item.locator("button:has-text('Less like this')").click()
    assert "fewer stories like" in page.content()
    _no_serious_violations(page, "noted page")

    page.goto(tokens.vote_url(base, Vote(READER, "rust1", 1)))  # the email's link
    assert "More like this?" in page.content()
    assert [v.story_id for v in store.feedback_of(READER, "minilm-l6-int8")] == ["db1"]
    _no_serious_violations(page, "feedback confirm page")
    with page.expect_navigation():
        page.click("main button:has-text('More like this')")
    assert "more stories like" in page.content()
    votes = {(v.story_id, v.value) for v in store.feedback_of(READER, "minilm-l6-int8")}
    assert votes == {("db1", -1), ("rust1", 1)}

    page.goto(f"{base}/s/db1{mine}")
    _no_serious_violations(page, "story page with buttons")

    seed_day(store, SEEN2)
    assert ids_of(compose(store, CONTROL, DAY2, ids[CONTROL])) == ["db2", "other"]
    compose(store, READER, DAY2, ids[READER])
    page.goto(f"{base}/d/{DAY2.isoformat()}{mine}")
    shown = page.locator("article.item h2 a").evaluate_all("els => els.map(e => e.pathname)")
    assert shown[0] == "/s/rust2" and "/s/db2" not in shown
    assert errors == []  # no CSP violation: the buttons are plain forms
