"""The bundled Whisper models on real clips (tests/data/audio, with references.json)."""

from __future__ import annotations

import json
import re
import wave
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from podsift.asr import SAMPLE_RATE, AsrError, transcribers
from podsift.asr.audio import decode_audio
from podsift.asr.whisper_local import WhisperLocal
from podsift.cli import cli
from podsift.config import AsrSettings

pytestmark = pytest.mark.asr
AUDIO = Path(__file__).parents[1] / "data" / "audio"
REFS = {c["file"]: c for c in json.loads((AUDIO / "references.json").read_text())["clips"]}


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


@pytest.fixture(scope="module")
def tiny() -> WhisperLocal:
    model = transcribers.create("whisper-tiny", AsrSettings())
    assert isinstance(model, WhisperLocal)
    return model


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> WhisperLocal:
    cache = tmp_path_factory.mktemp("whisper-base")
    model = transcribers.create("whisper-local", AsrSettings(cache_dir=str(cache)))
    assert isinstance(model, WhisperLocal)
    return model


def tone_bed(seconds: float) -> np.ndarray:
    """Music without words: a chord progression with a beat (synthetic)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6))
    beat = 0.5 + 0.5 * (np.sin(2 * np.pi * 2 * t) > 0)
    return (0.2 * chord * beat / 3).astype(np.float32)


def test_tiny_transcribes_jfk_with_word_times(tiny: WhisperLocal) -> None:
    result = tiny.transcribe(decode_audio(AUDIO / "jfk.flac"), "en")
    heard = " ".join(words(" ".join(s.text for s in result.segments)))
    for phrase in ("my fellow americans", "your country", "do for you"):
        assert phrase in heard
    assert result.model == "whisper-tiny.en-int8"
    assert result.duration == pytest.approx(11.0, abs=0.05)
    for s in result.segments:
        assert 0.0 <= s.start < s.end <= 11.05
        assert s.words and all(s.start - 0.05 <= w.start <= w.end <= s.end + 0.05 for w in s.words)
    starts = [w.start for s in result.segments for w in s.words]
    assert starts == sorted(starts)


def test_tiny_hears_digits(tiny: WhisperLocal) -> None:
    result = tiny.transcribe(decode_audio(AUDIO / "english.wav"), "en")
    heard = " ".join(words(" ".join(s.text for s in result.segments)))
    assert (
        heard.replace("1", "one").replace("2", "two").replace("3", "three")
        == REFS["english.wav"]["reference_text"]
    )


@pytest.mark.parametrize("batch_size", [0, 8])
def test_sequential_and_batched_decoding_agree_on_jfk(batch_size: int) -> None:
    model = transcribers.create("whisper-tiny", AsrSettings(batch_size=batch_size))
    assert isinstance(model, WhisperLocal) and model.options.batch_size == batch_size
    result = model.transcribe(decode_audio(AUDIO / "jfk.flac"), "en")
    heard = words(" ".join(s.text for s in result.segments))
    assert len(set(words(REFS["jfk.flac"]["reference_text"])) - set(heard)) <= 1
    assert all(s.words and s.start - 0.05 <= s.words[0].start < s.end for s in result.segments)


def test_tiny_refuses_a_non_english_episode(tiny: WhisperLocal) -> None:
    with pytest.raises(AsrError, match="English-only") as e:
        tiny.transcribe(decode_audio(AUDIO / "french.aiff"), "fr")
    assert e.value.permanent


def test_silence_and_music_give_no_text(tiny: WhisperLocal) -> None:
    silence = tiny.transcribe(np.zeros(20 * SAMPLE_RATE, dtype=np.float32), "en")
    music = tiny.transcribe(tone_bed(20.0), "en")
    assert silence.segments == () and music.segments == ()


def test_base_transcribes_jfk_and_detects_french(base: WhisperLocal) -> None:
    jfk = base.transcribe(decode_audio(AUDIO / "jfk.flac"))
    assert jfk.language == "en"
    heard = words(" ".join(s.text for s in jfk.segments))
    ref = words(REFS["jfk.flac"]["reference_text"])
    assert len(set(ref) - set(heard)) <= 1
    assert jfk.model == "whisper-base-int8"
    french = base.transcribe(decode_audio(AUDIO / "french.aiff"))
    assert french.language == "fr"
    assert "dictée" in " ".join(words(" ".join(s.text for s in french.segments)))


def test_base_model_is_joined_once_and_checked(tmp_path: Path) -> None:
    from podsift.asr.bundled import BASE_SHA256, whisper_base_dir

    folder = whisper_base_dir(tmp_path / "m")
    assert {p.name for p in folder.iterdir()} == {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.txt",
    }  # fmt: skip
    import hashlib

    assert hashlib.sha256((folder / "model.bin").read_bytes()).hexdigest() == BASE_SHA256


def test_cli_transcribe_prints_the_transcript_shape(tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"\0\0" * SAMPLE_RATE * 3)
    runner = CliRunner()
    target = str(AUDIO / "jfk.flac")
    res = runner.invoke(cli, ["transcribe", target, "--json", "--model", "whisper-tiny"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["source"] == target and data["format"] == "asr"
    assert set(data["segments"][0]) >= {"start", "end", "speaker", "text", "words"}
    empty = runner.invoke(cli, ["transcribe", str(silence), "--json", "--model", "whisper-tiny"])
    assert empty.exit_code == 0 and json.loads(empty.stdout)["segments"] == []


def test_cli_transcribe_names_a_bad_input(tmp_path: Path) -> None:
    page = tmp_path / "episode.mp3"
    page.write_text("<html><body>not audio</body></html>")
    from podsift.cli import main

    with pytest.raises(SystemExit) as e:
        main(["transcribe", str(page), "--model", "whisper-tiny"])
    assert e.value.code == 1
    with pytest.raises(SystemExit) as e:
        main(["transcribe"])
    assert e.value.code == 1
