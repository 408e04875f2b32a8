"""The search page through the real ASGI app: hits, filters, pages, bad input, hostile text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from podsift.models import Episode, Insight
from podsift.store import Store
from podsift.web import create_app
from tests.deliver.test_ledger import settings
from tests.web.site_data import HOSTILE, NOW, QUOTE_A, QUOTE_B, seed

Site = tuple[TestClient, dict[str, int]]


@pytest.fixture
def site(store: Store) -> Iterator[Site]:
    shows = seed(store)
    with TestClient(create_app(settings(), store, clock=lambda: NOW)) as client:
        yield client, shows


def test_every_page_has_a_search_box_that_gets_search(site: Site) -> None:
    client, shows = site
    box = (
        '<form class="site-search" role="search" method="get" action="/search">'
        '<input type="search" name="q" aria-label="Search quotes"'
    )
    for path in ("/", "/d/2024-04-02", "/s/s1", f"/shows/{shows['Show A']}", "/nope"):
        assert box in client.get(path).text, path


def test_an_empty_search_shows_the_form_only(site: Site) -> None:
    client, shows = site
    r = client.get("/search")
    assert r.status_code == 200
    assert 'id="q"' in r.text and "site-search" not in r.text  # one search box on the page
    assert f'<option value="{shows["Show A"]}">Show A</option>' in r.text
    assert "<article" not in r.text and "No quotes" not in r.text


def test_search_finds_quotes_with_speaker_show_episode_and_story(site: Site) -> None:
    client, shows = site
    r = client.get("/search", params={"q": "crash rate"})
    assert r.status_code == 200
    assert "<title>podsift — Search: crash rate</title>" in r.text
    assert QUOTE_A in r.text and QUOTE_B in r.text
    assert 'href="/s/s1">Rust halves crashes.</a>' in r.text
    assert 'href="/s/s1">Rust halved crashes.</a>' in r.text
    assert f'<a href="/shows/{shows["Show A"]}">Show A</a>' in r.text and "Ann" in r.text
    assert "at 0:03" in r.text and "2024-04-02" in r.text  # timestamp, published day
    assert "javascript:" not in r.text  # the episodes' links are not http(s): shown as text
    assert "2 quotes, best match first" in r.text
    assert 'value="crash rate"' in r.text  # the form keeps the search


def test_filters_by_show_and_date(site: Site) -> None:
    client, shows = site
    by_show = client.get("/search", params={"q": "crash", "show": shows["Show B"]}).text
    assert QUOTE_B in by_show and QUOTE_A not in by_show
    assert f'<option value="{shows["Show B"]}" selected>Show B</option>' in by_show
    # Episode 1 (Show A) was published on 2024-04-02, Episode 2 (Show B) on 2024-04-01
    by_day = client.get("/search", params={"q": "crash", "from": "2024-04-02"}).text
    assert QUOTE_A in by_day and QUOTE_B not in by_day and 'value="2024-04-02"' in by_day
    until = client.get("/search", params={"q": "crash", "to": "2024-04-01"}).text
    assert QUOTE_B in until and QUOTE_A not in until
    none = client.get("/search", params={"q": "crash", "from": "2030-01-01"})
    assert none.status_code == 200
    assert "No quotes hold every word of “crash” with these filters." in none.text


def test_results_come_in_pages(store: Store, site: Site) -> None:
    client, shows = site
    store.add_episodes(shows["Show A"], [Episode("Many", guid="many", published=NOW)], NOW)
    (ep,) = store.episodes(["new"])
    many = [Insight(f"Zebra fact {n}.", f"Zebra fact {n}.", None, n, None, 0.5).with_id(str(n))
            for n in range(25)]  # fmt: skip
    store.save_insights(ep.id, "test@1", many, NOW)
    first = client.get("/search", params={"q": "zebra", "show": shows["Show A"]}).text
    assert first.count("<article") == 20 and 'rel="prev"' not in first
    (link,) = re.findall(r'rel="next" href="([^"]+)"', first)
    assert link == f"/search?q=zebra&amp;show={shows['Show A']}&amp;page=2"
    second = client.get(link.replace("&amp;", "&")).text
    assert second.count("<article") == 5 and 'rel="next"' not in second
    assert "Page 2: 5 quotes" in second and 'rel="prev" href="/search?q=zebra&amp;show=' in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "x" * 10_000}, "Search too long: 10,000 characters (at most 200)"),
        ({"q": "r" * 201}, "Search too long: 201 characters"),
        ({"q": '* " ( ) : ^ -'}, "Nothing to search for: type a word or two"),
        ({"q": '"'}, "Nothing to search for"),
        ({"q": "rust", "from": "yesterday"}, "From &#39;yesterday&#39;: not a date (use YYYY-MM"),
        ({"q": "rust", "to": "2024-02-30"}, "To &#39;2024-02-30&#39;: not a date"),
        ({"q": "rust", "show": "all"}, "Show &#39;all&#39;: not a show number."),
        ({"q": "rust", "show": "9" * 30}, "not a show number"),
    ],
)  # fmt: skip
def test_a_bad_search_gets_the_form_back_with_one_line_and_400(
    site: Site, params: dict[str, str], message: str
) -> None:
    client, _ = site
    r = client.get("/search", params=params)
    assert r.status_code == 400
    assert message in r.text
    assert len(re.findall(r'<p class="error" role="alert">', r.text)) == 1
    assert 'id="q"' in r.text and "<article" not in r.text and "Traceback" not in r.text


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999999", "2"])
def test_an_odd_page_number_is_no_error(site: Site, page: str) -> None:
    client, _ = site
    r = client.get("/search", params={"q": "crash", "page": page})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["alert", "script", "onmouseover", "javascript", HOSTILE, '"><script>alert(9)</script>'],
)
def test_hostile_text_and_searches_show_as_text(site: Site, query: str) -> None:
    client, _ = site
    r = client.get("/search", params={"q": query})
    assert r.status_code in (200, 400)
    assert "<script" not in r.text
    assert not re.search(r"""(href|src|content|action)\s*=\s*["']?\s*javascript:""", r.text, re.I)
    assert 'onmouseover="' not in r.text
    if query in ("alert", "script", "onmouseover"):  # the hostile insight is found, escaped
        assert r.status_code == 200
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
        assert 'href="/s/s2"' in r.text
