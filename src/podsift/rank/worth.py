"""Worth: the score blind readers would give a story, read from its sentence embedding (pure).

The rules of :func:`podsift.insights.substance` see how a passage opens, whether it asks, how
many things it names. Blind judges see more: a fluent, self-contained remark ("I've always
loved how friendly that community is, honestly") can still say nothing a reader could use. A
sentence embedding carries some of that. The :class:`WorthModel` is a linear model over a
story's centroid (the embedder's vector of its statements): ridge regression fitted to the
scores, 1 to 5, that two blind judges gave a few hundred real podcast passages (stands alone,
specific, worth knowing). ``benchmarks/train_worth.py`` fits it and writes
``data/worth-<embedder>.json``; the file names the embedder whose vectors it reads, so another
embedder's centroids are never scored with it (there is no model for them: worth 1).

:meth:`WorthModel.factor` turns the expected score into the ranking's multiplier: (score /
4) ** ``power``, so a 4 leaves a story as it is. ``power`` is fitted with the weights: how far
the model is trusted against the other factors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

LOWEST, HIGHEST = 1.0, 5.0  # the judges' scale


@dataclass(frozen=True)
class WorthModel:
    """``expected(v) = weights · v + bias``, clipped to the judges' scale 1-5."""

    embedder: str
    weights: npt.NDArray[np.float64]
    bias: float
    power: float = 1.0

    def expected(self, vector: Vector) -> float:
        """The score (1-5) blind readers would give a story with centroid ``vector``.

        >>> m = WorthModel("toy", np.array([2.0, 0.0]), 3.0)
        >>> m.expected(np.array([1.0, 0.0], dtype=np.float32)), m.expected(np.zeros(2))
        (5.0, 3.0)
        """
        got = float(self.weights @ np.asarray(vector, dtype=np.float64)) + self.bias
        return min(max(got, LOWEST), HIGHEST)

    def factor(self, vector: Vector) -> float:
        """The worth factor of a story with centroid ``vector``: (expected / 4) ** power.

        >>> m = WorthModel("toy", np.array([2.0, 0.0]), 2.0, power=2.0)
        >>> m.factor(np.array([1.0, 0.0], dtype=np.float32)), m.factor(np.zeros(2))
        (1.0, 0.25)
        """
        return worth_factor(self.expected(vector), self.power)

    def to_json(self) -> str:
        """The model as the JSON :meth:`from_json` reads (weights to 7 decimals)."""
        return json.dumps(
            {
                "embedder": self.embedder,
                "bias": round(self.bias, 7),
                "power": self.power,
                "weights": [round(float(w), 7) for w in self.weights],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> WorthModel:
        """Read a model written by :meth:`to_json`."""
        data = json.loads(text)
        weights = np.asarray(data["weights"], dtype=np.float64)
        return cls(data["embedder"], weights, data["bias"], data.get("power", 1.0))

    @classmethod
    def bundled(cls, embedder: str) -> WorthModel | None:
        """The model shipped for ``embedder``'s vectors, or None when there is none.

        >>> WorthModel.bundled("minilm-l6-int8").weights.shape
        (384,)
        >>> WorthModel.bundled("mpnet-base") is None
        True
        """
        path = resources.files("podsift.rank") / "data" / f"worth-{embedder}.json"
        if not path.is_file():
            return None
        model = cls.from_json(path.read_text(encoding="utf-8"))
        return model if model.embedder == embedder else None


def worth_factor(expected: float, power: float = 1.0) -> float:
    """The worth multiplier: (the expected score over 4) ** ``power``.

    >>> worth_factor(4.0), worth_factor(2.0), worth_factor(5.0), worth_factor(2.0, 3.0)
    (1.0, 0.5, 1.25, 0.125)
    """
    return float((expected / 4.0) ** power)
