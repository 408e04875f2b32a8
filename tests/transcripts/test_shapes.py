"""Transcripts as published: front matter, "Name: 00:12:34" blocks, "**Name**:" lines,
"[00:12:34] Name:" and "Speaker 1 (00:12):" turns, WebVTT cues with a "Name:" prefix,
Whisper's JSON, automatic captions' ">>" marks and rolling lines; links reduced to their text.

The shape files in ``tests/data/transcripts/shapes`` are one real Python Bytes excerpt
re-shaped (see ``shapes/reshape.py``); every shape must give back the turns of the original
file, parsed on its own. Their golden files are checked in ``test_golden.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podsift.exceptions import TranscriptError
from podsift.insights import LocalExtractorSettings, extractors
from podsift.models import Segment
from podsift.transcripts import match_name, parse_transcript, resolve_speakers

DATA = Path(__file__).parents[1] / "data" / "transcripts"
SHAPES = DATA / "shapes"
ORIGINAL = DATA / "python-bytes" / "466-psf-lands-1.5-million.txt"
FIRST, LAST = 33 * 60 + 1, 41 * 60 + 5  # the excerpt the shape files hold
GENERIC = {"Brian Okken": "Speaker 1", "Michael Kennedy": "Speaker 2"}


def _turns(segments: tuple[Segment, ...]) -> list[tuple[float | None, str | None, str]]:
    """Join consecutive segments of one speaker: ``(start, speaker, text)`` per turn."""
    out: list[tuple[float | None, str | None, str]] = []
    for s in segments:
        if out and out[-1][1] == s.speaker:
            out[-1] = (out[-1][0], s.speaker, f"{out[-1][2]} {s.text}")
        else:
            out.append((s.start, s.speaker, s.text))
    return out


@pytest.fixture(scope="module")
def original() -> list[tuple[float | None, str | None, str]]:
    whole = parse_transcript(ORIGINAL.read_bytes(), source=ORIGINAL.name)
    excerpt = tuple(s for s in whole.segments if s.start is not None and FIRST <= s.start < LAST)
    return _turns(excerpt)


def _parse(name: str, source: str | None = None) -> list[tuple[float | None, str | None, str]]:
    t = parse_transcript((SHAPES / name).read_bytes(), source=source or name)
    return _turns(t.segments)


def _undash(
    turns: list[tuple[float | None, str | None, str]],
) -> list[tuple[float | None, str | None, str]]:
    # a turn that opens with "- " is a list item in Markdown, and the marker is dropped
    return [(start, who, text.removeprefix("- ")) for start, who, text in turns]


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("front-matter-stamps.md", None),
        ("front-matter-stamps.md", "https://example.test/466.txt"),
        ("front-matter-stamps.md", "466"),
        ("bracket-times.txt", None),
        ("bracket-times.txt", "466.md"),
        ("otter.txt", None),
    ],
)
def test_shape_gives_the_original_turns_with_speaker_and_time(
    name: str, source: str | None, original: list[tuple[float | None, str | None, str]]
) -> None:
    assert len(original) == 21
    markdown = (source or name).endswith(".md")
    assert _parse(name, source) == (_undash(original) if markdown else original)


@pytest.mark.parametrize("name", ["name-cues.vtt", "whisper.json"])
def test_caption_cues_and_whisper_json_give_the_original_turns(
    name: str, original: list[tuple[float | None, str | None, str]]
) -> None:
    """WebVTT whose cues name their speaker "Name: …" (no <v> tag), and Whisper's JSON
    output with a diarizer's speakers: the same turns, speakers and times."""
    assert _parse(name) == original


