"""`podsift search-insights`: stored quotes as lines or JSON; a bad search is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.store import open_store
from tests.cli.test_cli import run
from tests.web.site_data import QUOTE_A, QUOTE_B, seed


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "podsift.db")
    store = open_store(path)
    seed(store)
    store.close()
    return path


def test_prints_one_line_per_quote_best_first(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--db", db, "search-insights", "crash rate"], capsys)
    assert code == 0 and err == ""
    assert out.splitlines() == [f"Show A · Ann [0:03] {QUOTE_A}", f"Show B · Bob [0:02] {QUOTE_B}"]


def test_json_carries_the_quote_where_it_was_said_and_its_story(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--db", db, "search-insights", "parser", "--json"], capsys)
    assert code == 0
    (hit,) = json.loads(out)
    assert hit["quote"] == QUOTE_B and hit["text"] == "Rust halved crashes."
    assert (hit["speaker"], hit["start"], hit["story_id"]) == ("Bob", 2.5, "s1")
    assert hit["show"] == "Show B" and hit["link"] == "javascript:alert(4)"  # data, as stored
    assert hit["episode"] == "Episode 2" and hit["published"] == "2024-04-01T05:30:00Z"
    assert set(hit) == {"id", "text", "quote", "speaker", "start", "show", "show_id", "episode",
                        "episode_id", "link", "published", "story_id"}  # fmt: skip


@pytest.mark.parametrize(
    ("options", "shows"),
    [
        (["--show", "Show B"], ["Show B"]),
        (["--show", "1"], ["Show A"]),
        (["--show", "https://b.example/feed.xml"], ["Show B"]),
        (["--since", "2024-04-02"], ["Show A"]),  # Episode 1 of Show A: 2024-04-02
        (["--until", "2024-04-01"], ["Show B"]),
        (["--limit", "1"], ["Show A"]),
    ],
)
def test_filters(
    db: str, capsys: pytest.CaptureFixture[str], options: list[str], shows: list[str]
) -> None:
    code, out, _ = run(["--db", db, "search-insights", "crash", *options, "--json"], capsys)
    assert code == 0
    assert [h["show"] for h in json.loads(out)] == shows


def test_no_quote_found_says_so_on_stderr(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--db", db, "search-insights", "zeppelin"], capsys)
    assert (code, out) == (0, "")
    assert err == "no quotes found for 'zeppelin'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (['* " ('], "nothing to search for: type a word or two"),
        (["x" * 10_000], "search too long: 10,000 characters (at most 200)"),
        (["rust", "--show", "Show Z"], "--show 'Show Z': no show with this title or feed URL"),
        (["rust", "--show", "7"], "--show 7: no show with this id"),
    ],
)
def test_a_bad_search_is_one_line_and_exit_code_1(
    db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(["--db", db, "search-insights", *args], capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"podsift: error: {message}") and err.count("\n") == 1
