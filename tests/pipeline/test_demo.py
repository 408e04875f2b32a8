"""`podsift demo`: the whole job on the bundled real podcasts, offline, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.cli import main
from tests.conftest import DATA


@pytest.mark.slow
def test_demo_prints_five_distinct_stories_from_real_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "digest.html"
    with pytest.raises(SystemExit) as done:
        main(["demo", "--json", "--data", str(DATA / "demo-talkpython"), "--html", str(html)])
    out, err = capsys.readouterr()
    assert done.value.code == 0
    digest = json.loads(out)
    items = digest["items"]
    assert [i["rank"] for i in items] == [1, 2, 3, 4, 5]
    assert len({i["story_id"] for i in items}) == 5
    for item in items:
        assert item["quote"] and item["insight"] and item["show"] and item["episode"]
        assert item["link"].startswith("https://")
        if item["start"] is not None:
            assert item["link"].endswith(f"#t={int(item['start'])}")
    assert any(i["also_on"] for i in items), "no story was raised on two or more shows"
    for item in items:
        assert all(other["show"] != item["show"] for other in item["also_on"])
    assert "as of 2026-06-03" in err and "HTML email written to" in err
    page = html.read_text()
    assert items[0]["show"] in page and "<html" in page.lower()


def test_demo_keeps_the_store_with_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "kept.db"
    with pytest.raises(SystemExit) as done:
        main(["--db", str(db), "demo", "--json", "--html", str(tmp_path / "d.html")])
    assert done.value.code == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--db", str(db), "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert status["counts"]["episodes"] >= 20
    assert status["counts"]["digests"] == 1
