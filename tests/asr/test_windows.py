"""Transcribing in windows: times shifted, language kept, context carried, loops cut;
and the bundled tiny model on a real clip cut into windows."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from podsift.asr import (
    SAMPLE_RATE,
    AsrResult,
    AsrSegment,
    ContinuingTranscriber,
    Word,
    transcribe_windows,
    transcribers,
)
from podsift.asr.audio import decode_audio, decode_windows
from podsift.config import AsrSettings

AUDIO = Path(__file__).parents[1] / "data" / "audio"


@dataclass
class Call:
    seconds: float
    language: str | None
    prompt: str | None


@dataclass
class FakeTranscriber:
    """Hears the scripted segments, one list a window, in the window's own times."""

    heard: list[list[AsrSegment]]
    languages: list[str] = field(default_factory=list)
    continues_text: bool = False
    calls: list[Call] = field(default_factory=list)
    name: ClassVar[str] = "fake"
    version: ClassVar[str] = "1"

    @property
    def model(self) -> str:
        return "fake-1"

    def transcribe(
        self, audio: np.ndarray, language: str | None = None, prompt: str | None = None
    ) -> AsrResult:
        i = len(self.calls)
        self.calls.append(Call(len(audio) / SAMPLE_RATE, language, prompt))
        found = self.languages[i] if i < len(self.languages) else "en"
        return AsrResult(tuple(self.heard[i]), language or found, len(audio) / SAMPLE_RATE,
                         self.model, dropped=1)  # fmt: skip


def windows(*seconds: float) -> Iterator[tuple[float, np.ndarray]]:
    offset = 0.0
    for length in seconds:
        yield offset, np.zeros(int(length * SAMPLE_RATE), dtype=np.float32)
        offset += length


def said(text: str, start: float, end: float) -> AsrSegment:
    step = (end - start) / len(text.split())
    words = tuple(
        Word(start + i * step, start + (i + 1) * step, w, 0.9) for i, w in enumerate(text.split())
    )
    return AsrSegment(start, end, text, words)


def test_segment_and_word_times_move_by_the_window_offset() -> None:
    fake = FakeTranscriber([[said("Hello there.", 1.0, 2.0)], [said("Welcome back.", 0.5, 1.5)]])
    result = transcribe_windows(fake, windows(600.0, 300.0))
    first, second = result.segments
    assert (first.start, first.end) == (1.0, 2.0)
    assert (second.start, second.end) == (600.5, 601.5)
    assert [(w.start, w.end) for w in second.words] == [(600.5, 601.0), (601.0, 601.5)]
    assert result.duration == 900.0 and result.model == "fake-1"
    assert result.dropped == 2  # each window's own count, added up


def test_the_first_window_with_speech_names_the_language() -> None:
    fake = FakeTranscriber([[], [said("Bonjour.", 0, 1)], [said("Merci.", 0, 1)]],
                           languages=["en", "fr", "de"])  # fmt: skip
    result = transcribe_windows(fake, windows(10, 10, 10))
    assert [c.language for c in fake.calls] == [None, None, "fr"]
    assert result.language == "fr"
    given = FakeTranscriber([[said("Hallo.", 0, 1)]] * 2)
    assert transcribe_windows(given, windows(5, 5), "de").language == "de"
    assert [c.language for c in given.calls] == ["de", "de"]


def test_a_continuing_transcriber_hears_the_last_words_after_the_prompt() -> None:
    long_turn = " ".join(f"w{i}" for i in range(100)) + "."
    heard = [[said("Welcome to the show.", 0, 2), said(long_turn, 2, 40)],
             [said("And we are back.", 0, 2)], []]  # fmt: skip
    fake = FakeTranscriber(heard, continues_text=True)
    assert isinstance(fake, ContinuingTranscriber)
    transcribe_windows(fake, windows(60, 60, 60), prompt="Python Bytes: #377.")
    first, second, third = (c.prompt for c in fake.calls)
    assert first == "Python Bytes: #377."
    assert second is not None and second.startswith("Python Bytes: #377. w36 w37")
    assert second.endswith("w99.") and len(second.split()) == 3 + 64
    assert third is not None and third.endswith("w99. And we are back.")
    plain = FakeTranscriber(heard)
    transcribe_windows(plain, windows(60, 60, 60), prompt="Python Bytes: #377.")
    assert {c.prompt for c in plain.calls} == {"Python Bytes: #377."}


def test_a_loop_across_two_windows_is_cut() -> None:
    loop = "I'm going to go."
    heard = [[said("Right.", 0, 1), said(loop, 50, 52), said(loop, 52, 54)],
             [said(loop, 0, 2), said(loop, 2, 4), said("Anyway.", 4, 5)]]  # fmt: skip
    result = transcribe_windows(FakeTranscriber(heard), windows(55, 55))
    assert [s.text for s in result.segments] == ["Right.", loop, loop, "Anyway."]
    assert result.dropped == 2 + 2


def test_no_windows_give_an_empty_result() -> None:
    result = transcribe_windows(FakeTranscriber([]), iter(()), "en")
    assert result == AsrResult((), "en", 0.0, "fake-1")


@pytest.mark.asr
def test_tiny_in_windows_keeps_word_times_and_text() -> None:
    tiny = transcribers.create("whisper-tiny", AsrSettings())
    whole = tiny.transcribe(decode_audio(AUDIO / "jfk.flac"), "en")
    windowed = transcribe_windows(tiny, decode_windows(AUDIO / "jfk.flac", 4.0), "en")
    assert len(windowed.segments) > 1  # the clip was cut
    assert windowed.duration == pytest.approx(whole.duration)
    times = [t for s in windowed.segments for w in s.words for t in (w.start, w.end)]
    assert times == sorted(times)
    assert times[0] >= 0.0 and times[-1] <= windowed.duration
    for s in windowed.segments:
        assert s.words and all(s.start - 0.05 <= w.start <= w.end <= s.end + 0.05 for w in s.words)

    def words(result: AsrResult) -> list[str]:
        return re.sub(r"[^\w\s]", " ", " ".join(s.text for s in result.segments).lower()).split()

    assert difflib.SequenceMatcher(None, words(whole), words(windowed)).ratio() >= 0.85
