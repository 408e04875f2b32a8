"""Who said it (#21): the transcript's speaker where known, else the show's name; never
"unknown speaker". The JSON ``speaker`` stays null when unknown (docs/design.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from podsift.cli.show import show_digest
from podsift.digest import build_digest, digest_to_json, render_html, render_markdown, render_text
from podsift.models import Digest, Mention, RankedStory, StoryView
from podsift.transcripts import parse_transcript

SHAPES = Path(__file__).parents[1] / "data" / "transcripts" / "shapes"


def _digest(speaker: str | None) -> Digest:
    mention = Mention(
        insight_id="i1",
        show="Python Bytes",
        episode="PSF lands 1.5 million",
        speaker=speaker,
        text="Claude reads the show's MCP server to list the last five episodes.",
        quote="Claude reads the show's MCP server to list the last five episodes.",
        link="https://pythonbytes.example/466.mp3",
        start=1956.0,
        score=0.9,
    )
    story = RankedStory(StoryView(id="s1", mentions=(mention,)), score=1.0)
    return build_digest([story], day=date(2026, 1, 20), recipient="r@example.com")


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_unknown_speaker_shows_the_show_name(render: Callable[[Digest], str]) -> None:
    out = render(_digest(None))
    assert "Python Bytes" in out
    assert "unknown" not in out.lower()


def test_unknown_speaker_in_the_terminal_shows_the_show_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    show_digest(_digest(None))
    out = capsys.readouterr().out
    assert "— Python Bytes · PSF lands 1.5 million at 32:36" in out
    assert "unknown" not in out.lower()


def test_unknown_speaker_is_null_in_json() -> None:
    assert digest_to_json(_digest(None))["items"][0]["speaker"] is None


def test_a_speaker_parsed_from_a_published_shape_reaches_every_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    t = parse_transcript((SHAPES / "front-matter-stamps.md").read_bytes(), source="466.md")
    speaker = next(s.speaker for s in t.segments if s.start == 1988.0)
    assert speaker == "Michael Kennedy"
    d = _digest(speaker)
    for out in (render_text(d), render_markdown(d), render_html(d)):
        assert "Michael Kennedy" in out
    assert digest_to_json(d)["items"][0]["speaker"] == "Michael Kennedy"
    show_digest(d)
    assert "— Michael Kennedy, Python Bytes · PSF lands 1.5 million" in capsys.readouterr().out
