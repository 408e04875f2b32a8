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
_CHANGE = re.compile(r"(?:^|\s)>>+(?=\s|$)")  # automatic captions' new speaker


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
    """Parse WebVTT: cue settings and NOTE/STYLE blocks ignored, ``<v Name>`` is the speaker;
    in a cue without one, a ``Name:`` prefix names the speaker until the next, as in SRT
    (meeting and caption tools export speakers so). Automatic captions' ``>>`` marks a new
    speaker: the mark is dropped, and the speaker is the name after it, else unknown."""
    segments: list[Segment] = []
    labelled: str | None = None
    for start, end, lines in _cues(text):
        if not lines:
            continue
        payload = " ".join(lines)
        voice = _VOICE.search(payload)
        if voice:
            speaker = clean_speaker(voice.group(1))
        else:
            head = html.unescape(lines[0]).strip()
            turn = head.startswith(">>")  # a new speaker, named or not
            label, first = split_label(head.lstrip("> ") if turn else head)
            if label is not None or turn:
                labelled = clean_speaker(label) if label is not None else None
                payload = " ".join([first, *lines[1:]])
            speaker = labelled
        body = collapse(_CHANGE.sub(" ", html.unescape(_TAG.sub("", payload))))
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
