"""The JSON shapes of insights: one insight, and the ``extract`` command's output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from podsift.models import Insight


def insight_to_json(insight: Insight) -> dict[str, Any]:
    """Return the JSON shape of one insight (docs/design.md)."""
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
