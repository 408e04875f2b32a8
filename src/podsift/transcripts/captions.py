"""Caption formats: WebVTT and SRT cues into segments."""

from __future__ import annotations

import html
import re

from podsift.models import Segment
from podsift.transcripts._text import clean_speaker, collapse, parse_clock, split_label

_BLOCKS = re.compile(r"\n[ \t]*\n")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>")
_SKIP = ("NOTE", "STYLE", "REGION", "WEBVTT")


def _cues(text: str) -> list[tuple[float, float | None, list[str]]]:
    """Split caption text into ``(start, end, payload lines)`` cues."""
    cues: list[tuple[float, float | None, list[str]]] = []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    for block in _BLOCKS.split(normalised):
        lines = block.strip("\n").split("\n")
        if not lines or lines[0].startswith(_SKIP):
            continue
        for i, line in enumerate(lines[:2]):
            m = _TIMING.match(line)
            if m is None:
                continue
            start = parse_clock(m.group(1))
            if start is not None:
                cues.append((start, parse_clock(m.group(2)), lines[i + 1 :]))
            break
    return cues


def parse_vtt(text: str) -> tuple[Segment, ...]:
    """Parse WebVTT: cue settings and NOTE/STYLE blocks ignored, ``<v Name>`` is the speaker."""
    segments: list[Segment] = []
    for start, end, lines in _cues(text):
        payload = " ".join(lines)
        voice = _VOICE.search(payload)
        speaker = clean_speaker(voice.group(1)) if voice else None
        body = collapse(html.unescape(_TAG.sub("", payload)))
        if body:
            segments.append(Segment(start, end, speaker, body))
    return tuple(segments)


def parse_srt(text: str) -> tuple[Segment, ...]:
    """Parse SRT; a ``Name:`` prefix on a cue's first line names the speaker until the next."""
    segments: list[Segment] = []
    speaker: str | None = None
    for start, end, lines in _cues(text):
        if not lines:
            continue
        label, first = split_label(lines[0].strip())
        if label is not None:
            speaker = clean_speaker(label)
        payload = " ".join([first, *lines[1:]])
        body = collapse(html.unescape(_TAG.sub("", payload)))
        if body:
            segments.append(Segment(start, end, speaker, body))
    return tuple(segments)
