"""Write an MPNet encoder (all-mpnet-base-v2) as an ONNX graph from its safetensors weights.

No torch: the weights are read with numpy (:func:`read_safetensors`) and the graph is built
node by node with the ``onnx`` package (the ``models`` extra), once, by
``podsift models fetch``. The graph takes ``input_ids`` and ``attention_mask`` and returns
the token vectors (``last_hidden_state``); mean pooling is podsift's, as for every embedder.

The encoder, as published with the model (MPNet, Song et al. 2020):

- embeddings: word + position (positions count the real tokens from ``padding id + 1``),
  then LayerNorm;
- a relative-position bias per head, shared by all layers: the distance between two tokens
  falls in one of 32 buckets (16 per direction; exact up to 8, logarithmic up to 128), each
  with a learnt bias added to the attention scores;
- per layer: self-attention (q, k, v, o), residual + LayerNorm, a GELU feed-forward,
  residual + LayerNorm.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}
#: The ONNX operator set the graph is written for (LayerNormalization needs 17).
OPSET = 17


def read_safetensors(path: Path) -> dict[str, Array]:
    """The tensors of a ``.safetensors`` file (an 8-byte header size, a JSON header, data).

    Raises:
        ValueError: a header that does not describe the file.
    """
    with path.open("rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None or end > len(data):
            raise ValueError(f"{path.name}: cannot read tensor {name} ({info['dtype']})")
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def relative_buckets(length: int, buckets: int = 32, max_distance: int = 128) -> Array:
    """The bucket of each (query, key) distance for ``length`` tokens, as MPNet learnt them.

    >>> relative_buckets(4)[0].tolist()  # query 0 against keys 0..3: keys to the right
    [0, 17, 18, 19]
    """
    position = np.arange(length)
    n = -(position[None, :] - position[:, None])  # query minus key
    half = buckets // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    with np.errstate(divide="ignore"):
        scaled = np.log(np.maximum(n, 1) / exact) / math.log(max_distance / exact)
    large = np.minimum(exact + (scaled * (half - exact)).astype(np.int64), half - 1)
    buckets_of: Array = out + np.where(n < exact, n, large)
    return buckets_of


def build_graph(config: dict[str, Any], weights: dict[str, Array]) -> Any:
    """The ONNX model of the encoder with ``config`` (a ``config.json``) and ``weights``."""
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    head_dim, eps = hidden // heads, float(config.get("layer_norm_eps", 1e-5))
    pad = int(config.get("pad_token_id", 1))
    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, value: Array) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: list[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [name], name=name, **attrs))
        return name

    def linear(x: str, prefix: str, out: str) -> str:
        w = const(f"{prefix}.wT", weights[f"{prefix}.weight"].astype(np.float32).T)
        b = const(f"{prefix}.b", weights[f"{prefix}.bias"].astype(np.float32))
        return op("Add", [op("MatMul", [x, w], f"{out}.mm"), b], out)

    def norm(x: str, prefix: str, out: str) -> str:
        scale = const(f"{prefix}.g", weights[f"{prefix}.weight"].astype(np.float32))
        bias = const(f"{prefix}.beta", weights[f"{prefix}.bias"].astype(np.float32))
        return op("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=eps)

    # embeddings: positions are pad + 1, pad + 2, ... over the real tokens
    counted = op("CumSum", ["attention_mask", const("axis1", np.array(1, np.int64))], "cum")
    real = op("Mul", [counted, "attention_mask"], "cum.real")
    positions = op("Add", [real, const("pad", np.array(pad, np.int64))], "positions")
    words = const("word_embeddings", weights["embeddings.word_embeddings.weight"])
    places = const("position_embeddings", weights["embeddings.position_embeddings.weight"])
    summed = op(
        "Add",
        [
            op("Gather", [words, "input_ids"], "emb.word"),
            op("Gather", [places, positions], "emb.pos"),
        ],
        "emb.sum",
    )
    x = norm(summed, "embeddings.LayerNorm", "emb")

    # the relative-position bias of every head for the longest input, cut to this one
    longest = int(weights["embeddings.position_embeddings.weight"].shape[0])
    buckets = relative_buckets(longest, int(config.get("relative_attention_num_buckets", 32)))
    table = weights["encoder.relative_attention_bias.weight"][buckets]
    bias_all = const("position_bias", table.transpose(2, 0, 1)[None].astype(np.float32))
    length = op(
        "Gather",
        [op("Shape", ["input_ids"], "shape"), const("one", np.array([1], np.int64))],
        "len",
    )
    ends = op("Concat", [length, length], "ends", axis=0)
    starts, axes = const("zeros2", np.zeros(2, np.int64)), const("axes23", np.array([2, 3]))
    bias = op("Slice", [bias_all, starts, ends, axes], "bias")
    # padding keys: a large negative score
    keep = op("Cast", ["attention_mask"], "mask.f", to=TensorProto.FLOAT)
    dropped = op("Sub", [const("onef", np.array(1.0, np.float32)), keep], "mask.drop")
    big = const("big", np.array(np.finfo(np.float32).min, np.float32))
    masked = op("Mul", [dropped, big], "mask.big")
    mask = op("Unsqueeze", [masked, const("axes12", np.array([1, 2], np.int64))], "mask")
    split = const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    joined = const("join_shape", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.array(1 / math.sqrt(head_dim), np.float32))
    half, root2 = (
        const("half", np.array(0.5, np.float32)),
        const("root2", np.array(math.sqrt(2), np.float32)),
    )

    def heads_of(t: str, perm: list[int], out: str) -> str:
        return op("Transpose", [op("Reshape", [t, split], f"{out}.r")], out, perm=perm)

    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        q = heads_of(linear(x, f"{p}.attention.attn.q", f"l{i}.q"), [0, 2, 1, 3], f"l{i}.qh")
        k = heads_of(linear(x, f"{p}.attention.attn.k", f"l{i}.k"), [0, 2, 3, 1], f"l{i}.kh")
        v = heads_of(linear(x, f"{p}.attention.attn.v", f"l{i}.v"), [0, 2, 1, 3], f"l{i}.vh")
        scores = op("Mul", [op("MatMul", [q, k], f"l{i}.qk"), scale], f"l{i}.scaled")
        scores = op("Add", [op("Add", [scores, bias], f"l{i}.biased"), mask], f"l{i}.scores")
        probs = op("Softmax", [scores], f"l{i}.probs", axis=-1)
        context = op(
            "Transpose", [op("MatMul", [probs, v], f"l{i}.ctx")], f"l{i}.ctxt", perm=[0, 2, 1, 3]
        )
        context = op("Reshape", [context, joined], f"l{i}.ctxj")
        attended = linear(context, f"{p}.attention.attn.o", f"l{i}.o")
        x1 = norm(op("Add", [attended, x], f"l{i}.res1"), f"{p}.attention.LayerNorm", f"l{i}.n1")
        inner = linear(x1, f"{p}.intermediate.dense", f"l{i}.ff1")
        erf = op("Erf", [op("Div", [inner, root2], f"l{i}.ff1s")], f"l{i}.erf")
        gated = op("Add", [erf, const(f"l{i}.onef", np.array(1.0, np.float32))], f"l{i}.erf1")
        gelu = op("Mul", [op("Mul", [inner, half], f"l{i}.halfx"), gated], f"l{i}.gelu")
        outer = linear(gelu, f"{p}.output.dense", f"l{i}.ff2")
        x = norm(op("Add", [outer, x1], f"l{i}.res2"), f"{p}.output.LayerNorm", f"l{i}.n2")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="out"))

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"])
    attn = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])
    out = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", hidden]
    )
    graph = helper.make_graph(nodes, "mpnet", [ids, attn], [out], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def export_mpnet(model_dir: Path, out: Path) -> None:
    """Write ``model_dir``'s encoder (``config.json``, ``model.safetensors``) to ``out``."""
    import onnx

    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    model = build_graph(config, read_safetensors(model_dir / "model.safetensors"))
    onnx.save_model(model, str(out))
