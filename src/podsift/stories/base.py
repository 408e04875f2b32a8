"""The embedder and vector-cache Protocols, and the registry of embedders by name.

The default, ``"minilm-l6-int8"``, is all-MiniLM-L6-v2 int8 ONNX shipped in a PyPI package,
so it runs offline; ``"mpnet-base"`` runs once fetched with ``podsift models fetch``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from podsift.plugins import Registry


class Embedder(Protocol):
    """Turns texts into vectors: one float32, L2-normalised row of ``dim`` values per text.

    ``name`` identifies the model (vectors from different names are not comparable);
    providers declare it as a ``ClassVar[str]``, wrappers may derive it from what they wrap.
    """

    dim: int

    @property
    def name(self) -> str:
        """The model name that keys cached vectors."""
        ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Return an array of shape ``(len(texts), dim)``, rows in input order."""
        ...


class VectorCache(Protocol):
    """Stores vectors by model name and text hash (in memory, or in the store)."""

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """Return the cached vectors among ``hashes``; missing ones are simply absent."""
        ...

    def put_many(self, model: str, vectors: dict[str, npt.NDArray[np.float32]]) -> None:
        """Store ``vectors`` (text hash → vector) for ``model``."""
        ...


embedders: Registry[Embedder] = Registry("embedder", group="podsift.embedders")

#: The embedder used when none is configured.
DEFAULT_EMBEDDER = "minilm-l6-int8"


@embedders.register("minilm-l6-int8")
def _minilm(settings: Any) -> Embedder:
    """Build the default embedder; the model itself loads on the first ``embed`` call."""
    from podsift.stories.embed import MiniLMEmbedder

    return MiniLMEmbedder()


@embedders.register("mpnet-base")
def _mpnet(settings: Any) -> Embedder:
    """all-mpnet-base-v2 (768 dims), once fetched with ``podsift models fetch mpnet-base``."""
    from podsift.stories.embed import FetchedEmbedder

    return FetchedEmbedder("mpnet-base", models_dir(settings))


def models_dir(settings: Any = None) -> Path:
    """Where fetched models live: ``[cluster] models_dir``, else the user's data folder."""
    configured = getattr(getattr(settings, "cluster", None), "models_dir", "")
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(data_home).expanduser() / "podsift" / "models"


def create_embedder(name: str = DEFAULT_EMBEDDER, settings: Any = None) -> Embedder:
    """Return the embedder registered as ``name`` (raises ``UnknownProviderError``)."""
    return embedders.create(name, settings)
