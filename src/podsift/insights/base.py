"""The extractor Protocol, the ``local`` extractor's settings, and the registry of extractors.

Extractors plug in by name through ``extractors``; ``local`` (offline, no model) is built in.
A provider name that is a chat model (``podsift.llm.chat_models``) runs the LLM extractor
(``llm.py``) on that model.

>>> ex = extractors.create("local", LocalExtractorSettings(top_n=3))
>>> ex.name, ex.version
('local', '4')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, runtime_checkable

from podsift.exceptions import ConfigError
from podsift.models import Insight, Transcript
from podsift.plugins import Registry


class Extractor(Protocol):
    """Something that finds the insights of one transcript."""

    name: ClassVar[str]
    version: ClassVar[str]  # part of the cache key: bump it when output changes

    def extract(self, transcript: Transcript) -> Sequence[Insight]:
        """Return the transcript's insights, best first."""
        ...


@runtime_checkable
class ReportsFallbacks(Protocol):
    """An extractor that hands chunks it could not do to a fallback (the LLM extractors).

    The insights stage keeps the first reason of an episode on its row and reports the
    totals; an extractor without this capability simply has none.
    """

    @property
    def fallback_reasons(self) -> Sequence[str]:
        """Why each chunk fell back so far this run, in order."""
        ...

    @property
    def tokens_spent(self) -> int:
        """Model tokens spent so far this run."""
        ...


@dataclass(frozen=True, slots=True)
class LocalExtractorSettings:
    """Settings of the ``local`` extractor.

    Attributes:
        top_n: insights kept per episode.
        min_words: fewest words in an insight's text.
        max_words: most words in an insight's text.
        max_overlap: highest content-word Jaccard overlap between two kept insights.
        edge: share of the episode at each end whose passages are penalised.
        edge_penalty: score factor for passages in those ends.
    """

    top_n: int = 8
    min_words: int = 12
    max_words: int = 70
    max_overlap: float = 0.5
    edge: float = 0.02
    edge_penalty: float = 0.5

    def __post_init__(self) -> None:
        if self.top_n < 1:
            raise ConfigError(f"insights.local top_n must be at least 1, got {self.top_n}")
        if not 1 <= self.min_words <= self.max_words:
            raise ConfigError(
                "insights.local needs 1 <= min_words <= max_words, "
                f"got {self.min_words} and {self.max_words}"
            )
        for key in ("max_overlap", "edge", "edge_penalty"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"insights.local {key} must be within 0..1, got {value}")


extractors: Registry[Extractor] = Registry("extractor", group="podsift.extractors")


@extractors.register("local")
def _local(settings: LocalExtractorSettings | None) -> Extractor:
    """Build the offline ``local`` extractor (imported lazily to keep startup fast)."""
    from podsift.insights.local import LocalExtractor

    return LocalExtractor(settings or LocalExtractorSettings())
