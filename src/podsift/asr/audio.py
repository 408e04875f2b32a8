"""Audio in: the enclosure downloaded (:func:`podsift.net.download_file`), decoded with PyAV.

PyAV's wheel bundles FFmpeg, so no system ffmpeg is needed. Audio becomes 16 kHz mono
float32, the input every transcriber takes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from podsift.asr.base import SAMPLE_RATE, AsrError
from podsift.net import DownloadError, DownloadLimits, download_file

if TYPE_CHECKING:
    from podsift.asr.base import Audio

_NOT_AUDIO = ("text/html", "application/xhtml", "text/xml", "application/json", "text/plain")


def audio_path(folder: Path, url: str) -> Path:
    """Where the audio of ``url`` is downloaded: a stable name, so a retry resumes it.

    >>> audio_path(Path("/a"), "https://x/ep.mp3?t=1").name
    'eee9e858f32ddc3e.mp3'
    """
    suffix = Path(httpx.URL(url).path).suffix.lower()
    suffix = suffix if 1 < len(suffix) <= 5 and suffix[1:].isalnum() else ".audio"
    return folder / (hashlib.sha256(url.encode()).hexdigest()[:16] + suffix)


def download_audio(
    client: httpx.Client,
    url: str,
    dest: Path,
    limits: DownloadLimits,
    *,
    clock: Callable[[], float] | None = None,
) -> Path:
    """Stream ``url`` into ``dest``, resuming a partial ``dest.part`` with a Range request.

    Raises:
        AsrError: HTTP error, an HTML (or other non-audio) body, too large, too slow.
    """
    try:
        return download_file(
            client, url, dest, limits, what="audio", refuse_types=_NOT_AUDIO, clock=clock
        )
    except DownloadError as e:
        raise AsrError(str(e), permanent=e.permanent) from e


def decode_audio(source: Path | bytes, max_seconds: float | None = None) -> Audio:
    """Decode any audio PyAV reads into 16 kHz mono float32, at most ``max_seconds`` long.

    Raises:
        AsrError: not audio, no audio stream, nothing decodable, or longer than
            ``max_seconds`` (permanent: a longer limit is a setting).
    """
    import av
    import numpy as np

    name = str(source) if isinstance(source, Path) else "audio"
    cap = int(max_seconds * SAMPLE_RATE) if max_seconds else None
    chunks: list[Any] = []
    samples = 0
    try:
        with av.open(_input(source), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AsrError(f"{name}: no audio stream", permanent=True)
            resampler = av.audio.resampler.AudioResampler(
                format="s16", layout="mono", rate=SAMPLE_RATE
            )
            for frame in _resampled(container, resampler):
                array = frame.to_ndarray().reshape(-1)
                samples += array.size
                if cap is not None and samples > cap:
                    raise AsrError(
                        f"{name}: audio longer than the {max_seconds:.0f} s limit",
                        permanent=True,
                    )
                chunks.append(array)
    except av.error.FFmpegError as e:
        raise AsrError(f"{name}: cannot decode audio ({e})", permanent=True) from e
    if not chunks:
        raise AsrError(f"{name}: no decodable audio", permanent=True)
    return (np.concatenate(chunks).astype(np.float32) / 32768.0).astype(np.float32)


def _input(source: Path | bytes) -> Any:
    return str(source) if isinstance(source, Path) else io.BytesIO(source)


def _resampled(container: Any, resampler: Any) -> Iterator[Any]:
    import av

    def frames() -> Iterator[Any]:
        it = container.decode(audio=0)
        while True:
            try:
                frame = next(it)
            except StopIteration:
                return
            except av.error.InvalidDataError:
                continue  # a damaged frame (truncated or corrupt MP3): skip it
            frame.pts = None
            yield frame

    for frame in itertools.chain(frames(), [None]):
        yield from resampler.resample(frame)
