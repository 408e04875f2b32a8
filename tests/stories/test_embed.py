"""The embedding side of the stories stage: the real MiniLM model and the vector cache."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import numpy.typing as npt
import pytest

from podsift.exceptions import PodsiftError, UnknownProviderError
from podsift.models import text_hash
from podsift.stories import (
    MODEL_SHA256,
    TOKENIZER_SHA256,
    CachedEmbedder,
    EmbeddingModelError,
    MemoryVectorCache,
    create_embedder,
    embedders,
)
from podsift.stories.embed import TOKENIZER_PATH, MiniLMEmbedder

META = (
    "Meta reported record quarterly revenue, driven by strong advertising growth.",
    "Facebook's parent company posted its best quarter ever thanks to booming ad sales.",
)
FED = (
    "The Federal Reserve kept interest rates unchanged at its latest meeting.",
    "The Fed decided to hold rates steady this week.",
)


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    """One real model for the module (loading costs about 0.4 s)."""
    return MiniLMEmbedder()


class CountingEmbedder:
    """A fake embedder that records every text it is asked to embed."""

    name: ClassVar[str] = "counting"
    dim: int = 4

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        rows = [[len(t), 1.0, float(t.count("a")), 0.5] for t in texts]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        unit: npt.NDArray[np.float32] = out / np.linalg.norm(out, axis=1, keepdims=True)
        return unit


def test_paraphrases_score_far_above_unrelated(minilm: MiniLMEmbedder) -> None:
    v = minilm.embed([*META, *FED])
    paraphrase = min(float(v[0] @ v[1]), float(v[2] @ v[3]))
    unrelated = max(float(v[i] @ v[j]) for i in (0, 1) for j in (2, 3))
    assert paraphrase > unrelated + 0.3


def test_rows_are_float32_unit_length(minilm: MiniLMEmbedder) -> None:
    v = minilm.embed(["short", "a somewhat longer sentence about podcasts and their guests"])
    assert v.dtype == np.float32
    assert v.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_output_is_deterministic(minilm: MiniLMEmbedder) -> None:
    texts = [*META, *FED]
    np.testing.assert_array_equal(minilm.embed(texts), minilm.embed(texts))


def test_rows_follow_input_order_despite_length_sorting() -> None:
    small = MiniLMEmbedder(batch_size=2)
    texts = ["a very long sentence " * 8, "tiny", "medium length words here", "x"]
    together = small.embed(texts)
    for row, text in enumerate(texts):
        np.testing.assert_allclose(together[row], small.embed([text])[0], atol=1e-5)


def test_empty_input_gives_empty_matrix(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed([]).shape == (0, 384)
    assert minilm.embed([]).dtype == np.float32


def test_long_text_is_truncated_not_rejected(minilm: MiniLMEmbedder) -> None:
    assert minilm.embed(["word " * 1000]).shape == (1, 384)


def test_registry_builds_the_default_lazily() -> None:
    assert "minilm-l6-int8" in embedders.names()
    embedder = create_embedder()
    assert embedder.name == "minilm-l6-int8"
    assert embedder.dim == 384
    with pytest.raises(UnknownProviderError):
        create_embedder("nope")


def test_vendored_tokenizer_matches_its_notice() -> None:
    assert hashlib.sha256(TOKENIZER_PATH.read_bytes()).hexdigest() == TOKENIZER_SHA256
    notice = (TOKENIZER_PATH.parent / "NOTICE.md").read_text(encoding="utf-8")
    assert TOKENIZER_SHA256 in notice
    assert MODEL_SHA256 in notice


def test_altered_model_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not a model")
    with pytest.raises(EmbeddingModelError, match="sha256") as info:
        MiniLMEmbedder(model_path=fake).embed(["hello"])
    assert isinstance(info.value, PodsiftError)


def test_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingModelError, match="not found"):
        MiniLMEmbedder(model_path=tmp_path / "absent.onnx").embed(["hello"])


def test_cache_hit_avoids_re_embedding() -> None:
    inner = CountingEmbedder()
    cache = MemoryVectorCache()
    cached = CachedEmbedder(inner, cache)
    first = cached.embed(["alpha", "beta", "alpha"])
    assert inner.calls == [["alpha", "beta"]]
    second = cached.embed(["beta", "gamma", "alpha"])
    assert inner.calls[-1] == ["gamma"]
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[2], first[0])
    cached.embed(["gamma", "alpha"])
    assert len(inner.calls) == 2
    assert len(cache) == 3


def test_cache_is_keyed_by_model_and_text_hash() -> None:
    cache = MemoryVectorCache()
    CachedEmbedder(CountingEmbedder(), cache).embed(["alpha"])
    assert set(cache.get_many("counting", [text_hash("alpha"), text_hash("beta")])) == {
        text_hash("alpha")
    }
    assert cache.get_many("other-model", [text_hash("alpha")]) == {}


def test_cached_embedder_keeps_name_dim_and_empty_shape() -> None:
    cached = CachedEmbedder(CountingEmbedder(), MemoryVectorCache())
    assert cached.name == "counting"
    assert cached.embed([]).shape == (0, 4)


def test_cached_real_model_matches_uncached(minilm: MiniLMEmbedder) -> None:
    cached = CachedEmbedder(minilm, MemoryVectorCache())
    texts = [*META, *FED]
    np.testing.assert_allclose(cached.embed(texts), minilm.embed(texts), atol=1e-6)
    np.testing.assert_allclose(cached.embed(texts[::-1]), minilm.embed(texts)[::-1], atol=1e-6)
