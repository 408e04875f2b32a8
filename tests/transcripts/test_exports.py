"""Transcripts as the tools podcasters use export them (issue 21): each file of
``tests/data/transcripts/exports`` (Descript, Otter, Rev, Zoom, YouTube captions, broadcast
subtitles, Podcasting 2.0 JSON, a WordPress page, a Hugo page, Apple Podcasts' text; then
Whisper's command line, Riverside, Sonix, Adobe Premiere, HLS WebVTT, Descript's SRT, a
Transistor page, MacWhisper's Markdown, a sparse Podcasting 2.0 JSON and a pasted web page;
then Apple Podcasts' TTML and a caption vendor's DFXP; then Happy Scribe, Trint, Riverside,
Teams, Google Meet, AssemblyAI, Deepgram, Rev.ai, a host's automatic SRT and a Podbean page;
then YouTube's SBV, Otter's SRT, Zoom's text, Descript's Markdown, definition-list, table and
heading pages, a Q/A interview, block-quoted Markdown turns and Fireflies; then Amazon
Transcribe, Speechmatics, Simon Says, Scribie, an NPR-style page, YouTube's coloured VTT, a
colour-coded SRT and Word's Transcribe; then German and Spanish, UTF-16 and Windows-1252,
a host's own JSON, a newsletter post, initials with a legend, VTT cue identifiers naming the
speaker, SRT without cue numbers and Markdown name headings; then a Jekyll post with linked times
in its labels, a VTT with dialogue dashes below voices and a page of speaker spans; then a
Ghost page with show notes, links and a chapter list, a volunteer's `[Full Name] text` and a
page's copied text with one name line without its time, an Audacity label track, and a page
whose transcript is only in its schema.org linked data; then Markdown pages as volunteer
transcription sites publish them: ``Name – 00:02:02:`` headers, ``Name:`` alone above the
speech, ``Full Name (AJ):`` then ``AJ:``, and diarization labels below a title line; then pages
whose turns are boxes (``<div>``, ``<span>``) and the text copied from one)
against its answer key, written with it by a helper that had not read the parser: every turn
the key names has its speaker and its time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from podsift.models import Segment
from podsift.transcripts import parse_transcript

EXPORTS = Path(__file__).parents[1] / "data" / "transcripts" / "exports"
FILES = sorted(p for p in EXPORTS.glob("shape*") if not p.name.endswith(".key.json"))
#: How far a turn's time may be from the key's: cue and float rounding.
TOLERANCE_SECONDS = 1.5
# What the key leaves out of a turn's first words: sound tags, ">>", emphasis.
_TAG = re.compile(r"\[[^\]]*\]|\([A-Za-z0-9 ,]+\)|>>|[*_]")


def _words(text: str, n: int = 4) -> str:
    return " ".join(
        re.sub(r"[^\w' ]", " ", _TAG.sub(" ", text).lower().replace("’", "'")).split()[:n]
    )


def _turns(segments: tuple[Segment, ...]) -> list[tuple[str | None, float | None, str]]:
    """Consecutive segments of one named speaker as one turn: (speaker, start, text)."""
    turns: list[list] = []  # type: ignore[type-arg]
    for s in segments:
        if turns and s.speaker is not None and s.speaker == turns[-1][0]:
            turns[-1][2] += " " + s.text
        else:
            turns.append([s.speaker, s.start, s.text])
    return [(a, b, c) for a, b, c in turns]


def test_every_shape_has_its_key() -> None:
    assert len(FILES) == 76
    assert all((EXPORTS / f"{f.stem}.key.json").is_file() for f in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_turn_has_its_speaker_and_time(path: Path) -> None:
    key = json.loads((EXPORTS / f"{path.stem}.key.json").read_text(encoding="utf-8"))
    turns = _turns(parse_transcript(path.read_bytes(), source=path.name).segments)
    unmatched = list(turns)
    for want in key:  # a turn the file names no one for (">>", a dialogue dash) is one too
        opening = _words(want["first_words"])
        found = next((t for t in unmatched if _words(t[2]) == opening), None)
        assert found is not None, f"{path.name}: no turn opens {want['first_words']!r}"
        unmatched.remove(found)
        # a name in capitals is shown in title case ("ABIGAIL NAKAMURA-STEIN": Abigail …)
        got, named = found[0], want["speaker"]
        same = got == named or (got and named and got.casefold() == named.casefold())
        assert same, f"{path.name}: {want['first_words']!r}"
        if want["start_seconds"] is not None:
            assert found[1] is not None, f"{path.name}: no time for {want['first_words']!r}"
            assert abs(found[1] - want["start_seconds"]) <= TOLERANCE_SECONDS, path.name


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_no_one_speaks_whom_the_key_does_not_name(path: Path) -> None:
    """A page's title, show notes, chapter list, links, sidebar and an export's header
    ("Duration: 0:01:23", "Speakers: S1 - …") are no speaker's turn."""
    key = json.loads((EXPORTS / f"{path.stem}.key.json").read_text(encoding="utf-8"))
    named = {want["speaker"].casefold() for want in key if want["speaker"]}
    segments = parse_transcript(path.read_bytes(), source=path.name).segments
    assert {s.speaker for s in segments if s.speaker and s.speaker.casefold() not in named} == set()


@pytest.mark.parametrize("path", [EXPORTS / "shape02.txt", EXPORTS / "shape34.srt"], ids=str)
def test_the_tools_credit_is_no_ones_speech(path: Path) -> None:
    """Otter's exports end with "Transcribed by https://otter.ai", which its text and SRT
    put after the last turn as if the last speaker said it."""
    assert "otter.ai" in path.read_text(encoding="utf-8")
    segments = parse_transcript(path.read_bytes(), source=path.name).segments
    assert not any("otter.ai" in s.text for s in segments)
    assert segments[-1].text.endswith(("Okay.", "estimated taxes."))
