"""Whisper on the CPU (or a GPU) through faster-whisper / CTranslate2, from a local folder."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from podsift.asr.base import SAMPLE_RATE, AsrError
from podsift.asr.bundled import whisper_base_dir, whisper_tiny_en_dir
from podsift.asr.guards import (
    LOW_LOGPROB,
    MAX_COMPRESSION,
    NO_SPEECH_PROB,
    apply_guards,
    redecode_loops,
)
from podsift.asr.records import AsrResult, AsrSegment, Word

if TYPE_CHECKING:
    from podsift.asr.base import Audio
    from podsift.config import AsrSettings


@dataclass(frozen=True, slots=True)
class WhisperOptions:
    """How the model is run: compute type, beam, VAD, threads, device, and ``batch_size``
    (above 0: faster-whisper's batched pipeline decodes that many VAD chunks at once)."""

    compute_type: str = "int8"
    beam_size: int = 5
    vad: bool = True
    threads: int = 2
    device: str = "cpu"
    batch_size: int = 0
    # sequential decoding only (batch_size 0): the previous window's text as context
    # (12.0 % -> 10.0 % WER on the long benchmark clip); loops it might seed are cut by the
    # guards, and faster-whisper drops the context after a high-temperature fallback
    condition_on_previous_text: bool = True


class WhisperLocal:
    """A CTranslate2 Whisper model in a local folder (bundled base, tiny.en, or any other).

    The model loads on first use; ``transcribe`` runs VAD, decoding with word timestamps,
    then the hallucination guards.
    """

    name: ClassVar[str] = "whisper-local"
    version: ClassVar[str] = "1"

    def __init__(
        self,
        model_dir: Path | Callable[[], Path],
        model_name: str,
        options: WhisperOptions | None = None,
        english_only: bool = False,
    ) -> None:
        self._dir = model_dir
        self._name = model_name
        self.options = options or WhisperOptions()
        self.english_only = english_only
        self._model: Any = None
        self.load_seconds: float | None = None

    @classmethod
    def base(cls, settings: AsrSettings) -> WhisperLocal:
        """The default: bundled Whisper base (multilingual), or ``[asr] model_dir``."""
        opts = _options(settings)
        if settings.model_dir:
            folder = Path(settings.model_dir).expanduser()
            return cls(folder, f"whisper-{folder.name}-{opts.compute_type}", opts)
        cache = Path(settings.cache_dir).expanduser() if settings.cache_dir else None
        return cls(lambda: whisper_base_dir(cache), f"whisper-base-{opts.compute_type}", opts)

    @classmethod
    def tiny(cls, settings: AsrSettings) -> WhisperLocal:
        """The fast option: bundled Whisper tiny.en (English only)."""
        opts = _options(settings)
        return cls(whisper_tiny_en_dir, f"whisper-tiny.en-{opts.compute_type}", opts, True)

    @property
    def model(self) -> str:
        """The model's name as stored with transcripts."""
        return self._name

    @property
    def continues_text(self) -> bool:
        """Whether the prompt is read as the previous text: in sequential decoding with
        ``condition_on_previous_text`` (the batched pipeline gives each chunk the prompt)."""
        return self.options.batch_size == 0 and self.options.condition_on_previous_text

    def load(self) -> Any:
        """Load the model (once) from its folder, never from a hub."""
        if self._model is None:
            from faster_whisper import WhisperModel

            folder = self._dir if isinstance(self._dir, Path) else self._dir()
            if not (folder / "model.bin").is_file():
                raise AsrError(f"{folder}: no CTranslate2 model.bin here", permanent=True)
            started = time.perf_counter()
            self._model = WhisperModel(
                str(folder),
                device=self.options.device,
                compute_type=self.options.compute_type,
                cpu_threads=self.options.threads,
                local_files_only=True,
            )
            self.load_seconds = time.perf_counter() - started
        return self._model

    def transcribe(
        self, audio: Audio, language: str | None = None, prompt: str | None = None
    ) -> AsrResult:
        """Transcribe 16 kHz mono audio; ``prompt`` (show and episode titles) is Whisper's
        initial prompt. An English-only model refuses other languages."""
        if self.english_only and language not in (None, "en"):
            raise AsrError(
                f"{self._name} is English-only; the episode is in '{language}'", permanent=True
            )
        model = self.load()
        decode: dict[str, Any] = {
            "beam_size": self.options.beam_size,
            "vad_filter": self.options.vad,
            "word_timestamps": True,
            "condition_on_previous_text": self.options.condition_on_previous_text,
            "no_speech_threshold": NO_SPEECH_PROB,
            "log_prob_threshold": LOW_LOGPROB,
            "compression_ratio_threshold": MAX_COMPRESSION,
            "initial_prompt": prompt,
        }
        language = "en" if self.english_only else language
        if self.options.batch_size > 0:
            from faster_whisper import BatchedInferencePipeline

            pipeline = BatchedInferencePipeline(model)
            segments, info = pipeline.transcribe(
                audio, language=language, batch_size=self.options.batch_size, **decode
            )
        else:
            segments, info = model.transcribe(audio, language=language, **decode)
        raw: Sequence[AsrSegment] = [_segment(s) for s in segments]  # decoding happens here
        if self.options.batch_size > 0:
            # the batched pipeline decodes at temperature 0 only: a chunk that loops loses
            # all its speech; the sequential decoder, with its temperature fallback, retries
            def again(start: float, end: float) -> list[AsrSegment]:
                piece = audio[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)]
                found, _ = model.transcribe(piece, language=info.language, **decode)
                return [_segment(s, start) for s in found]

            raw, _ = redecode_loops(raw, float(info.duration), again)
        kept, report = apply_guards(raw)
        return AsrResult(
            kept, info.language, float(info.duration), self._name, dropped=report.dropped
        )


def _options(settings: AsrSettings) -> WhisperOptions:
    return WhisperOptions(
        compute_type=settings.compute_type,
        beam_size=max(1, settings.beam_size),
        batch_size=max(0, settings.batch_size),
        vad=settings.vad,
        threads=settings.threads,
    )


def _segment(s: Any, offset: float = 0.0) -> AsrSegment:
    """A faster-whisper segment, ``offset`` seconds later."""
    return AsrSegment(
        float(s.start) + offset,
        float(s.end) + offset,
        s.text.strip(),
        _words(s.words or (), offset),
        float(s.no_speech_prob),
        float(s.avg_logprob),
        float(s.compression_ratio),
    )


def _words(words: Iterable[Any], offset: float = 0.0) -> tuple[Word, ...]:
    return tuple(
        Word(float(w.start) + offset, float(w.end) + offset, w.word.strip(), float(w.probability))
        for w in words
    )
