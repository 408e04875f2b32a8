"""The command line: help everywhere, data on stdout, one-line errors with exit code 1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from podsift.cli import cli, main
from podsift.demo import DEMO_DATA
from tests.conftest import DATA

PB377 = DEMO_DATA / "transcripts/python-bytes/377-a-dramatic-episode.vtt"
FEED = DEMO_DATA / "feeds/python-bytes.xml"


def _commands(group: click.Group) -> list[str]:
    return sorted(group.commands)


@pytest.mark.parametrize("name", _commands(cli))
def test_every_command_has_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    assert "Usage: cli " + name in result.output or f"{name} [OPTIONS]" in result.output


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_python_dash_m_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podsift", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("podsift, version ")


def test_feed_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["feed", str(FEED), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["show"]["title"] == "Python Bytes"
    assert set(data["show"]) >= {"title", "link", "guid", "author", "image", "language"}
    ep = data["episodes"][0]
    assert set(ep) >= {"guid", "title", "published", "link", "audio_url", "duration", "transcripts"}
    assert ep["transcripts"][0]["type"] == "text/vtt"
    assert ep["audio_url"] is None  # unknown stays null


def test_transcript_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["transcript", str(PB377), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "vtt"
    first = data["segments"][0]
    assert set(first) == {"start", "end", "speaker", "text"}
    assert isinstance(first["start"], float)


def test_extract_json_quotes_are_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["extract", str(PB377), "--json", "--top", "5"], capsys)
    assert code == 0
    data = json.loads(out)
    assert len(data["insights"]) == 5
    assert data["tokens"] == 0  # the local extractor spends no LLM tokens
    from podsift.transcripts import parse_transcript

    segments = parse_transcript(PB377.read_bytes(), source=str(PB377)).segments
    raw = " ".join(" ".join(s.text for s in segments).split())
    for insight in data["insights"]:
        assert set(insight) >= {"id", "text", "quote", "speaker", "start", "end", "score"}
        assert " ".join(insight["quote"].split()) in raw
    scores = [i["score"] for i in data["insights"]]
    assert scores == sorted(scores, reverse=True)


def test_cluster_plain_text_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        "A backdoor was found in the xz compression library.",
        "The Federal Reserve raised interest rates again.",
        "Someone planted a backdoor in xz utils, the compression tool.",
    ]
    plain = tmp_path / "s.txt"
    plain.write_text("\n".join(lines) + "\n")
    code, out, _ = run(["cluster", str(plain), "--json"], capsys)
    assert code == 0
    clusters = json.loads(out)["clusters"]
    members = sorted(m for c in clusters for m in c["members"])
    assert members == ["1", "2", "3"]
    together = [c for c in clusters if len(c["members"]) == 2]
    assert together and sorted(together[0]["members"]) == ["1", "3"]
    jsonl = tmp_path / "s.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps({"id": f"x{n}", "text": t, "show": "S"}) for n, t in enumerate(lines))
    )
    code, out, _ = run(["cluster", str(jsonl), "--json"], capsys)
    ids = sorted(m for c in json.loads(out)["clusters"] for m in c["members"])
    assert ids == ["x0", "x1", "x2"]


def test_shows_add_import_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.db")
    assert run(["--db", db, "add", "https://a.example/feed.xml"], capsys)[0] == 0
    opml = DATA / "feeds" / "opml" / "feeds.opml"
    code, _, err = run(["--db", db, "import-opml", str(opml)], capsys)
    assert code == 0 and "new show(s)" in err
    code, out, _ = run(["--db", db, "export-opml"], capsys)
    assert code == 0
    assert "https://a.example/feed.xml" in out and out.count("<outline") > 2


def test_subscribe_and_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODSIFT_SECRET_KEY", "test-key")
    db = str(tmp_path / "p.db")
    assert (
        run(
            [
                "--db",
                db,
                "subscribe",
                "ann@example.org",
                "--tz",
                "Europe/Berlin",
                "--hour",
                "6",
                "--confirmed",
            ],
            capsys,
        )[0]
        == 0
    )
    code, _, err = run(["--db", db, "subscribe", "bob@example.org"], capsys)
    assert code == 0 and "confirmation link: http" in err  # double opt-in, no SMTP server
    _, out, _ = run(["--db", db, "subscribers", "--json"], capsys)
    rows = {r["email"]: r for r in json.loads(out)}
    assert (rows["ann@example.org"]["tz"], rows["ann@example.org"]["hour"]) == ("Europe/Berlin", 6)
    assert rows["ann@example.org"]["status"] == "active"
    assert rows["bob@example.org"]["status"] != "active"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["feed", "{tmp}/missing.xml"], "missing.xml: no such file"),
        (["feed", "{tmp}/notxml.xml"], "notxml.xml: not a feed"),
        (["feed", "http://127.0.0.1:9/feed.xml"], "http://127.0.0.1:9/feed.xml"),
        (["transcript", "{tmp}/empty.vtt"], "empty.vtt: empty transcript"),
        (["transcript", "{tmp}/binary.bin"], "binary.bin: binary content"),
        (["extract", "{tmp}/empty.vtt"], "empty.vtt: empty transcript"),
        (["add", "not-a-url"], "not-a-url: not a feed url"),
        (["subscribe", "ann@example.org", "--tz", "Mars/Olympus"], "Mars/Olympus: unknown time"),
        (["import-opml", "{tmp}/notxml.xml"], "notxml.xml"),
        (["--config", "{tmp}/bad.toml", "status"], "unknown key 'nope' in [rank]"),
        (["send"], "no SMTP server"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    needle: str,
) -> None:
    monkeypatch.delenv("PODSIFT_SMTP_URL", raising=False)
    (tmp_path / "notxml.xml").write_text("hello, I am not XML at all")
    (tmp_path / "empty.vtt").write_bytes(b"")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "bad.toml").write_text("[rank]\nnope = 1\n")
    argv = ["--db", str(tmp_path / "p.db")] + [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run(argv, capsys)
    assert code == 1
    assert needle.lower() in err.lower()
    assert err.count("\n") == 1 and err.startswith("podsift: error: ")
    assert "Traceback" not in err
    assert out == ""


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["digest", "--format", "pdf"], capsys)
    assert code == 2
    assert "Invalid value" in err


def test_no_traceback_from_a_real_process(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "podsift", "transcript", str(tmp_path / "nope.vtt")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == f"podsift: error: {tmp_path / 'nope.vtt'}: no such file"


def test_an_opml_of_100k_feeds_imports_in_batches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f'<outline type="rss" text="Show {n}" xmlUrl="https://h{n % 97}.example/f/{n}"/>'
                   for n in range(100_000))  # fmt: skip
    opml = tmp_path / "big.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>')
    db = str(tmp_path / "p.db")
    assert run(["--db", db, "add", "https://h5.example/f/5"], capsys)[0] == 0
    code, _, err = run(["--db", db, "import-opml", str(opml)], capsys)
    assert code == 0
    assert err.strip().endswith("big.opml: 99999 new show(s), 1 already there")
    code, out, _ = run(["--db", db, "status", "--json", "--no-broker"], capsys)
    assert json.loads(out)["counts"]["shows"] == 100_000
