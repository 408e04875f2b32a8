"""Audio in: the enclosure downloaded (:func:`podsift.net.download_file`), decoded with PyAV.

PyAV's wheel bundles FFmpeg, so no system ffmpeg is needed. Audio becomes 16 kHz mono
float32, the input every transcriber takes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from podsift.asr.base import SAMPLE_RATE, AsrError
from podsift.net import DownloadError, DownloadLimits, download_file

if TYPE_CHECKING:
    import numpy.typing as npt

    from podsift.asr.base import Audio

    Samples = npt.NDArray[Any]  # 16 kHz mono samples of any type

_NOT_AUDIO = ("text/html", "application/xhtml", "text/xml", "application/json", "text/plain")
QUIET_SAMPLES = SAMPLE_RATE // 10  # a window ends in the middle of the quietest tenth of a second
SEARCH_SAMPLES = 20 * SAMPLE_RATE  # ... of its last 20 s


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
    """Decode any audio PyAV reads into 16 kHz mono float32, at most ``max_seconds`` long,
    as one array (:func:`decode_windows` holds one window at a time).

    Raises:
        AsrError: as :func:`decode_windows`.
    """
    ((_, audio),) = decode_windows(source, 0.0, max_seconds)
    return audio


def decode_windows(
    source: Path | bytes, window_seconds: float = 0.0, max_seconds: float | None = None
) -> Generator[tuple[float, Audio]]:
    """Decode audio into 16 kHz mono float32 windows of at most ``window_seconds`` (0: the
    whole file in one), each ending in the quietest tenth of a second of its last 20 s, so
    that no word is cut; yield each with its offset in seconds. Memory holds about a
    window, never the whole file (unless ``window_seconds`` is 0).

    Audio longer than ``max_seconds`` is refused before the first window when its packets
    say so (demuxed, not decoded), else as soon as the decoding passes the limit.

    Raises:
        AsrError: not audio, no audio stream, nothing decodable, or longer than
            ``max_seconds`` (permanent: a longer limit is a setting).
    """
    import av

    name = str(source) if isinstance(source, Path) else "audio"
    too_long = f"{name}: audio longer than the {max_seconds or 0:.0f} s limit"
    if max_seconds and (_stream_seconds(source) or 0.0) > max_seconds:
        raise AsrError(too_long, permanent=True)
    size = round(window_seconds * SAMPLE_RATE) if window_seconds > 0 else 0
    cap = round(max_seconds * SAMPLE_RATE) if max_seconds else None
    decoded = False
    try:
        with av.open(_input(source), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AsrError(f"{name}: no audio stream", permanent=True)
            samples = _capped(_samples(container), cap, too_long)
            for offset, window in cut_windows(samples, size, min(SEARCH_SAMPLES, size // 2)):
                decoded = True
                yield offset / SAMPLE_RATE, window
    except av.error.FFmpegError as e:
        raise AsrError(f"{name}: cannot decode audio ({e})", permanent=True) from e
    if not decoded:
        raise AsrError(f"{name}: no decodable audio", permanent=True)


def cut_windows(
    chunks: Iterable[Samples], size: int, search: int, block: int = QUIET_SAMPLES
) -> Iterator[tuple[int, Samples]]:
    """Join ``chunks`` of samples into windows of at most ``size`` samples (0: one window of
    everything), each cut by :func:`quietest_cut` in its last ``search`` samples; yield
    ``(offset, window)``. The windows put together are the chunks put together.

    >>> import numpy as np
    >>> chunks = [np.array([5, 5, 0, 5]), np.array([5, 0, 5, 5, 5])]
    >>> [(o, w.tolist()) for o, w in cut_windows(chunks, 4, 4, block=2)]
    [(0, [5, 5, 0]), (3, [5, 5, 0]), (6, [5, 5, 5])]
    """
    import numpy as np

    held: list[Samples] = []
    count = offset = 0
    for chunk in chunks:
        held.append(chunk)
        count += chunk.size
        while size and count >= size:
            joined = np.concatenate(held)
            cut = quietest_cut(joined[:size], search, block)
            yield offset, joined[:cut]
            offset += cut
            # a copy, so that the rest does not keep the window's buffer alive
            held, count = [joined[cut:].copy()], joined.size - cut
    if count:
        yield offset, np.concatenate(held)


def quietest_cut(samples: Samples, search: int, block: int = QUIET_SAMPLES) -> int:
    """Where to end a window: the middle of the quietest ``block`` samples among the last
    ``search`` (blocks counted back from the end; the latest of equally quiet ones).

    >>> import numpy as np
    >>> quietest_cut(np.array([0, 0, 5, 5, 0, 0, 5, 5]), search=8, block=2)
    5
    >>> quietest_cut(np.array([3, 3, 3]), search=8, block=4)
    3
    """
    tail = samples[max(0, len(samples) - search) :]
    blocks = len(tail) // block
    if blocks == 0:
        return len(samples)
    start = len(samples) - blocks * block
    energy = (samples[start:].astype("float64") ** 2).reshape(blocks, block).sum(axis=1)
    latest = blocks - 1 - int(energy[::-1].argmin())
    return start + latest * block + block // 2


def _stream_seconds(source: Path | bytes) -> float | None:
    """The audio stream's length from its packets' durations: cheap (nothing is decoded);
    ``None`` when unknown, and the decoding then finds out."""
    import av

    try:
        with av.open(_input(source), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                return None
            stream = container.streams.audio[0]
            total = 0
            for packet in container.demux(stream):
                if packet.size and packet.duration is None:
                    return None
                total += packet.duration or 0
            return float(total * stream.time_base) if stream.time_base else None
    except av.error.FFmpegError:
        return None


def _capped(chunks: Iterable[Audio], cap: int | None, too_long: str) -> Iterator[Audio]:
    count = 0
    for chunk in chunks:
        count += chunk.size
        if cap is not None and count > cap:
            raise AsrError(too_long, permanent=True)
        yield chunk


def _samples(container: Any) -> Iterator[Audio]:
    import av
    import numpy as np

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    for frame in _resampled(container, resampler):
        samples = frame.to_ndarray().reshape(-1).astype(np.float32)
        samples /= 32768.0
        yield samples


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
