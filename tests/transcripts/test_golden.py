"""Golden tests: real publisher transcripts against transcriptator's expected output, and
podsift's own stored output for Changelog, Talk Python and Python Bytes transcripts.

Regenerate podsift's own golden files with ``PODSIFT_REGEN_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from podsift.models import Segment, Transcript
from podsift.transcripts import parse_transcript, transcript_to_json

DATA = Path(__file__).parents[1] / "data" / "transcripts"
PUBLISHER = DATA / "publisher-formats"
GOLDEN = DATA / "golden"

PUBLISHER_CASES = sorted(p.name for p in PUBLISHER.iterdir() if p.is_file() and p.suffix != ".md")


def _norm(text: str) -> str:
    # word-level JSON has punctuation as tokens of its own ("podcasts" ","): transcriptator
    # joins them with a space, podsift attaches the punctuation to the word before.
    return re.sub(r"\s+([,.;:!?])", r"\1", re.sub(r"\s+", " ", text)).strip()


def _expected(name: str) -> list[dict[str, Any]]:
    stem, ext = name.rsplit(".", 1)
    data = json.loads((PUBLISHER / "expected" / f"{stem}_{ext}_parsed.json").read_text())
    segments: list[dict[str, Any]] = data["segments"]
    # transcriptator writes "" for "no speaker"; podsift says None (docs/design.md), also
    # for a label that says no one was recognised ("Unknown:" in Podcasting 2.0's captions, #21).
    for seg in segments:
        seg["speaker"] = seg["speaker"] if seg["speaker"] not in ("", "Unknown") else None
    # transcriptator gives the last HTML segment endTime 0 where the end is unknown;
    # podsift never makes up a time, so that end is None.
    if name.endswith(".html") and segments and segments[-1]["endTime"] == 0:
        segments[-1]["endTime"] = None
    # transcriptator keeps an HTML paragraph's innerHTML ("Q&amp;A"); podsift gives the text.
    if name.endswith(".html"):
        for seg in segments:
            seg["body"] = html.unescape(seg["body"])
    return segments


def _align(ours: list[Segment], expected: list[dict[str, Any]]) -> list[tuple[Segment, ...]]:
    """Pair runs of our segments with runs of expected ones that hold the same text.

    transcriptator (with its test options) joins some segments that podsift keeps apart
    and vice versa: podsift joins JSON lines that share one cue's times and word-level JSON
    into phrases, transcriptator joins same-time pairs in some files only. Runs keep the
    comparison exact: same words, same start of the run, same end, same speaker.
    """
    groups: list[tuple[Segment, ...]] = []
    i = j = 0
    while i < len(ours) and j < len(expected):
        a, b = [ours[i]], [expected[j]]
        i, j = i + 1, j + 1
        while _norm(" ".join(s.text for s in a)) != _norm(" ".join(e["body"] for e in b)):
            left = _norm(" ".join(s.text for s in a))
            right = _norm(" ".join(e["body"] for e in b))
            if len(left) < len(right) and i < len(ours):
                a.append(ours[i])
                i += 1
            elif len(right) < len(left) and j < len(expected):
                b.append(expected[j])
                j += 1
            else:
                pairs = enumerate(zip(left, right, strict=False))
                at = next((k for k, (x, y) in pairs if x != y), 0)
                pytest.fail(
                    f"text differs: {left[at - 40 : at + 40]!r} / {right[at - 40 : at + 40]!r}"
                )
        assert a[0].start == pytest.approx(b[0]["startTime"])
        assert a[-1].end == (None if b[-1]["endTime"] is None else pytest.approx(b[-1]["endTime"]))
        assert {s.speaker for s in a} == {e["speaker"] for e in b}
        groups.append(tuple(a))
    assert (i, j) == (len(ours), len(expected))
    return groups


def _shift_speakers(expected: list[dict[str, Any]]) -> None:
    """Podnews' saved HTML page starts with <time>/<p> and no <cite>; every <cite> names the
    paragraph after it (as on Buzzsprout). transcriptator pairs each <cite> with the
    paragraph before it instead, so its speakers run one segment early; podsift gives the
    first paragraph no speaker and each later one the <cite> before it."""
    speakers = [None] + [e["speaker"] for e in expected[:-1]]
    for seg, speaker in zip(expected, speakers, strict=True):
        seg["speaker"] = speaker


@pytest.mark.parametrize("name", PUBLISHER_CASES)
def test_publisher_transcript_matches_transcriptator(name: str) -> None:
    transcript = parse_transcript((PUBLISHER / name).read_bytes(), source=name)
    expected = _expected(name)
    if name == "podnews_weekly_review_2023-03-17.html":
        _shift_speakers(expected)
    groups = _align(list(transcript.segments), expected)
    assert len(groups) >= min(len(expected), len(transcript.segments)) // 2


def test_publisher_cases_cover_every_format() -> None:
    formats = {
        parse_transcript((PUBLISHER / n).read_bytes(), source=n).format for n in PUBLISHER_CASES
    }
    assert formats == {"json", "vtt", "srt", "html"}
    assert len(PUBLISHER_CASES) == 11


def test_buzzcast_json_lines_of_one_cue_are_joined_like_the_srt() -> None:
    as_json = parse_transcript((PUBLISHER / "buzzcast.json").read_bytes(), source="b.json")
    as_srt = parse_transcript((PUBLISHER / "buzzcast.srt").read_bytes(), source="b.srt")
    assert as_json.segments[0].text == as_srt.segments[0].text
    assert as_json.segments[0].text == "It is so stinking nice to like, show up and record this"
    assert abs(len(as_json.segments) - len(as_srt.segments)) < 5


def test_word_level_json_becomes_phrases() -> None:
    t = parse_transcript(
        (PUBLISHER / "podnews_weekly_review_2023-06-02.json").read_bytes(), source="p.json"
    )
    assert [s.text for s in t.segments] == [
        "It's Friday, the 2nd of June 2023.",
        "The last word in podcasting news. This is the Pod News",
    ]
    assert (t.segments[0].start, t.segments[0].speaker) == (0.221, "Speaker 1")


# -- podsift's own golden files -----------------------------------------------------------

OWN_CASES = {
    "changelog-611": "changelog/the-changelog-611.md",
    "changelog-news-100": "changelog/changelog-news-100.md",
    "afk-10": "changelog/away-from-keyboard-10.md",
    "python-bytes-377-txt": "python-bytes/377-a-dramatic-episode.txt",
    "podnews-daily-vtt": "publisher-formats/podnews_daily_2024-01-25.vtt",
    "talk-python-552-txt": "talk-python/552-astral-joins-openai.txt",
    "talk-python-552-vtt": "talk-python/552-astral-joins-openai.vtt",
    "friends-41-links": "changelog/changelog--friends-41.md",
    # one real Python Bytes excerpt in each published shape (shapes/reshape.py)
    "shape-front-matter-stamps": "shapes/front-matter-stamps.md",
    "shape-bold-names": "shapes/bold-names.md",
    "shape-bracket-times": "shapes/bracket-times.txt",
    "shape-speaker-times": "shapes/speaker-times.txt",
    "shape-name-cues": "shapes/name-cues.vtt",
    "shape-whisper": "shapes/whisper.json",
    "shape-otter": "shapes/otter.txt",
    "shape-rolling-captions": "shapes/rolling-captions.vtt",
}


def _golden_path(case: str) -> Path:
    # output made from a GPL-3.0 Talk Python transcript stays beside it, under its LICENSE
    if case.startswith("talk-python-"):
        return DATA / "talk-python" / "golden" / f"{case}.json"
    return GOLDEN / f"{case}.json"


def _load(rel: str) -> Transcript:
    return parse_transcript((DATA / rel).read_bytes(), source=Path(rel).name)


def _parse(rel: str) -> dict[str, Any]:
    return transcript_to_json(parse_transcript((DATA / rel).read_bytes(), source=Path(rel).name))


@pytest.mark.parametrize("case", sorted(OWN_CASES))
def test_own_golden_output_is_stable(case: str) -> None:
    got = _parse(OWN_CASES[case])
    path = _golden_path(case)
    if os.environ.get("PODSIFT_REGEN_GOLDEN") == "1":
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert got == json.loads(path.read_text(encoding="utf-8"))


def _find(doc: dict[str, Any], words: str) -> dict[str, Any]:
    return next(s for s in doc["segments"] if words in s["text"])


def test_python_bytes_line_marks_give_times() -> None:
    doc = _parse(OWN_CASES["python-bytes-377-txt"])
    assert doc["format"] == "text"
    assert len(doc["segments"]) > 600
    assert doc["segments"][0]["start"] == 0.0
    gist = _find(doc, "But the gist, if you haven't heard about it")
    assert gist["start"] == 370.0
    assert gist["text"].startswith("But the gist")  # the mark is not part of the text
    assert gist["end"] is not None and gist["end"] > 370.0


def test_changelog_turns_breaks_and_marks() -> None:
    doc = _parse(OWN_CASES["changelog-611"])
    assert doc["format"] == "markdown"
    speakers = {s["speaker"] for s in doc["segments"]}
    assert {"Jerod Santo", "Pablo Galindo", "Łukasz Langa"} <= speakers
    assert None not in speakers
    assert not any(s["text"].lower().startswith("break") for s in doc["segments"])
    assert not any(s["text"].startswith("**") or "\\[" in s["text"] for s in doc["segments"])
    unintelligible = _find(doc, "So [unintelligible] not a runtime dependency")
    assert unintelligible["start"] == 3019.11  # the earlier mark, not the one inside it
    after = doc["segments"][doc["segments"].index(unintelligible) + 1]
    assert after["start"] == 3050.29  # 00:50:50.29, the mark inside the paragraph before
    starts = [s["start"] for s in doc["segments"] if s["start"] is not None]
    assert starts == sorted(starts)


def test_changelog_break_time_starts_the_next_turn() -> None:
    doc = _parse(OWN_CASES["afk-10"])
    after_break = _find(doc, "Maria and her husband Cory have been married seven years")
    assert (after_break["start"], after_break["speaker"]) == (497.0, "Tim Smith")  # 08:17
    before = doc["segments"][doc["segments"].index(after_break) - 1]
    assert before["end"] == 497.0
    assert doc["segments"][0]["start"] is None  # before the first mark: unknown, not 0


def test_changelog_news_without_marks_has_no_times() -> None:
    doc = _parse(OWN_CASES["changelog-news-100"])
    assert len(doc["segments"]) > 20
    assert all(s["start"] is None and s["end"] is None for s in doc["segments"])
    assert {s["speaker"] for s in doc["segments"]} == {"Jerod Santo"}
    zelda = _find(doc, "we're getting a Zelda game where")
    assert "](" not in zelda["text"]
    quote = _find(doc, "The font shaping engine HarfBuzz, used in applications")
    assert not quote["text"].startswith(">")


def test_talk_python_txt_and_vtt_agree() -> None:
    txt = parse_transcript(
        (DATA / "talk-python/552-astral-joins-openai.txt").read_bytes(), source="552.txt"
    )
    vtt = parse_transcript(
        (DATA / "talk-python/552-astral-joins-openai.vtt").read_bytes(), source="552.vtt"
    )
    assert (txt.format, vtt.format) == ("text", "vtt")
    assert {s.speaker for s in txt.segments} == {s.speaker for s in vtt.segments}
    # the closing "We'll see you next time." has no <v> tag in either file: speaker unknown
    assert {s.speaker for s in txt.segments} == {"Michael Kennedy", "Charlie Marsh", None}
    words_txt = " ".join(s.text for s in txt.segments).split()
    words_vtt = " ".join(s.text for s in vtt.segments).split()
    assert abs(len(words_txt) - len(words_vtt)) <= 0.01 * len(words_vtt)
    assert txt.segments[0].text == vtt.segments[0].text
    assert txt.segments[0].speaker == vtt.segments[0].speaker == "Michael Kennedy"
    assert txt.segments[0].start == 0.0
    assert all(s.start is not None for s in txt.segments)


def test_python_bytes_txt_and_vtt_agree() -> None:
    txt = parse_transcript(
        (DATA / "python-bytes/377-a-dramatic-episode.txt").read_bytes(), source="a.txt"
    )
    vtt = parse_transcript(
        (DATA / "python-bytes/377-a-dramatic-episode.vtt").read_bytes(), source="a.vtt"
    )
    gist_vtt = next(s for s in vtt.segments if s.text.startswith("But the gist"))
    assert gist_vtt.start is not None and abs(gist_vtt.start - 370.0) < 1.0
    assert _norm(" ".join(s.text for s in txt.segments)) == _norm(
        " ".join(s.text for s in vtt.segments)
    )
