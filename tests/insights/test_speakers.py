"""Who said it (#21): the transcript's speaker reaches the insight in every format, on real
files (tests/data/transcripts/PROVENANCE.md), and a label that names no one gives none."""

from __future__ import annotations

from pathlib import Path

import pytest

from podsift.insights import LocalExtractorSettings, extractors
from podsift.insights.stage import extract_one
from podsift.models import Person, Segment, Transcript
from podsift.transcripts import name_speakers, parse_transcript

DATA = Path(__file__).parents[1] / "data" / "transcripts"


def _turns(transcript: Transcript) -> list[tuple[str | None, str]]:
    """Consecutive segments of one speaker, their texts joined."""
    turns: list[tuple[str | None, str]] = []
    for s in transcript.segments:
        if turns and turns[-1][0] == s.speaker:
            turns[-1] = (s.speaker, f"{turns[-1][1]} {' '.join(s.text.split())}")
        else:
            turns.append((s.speaker, " ".join(s.text.split())))
    return turns


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        ("talk-python/552-astral-joins-openai.vtt", "vtt"),  # <v Name> voice tags
        ("publisher-formats/buzzcast.srt", "srt"),  # "Name:" opening a cue
        ("publisher-formats/buzzcast.json", "json"),  # Podcasting 2.0 "speaker" fields
        ("python-bytes/466-psf-lands-1.5-million.txt", "text"),  # <v Name> in plain text
        ("shapes/bracket-times.txt", "text"),  # "[00:12:34] Name:" lines (re-shaped excerpt)
        ("publisher-formats/buzzcast.html", "html"),  # <cite>Name:</cite> paragraphs
        ("changelog/the-changelog-611.md", "markdown"),  # **Name:** turns
    ],
)
def test_the_speaker_reaches_the_insight_in_every_format(path: str, fmt: str) -> None:
    transcript = parse_transcript((DATA / path).read_bytes(), source=path)
    assert transcript.format == fmt
    labels = {s.speaker for s in transcript.segments} - {None}
    extractor = extractors.create("local", LocalExtractorSettings(top_n=8))
    insights = extract_one(extractor, transcript).insights
    assert insights
    for insight in insights:
        assert insight.speaker in labels
        # the quote is verbatim: it opens in a turn of that speaker
        opening = " ".join(insight.quote.split()[:5])
        assert any(opening in text for who, text in _turns(transcript) if who == insight.speaker)


def test_unknown_labels_give_no_speaker() -> None:
    # Podcasting 2.0 episode 124's captions say "Unknown:" where no one was recognised
    path = DATA / "publisher-formats" / "podcasting_20_episode_124.srt"
    transcript = parse_transcript(path.read_bytes(), source=path.name)
    speakers = {s.speaker for s in transcript.segments}
    assert speakers == {"Adam Curry", "Dave Jones", None}
    assert not any(s.text.startswith("Unknown:") for s in transcript.segments)


def test_generic_labels_give_insights_no_speaker() -> None:
    # Podnews Weekly Review labels turns SPEAKER_1, SPEAKER_2: a digest names the show then
    path = DATA / "publisher-formats" / "podnews_weekly_review_2024-01-19.vtt"
    transcript = parse_transcript(path.read_bytes(), source=path.name)
    assert {s.speaker for s in transcript.segments} >= {"SPEAKER_1", "SPEAKER_2"}
    extractor = extractors.create("local", LocalExtractorSettings(top_n=8))
    insights = extract_one(extractor, transcript).insights
    assert insights
    assert all(i.speaker is None for i in insights)


def test_the_feeds_persons_name_the_insight() -> None:
    # Buzzcast labels its hosts by first name; a feed listing them gives their full names
    path = DATA / "publisher-formats" / "buzzcast.json"
    transcript = parse_transcript(path.read_bytes(), source=path.name)
    persons = [Person("Alban Brooke"), Person("Kevin Finn"), Person("Travis Albritton")]
    named = name_speakers(transcript, persons)
    extractor = extractors.create("local", LocalExtractorSettings(top_n=8))
    speakers = {i.speaker for i in extract_one(extractor, named).insights}
    assert "Alban Brooke" in speakers
    assert "Alban" not in speakers
    assert "Dave" in speakers  # not listed: stays as the transcript wrote it


def test_name_speakers_leaves_unlabelled_turns_alone() -> None:
    t = Transcript("t", "vtt", (Segment(0.0, 1.0, None, "Hi."), Segment(1.0, 2.0, "Ann", "Yo.")))
    named = name_speakers(t, [Person("Ann Lee")])
    assert [s.speaker for s in named.segments] == [None, "Ann Lee"]
    assert name_speakers(t, []) is t
    solo = Transcript("t", "vtt", (Segment(0.0, 1.0, None, "Hi."),))
    assert name_speakers(solo, [Person("Ann Lee")]) is solo  # one person listed: no guess


def test_a_numbered_speaker_who_says_who_they_are_gets_the_feeds_name() -> None:
    transcript = parse_transcript(
        "Speaker 1 (00:01): Welcome back, I'm Ann Lee.\n\nSpeaker 2 (00:05): Glad to be here.\n",
        source="x.txt",
    )
    persons = [Person("Ann Lee", "host"), Person("Bo Chen", "guest")]
    named = name_speakers(transcript, persons)
    assert [s.speaker for s in named.segments] == ["Ann Lee", "Bo Chen"]
    assert [s.speaker for s in name_speakers(transcript, persons[:1]).segments] == [
        "Ann Lee",
        "Speaker 2",
    ]
