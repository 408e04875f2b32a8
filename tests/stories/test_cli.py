"""`podsift cluster` on bad input, `podsift explain`, and the calibrated-threshold rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.stories import UncalibratedEmbedderError, threshold_for
from tests.cli.test_cli import run


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no statements"),
        (b"  \n\n \t\n", "no statements"),
        (b'{"id": "1", "text": "   "}\n', "'text' must be a non-empty string"),
        (b'{"id": "1", "text": "a"}\n{"id": "1", "text": "b"}\n', "duplicate id '1'"),
        (b"ok\n" + b"x" * 6000 + b"\n", "longer than the 5000 allowed"),
        (b"caf\xe9 au lait\n", "not UTF-8 text"),
    ],
)
def test_cluster_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "in.txt"
    path.write_bytes(content)
    code, out, err = run(["cluster", str(path), "--json"], capsys)
    assert code == 1
    assert out == ""
    assert message in err and str(path) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_uncalibrated_embedder_needs_a_threshold() -> None:
    with pytest.raises(UncalibratedEmbedderError, match="no calibrated threshold"):
        threshold_for("some-new-model")
    assert threshold_for("some-new-model", 0.7) == 0.7


def test_cluster_keeps_hard_negatives_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "a", "text": "OpenAI is acquiring Astral, the company behind uv and Ruff."},
        {"id": "b", "text": "Astral is acquiring OpenAI, the company behind uv and Ruff."},
        {"id": "c", "text": "Python 3.13 ships an experimental JIT compiler."},
        {"id": "d", "text": "Python 3.12 ships an experimental JIT compiler."},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, out, _ = run(["cluster", str(path), "--json"], capsys)
    assert code == 0
    label = {m: c["id"] for c in json.loads(out)["clusters"] for m in c["members"]}
    assert label["a"] != label["b"]  # roles swapped
    assert label["c"] != label["d"]  # another version
