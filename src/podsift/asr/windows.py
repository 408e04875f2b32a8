"""Transcribe an episode window by window, so memory stays flat however long it is.

Any :class:`~podsift.asr.base.Transcriber` gets windowing: each window is transcribed on
its own and its times are shifted by the window's offset. The language found in the first
window with speech is kept for the rest; a transcriber that continues text
(:class:`~podsift.asr.base.ContinuingTranscriber`) gets the previous window's last words
after the episode's prompt; a loop of repeated text across two windows is cut as within one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from podsift.asr.base import ContinuingTranscriber, Transcriber
from podsift.asr.guards import drop_repeats_across
from podsift.asr.records import AsrResult, AsrSegment

if TYPE_CHECKING:
    from podsift.asr.base import Audio

CONTEXT_WORDS = 64  # of the previous window: within Whisper's 223-token context, with the prompt


def transcribe_windows(
    transcriber: Transcriber,
    windows: Iterable[tuple[float, Audio]],
    language: str | None = None,
    prompt: str | None = None,
) -> AsrResult:
    """Transcribe ``(offset_seconds, audio)`` windows in order into one result for the
    whole audio; ``language`` and ``prompt`` are as for ``Transcriber.transcribe``.

    Raises:
        AsrError: as the transcriber, or the windows' decoder.
    """
    continues = isinstance(transcriber, ContinuingTranscriber) and transcriber.continues_text
    segments: list[AsrSegment] = []
    last: AsrResult | None = None
    dropped = 0
    duration = 0.0
    for offset, audio in windows:
        context = window_prompt(prompt, segments) if continues else prompt
        last = transcriber.transcribe(audio, language, context)
        kept, across = drop_repeats_across(segments, shift(last.segments, offset))
        segments.extend(kept)
        dropped += last.dropped + across
        duration = offset + last.duration
        if language is None and last.segments:
            language = last.language  # the first window with speech names the language
    return AsrResult(
        tuple(segments),
        language or (last.language if last else None),
        duration,
        transcriber.model,
        dropped=dropped,
    )


def shift(segments: Sequence[AsrSegment], offset: float) -> tuple[AsrSegment, ...]:
    """Segments and their words moved ``offset`` seconds later.

    >>> from podsift.asr.records import Word
    >>> shift([AsrSegment(1.0, 2.0, "Hi.", (Word(1.0, 1.5, "Hi.", 0.9),))], 600.0)[0].words
    (Word(start=601.0, end=601.5, text='Hi.', probability=0.9),)
    """
    if not offset:
        return tuple(segments)
    return tuple(
        dataclasses.replace(
            s,
            start=s.start + offset,
            end=s.end + offset,
            words=tuple(
                dataclasses.replace(w, start=w.start + offset, end=w.end + offset) for w in s.words
            ),
        )
        for s in segments
    )


def window_prompt(prompt: str | None, before: Sequence[AsrSegment]) -> str | None:
    """The episode's prompt followed by the last ``CONTEXT_WORDS`` words heard before.

    >>> heard = [AsrSegment(0, 1, "And that's it."), AsrSegment(1, 2, "Yes.")]
    >>> window_prompt("Python Bytes: #377.", heard)
    "Python Bytes: #377. And that's it. Yes."
    >>> window_prompt(None, []) is None
    True
    """
    words: list[str] = []
    for seg in reversed(before):
        words[:0] = seg.text.split()
        if len(words) >= CONTEXT_WORDS:
            break
    tail = " ".join(words[-CONTEXT_WORDS:])
    return " ".join(p for p in (prompt, tail) if p) or None
