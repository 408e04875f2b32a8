"""Detect a transcript's format and parse it into segments; Podcasting 2.0 JSON lives here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from podsift.exceptions import TranscriptError
from podsift.models import Segment, Transcript
from podsift.transcripts._text import clean_speaker, collapse, seconds
from podsift.transcripts.captions import parse_sbv, parse_srt, parse_vtt
from podsift.transcripts.frontmatter import split_front_matter
from podsift.transcripts.markdown import parse_markdown
from podsift.transcripts.markup import parse_html, parse_text
from podsift.transcripts.services import service_segments
from podsift.transcripts.speakers import (
    introduced,
    legend,
    named_by_legend,
    own_names,
    resolve_speakers,
)
from podsift.transcripts.ttml import parse_ttml

FORMATS = ("json", "vtt", "srt", "sbv", "ttml", "html", "markdown", "text")

_ALIASES = {
    "json": "json", "vtt": "vtt", "webvtt": "vtt", "srt": "srt", "subrip": "srt",
    "html": "html", "htm": "html", "markdown": "markdown", "md": "markdown",
    "text": "text", "txt": "text", "plain": "text", "ttml": "ttml", "dfxp": "ttml",
    "sbv": "sbv",
}  # fmt: skip
_MIME = {
    "application/json": "json", "application/x-json": "json", "text/json": "json",
    "text/vtt": "vtt", "text/webvtt": "vtt",
    "application/x-subrip": "srt", "application/srt": "srt", "text/srt": "srt",
    "text/x-srt": "srt", "application/x-srt": "srt",
    "text/html": "html", "application/xhtml+xml": "html",
    "text/markdown": "markdown", "text/x-markdown": "markdown",
    "application/ttml+xml": "ttml", "application/ttaf+xml": "ttml",
}  # fmt: skip
_EXTENSIONS = {
    ".json": "json", ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".html": "html",
    ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".ttml": "ttml",
    ".dfxp": "ttml", ".sbv": "sbv",
}  # fmt: skip
_PARSERS: dict[str, Callable[[str], tuple[Segment, ...]]] = {
    "vtt": parse_vtt, "srt": parse_srt, "sbv": parse_sbv, "html": parse_html,
    "markdown": parse_markdown, "text": parse_text,
}  # fmt: skip
_TTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<tt[\s>]", re.S)
_SBV_START = re.compile(r"^\d+:\d{2}:\d{2}\.\d+,\d+:\d{2}:\d{2}\.\d+\s*$", re.MULTILINE)
_SRT_START = re.compile(r"^\d+\s*\n\s*[\d:.,]+\s+-->\s", re.MULTILINE)
_HTML_START = re.compile(r"^\s*<(?:!--|!doctype|html|body|head|cite|time|p|div|meta)\b", re.I)
_MD_TURN = re.compile(r"^\*\*[^*\n]{1,80}?(?::\*\*|\*\*:)", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def parse_transcript(
    content: bytes | str,
    *,
    source: str,
    format: str | None = None,
    content_type: str | None = None,
) -> Transcript:
    """Parse a transcript in any supported format into segments.

    Args:
        content: the document, as fetched (bytes) or decoded (str).
        source: where it came from (a path or URL); named in errors, its extension helps.
        format: force a format (``json``, ``vtt``, ``srt``, ``sbv``, ``ttml``, ``html``,
            ``markdown``, ``text``).
        content_type: the MIME type the publisher gave (``podcast:transcript`` ``type``).

    Returns:
        The transcript; times are ``None`` where the document has none. Front matter
        (``---`` … ``---``) is no speech: its title and speakers go on the transcript, and
        the speakers put full names on the turns' labels. So do a header's legend
        ("Speakers: S1 - Ann Lee, …") and the transcript's own full labels ("FEIGELMAN-ROSS:"
        after "JONAH FEIGELMAN-ROSS, BYLINE:").

    Raises:
        TranscriptError: empty or binary content, invalid JSON, an unknown format, or a
            document without one parsable segment.
    """
    text = _decode(content, source)
    if not text.strip():
        raise TranscriptError(f"{source}: empty transcript")
    if text.lstrip().startswith("{\\rtf"):  # a word processor's file, linked as a transcript
        raise TranscriptError(
            f"{source}: an RTF document, not a transcript format (save it as text)"
        )
    meta, text = split_front_matter(text)
    fmt = detect_format(text, source=source, format=format, content_type=content_type)
    parse = _PARSERS.get(fmt)
    segments = without_credit(parse(text) if parse else _NAMING[fmt](text, source))
    if not segments:
        raise TranscriptError(f"{source}: no segments found in {fmt} transcript")
    segments = named_by_legend(segments, legend(text))
    segments = resolve_speakers(segments, own_names(segments))
    if meta is None:
        return Transcript(source=source, format=fmt, segments=segments)
    segments = introduced(resolve_speakers(segments, meta.speakers), meta.speakers)
    return Transcript(source, fmt, segments, title=meta.title, speakers=meta.speakers)


#: A tool's credit at a transcript's end: "Transcribed by https://otter.ai", "Transcript by
#: www.rev.com". A web address with a few words at most around it.
_CREDIT = re.compile(r"^\W*(?:\w+\W+){0,4}(?:https?://|www\.)\S+\W*$", re.I)


def without_credit(segments: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """``segments`` without the transcription tool's credit after the last turn, which an
    export (Otter's text, SRT) appends as one more line of the last speaker.

    >>> segs = (Segment(0.0, None, "Kit", "Bye!"),
    ...         Segment(0.0, None, "Kit", "Transcribed by https://otter.ai"))
    >>> [s.text for s in without_credit(segs)]
    ['Bye!']
    """
    end = len(segments)
    while end > 1 and _CREDIT.match(segments[end - 1].text.strip()):
        end -= 1
    return segments[:end]


def detect_format(
    text: str,
    *,
    source: str = "",
    format: str | None = None,
    content_type: str | None = None,
) -> str:
    """Choose the format: explicit name, then the document's own signature (``WEBVTT``, an SRT
    or SBV cue, a TTML root), a specific MIME type, extension, content.

    >>> detect_format("WEBVTT\\n\\n00:01.000 --> 00:02.000\\nhi", content_type="text/plain")
    'vtt'
    """
    if format:
        fmt = _ALIASES.get(format.strip().lower().lstrip("."))
        if fmt is None:
            raise TranscriptError(f"{source}: unknown transcript format {format!r}")
        return fmt
    signed = _signature(text)
    if signed is not None:  # a feed may say text/html for a .vtt; the document says WEBVTT
        return signed
    mime = (content_type or "").split(";")[0].strip().lower()
    if mime in _MIME:
        return _MIME[mime]
    suffix = PurePosixPath(urlsplit(source).path).suffix.lower()
    return _EXTENSIONS.get(suffix) or sniff_format(text)


def _signature(text: str) -> str | None:
    """The format a document declares by its opening, whatever it is called: ``WEBVTT``, an
    SRT or SBV cue, a TTML root; ``None`` otherwise (JSON, HTML and text open too alike).

    >>> _signature("WEBVTT\\n\\n00:01.000 --> 00:02.000\\nhi"), _signature("<p>Hi</p>")
    ('vtt', None)
    """
    head = text.lstrip()[:2000]
    if head.startswith("WEBVTT"):
        return "vtt"
    if _TTML_START.match(head):
        return "ttml"
    if _SRT_START.match(head):
        return "srt"
    return "sbv" if _SBV_START.match(head) else None


def sniff_format(text: str) -> str:
    """Guess the format from the content alone; ``text`` when nothing else fits."""
    head = text.lstrip()[:2000]
    if head.startswith("{") or (head.startswith("[") and _is_json(text)):
        return "json"  # a text may open with "[00:00:01]" too
    if (signed := _signature(head)) is not None:
        return signed
    if _HTML_START.match(head):
        return "html"
    if _MD_TURN.search(head):
        return "markdown"
    return "text"


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _decode(content: bytes | str, source: str) -> str:
    """Decode bytes (UTF-8, UTF-16 with BOM, else Windows-1252); refuse binary data."""
    if isinstance(content, str):
        text = content
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try_decode(content, "utf-16", source)
    elif b"\x00" in content:
        raise TranscriptError(f"{source}: binary content, not a transcript")
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _try_decode(content, "cp1252", source)
    text = text.removeprefix("\ufeff")
    if "\x00" in text or len(_CONTROL.findall(text[:4096])) > 8:
        raise TranscriptError(f"{source}: binary content, not a transcript")
    return text


def _try_decode(content: bytes, encoding: str, source: str) -> str:
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise TranscriptError(f"{source}: binary content, not a transcript") from None


# -- Podcasting 2.0 JSON ----------------------------------------------------------------


def _parse_json(text: str, source: str) -> tuple[Segment, ...]:
    """Parse ``{"version", "segments": [{"speaker", "startTime", "endTime", "body"}]}``, the
    segments of Whisper's JSON output (``{"start", "end", "text"}``, and ``"speaker"`` where a
    diarizer added one), and the JSON of transcription services
    (:func:`~podsift.transcripts.services.service_segments`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise TranscriptError(f"{source}: invalid json ({e.msg}, line {e.lineno})") from None
    served = service_segments(data)
    if served is not None:
        return served
    raw = _segment_list(data)
    if not raw:
        raise TranscriptError(f"{source}: json transcript has no segments")
    items = _carried(raw)
    return _merge_words(items) if _is_word_level(items) else _merge_same_cue(items)


#: Where a JSON transcript keeps its segments: Podcasting 2.0's and Whisper's ``segments``,
#: a host's own ``transcript`` or ``captions`` list.
_SEGMENT_KEYS = ("segments", "transcript", "captions", "cues")


def _segment_list(data: Any) -> list[Any]:
    """The list of segments of a JSON transcript (the first of :data:`_SEGMENT_KEYS` that holds
    a non-empty list), or an empty list."""
    if not isinstance(data, dict):
        return []
    for key in _SEGMENT_KEYS:
        if isinstance(data.get(key), list) and data[key]:
            return list(data[key])
    return []


def _carried(raw: list[Any]) -> list[Segment]:
    """The segments of ``raw``; a Podcasting 2.0 segment with no ``speaker`` key carries on
    the last one named (a generator may name a turn's speaker on its first segment only).
    An empty or "Unknown" speaker stays unknown, and so does a Whisper segment with none (a
    diarizer that named no one there did not hear the last speaker)."""
    out: list[Segment] = []
    last: str | None = None
    for item in raw:
        seg = _json_segment(item)
        if seg is None:
            continue
        if seg.speaker is None and "speaker" not in item and "body" in item:
            seg = Segment(seg.start, seg.end, last, seg.text)
        last = seg.speaker
        out.append(seg)
    return out


#: The parsers that name the document in their errors (of invalid JSON or XML).
_NAMING: dict[str, Callable[[str, str], tuple[Segment, ...]]] = {
    "json": _parse_json,
    "ttml": parse_ttml,
}


def _json_segment(item: Any) -> Segment | None:
    """One JSON segment as a raw Segment (text not collapsed: spaces may be tokens)."""
    if not isinstance(item, dict):
        return None
    whisper = "body" not in item and "startTime" not in item
    body = item.get("text" if whisper else "body")
    if not isinstance(body, str):
        return None
    speaker = item.get("speaker")
    return Segment(
        seconds(item.get("start" if whisper else "startTime")),
        seconds(item.get("end" if whisper else "endTime")),
        clean_speaker(speaker) if isinstance(speaker, str) else None,
        body,
    )


def _is_word_level(items: list[Segment]) -> bool:
    """Whether (nearly) every segment holds one word or token."""
    words = [s for s in items if s.text.strip()]
    single = sum(1 for s in words if len(s.text.split()) == 1)
    return len(words) >= 2 and single >= 0.9 * len(words)


def _merge_same_cue(items: list[Segment]) -> tuple[Segment, ...]:
    """Join consecutive segments with the same speaker and times (one cue, two lines)."""
    out: list[Segment] = []
    for seg in items:
        text = collapse(seg.text)
        if not text:
            continue
        prev = out[-1] if out else None
        if prev and (prev.start, prev.end, prev.speaker) == (seg.start, seg.end, seg.speaker):
            out[-1] = Segment(prev.start, prev.end, prev.speaker, f"{prev.text} {text}")
        else:
            out.append(Segment(seg.start, seg.end, seg.speaker, text))
    return tuple(out)


_MAX_WORDS = 60
_PAUSE = 2.0
_PUNCT = re.compile(r"^[^\w\s]+$")


def _merge_words(items: list[Segment]) -> tuple[Segment, ...]:
    """Join word-level segments into phrases: per speaker, split at long pauses and at a
    sentence end once a phrase is long."""
    raw = any(s.text and not s.text.strip() for s in items)  # spaces are tokens of their own
    out: list[Segment] = []
    group: list[Segment] = []
    for seg in items:
        if group and _breaks(group, seg):
            out.append(_join(group, raw))
            group = []
        group.append(seg)
    if group:
        out.append(_join(group, raw))
    return tuple(s for s in out if s.text)


def _breaks(group: list[Segment], seg: Segment) -> bool:
    last = group[-1]
    if seg.speaker != last.speaker:
        return True
    if seg.start is not None and last.end is not None and seg.start - last.end > _PAUSE:
        return True
    return len(group) >= _MAX_WORDS and last.text.rstrip().endswith((".", "?", "!"))


def _join(group: list[Segment], raw: bool) -> Segment:
    if raw:
        text = "".join(s.text for s in group)
    else:
        parts: list[str] = []
        for s in group:
            word = s.text.strip()
            if parts and _PUNCT.match(word):
                parts[-1] += word
            elif word:
                parts.append(word)
        text = " ".join(parts)
    starts = [s.start for s in group if s.start is not None]
    ends = [s.end for s in group if s.end is not None]
    return Segment(
        starts[0] if starts else None, ends[-1] if ends else None, group[0].speaker, collapse(text)
    )


def transcript_to_json(t: Transcript) -> dict[str, Any]:
    """Return the ``transcript`` JSON shape: ``{"source", "format", "title", "speakers",
    "segments": [...]}`` (``title`` null and ``speakers`` empty unless the document says)."""
    return {
        "source": t.source,
        "format": t.format,
        "title": t.title,
        "speakers": list(t.speakers),
        "segments": [
            {"start": s.start, "end": s.end, "speaker": s.speaker, "text": s.text}
            for s in t.segments
        ],
    }
