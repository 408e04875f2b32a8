"""Audio in: streamed, capped, resumable downloads from a loopback server; PyAV decoding."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from podsift.asr import SAMPLE_RATE, AsrError
from podsift.asr import audio as audio_module
from podsift.asr.audio import (
    QUIET_SAMPLES,
    audio_path,
    cut_windows,
    decode_audio,
    decode_windows,
    download_audio,
    quietest_cut,
)
from podsift.config import FeedSettings, Settings
from podsift.net import DownloadLimits, make_client

AUDIO = Path(__file__).parents[1] / "data" / "audio"


def loopback_settings() -> Settings:
    return Settings(feeds=FeedSettings(allow_networks="127.0.0.0/8"))


def to_mp3(samples: np.ndarray) -> bytes:
    """Encode 16 kHz mono float audio as MP3 with PyAV's bundled FFmpeg."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            (samples * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
        )
        frame.rate = SAMPLE_RATE
        resampler = av.AudioResampler(
            format="s16p", layout="mono", rate=SAMPLE_RATE, frame_size=1152
        )
        for f in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(f):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def ranged(body: bytes, seen: list[str | None]):  # type: ignore[no-untyped-def]
    """A handler that honours ``Range: bytes=N-`` like a real CDN."""

    def handle(request: Request) -> Response:
        rng = request.headers.get("Range")
        seen.append(rng)
        if rng and rng.startswith("bytes="):
            start = int(rng[len("bytes=") :].split("-")[0])
            return Response(
                body[start:],
                status=206,
                content_type="audio/mpeg",
                headers={"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"},
            )
        return Response(body, content_type="audio/mpeg")

    return handle


def test_decode_reads_flac_wav_and_aiff_at_16k_mono() -> None:
    jfk = decode_audio(AUDIO / "jfk.flac")
    assert jfk.dtype == np.float32 and jfk.ndim == 1
    assert len(jfk) / SAMPLE_RATE == pytest.approx(11.0, abs=0.05)
    assert len(decode_audio(AUDIO / "english.wav")) / SAMPLE_RATE == pytest.approx(2.74, abs=0.05)
    assert len(decode_audio(AUDIO / "french.aiff")) / SAMPLE_RATE == pytest.approx(2.53, abs=0.05)


