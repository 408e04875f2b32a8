"""`podsift demo`: the whole job on the bundled real podcasts, offline, end to end."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

from podsift.cli import main
from podsift.config import Settings
from podsift.demo import with_local_headlines
from tests.conftest import DATA


@pytest.mark.slow
def test_demo_prints_five_distinct_stories_from_real_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = tmp_path / "digest.html"
    with pytest.raises(SystemExit) as done:
        main(["demo", "--json", "--no-llm", "--data", str(DATA / "demo-talkpython"),
              "--html", str(html)])  # fmt: skip
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
        main(["--db", str(db), "demo", "--json", "--no-llm", "--html", str(tmp_path / "d.html")])
    assert done.value.code == 0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["--db", str(db), "status", "--json"])
    status = json.loads(capsys.readouterr().out)
    assert status["counts"]["episodes"] >= 20
    assert status["counts"]["digests"] == 1


def _settings(models: Path, **insights: str) -> Settings:
    base = Settings()
    return dataclasses.replace(
        base,
        cluster=dataclasses.replace(base.cluster, models_dir=str(models)),
        insights=dataclasses.replace(base.insights, **insights),
    )


def test_the_demo_writes_headlines_with_the_local_model_only_when_it_is_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(  # the runtime "installed", whether or not this machine has it
        importlib.util, "find_spec", lambda name, *a: object() if name == "cyllama" else real(name)
    )
    assert with_local_headlines(_settings(tmp_path)) is None  # no model fetched
    (tmp_path / "qwen-1.5b").mkdir()
    (tmp_path / "qwen-1.5b" / "model.gguf").write_bytes(b"GGUF")  # its hash is checked on load
    chosen = with_local_headlines(_settings(tmp_path))
    assert chosen is not None and chosen.insights.headlines == "local"
    # a headline writer the user configured wins
    assert with_local_headlines(_settings(tmp_path, headlines="openai")) is None
    assert with_local_headlines(_settings(tmp_path, provider="anthropic")) is None
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert with_local_headlines(_settings(tmp_path)) is None  # no runtime


def test_the_demo_says_how_to_get_headlines_without_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # no fetched model here
    with pytest.raises(SystemExit) as done:
        main(["demo", "--html", str(tmp_path / "d.html")])
    assert done.value.code == 0
    err = capsys.readouterr().err
    assert "headlines: none" in err and "podsift models fetch qwen-1.5b" in err


WRITTEN20 = Path(__file__).parents[2] / "benchmarks" / "crowds" / "written20" / "data"


def test_demo_only_sifts_the_data_folders_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--only: a folder of one's own (here two shows of the written20 crowd), without the
    bundled podcasts; a folder with no dated feed is one line, no traceback."""
    data = tmp_path / "mine"
    for show in ("reptalk", "pocket"):
        (data / "feeds").mkdir(parents=True, exist_ok=True)
        (data / "feeds" / f"{show}.xml").write_bytes(
            (WRITTEN20 / "feeds" / f"{show}.xml").read_bytes()
        )
        (data / "transcripts" / show).mkdir(parents=True)
        for f in (WRITTEN20 / "transcripts" / show).iterdir():
            (data / "transcripts" / show / f.name).write_bytes(f.read_bytes())
    with pytest.raises(SystemExit) as done:
        main(["demo", "--json", "--no-llm", "--only", "--data", str(data),
              "--html", str(tmp_path / "d.html")])  # fmt: skip
    out, err = capsys.readouterr()
    assert done.value.code == 0, err
    items = json.loads(out)["items"]
    assert items and {i["show"] for i in items} <= {"Rep Talk", "Pocket Change Hotline"}
    assert "sifting the --data folders" in err and "2 shows, 4 episodes" in err
    empty = tmp_path / "empty"
    (empty / "feeds").mkdir(parents=True)
    with pytest.raises(SystemExit) as failed:
        main(["demo", "--no-llm", "--only", "--data", str(empty)])
    err = capsys.readouterr().err
    assert failed.value.code != 0 and "no feeds/*.xml with an episode's <pubDate>" in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit) as usage:
        main(["demo", "--only"])
    assert usage.value.code == 2 and "--only sifts the --data folders" in capsys.readouterr().err
