"""Search in a real headless Chromium: from the home page's box to a quote to its story, the
filters, and axe-core on the search page with results, with none and with an error."""

from __future__ import annotations

import re

import pytest

from tests.web import test_site_browser as served
from tests.web.site_data import QUOTE_A, QUOTE_B

pytestmark = pytest.mark.browser

# the same live site (uvicorn on loopback over the seeded store) and browser as the site's tests
site = served.site
browser = served.browser


def test_search_from_the_home_page_finds_a_quote_and_opens_its_story(
    site: tuple[str, dict[str, int]], browser: object
) -> None:
    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    box = page.get_by_role("search").get_by_role("searchbox", name="Search quotes")
    box.fill("crash rate")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=crash\+rate$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Search: crash rate"
    assert page.get_by_text(QUOTE_A).is_visible() and page.get_by_text(QUOTE_B).is_visible()
    page.get_by_role("link", name="Rust halves crashes.").click()
    page.wait_for_url(base + "/s/s1")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Rust halves crash rates")
    assert page.get_by_text(QUOTE_A).is_visible()
    assert errors == []  # no CSP violation either


def test_the_search_form_filters_by_show(site: tuple[str, dict[str, int]], browser: object) -> None:
    base, shows = site
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base + "/search")
    page.get_by_label("Words to find").fill("crash")
    page.get_by_label("Show").select_option(label="Show B")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(rf"show={shows['Show B']}"))
    assert page.get_by_text(QUOTE_B).is_visible()
    assert page.get_by_text(QUOTE_A).count() == 0
    assert page.get_by_label("Show").input_value() == str(shows["Show B"])


def test_the_search_page_has_no_serious_accessibility_violations(
    site: tuple[str, dict[str, int]], browser: object
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, _ = site
    page = browser.new_page()  # type: ignore[attr-defined]
    axe = Axe()
    for query, status in (("", 200), ("?q=crash", 200), ("?q=alert", 200),
                          ("?q=zeppelin", 200), ("?q=%2A+%22", 400)):  # fmt: skip
        response = page.goto(base + "/search" + query)
        assert response.status == status, query
        result = axe.run(page).response
        assert result["passes"], query  # axe really ran on the page
        found = result["violations"]
        bad = [(v["id"], v["impact"]) for v in found if v["impact"] in ("serious", "critical")]
        assert bad == [], query
