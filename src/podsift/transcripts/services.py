"""The JSON of transcription services into segments: AssemblyAI's ``utterances``, Deepgram's
``results``, Rev.ai's ``monologues``, Amazon Transcribe's ``audio_segments`` (or its words),
Speechmatics' words.

Publishers link them as they come back from the service. Each turn is a segment; a service's
bare speaker id ("A", 0) becomes a generic label ("Speaker A", "Speaker 0"), which the feed's
people may name and the digest shows as the show.
"""

from __future__ import annotations

import re
from typing import Any

from podsift.models import Segment
from podsift.transcripts._text import clean_speaker, collapse, seconds


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
    if isinstance(results, dict) and isinstance(results.get("audio_segments"), list):
        return _turns(results["audio_segments"], "transcript", scale=1.0)  # Amazon Transcribe
    if isinstance(results, dict) and isinstance(results.get("items"), list):
        return _word_turns(results["items"])  # Amazon Transcribe, older: words only
    if isinstance(results, list):  # Speechmatics: words and punctuation
        return _word_turns(results)
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
            start = item.get("start", item.get("start_time"))
            end = item.get("end", item.get("end_time"))
            speaker = item.get("speaker", item.get("speaker_label"))
            out.append(
                Segment(
                    seconds(start, scale),
                    seconds(end, scale),
                    _label(speaker),
                    collapse(item[key]),
                )
            )
    return tuple(out)


def _word_turns(items: list[Any]) -> tuple[Segment, ...]:
    """Words with their speakers (Amazon Transcribe's ``items``, Speechmatics' ``results``)
    joined into one segment per turn; punctuation joins the word before it."""
    turns: list[tuple[float | None, float | None, str | None, list[str]]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        alternatives = item.get("alternatives") or [{}]
        first = alternatives[0] if isinstance(alternatives[0], dict) else {}
        word = first.get("content")
        if not isinstance(word, str) or not word:
            continue
        speaker = _label(item.get("speaker_label", first.get("speaker")))
        start, end = seconds(item.get("start_time"), 1.0), seconds(item.get("end_time"), 1.0)
        if item.get("type") == "punctuation" and turns:
            turns[-1][3][-1] += word
        elif turns and turns[-1][2] == speaker:
            turns[-1] = (turns[-1][0], end or turns[-1][1], speaker, [*turns[-1][3], word])
        else:
            turns.append((start, end, speaker, [word]))
    return tuple(Segment(s, e, who, " ".join(words)) for s, e, who, words in turns)


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
                    seconds(paragraph.get("start"), 1.0),
                    seconds(paragraph.get("end"), 1.0),
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
        seconds(timed[0].get("ts"), 1.0) if timed else None,
        seconds(timed[-1].get("end_ts"), 1.0) if timed else None,
        speaker,
        text,
    )


_NUMBERED = re.compile(r"^(?:spk_|S)(\d+)$")  # Amazon's "spk_0", Speechmatics' "S1"
_UNKNOWN = frozenset({"UU"})  # Speechmatics: a speaker it could not tell


def _label(value: Any) -> str | None:
    """A service's speaker id as a label: "A" → "Speaker A", 0 → "Speaker 0", "spk_0" →
    "Speaker 0", "S1" → "Speaker 1"; none for no id or an unknown one.

    >>> _label("A"), _label(0), _label("spk_2"), _label("S1"), _label("UU"), _label(None)
    ('Speaker A', 'Speaker 0', 'Speaker 2', 'Speaker 1', None, None)
    """
    if isinstance(value, bool) or value is None or value == "" or value in _UNKNOWN:
        return None
    numbered = _NUMBERED.match(str(value))
    return clean_speaker(f"Speaker {numbered.group(1) if numbered else value}")
