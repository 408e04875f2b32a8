"""The transcriber Protocol, its registry, and the error and audio shape every provider shares.

Providers are looked up by name in ``transcribers``: ``whisper-local`` (Whisper base, int8,
VAD) is the default, ``whisper-tiny`` (tiny.en) the fast option; a larger local CTranslate2
model is ``whisper-local`` with ``[asr] model_dir`` set, and an API backend is another provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from podsift.asr.records import AsrResult
from podsift.exceptions import PodsiftError
from podsift.plugins import Registry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from podsift.config import AsrSettings

    Audio = npt.NDArray[np.float32]

SAMPLE_RATE = 16_000


class AsrError(PodsiftError):
    """Audio could not be fetched, decoded or transcribed.

    ``permanent`` errors (too long, not audio) are not retried by later runs.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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


@runtime_checkable
class ContinuingTranscriber(Protocol):
    """A transcriber that can read its ``prompt`` as the words said just before the audio,
    so that an episode transcribed in windows keeps its thread across them."""

    @property
    def continues_text(self) -> bool:
        """Whether the previous window's last words should lead the next one's prompt."""
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
