"""Insights: self-contained statements worth knowing, each with its verbatim quote.

Extractors plug in by name through ``extractors``; ``local`` (offline, no model) is built in.

>>> ex = extractors.create("local", LocalExtractorSettings(top_n=3))
>>> ex.name, ex.version
('local', '4')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from podsift.exceptions import ConfigError
from podsift.insights.stage import (
    Extraction,
    ExtractReport,
    build_extractor,
    extract_all,
    extract_one,
    make_extractor,
)
from podsift.models import Insight, Transcript
from podsift.plugins import Registry

__all__ = [
    "ExtractReport",
    "Extraction",
    "Extractor",
    "LocalExtractorSettings",
    "Polisher",
    "build_extractor",
    "extract_all",
    "extract_one",
    "extractors",
    "insight_to_json",
    "insights_to_json",
    "make_extractor",
    "make_polisher",
    "polish_digest",
]


class Extractor(Protocol):
    """Something that finds the insights of one transcript."""

    name: ClassVar[str]
    version: ClassVar[str]  # part of the cache key: bump it when output changes

    def extract(self, transcript: Transcript) -> Sequence[Insight]:
        """Return the transcript's insights, best first."""
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


@extractors.register("openai")
def _openai(settings: Any) -> Extractor:
    """Build the OpenAI-compatible extractor (OpenAI, Ollama, vLLM, llama.cpp, OpenRouter)."""
    from podsift.llm.providers import build

    return build("openai", settings)


@extractors.register("anthropic")
def _anthropic(settings: Any) -> Extractor:
    """Build the Anthropic Messages API extractor."""
    from podsift.llm.providers import build

    return build("anthropic", settings)


def insight_to_json(insight: Insight) -> dict[str, Any]:
    """Return the JSON shape of one insight (DESIGN §4)."""
    return {
        "id": insight.id,
        "text": insight.text,
        "quote": insight.quote,
        "speaker": insight.speaker,
        "start": insight.start,
        "end": insight.end,
        "score": insight.score,
    }


def insights_to_json(source: str, insights: Iterable[Insight]) -> dict[str, Any]:
    """Return the ``extract`` JSON shape: the source and its insights, best first.

    >>> insights_to_json("ep.vtt", [])
    {'source': 'ep.vtt', 'insights': []}
    """
    ordered = sorted(insights, key=lambda i: -i.score)  # stable: ties keep their order
    return {"source": source, "insights": [insight_to_json(i) for i in ordered]}


# polish needs the names above (llm.py builds on the extractor API): import it last
from podsift.insights.polish import Polisher, make_polisher, polish_digest  # noqa: E402