# cue texts of a meeting or caption export, and the (speaker, text) turns each must give:
# ">>" inside a cue starts a new speaker's turn too
CUES = [
    ("Ann Lee: We shipped it.", [("Ann Lee", "We shipped it.")]),
    ("on time &gt;&gt; and under budget", [("Ann Lee", "on time"), (None, "and under budget")]),
    (">> Bo Chen: Nice.", [("Bo Chen", "Nice.")]),
    ("&gt;&gt; who said that? &gt;&gt; me", [(None, "who said that?"), (None, "me")]),
    ("and not Ann", [(None, "and not Ann")]),
    ("- Rice?\n- Bo Chen: Rice.", [(None, "Rice?"), ("Bo Chen", "Rice.")]),
]


@pytest.mark.parametrize("suffix", [".vtt", ".srt"])
def test_a_name_prefix_holds_until_the_next_and_chevrons_start_a_new_speaker(
    suffix: str,
) -> None:
    def clock(second: int) -> str:
        return f"00:00:{second:02d}" + ("." if suffix == ".vtt" else ",") + "000"

    cues = [f"{n}\n{clock(n)} --> {clock(n + 1)}\n{text}\n" for n, (text, _) in enumerate(CUES, 1)]
    head = "WEBVTT\n\n" if suffix == ".vtt" else ""
    t = parse_transcript(head + "\n".join(cues), source="meeting" + suffix)
    assert [(s.speaker, s.text) for s in t.segments] == [
        turn for _, turns in CUES for turn in turns
    ]
    # a cue's time is shared by its turns, by their length: "on time" is 7 of 23 letters
    assert [s.start for s in t.segments][1:3] == [2.0, round(2 + 7 / 23, 3)]


def test_rolling_captions_are_read_once_and_give_insights(
    original: list[tuple[float | None, str | None, str]],
) -> None:
    """YouTube's automatic captions: each cue repeats the line above it, words carry inline
    times, there is no punctuation and no speaker."""
    t = parse_transcript((SHAPES / "rolling-captions.vtt").read_bytes(), source="yt.vtt")
    said = " ".join(re.sub(r"[.,!?;:…]", "", x).lower() for _, _, x in original).split()
    said = [word for word in said if word != "-"]  # a line's dash marks a turn, no word
    assert " ".join(s.text for s in t.segments).split() == said
    assert t.segments[0].start == FIRST and {s.speaker for s in t.segments} == {None}
    found = extractors.create("local", LocalExtractorSettings()).extract(t)
    spoken = " ".join(s.text for s in t.segments)
    assert len(found) >= 3
    assert all(i.quote in spoken and i.start is not None and i.start >= FIRST for i in found)


def test_speaker_time_labels_give_generic_speakers_and_times(
    original: list[tuple[float | None, str | None, str]],
) -> None:
    expected: list[tuple[float | None, str | None, str]] = [
        (start, GENERIC[str(who)], text) for start, who, text in original
    ]
    assert _parse("speaker-times.txt") == expected
    assert _parse("speaker-times.txt", "466.md") == _undash(expected)


def test_bold_name_lines_give_speakers(
    original: list[tuple[float | None, str | None, str]],
) -> None:
    got = _parse("bold-names.md")
    assert [(w, x) for _, w, x in got] == [(w, x) for _, w, x in _undash(original)]
    assert all(start is None for start, _, _ in got)  # the shape carries no times


def test_front_matter_is_no_speech_and_gives_title_and_speakers() -> None:
    t = parse_transcript((SHAPES / "front-matter-stamps.md").read_bytes(), source="466.md")
    assert t.title == "Python Bytes 466: PSF lands 1.5 million"
    assert t.speakers == ("Michael Kennedy", "Brian Okken")
    assert t.segments[0].text.startswith("So do you have to, okay, so maybe I missed this")
    assert (t.segments[0].start, t.segments[0].speaker) == (1981.0, "Brian Okken")
    assert not any("---" in s.text or "transcript_by" in s.text for s in t.segments)


def test_front_matter_speakers_put_full_names_on_first_name_labels() -> None:
    text = (SHAPES / "front-matter-stamps.md").read_text(encoding="utf-8")
    short = text.replace("\nBrian Okken: ", "\nBrian: ").replace(
        "\nMichael Kennedy: ", "\nMICHAEL: "
    )
    t = parse_transcript(short, source="466.md")
    assert {s.speaker for s in t.segments} == {"Brian Okken", "Michael Kennedy"}


