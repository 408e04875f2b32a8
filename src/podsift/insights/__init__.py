"""Insights: self-contained statements worth knowing, each with its verbatim quote.

Extractors plug in by name through ``extractors`` (``base.py``); ``local`` (offline, no model)
is built in. :func:`run` (``stage.py``) is the stage.
"""

from __future__ import annotations

from podsift.insights.base import (
    Extractor,
    LocalExtractorSettings,
    ReportsFallbacks,
    extractors,
)
from podsift.insights.grounding import looks_like_instruction
from podsift.insights.judge import Judge, make_judge
from podsift.insights.polish import Polisher, make_polisher, polish_digest
from podsift.insights.shapes import insight_to_json, insights_to_json
from podsift.insights.stage import (
    Extraction,
    ExtractReport,
    build_extractor,
    extract_episode,
    extract_one,
    make_extractor,
    run,
)
from podsift.insights.standalone import (
    announces,
    disfluency,
    fluency,
    outward,
    split_opening,
    standalone_reason,
    substance,
)

__all__ = [
    "ExtractReport",
    "Extraction",
    "Extractor",
    "Judge",
    "LocalExtractorSettings",
    "Polisher",
    "ReportsFallbacks",
    "announces",
    "build_extractor",
    "disfluency",
    "extract_episode",
    "extract_one",
    "extractors",
    "fluency",
    "insight_to_json",
    "insights_to_json",
    "looks_like_instruction",
    "make_extractor",
    "make_judge",
    "make_polisher",
    "outward",
    "polish_digest",
    "run",
    "split_opening",
    "standalone_reason",
    "substance",
]
