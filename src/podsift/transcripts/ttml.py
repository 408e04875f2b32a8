"""TTML (Timed Text Markup Language, W3C) transcripts into segments.

Each ``<p>`` is a segment: its ``begin`` and ``end`` (offset by those of the ``<div>`` and
``<body>`` around it, unless the document writes them from the episode's start, as Apple
Podcasts does: :func:`_absolute`), its words (a span Apple marks as a word or a sentence is
one), and its speaker from ``ttm:agent``, named by the ``<ttm:agent>`` of the head's metadata
where it has a ``<ttm:name>``. A ``<p>`` without an agent is read as a caption cue, its
``<br/>`` breaking its lines: "NAME:" prefixes name the speaker (a broadcaster's DFXP). A
``<p>`` without times takes those of its first timed ``<span>`` (word-timed transcripts, as
Apple Podcasts writes them). Parsed with defusedxml: no entity expansion, no external DTD.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from podsift.exceptions import TranscriptError
from podsift.models import Segment
from podsift.transcripts._text import clean_speaker, collapse, parse_clock
from podsift.transcripts.captions import cue_segments, cue_turns, label_style

_TT = "{http://www.w3.org/ns/ttml}"
_TTM = "{http://www.w3.org/ns/ttml#metadata}"
_TTP = "{http://www.w3.org/ns/ttml#parameter}"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_PODCASTS = "{http://podcasts.apple.com/transcript-ttml-internal}"
_CLOCK = re.compile(r"^(\d+):(\d{2}):(\d{2})(?:(\.\d+)|:(\d+(?:\.\d+)?))?$")
# an offset: "12.5s", "1500ms", "2m", "30f", "900t"; bare seconds ("17.774") as Apple writes
_OFFSET = re.compile(r"^(\d+(?:\.\d+)?)(h|ms|m|s|f|t)?$")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_ttml(text: str, source: str) -> tuple[Segment, ...]:
    """Parse a TTML document (see the module's docstring).

    >>> doc = ('<tt xmlns="http://www.w3.org/ns/ttml" '
    ...        'xmlns:ttm="http://www.w3.org/ns/ttml#metadata"><head><metadata>'
    ...        '<ttm:agent xml:id="s1"><ttm:name>Ann Lee</ttm:name></ttm:agent>'
    ...        '</metadata></head><body><div begin="10s"><p begin="00:00:01.500" end="4s" '
    ...        'ttm:agent="s1">We shipped<br/>it.</p></div></body></tt>')
    >>> parse_ttml(doc, "t.ttml")
    (Segment(start=11.5, end=14.0, speaker='Ann Lee', text='We shipped it.'),)
    """
    try:
        root = safe_et.fromstring(text)
    except DefusedXmlException:
        raise TranscriptError(f"{source}: TTML declares entities or a DTD (not read)") from None
    except (ParseError, ValueError) as e:
        raise TranscriptError(f"{source}: invalid TTML ({e})") from None
    frames = _number(root.get(f"{_TTP}frameRate"), 30.0)
    ticks = _number(root.get(f"{_TTP}tickRate"), 1.0)
    names = {
        agent.get(_XML_ID, ""): collapse(name.text or "")
        for agent in root.iter(f"{_TTM}agent")
        if (name := agent.find(f"{_TTM}name")) is not None
    }
    cues: list[tuple[float | None, float | None, str | None, list[str]]] = []
    absolute = _absolute(root, frames, ticks)

    def walk(element: Element, offset: float) -> None:
        begin = _time(element.get("begin"), frames, ticks)
        here = offset + begin if begin is not None and not absolute else offset
        if element.tag == f"{_TT}p":
            start, end = _span_times(element, offset, frames, ticks)
            agent = element.get(f"{_TTM}agent")
            speaker = clean_speaker(names.get(agent or "") or agent)
            lines = [collapse(line) for line in _words(element).split("\n")]
            cues.append((start, end, speaker, [line for line in lines if line]))
            return
        for child in element:
            walk(child, here)

    body = root.find(f"{_TT}body")
    if body is not None:
        walk(body, 0.0)
    return _segments(cues)


def _absolute(root: Element, frames: float, ticks: float) -> bool:
    """Whether the document writes each ``<p>``'s times from the start of the media, not from
    its ``<div>``'s begin as TTML says: every timed ``<p>`` of a timed ``<div>`` begins within
    that div's own begin and end (Apple Podcasts: ``<div begin="137.264">`` holding
    ``<p begin="137.264">``); read as offsets, each would start twice as late.

    >>> doc = ('<tt xmlns="http://www.w3.org/ns/ttml"><body><div begin="4.6" end="20">'
    ...        '<p begin="4.6">A</p><p begin="9">B</p></div></body></tt>')
    >>> _absolute(safe_et.fromstring(doc), 30, 1)
    True
    >>> _absolute(safe_et.fromstring(doc.replace('"9"', '"1"')), 30, 1)
    False
    """
    found = False
    for div in root.iter(f"{_TT}div"):
        first = _time(div.get("begin"), frames, ticks)
        if first is None:
            continue
        last = _time(div.get("end"), frames, ticks)
        for p in div.iter(f"{_TT}p"):
            if (begin := _time(p.get("begin"), frames, ticks)) is None:
                continue
            if begin < first or (last is not None and begin > last):
                return False
            found = True
    return found


def _segments(
    cues: list[tuple[float | None, float | None, str | None, list[str]]],
) -> tuple[Segment, ...]:
    """The cues' segments: a ``<p>`` with an agent is one turn of its speaker's; one without is
    read as a caption cue (:func:`~podsift.transcripts.captions.cue_turns`: "MARGARET OKAFOR:"
    names the speaker until the next, a dialogue dash or ``>>`` starts an unnamed turn)."""
    style = label_style([(s or 0.0, e, lines) for s, e, who, lines in cues if who is None])
    segments: list[Segment] = []
    current: str | None = None
    for start, end, speaker, lines in cues:
        if not lines:
            continue
        if speaker is not None:
            turns: list[tuple[str | None, str]] = [(speaker, " ".join(lines))]
        else:
            current, turns = cue_turns(lines, current, style)
        if start is None:
            segments.extend(Segment(None, None, who, words) for who, words in turns)
        else:
            segments.extend(cue_segments(start, end, turns))
    return tuple(segments)


def _span_times(
    p: Element, offset: float, frames: float, ticks: float
) -> tuple[float | None, float | None]:
    """A ``<p>``'s start and end: its own, else its first and last timed ``<span>``'s."""
    begin = _time(p.get("begin"), frames, ticks)
    end = _time(p.get("end"), frames, ticks)
    if begin is None:
        timed = [s for s in p.iter(f"{_TT}span") if s.get("begin")]
        if timed:
            begin = _time(timed[0].get("begin"), frames, ticks)
            end = _time(timed[-1].get("end"), frames, ticks)
    start = round(offset + begin, 3) if begin is not None else None
    return start, (round(offset + end, 3) if end is not None else None)


def _words(element: Element) -> str:
    """The text of ``element`` and everything in it, a ``<br/>`` read as a line break (and
    line breaks of the file's layout as spaces). A span that is a word or a sentence
    (Apple's ``podcasts:unit``) is one, whether or not the file puts a space after it.

    >>> tt = '<p xmlns="http://www.w3.org/ns/ttml" xmlns:podcasts="{u}">{w}</p>'.format(
    ...     u=_PODCASTS[1:-1], w='<span podcasts:unit="word">Hello,</span>'
    ...     '<span podcasts:unit="word">world.</span>')
    >>> _words(safe_et.fromstring(tt))
    'Hello, world. '
    """
    parts = [" ".join((element.text or "").split("\n"))]
    for child in element:
        parts.append("\n" if child.tag == f"{_TT}br" else _words(child))
        if child.get(f"{_PODCASTS}unit"):
            parts.append(" ")
        parts.append(" ".join((child.tail or "").split("\n")))
    return "".join(parts)


def _time(value: str | None, frames: float, ticks: float) -> float | None:
    """A TTML time in seconds: ``HH:MM:SS.fff``, ``HH:MM:SS:FF`` (frames), ``M:SS.fff``, or
    an offset (``12.5s``, ``1500ms``, ``2m``, ``1h``, ``30f``, ``900t``); ``None`` when absent
    or unreadable.

    >>> _time("00:01:02.5", 30, 1), _time("00:00:06:15", 30, 1), _time("1500ms", 30, 1)
    (62.5, 6.5, 1.5)
    >>> _time("17.774", 30, 1), _time("1:15.191", 30, 1)
    (17.774, 75.191)
    """
    text = (value or "").strip()
    if m := _CLOCK.match(text):
        hours, minutes, seconds, fraction, frame = m.groups()
        total = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        extra = float(fraction) if fraction else float(frame) / frames if frame else 0.0
        return round(total + extra, 3)
    if ":" in text:  # minutes and seconds, as Apple writes a time past the first minute
        return parse_clock(text)
    if m := _OFFSET.match(text):
        amount, unit = float(m.group(1)), m.group(2) or "s"
        if unit == "f":
            return round(amount / frames, 3)
        if unit == "t":
            return round(amount / ticks, 3)
        return round(amount * _UNIT_SECONDS[unit], 3)
    return None


def _number(value: str | None, default: float) -> float:
    try:
        number = float(value) if value else default
    except ValueError:
        return default
    return number if number > 0 else default
