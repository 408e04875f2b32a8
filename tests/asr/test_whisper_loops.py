"""A batched chunk that loops is decoded again by the sequential decoder (fakes for both:
no speech model needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from podsift.asr import SAMPLE_RATE
from podsift.asr.whisper_local import WhisperLocal, WhisperOptions


def fw_segment(start: float, end: float, text: str, compression: float = 1.5) -> Any:
    words = text.split()
    step = (end - start) / len(words)
    return SimpleNamespace(
        start=start, end=end, text=" " + text, no_speech_prob=0.05, avg_logprob=-0.2,
        compression_ratio=compression,
        words=[SimpleNamespace(start=start + i * step, end=start + (i + 1) * step,
                               word=" " + w, probability=0.9) for i, w in enumerate(words)],
    )  # fmt: skip


class FakeModel:
    """The sequential decoder: hears the audio it is given, and records it."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, dict[str, Any]]] = []

    def transcribe(self, audio: np.ndarray, **kw: Any) -> tuple[list[Any], Any]:
        self.calls.append((len(audio) / SAMPLE_RATE, kw))
        seconds = len(audio) / SAMPLE_RATE
        return [fw_segment(0.5, seconds - 0.5, "Why did that? Back to it.")], SimpleNamespace(
            language=kw["language"], duration=seconds
        )


class FakeBatched:
    """The batched pipeline: its second chunk loops inside a word."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def transcribe(self, audio: np.ndarray, **kw: Any) -> tuple[list[Any], Any]:
        loop = "Come over here. " + "Merk" * 80
        segs = [fw_segment(1.0, 9.0, "Right, here we go."), fw_segment(10.0, 40.0, loop, 3.6),
                fw_segment(40.0, 50.0, "And then I'll put it back.")]  # fmt: skip
        return segs, SimpleNamespace(language="en", duration=len(audio) / SAMPLE_RATE)


@pytest.mark.parametrize("batch_size", [4, 0])
def test_a_looping_batched_chunk_is_decoded_again_sequentially(
    monkeypatch: pytest.MonkeyPatch, batch_size: int
) -> None:
    import faster_whisper

    monkeypatch.setattr(faster_whisper, "BatchedInferencePipeline", FakeBatched)
    sequential = FakeModel()
    whisper = WhisperLocal(lambda: None, "fake", WhisperOptions(batch_size=batch_size))  # type: ignore[arg-type,return-value]
    whisper._model = sequential
    result = whisper.transcribe(np.zeros(60 * SAMPLE_RATE, dtype=np.float32), None, "Show.")
    if batch_size == 0:  # sequential decoding has its own fallback: nothing to do again
        assert [c[0] for c in sequential.calls] == [60.0]
        return
    ((seconds, kw),) = sequential.calls
    assert seconds == pytest.approx(31.0)  # from 9.0 (the end before) to 40.0 (the next start)
    assert kw["language"] == "en" and kw["initial_prompt"] == "Show." and kw["word_timestamps"]
    assert [s.text for s in result.segments] == [
        "Right, here we go.", "Why did that? Back to it.", "And then I'll put it back.",
    ]  # fmt: skip
    again = result.segments[1]
    assert (again.start, again.end) == pytest.approx((9.5, 39.5))  # in the window's times
    assert again.words[0].start == pytest.approx(9.5) and result.dropped == 0