@pytest.mark.parametrize(
    "text",
    [
        "---\nJust a rule, then speech.\n\nAnn Lee: We shipped it on time.\n",  # no key: value
        "---\ntitle: never closed\n\nAnn Lee: We shipped it on time.\n",
    ],
)
def test_a_leading_rule_that_is_no_front_matter_stays_text(text: str) -> None:
    t = parse_transcript(text, source="ep.txt")
    assert t.title is None and t.speakers == ()
    assert any(s.speaker == "Ann Lee" for s in t.segments)


def test_front_matter_alone_is_an_empty_transcript() -> None:
    with pytest.raises(TranscriptError, match=r"ep\.md: no segments found"):
        parse_transcript("---\ntitle: x\nspeakers: [Ann Lee]\n---\n\n", source="ep.md")


def test_a_solo_speaker_from_front_matter_says_the_unlabelled_text() -> None:
    t = parse_transcript(
        "---\nspeakers:\n  - Jerod Santo\n---\nThis week in open source.\n", source="ep.md"
    )
    assert [s.speaker for s in t.segments] == ["Jerod Santo"]


def test_link_residue_with_parentheses_in_the_address_is_gone() -> None:
    t = parse_transcript(
        (DATA / "changelog" / "changelog--friends-41.md").read_bytes(), source="f41.md"
    )
    burgess = next(s for s in t.segments if "who wrote CFEngine" in s.text)
    assert "Mark Burgess, who wrote CFEngine, changed my life." in burgess.text
    mojo = next(s for s in t.segments if "mojo bags" in s.text)
    assert "_culture)" not in mojo.text
    assert not any("](" in s.text or "_(" in s.text for s in t.segments)


def test_links_in_plain_text_are_reduced_to_their_text() -> None:
    t = parse_transcript(
        "[00:01:02] Ann Lee: Read about [checkpoints](https://en.bitcoin.it/wiki/"
        "Bitcoin_Core_0.11_(ch_4):_P2P_Network#checkpoints:_Initial_Block_Download#Checkpoints)"
        " before you sync.\n",
        source="ep.txt",
    )
    assert t.segments == (
        Segment(62.0, None, "Ann Lee", "Read about checkpoints before you sync."),
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Łukasz Langa", "Łukasz Langa"),
        ("LUKASZ LANGA", "Łukasz Langa"),
        ("Pablo", "Pablo Galindo"),
        ("Galindo", "Pablo Galindo"),
        ("Adam", None),  # two Adams: ambiguous
        ("Speaker 1", None),
        ("Pablo Picasso", None),
    ],
)
def test_match_name(label: str, expected: str | None) -> None:
    people = ["Pablo Galindo", "Łukasz Langa", "Adam Stacoviak", "Adam Jacob"]
    assert match_name(label, people) == expected


def test_resolve_speakers_keeps_unknown_and_generic_labels() -> None:
    segs = (Segment(0.0, 1.0, "Speaker 1", "a"), Segment(1.0, 2.0, None, "b"))
    assert resolve_speakers(segs, ["Ann Lee", "Bo Chen"]) == segs


def test_a_round_up_under_a_timed_heading_is_speech_not_speakers() -> None:
    """In a Rev-style export, a news round-up's "Place: what happened" lines are the speech of
    the heading above them (written5's daily rundown, Apache-2.0)."""
    path = (
        Path(__file__).parents[2]
        / "benchmarks/crowds/written5/data/transcripts/the-daily-fold/the-daily-fold-1411.txt"
    )
    t = parse_transcript(path.read_bytes(), source=path.name)
    assert {s.speaker for s in t.segments} == {"Kwame Ashdown", "Imogen Tarrant"}
    (harrowby,) = [s for s in t.segments if s.text.startswith("Harrowby: the town council")]
    assert (harrowby.speaker, harrowby.start) == ("Imogen Tarrant", 24 * 60 + 57)
    timed = parse_transcript("Ann (0:05):\nHi.\n\n[00:00:09] Bob: Hello.\n", source="x.txt")
    assert [(s.speaker, s.start) for s in timed.segments] == [("Ann", 5.0), ("Bob", 9.0)]


