"""The JSON of transcription services into segments: AssemblyAI's ``utterances``, Deepgram's
``results``, Rev.ai's ``monologues``.

Publishers link them as they come back from the service. Each turn is a segment; a service's
bare speaker id ("A", 0) becomes a generic label ("Speaker A", "Speaker 0"), which the feed's
people may name and the digest shows as the show.
"""

from __future__ import annotations

from typing import Any

from podsift.models import Segment
from podsift.transcripts._text import clean_speaker, collapse


def service_segments(data: Any) -> tuple[Segment, ...] | None:
    """The segments of a service's JSON, or ``None`` when ``data`` is none of theirs.

    >>> service_segments({"utterances": [{"speaker": "A", "start": 480, "end": 2100,
    ...                                   "text": "Welcome back."}]})
    (Segment(start=0.48, end=2.1, speaker='Speaker A', text='Welcome back.'),)
    >>> service_segments({"segments": []}) is None
    True
    """
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("utterances"), list):  # AssemblyAI: times in milliseconds
        return _turns(data["utterances"], "text", scale=0.001)
    results = data.get("results")
    if isinstance(results, dict):  # Deepgram: seconds
        if isinstance(results.get("utterances"), list):
            return _turns(results["utterances"], "transcript", scale=1.0)
        return _deepgram_paragraphs(results)
    if isinstance(data.get("monologues"), list):  # Rev.ai
        return tuple(s for s in map(_monologue, data["monologues"]) if s is not None)
    return None


def _turns(items: list[Any], key: str, scale: float) -> tuple[Segment, ...]:
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get(key), str) and item[key].strip():
            out.append(
                Segment(
                    _seconds(item.get("start"), scale),
                    _seconds(item.get("end"), scale),
                    _label(item.get("speaker")),
                    collapse(item[key]),
                )
            )
    return tuple(out)


def _deepgram_paragraphs(results: dict[str, Any]) -> tuple[Segment, ...]:
    """Deepgram without utterances: the first channel's first alternative, by paragraph."""
    try:
        alternative = results["channels"][0]["alternatives"][0]
        paragraphs = alternative["paragraphs"]["paragraphs"]
    except (KeyError, IndexError, TypeError):
        return ()
    out = []
    for paragraph in paragraphs if isinstance(paragraphs, list) else ():
        sentences = paragraph.get("sentences") if isinstance(paragraph, dict) else None
        words = " ".join(
            s["text"]
            for s in sentences or ()
            if isinstance(s, dict) and isinstance(s.get("text"), str)
        )
        if words.strip():
            out.append(
                Segment(
                    _seconds(paragraph.get("start"), 1.0),
                    _seconds(paragraph.get("end"), 1.0),
                    _label(paragraph.get("speaker")),
                    collapse(words),
                )
            )
    return tuple(out)


def _monologue(item: Any) -> Segment | None:
    """One Rev.ai monologue: its elements' values joined (``punct`` ones carry the spaces)."""
    if not isinstance(item, dict) or not isinstance(item.get("elements"), list):
        return None
    elements = [e for e in item["elements"] if isinstance(e, dict)]
    text = collapse("".join(str(e.get("value", "")) for e in elements))
    if not text:
        return None
    timed = [e for e in elements if e.get("ts") is not None]
    name = item.get("speaker_name")
    speaker = clean_speaker(name) if isinstance(name, str) else _label(item.get("speaker"))
    return Segment(
        _seconds(timed[0].get("ts"), 1.0) if timed else None,
        _seconds(timed[-1].get("end_ts"), 1.0) if timed else None,
        speaker,
        text,
    )


def _label(value: Any) -> str | None:
    """A service's speaker id as a label: "A" → "Speaker A", 0 → "Speaker 0"."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    return clean_speaker(f"Speaker {value}")


def _seconds(value: Any, scale: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value) * scale, 3)