def test_decode_keeps_what_a_truncated_mp3_holds() -> None:
    mp3 = to_mp3(decode_audio(AUDIO / "jfk.flac"))
    half = decode_audio(mp3[: len(mp3) // 2])
    assert 4.0 < len(half) / SAMPLE_RATE < 7.0


def test_decode_refuses_html_and_overlong_audio() -> None:
    with pytest.raises(AsrError, match=r"cannot decode|no audio"):
        decode_audio(b"<!doctype html><html><body>Episode page</body></html>")
    with pytest.raises(AsrError, match="longer than the 5 s limit") as e:
        decode_audio(AUDIO / "jfk.flac", max_seconds=5)
    assert e.value.permanent


def test_download_streams_the_enclosure(httpserver: HTTPServer, tmp_path: Path) -> None:
    body = (AUDIO / "jfk.flac").read_bytes()
    httpserver.expect_request("/ep.flac").respond_with_data(body, content_type="audio/flac")
    url = httpserver.url_for("/ep.flac")
    with make_client(loopback_settings()) as client:
        path = download_audio(client, url, audio_path(tmp_path, url), DownloadLimits())
    assert path.read_bytes() == body
    assert path.suffix == ".flac"


def test_download_resumes_a_partial_file_with_range(httpserver: HTTPServer, tmp_path: Path) -> None:
    body = (AUDIO / "jfk.flac").read_bytes()
    seen: list[str | None] = []
    httpserver.expect_request("/ep.flac").respond_with_handler(ranged(body, seen))
    url = httpserver.url_for("/ep.flac")
    dest = audio_path(tmp_path, url)
    dest.with_name(dest.name + ".part").write_bytes(body[:400_000])
    with make_client(loopback_settings()) as client:
        download_audio(client, url, dest, DownloadLimits())
    assert seen == ["bytes=400000-"]
    assert dest.read_bytes() == body
    assert not dest.with_name(dest.name + ".part").exists()


@pytest.mark.parametrize(
    ("status", "body", "ctype", "limits", "message", "permanent"),
    [
        (404, b"not here", "text/plain", DownloadLimits(), "not found \\(HTTP 404\\)", False),
        (200, b"<html>an episode page</html>", "text/html", DownloadLimits(), "not audio", False),
        (200, b"x" * 5000, "audio/mpeg", DownloadLimits(max_bytes=1000), "over the size", True),
        (500, b"oops", "text/plain", DownloadLimits(), "HTTP 500", False),
    ],
)
def test_download_records_why_it_failed(
    httpserver: HTTPServer,
    tmp_path: Path,
    status: int,
    body: bytes,
    ctype: str,
    limits: DownloadLimits,
    message: str,
    permanent: bool,
) -> None:
    httpserver.expect_request("/ep.mp3").respond_with_data(body, status, content_type=ctype)
    url = httpserver.url_for("/ep.mp3")
    with make_client(loopback_settings()) as client, pytest.raises(AsrError, match=message) as e:
        download_audio(client, url, audio_path(tmp_path, url), limits)
    assert e.value.permanent is permanent


def test_download_caps_a_body_without_content_length(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    def chunked(_request: Request) -> Response:
        return Response(iter([b"y" * 4096] * 4), content_type="audio/mpeg")  # no length

    httpserver.expect_request("/big.mp3").respond_with_handler(chunked)
    url = httpserver.url_for("/big.mp3")
    with make_client(loopback_settings()) as client, pytest.raises(AsrError, match="larger"):
        download_audio(client, url, audio_path(tmp_path, url), DownloadLimits(max_bytes=10_000))


def test_download_refuses_private_addresses_unless_allowed(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/ep.mp3"
    with make_client(Settings()) as client, pytest.raises(AsrError, match="download failed"):
        download_audio(client, url, audio_path(tmp_path, url), DownloadLimits())


def test_download_refuses_a_redirect_to_a_private_address(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/ep.mp3").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/ep.mp3"}
    )
    url = httpserver.url_for("/ep.mp3")
    with (
        make_client(loopback_settings()) as client,
        pytest.raises(AsrError, match=r"download failed .*cloud metadata address") as e,
    ):
        download_audio(client, url, audio_path(tmp_path, url), DownloadLimits())
    assert not e.value.permanent
    assert len(httpserver.log) == 1


# -- windows: the audio decoded a window at a time, cut where it is quietest -------------


def speech_with_gaps(seconds: float, gaps: list[float], seed: int = 7) -> np.ndarray:
    """Loud noise standing in for speech, with a 0.2 s near-silence at each of ``gaps``."""
    rng = np.random.default_rng(seed)
    audio = rng.normal(0.0, 0.3, int(seconds * SAMPLE_RATE)).astype(np.float32)
    for at in gaps:
        start = int(at * SAMPLE_RATE)
        audio[start : start + SAMPLE_RATE // 5] *= 0.001
    return audio


def frames_of(audio: np.ndarray, size: int = 1152) -> list[np.ndarray]:
    return [audio[i : i + size] for i in range(0, len(audio), size)]


def test_windows_end_in_the_quiet_and_lose_no_sample() -> None:
    gaps = [9.0 * k for k in range(1, 7)]
    audio = speech_with_gaps(60.0, gaps)
    size, search = 10 * SAMPLE_RATE, 2 * SAMPLE_RATE
    windows = list(cut_windows(frames_of(audio), size, search))
    assert np.array_equal(np.concatenate([w for _, w in windows]), audio)
    offsets = [o for o, _ in windows]
    assert offsets == [0, *np.cumsum([len(w) for _, w in windows[:-1]])]
    assert all(len(w) <= size for _, w in windows)
    cuts = [o / SAMPLE_RATE for o in offsets[1:]]
    assert len(cuts) == len(gaps)
    assert all(at <= cut <= at + 0.2 for at, cut in zip(gaps, cuts, strict=True))


def test_a_window_without_a_quiet_stretch_is_cut_at_its_quietest_block() -> None:
    ramp = np.linspace(1.0, 0.0, 4 * SAMPLE_RATE, dtype=np.float32)  # quieter to the end
    noise = np.random.default_rng(1).normal(0.0, 1.0, ramp.size).astype(np.float32) * ramp
    cut = quietest_cut(noise, search=SAMPLE_RATE)
    assert len(noise) - QUIET_SAMPLES <= cut <= len(noise)
    whole = list(cut_windows(frames_of(noise), 0, 0))
    assert len(whole) == 1 and np.array_equal(whole[0][1], noise)


def test_windows_hold_at_most_a_window_and_a_frame() -> None:
    audio = speech_with_gaps(45.0, [7.0, 14.5, 30.0])
    pulled = 0

    def frames() -> Iterator[np.ndarray]:
        nonlocal pulled
        for frame in frames_of(audio):
            pulled += frame.size
            yield frame

    size = 8 * SAMPLE_RATE
    for offset, window in cut_windows(frames(), size, 2 * SAMPLE_RATE):
        assert len(window) <= size
        assert pulled - offset < size + 1152  # decoded but not yet handed on


def test_decoding_in_windows_gives_the_whole_decode() -> None:
    for name, seconds in (("jfk.flac", 5.0), ("english.wav", 1.0)):
        whole = decode_audio(AUDIO / name)
        windows = list(decode_windows(AUDIO / name, seconds))
        assert len(windows) > 1
        assert all(0 < len(w) <= seconds * SAMPLE_RATE for _, w in windows)
        assert all(w.dtype == np.float32 for _, w in windows)
        assert np.array_equal(np.concatenate([w for _, w in windows]), whole)
        ends = np.cumsum([len(w) for _, w in windows]) / SAMPLE_RATE
        assert [o for o, _ in windows] == pytest.approx([0.0, *ends[:-1]])


def test_overlong_audio_is_refused_before_the_first_window(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    windows = decode_windows(AUDIO / "jfk.flac", 2.0, max_seconds=5)
    with pytest.raises(AsrError, match="longer than the 5 s limit") as e:
        next(windows)
    assert e.value.permanent
    # where the packets do not tell the length, the decoding stops at the limit
    monkeypatch.setattr(audio_module, "_stream_seconds", lambda source: None)
    seen: list[tuple[float, np.ndarray]] = []
    with pytest.raises(AsrError, match="longer than the 5 s limit"):
        seen.extend(decode_windows(AUDIO / "jfk.flac", 2.0, max_seconds=5))
    assert sum(len(w) for _, w in seen) <= 5 * SAMPLE_RATE
