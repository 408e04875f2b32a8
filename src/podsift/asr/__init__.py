"""Speech-to-text for episodes that publish no transcript.

A ``Transcriber`` turns decoded audio into timed segments (with word times). Providers are
looked up by name in ``transcribers``: ``whisper-local`` (Whisper base, int8, VAD) is the
default, ``whisper-tiny`` (tiny.en) the fast option; a larger local CTranslate2 model is
``whisper-local`` with ``[asr] model_dir`` set, and an API backend is another provider.
"""

from __future__ import annotations

from podsift.asr.base import (
    SAMPLE_RATE,
    AsrError,
    ContinuingTranscriber,
    Transcriber,
    transcribers,
)
from podsift.asr.hints import episode_prompt, feed_language
from podsift.asr.records import (
    AsrResult,
    AsrSegment,
    Word,
    parse_words,
    result_to_json,
    words_json,
)
from podsift.asr.stage import AsrReport, run, transcribe_pending
from podsift.asr.windows import transcribe_windows

__all__ = [
    "SAMPLE_RATE",
    "AsrError",
    "AsrReport",
    "AsrResult",
    "AsrSegment",
    "ContinuingTranscriber",
    "Transcriber",
    "Word",
    "episode_prompt",
    "feed_language",
    "parse_words",
    "result_to_json",
    "run",
    "transcribe_pending",
    "transcribe_windows",
    "transcribers",
    "words_json",
]
