"""Speech-to-text for episodes that publish no transcript.

A ``Transcriber`` turns decoded audio into timed segments (with word times). Providers are
looked up by name in ``transcribers``: ``whisper-local`` (Whisper base, int8, VAD) is the
default, ``whisper-tiny`` (tiny.en) the fast option; a larger local CTranslate2 model is
``whisper-local`` with ``[asr] model_dir`` set, and an API backend is another provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from podsift.exceptions import PodsiftError
from podsift.models import Segment, Transcript
from podsift.plugins import Registry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from podsift.config import AsrSettings

    Audio = npt.NDArray[np.float32]

SAMPLE_RATE = 16_000
_URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S*$", re.IGNORECASE)  # a feed URL or GUID, no title


class AsrError(PodsiftError):
    """Audio could not be fetched, decoded or transcribed.

    ``permanent`` errors (too long, not audio) are not retried by later runs.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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


class Transcriber(Protocol):
    """Turns 16 kHz mono float32 audio into timed segments."""

    name: ClassVar[str]
    version: ClassVar[str]

    @property
    def model(self) -> str:
        """The model's name as stored with the transcript (e.g. ``whisper-base-int8``)."""
        ...

    def transcribe(
        self, audio: Audio, language: str | None = None, prompt: str | None = None
    ) -> AsrResult:
        """Transcribe ``audio``; ``language`` is an ISO 639-1 hint, ``None`` detects it;
        ``prompt`` is text the audio is likely to contain (the show and episode titles),
        which a model may use as context for names and terms."""
        ...


transcribers: Registry[Transcriber] = Registry("transcriber", group="podsift.transcribers")


@transcribers.register("whisper-local")
def _whisper_local(settings: AsrSettings) -> Transcriber:
    from podsift.asr.whisper_local import WhisperLocal

    return WhisperLocal.base(settings)


@transcribers.register("whisper-tiny")
def _whisper_tiny(settings: AsrSettings) -> Transcriber:
    from podsift.asr.whisper_local import WhisperLocal

    return WhisperLocal.tiny(settings)


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


def episode_prompt(show: str | None, episode: str | None) -> str | None:
    """The context given to the model for an episode: its show and title, as a sentence
    (a feed URL or GUID standing in for a missing title is left out).

    >>> episode_prompt("Python Bytes", "#377 A dramatic episode")
    'Python Bytes: #377 A dramatic episode.'
    >>> episode_prompt("Talk Python", "Ep 12: Rust for Pythonistas")
    'Talk Python: Ep 12: Rust for Pythonistas.'
    >>> episode_prompt("https://x.org/feed", " "), episode_prompt("Show", "urn:uuid:1-2")
    (None, 'Show.')
    """
    parts = [p.strip() for p in (show, episode) if p and p.strip() and not _URI.match(p.strip())]
    return ": ".join(parts).rstrip(".") + "." if parts else None


def feed_language(value: str | None) -> str | None:
    """The ISO 639-1 code of a feed's ``<language>`` (``en-us`` → ``en``), if it has one.

    >>> feed_language("en-US"), feed_language(" fr "), feed_language(None), feed_language("x")
    ('en', 'fr', None, None)
    """
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


__all__: Sequence[str] = [
    "SAMPLE_RATE",
    "AsrError",
    "AsrResult",
    "AsrSegment",
    "Transcriber",
    "Word",
    "episode_prompt",
    "feed_language",
    "parse_words",
    "result_to_json",
    "transcribers",
    "words_json",
]
