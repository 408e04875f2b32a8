"""A transcript whose every line is filler gives zero insights and says why (#21)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from podsift.cli import cli
from podsift.insights import LocalExtractorSettings, extract_one, extractors
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "data"
FILLER = DATA / "insights" / "all-filler-377.txt"  # real lines: small talk, then a sponsor read


def test_an_all_filler_transcript_gives_no_insights_and_the_reason() -> None:
    transcript = parse_transcript(FILLER.read_bytes(), source=FILLER.name)
    extractor = extractors.create("local", LocalExtractorSettings())
    result = extract_one(extractor, transcript)
    assert result.insights == ()
    assert result.reason is not None
    assert result.reason.startswith("every sentence is filler (")


def test_a_transcript_with_content_has_no_filler_reason() -> None:
    path = DATA / "transcripts" / "shapes" / "bracket-times.txt"
    transcript = parse_transcript(path.read_bytes(), source=path.name)
    result = extract_one(extractors.create("local", LocalExtractorSettings()), transcript)
    assert result.insights and result.reason is None


def test_extract_says_the_reason_in_one_line_and_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "p.db"), "extract", str(FILLER)], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{FILLER}: no insights: every sentence is filler (")
