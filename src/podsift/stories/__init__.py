"""Stories: embed statements and group the ones that say the same thing.

The stage has two halves:

- embedding (``embed.py``), at the edge: a provider behind the :class:`Embedder` Protocol,
  looked up by name in :data:`embedders` (``base.py``; default ``"minilm-l6-int8"``,
  all-MiniLM-L6-v2 int8 ONNX shipped in a PyPI package, so it runs offline), optionally wrapped
  in a :class:`CachedEmbedder` that keys vectors by :func:`podsift.models.text_hash`;
- grouping (``group.py``), pure: :func:`group_statements` for one batch (the ``cluster``
  command) and :func:`assign_to_stories` for the daily run against existing stories,
  which finds each statement's nearest story with a :class:`StoryIndex` (``index.py``:
  exact matrix products below :data:`ANN_THRESHOLD` stories, a usearch HNSW graph beyond).

:func:`read_statements` reads the ``cluster`` command's input and :func:`cluster_to_json`
writes its output (``statements.py``).
"""

from __future__ import annotations

from podsift.stories.base import (
    DEFAULT_EMBEDDER,
    Embedder,
    VectorCache,
    create_embedder,
    embedders,
    models_dir,
)
from podsift.stories.embed import (
    MODEL_SHA256,
    TOKENIZER_SHA256,
    CachedEmbedder,
    EmbeddingModelError,
    MemoryVectorCache,
)
from podsift.stories.group import (
    CALIBRATED_THRESHOLDS,
    DEFAULT_THRESHOLD,
    UncalibratedEmbedderError,
    assign_to_stories,
    cluster_id,
    group_statements,
    natural_key,
    threshold_for,
)
from podsift.stories.index import ANN_THRESHOLD, IndexDimensionError, StoryIndex
from podsift.stories.signals import conflicts, text_signals
from podsift.stories.stage import StoriesReport, make_embedder, run
from podsift.stories.statements import (
    MAX_STATEMENT_CHARS,
    StatementFormatError,
    cluster_to_json,
    decode_statements,
    read_statements,
)

__all__ = [
    "ANN_THRESHOLD",
    "CALIBRATED_THRESHOLDS",
    "DEFAULT_EMBEDDER",
    "DEFAULT_THRESHOLD",
    "MAX_STATEMENT_CHARS",
    "MODEL_SHA256",
    "TOKENIZER_SHA256",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingModelError",
    "IndexDimensionError",
    "MemoryVectorCache",
    "StatementFormatError",
    "StoriesReport",
    "StoryIndex",
    "UncalibratedEmbedderError",
    "VectorCache",
    "assign_to_stories",
    "cluster_id",
    "cluster_to_json",
    "conflicts",
    "create_embedder",
    "decode_statements",
    "embedders",
    "group_statements",
    "make_embedder",
    "models_dir",
    "natural_key",
    "read_statements",
    "run",
    "text_signals",
    "threshold_for",
]
