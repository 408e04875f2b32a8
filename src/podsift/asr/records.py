"""What a transcriber heard: words, segments and results, and their JSON shapes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from podsift.models import Segment, Transcript


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word with its times in seconds."""

    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True, slots=True)
class AsrSegment:
    """A recognised stretch of speech and the model's confidence signals for it."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 1.0


@dataclass(frozen=True, slots=True)
class AsrResult:
    """What a transcriber heard in one piece of audio."""

    segments: tuple[AsrSegment, ...]
    language: str | None
    duration: float
    model: str
    dropped: int = 0  # segments removed by the hallucination guards

    def to_transcript(self, source: str) -> Transcript:
        """The result as a podsift transcript (format ``asr``, no speakers)."""
        segs = tuple(Segment(s.start, s.end, None, s.text) for s in self.segments)
        return Transcript(source, "asr", segs, self.language)

    def word_times(self) -> tuple[str, ...]:
        """Each segment's word times as compact JSON (see ``words_json``), in segment order."""
        return tuple(words_json(s.words) for s in self.segments)


def result_to_json(result: AsrResult, source: str) -> dict[str, Any]:
    """The JSON shape of ``podsift transcribe --json`` (that of ``transcript --json`` plus
    ``language``, ``model``, ``duration``, ``dropped`` and per-segment ``words``)."""
    return {
        "source": source,
        "format": "asr",
        "language": result.language,
        "model": result.model,
        "duration": round(result.duration, 3),
        "dropped": result.dropped,
        "segments": [_segment_json(s) for s in result.segments],
    }


def _segment_json(s: AsrSegment) -> dict[str, Any]:
    return {
        "start": round(s.start, 3),
        "end": round(s.end, 3),
        "speaker": None,
        "text": s.text,
        "words": [
            {"start": round(w.start, 3), "end": round(w.end, 3), "word": w.text} for w in s.words
        ],
    }


def words_json(words: Sequence[Word]) -> str:
    """Word times as compact JSON ``[[start, end, word], ...]``, seconds to 10 ms.

    >>> words_json([Word(1.0, 1.42, "Hello", 0.9), Word(1.5, 1.9, "world.", 0.8)])
    '[[1.0,1.42,"Hello"],[1.5,1.9,"world."]]'
    """
    rows = [[round(w.start, 2), round(w.end, 2), w.text] for w in words]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def parse_words(text: str | None) -> tuple[Word, ...]:
    """Words from ``words_json`` text (probability unknown: 1.0); none from ``None``/"".

    >>> parse_words('[[1.0,1.42,"Hello"]]')
    (Word(start=1.0, end=1.42, text='Hello', probability=1.0),)
    """
    if not text:
        return ()
    return tuple(Word(float(a), float(b), str(w), 1.0) for a, b, w in json.loads(text))
