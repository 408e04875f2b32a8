"""Audio in: the enclosure downloaded (streamed, capped, resumable) and decoded with PyAV.

PyAV's wheel bundles FFmpeg, so no system ffmpeg is needed. Audio becomes 16 kHz mono
float32, the input every transcriber takes.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from podsift.asr import SAMPLE_RATE, AsrError

if TYPE_CHECKING:
    from podsift.asr import Audio

_CHUNK = 1 << 16
_NOT_AUDIO = ("text/html", "application/xhtml", "text/xml", "application/json", "text/plain")


@dataclass(frozen=True, slots=True)
class DownloadLimits:
    """How much audio a download may bring, and for how long."""

    max_bytes: int = 600_000_000
    timeout: float = 1_800.0


def audio_path(folder: Path, url: str) -> Path:
    """Where the audio of ``url`` is downloaded: a stable name, so a retry resumes it.

    >>> audio_path(Path("/a"), "https://x/ep.mp3?t=1").name
    'eee9e858f32ddc3e.mp3'
    """
    suffix = Path(httpx.URL(url).path).suffix.lower()
    suffix = suffix if 1 < len(suffix) <= 5 and suffix[1:].isalnum() else ".audio"
    return folder / (hashlib.sha256(url.encode()).hexdigest()[:16] + suffix)


def download_audio(
    client: httpx.Client, url: str, dest: Path, limits: DownloadLimits, *, clock: Any = None
) -> Path:
    """Stream ``url`` into ``dest``, resuming a partial ``dest.part`` with a Range request.

    Raises:
        AsrError: HTTP error, an HTML (or other non-audio) body, too large, too slow.
    """
    clock = clock or time.monotonic
    if dest.is_file():
        return dest
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    deadline = clock() + limits.timeout
    try:
        with client.stream("GET", url, headers=headers) as resp:
            if resp.status_code == 416 and have:  # the part is already whole
                part.replace(dest)
                return dest
            _check_response(resp, url, limits.max_bytes)
            resumed = resp.status_code == 206
            total = have if resumed else 0
            with open(part, "ab" if resumed else "wb") as out:
                for chunk in resp.iter_bytes(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_bytes:
                        raise AsrError(
                            f"{url}: audio larger than {limits.max_bytes} bytes", permanent=True
                        )
                    if clock() > deadline:
                        raise AsrError(f"{url}: download took over {limits.timeout:.0f} s")
                    out.write(chunk)
    except httpx.HTTPError as e:
        raise AsrError(f"{url}: download failed ({type(e).__name__}: {e})") from e
    part.replace(dest)
    return dest


def _check_response(resp: httpx.Response, url: str, max_bytes: int) -> None:
    if resp.status_code in (404, 410):
        raise AsrError(f"{url}: audio not found (HTTP {resp.status_code})")
    if resp.status_code >= 400:
        raise AsrError(f"{url}: HTTP {resp.status_code}")
    declared = int(resp.headers.get("content-length") or 0)
    if resp.status_code == 200 and declared > max_bytes:
        raise AsrError(f"{url}: audio of {declared} bytes is over the size limit", permanent=True)
    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype.startswith(_NOT_AUDIO):
        raise AsrError(f"{url}: not audio (content-type {ctype})")


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