def test_plain_labels_in_markdown_give_speakers_and_initials_their_full_names() -> None:
    """A Markdown page of plain ``Name: text`` turns (no bold), where ``Adam Jonas (AJ):``
    says who the later ``AJ:`` is; a label that opens one line only ("Video:") stays text."""
    page = (
        "---\nspeakers: ['Carl Dong']\n---\n\nVideo: <https://example.org/v>\n\n# Intro\n\n"
        "Adam Jonas (AJ): Welcome to the show Carl.\n\nCarl Dong (CD): Hello.\n\n"
        "AJ: Tell us about reproducible builds.\n\nMurch (M): And how old is it?\n\n"
        "CD: Anyone can rebuild the release and compare the bytes.\n\nM: Since 2011.\n"
    )
    got = [(s.speaker, s.text) for s in parse_transcript(page, source="x.md").segments]
    assert got == [
        ("Adam Jonas", "Welcome to the show Carl."),
        ("Carl Dong", "Hello."),
        ("Adam Jonas", "Tell us about reproducible builds."),
        ("Murch", "And how old is it?"),
        ("Carl Dong", "Anyone can rebuild the release and compare the bytes."),
        ("Murch", "Since 2011."),
    ]
    notes = "Note: we recorded this remotely.\n\nQ: What changed?\n\nQ: And why?\n"
    assert [s.speaker for s in parse_transcript(notes, source="x.md").segments] == [None] * 3


@pytest.mark.parametrize(
    ("page", "want"),
    [
        (  # an en dash before the time, a colon after it, the speech on its line or below
            "---\nspeakers: ['Greg Sanders']\n---\npodcast: https://example.org/463/\n\n"
            "Stephan Livera – 00:02:02:  So on to the discussion with Greg.\n\n"
            "Greg Sanders – 00:02:57:\n\nHi, glad to be here.\n\n"
            "Stephan Livera - 00:03:01:\n\nWhat are you working on?\n",
            [("Stephan Livera", 122.0, "So on to the discussion with Greg."),
             ("Greg Sanders", 177.0, "Hi, glad to be here."),
             ("Stephan Livera", 181.0, "What are you working on?")],
        ),
        (  # a name alone on its line, a space before its colon once
            "Stephan Livera:\n\nWelcome.\n\nDustin Trammell :\n\nHey!\n\nStephan Livera:\n\nSo?\n",
            [("Stephan Livera", None, "Welcome."), ("Dustin Trammell", None, "Hey!"),
             ("Stephan Livera", None, "So?")],
        ),
        (  # a reviewed page: a cast list above the talk, a bold name over an emphasised time
            "**Host:** Shinobi (`Bitcoin Magazine`)\n\n**Guest:** Peter Wuille (`Chaincode`)\n\n"
            "---\n\n## Introduction\n\n**Shinobi** *(00:00:00)*\n\nHello, everybody.\n\n"
            "**Peter Wuille** *(00:00:34)*\n\nThe changes were merged.\n\n"
            "**Shinobi** *(00:00:48)*\n\nA familiar feeling.\n",
            [("Shinobi", 0.0, "Hello, everybody."),
             ("Peter Wuille", 34.0, "The changes were merged."),
             ("Shinobi", 48.0, "A familiar feeling.")],
        ),
    ],
    ids=["dash-stamp", "name-alone", "emphasised-time"],
)  # fmt: skip
def test_markdown_turns_as_volunteer_sites_write_them(
    page: str, want: list[tuple[str, float | None, str]]
) -> None:
    got = [(s.speaker, s.start, s.text) for s in parse_transcript(page, source="x.md").segments]
    assert got == want


