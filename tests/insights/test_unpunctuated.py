"""Automatic captions without punctuation still give timed, verbatim insights (#21).

The transcript is a real Python Bytes episode (tests/data/insights/PROVENANCE.md) written the
way automatic captions are: its cue texts lowercased and stripped of punctuation, its cues and
times kept.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podsift.insights import LocalExtractorSettings, extractors
from podsift.insights.sentences import split_sentences
from podsift.models import Insight, Transcript
from podsift.transcripts import parse_transcript

EPISODE = Path(__file__).parents[1] / "data" / "insights" / "377-a-dramatic-episode.vtt"


def as_captions(vtt: str) -> str:
    """The cue texts of a WebVTT file lowercased and without punctuation, cues kept."""
    lines = vtt.splitlines()
    return "\n".join(
        line if "-->" in line or not line.strip() or line.startswith("WEBVTT")
        else re.sub(r"[.,!?;:…]", "", line).lower()
        for line in lines
    )  # fmt: skip


def extract(transcript: Transcript) -> list[Insight]:
    return extractors.create("local", LocalExtractorSettings()).extract(transcript)


@pytest.fixture(scope="module")
def episodes() -> tuple[Transcript, Transcript]:
    vtt = EPISODE.read_text(encoding="utf-8")
    punctuated = parse_transcript(vtt, source=EPISODE.name)
    captions = parse_transcript(as_captions(vtt), source=EPISODE.name)
    assert not any(re.search(r"[.!?]", s.text) for s in captions.segments)
    return punctuated, captions


def test_an_unpunctuated_transcript_is_cut_at_its_cues(
    episodes: tuple[Transcript, Transcript],
) -> None:
    _, captions = episodes
    turns, sentences = split_sentences(captions)
    words = [len(s.text.split()) for s in sentences]
    assert len(sentences) > 100 and all(s.open for s in sentences)
    assert max(words) <= 25 and sum(w >= 8 for w in words) >= 0.9 * len(sentences)
    assert all(s.start is not None for s in sentences)
    # each span is verbatim text of its turn and ends where a cue ends
    for s in sentences:
        assert turns[s.turn].text[s.begin : s.end] == s.text


def test_the_punctuated_transcript_keeps_its_sentences(
    episodes: tuple[Transcript, Transcript],
) -> None:
    punctuated, _ = episodes
    _, sentences = split_sentences(punctuated)
    assert not any(s.open for s in sentences)
    assert sum(s.text.rstrip().endswith((".", "!", "?")) for s in sentences) > 0.8 * len(sentences)


def test_captions_give_timed_verbatim_insights_on_the_same_topics(
    episodes: tuple[Transcript, Transcript],
) -> None:
    punctuated, captions = episodes
    before, after = extract(punctuated), extract(captions)
    assert len(after) == len(before) == 8
    spoken = " ".join(" ".join(s.text.split()) for s in captions.segments)
    for insight in after:
        assert insight.quote in spoken and insight.start is not None
        assert 12 <= len(insight.text.split()) <= 70
    # most picks are the same moments of the episode as with punctuation
    near = [i for i in after if any(abs(i.start - j.start) <= 30 for j in before)]  # type: ignore[operator]
    assert len(near) >= len(after) // 2