def test_numbered_speakers_who_say_who_they_are_get_the_front_matters_names() -> None:
    """A machine transcript labels its turns "Speaker 0", "Speaker 1"; its front matter
    lists the two people. The one who says "I'm Shinobi" is Shinobi, so the other is the
    other; a third listed name would leave "Speaker 1" unnamed (never guessed)."""
    page = (
        "---\nspeakers:\n  - Pieter Wuille\n  - Shinobi\n---\n\n## Intro\n\n"
        "Speaker 0: 00:00:06\n\nHello, everybody.\nI'm Shinobi, technical editor, joined by "
        "Pieter.\n\nSpeaker 1: 00:00:34\n\nThe changes have been merged.\n\n"
        "Speaker 0: 00:00:48\n\nA familiar feeling.\n"
    )
    got = [(s.speaker, s.start) for s in parse_transcript(page, source="x.md").segments]
    assert got == [("Shinobi", 6.0), ("Pieter Wuille", 34.0), ("Shinobi", 48.0)]
    three = page.replace("  - Shinobi\n", "  - Shinobi\n  - Ann Lee\n")
    speakers = [s.speaker for s in parse_transcript(three, source="x.md").segments]
    assert speakers == ["Shinobi", "Speaker 1", "Shinobi"]


def test_turns_in_boxes_and_a_name_above_a_timed_line_give_speakers_and_times() -> None:
    """A page whose turns are ``<div>``s of ``<span>``s (name, time, text; an empty name
    goes on with the last speaker) beside headings and a table of contents in blocks; and the
    same copied as text: the name alone on a line, the next opening on its time."""
    div = (
        '<div class="ts-segment"><span class="ts-name">{0}</span><span class="ts-timestamp">'
        '<a href="https://youtube.com/watch?v=x&amp;t={1}">({2})</a> </span>'
        '<span class="ts-text">{3}</span></div>'
    )
    turns = [("Lex Fridman", 0, "00:00:00", "The following is a conversation with Ana Ruiz."),
             ("Ana Ruiz", 12, "00:00:12", "A read that crosses an ocean costs 150 ms."),
             ("", 25, "00:00:25", "So a replica near the user cuts that to ten."),
             ("Lex Fridman", 31, "00:00:31", "So a replica near the user wins.")]  # fmt: skip
    page = (
        "<html><body><nav><a href='/'>Home</a></nav><h1>Transcript for Ana Ruiz</h1>"
        "<p>The timestamps are links to the video.</p><h2>Table of Contents</h2>"
        "<ul><li><a href='#i'>0:00</a> – Introduction</li></ul><h2 id='i'>Introduction</h2>"
        + "".join(div.format(*t) for t in turns[:2])
        + "<h2>Latency</h2>"
        + "".join(div.format(*t) for t in turns[2:])
        + "</body></html>"
    )
    want = [("Lex Fridman", 0.0), ("Ana Ruiz", 12.0), ("Ana Ruiz", 25.0), ("Lex Fridman", 31.0)]
    got = [(s.speaker, s.start) for s in parse_transcript(page, source="x.html").segments]
    assert got == want
    text = "\n\n".join(f"{n}\n({c}) {t}" if n else f"({c}) {t}" for n, _, c, t in turns)
    got = [(s.speaker, s.start) for s in parse_transcript(text, source="x.txt").segments]
    assert got == want


def test_a_link_line_above_untimed_turns_is_no_speech_when_times_come_later() -> None:
    page = (
        "podcast: https://example.org/episode/404/\n\nAnn Lee: Welcome back.\n\n"
        "Bo Chen: Thanks.\n\nAnn Lee: So, the mempool?\n\n"
        "**Bo Chen** (00:12:00)\n\nIt holds the transactions no block has yet.\n"
    )
    segments = parse_transcript(page, source="x.md").segments
    assert segments[0].text == "Welcome back."
    assert (segments[-1].speaker, segments[-1].start) == ("Bo Chen", 720.0)
