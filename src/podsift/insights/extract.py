"""The insights stage: run the configured extractor on every transcribed episode."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from podsift.context import RunContext
from podsift.exceptions import PodsiftError

if TYPE_CHECKING:
    from . import Extractor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractReport:
    """What the insights stage did."""

    episodes: int
    insights: int
    failed: int


def make_extractor(ctx: RunContext) -> Extractor:
    """Build the extractor named in the settings."""
    from . import LocalExtractorSettings, extractors  # the registry: import at call time

    cfg = ctx.settings.insights
    settings = LocalExtractorSettings(top_n=cfg.top_n) if cfg.provider == "local" else cfg
    return extractors.create(cfg.provider, settings)


def extract_all(ctx: RunContext) -> ExtractReport:
    """Extract insights from each transcribed episode; ids are keyed by episode and quote."""
    extractor = make_extractor(ctx)
    tag = f"{extractor.name}@{extractor.version}"
    done = found = failed = 0
    for ep in ctx.store.episodes(["transcribed"]):
        transcript = ctx.store.transcript(ep.id)
        try:
            if transcript is None:
                raise PodsiftError(f"{ep.label}: no stored transcript")
            insights = [
                x.with_id(f"{ep.show_id}|{ep.key}|{tag}") for x in extractor.extract(transcript)
            ]
        except (PodsiftError, ValueError) as e:
            failed += 1
            log.warning("extract failed: %s: %s", ep.label, e)
            ctx.store.set_episode_state(ep.id, "failed", f"extract: {e}")
            continue
        found += ctx.store.save_insights(ep.id, tag, insights, ctx.now)
        done += 1
        ctx.progress(f"insights: {ep.show_title} — {ep.label}: {len(insights)}")
    return ExtractReport(done, found, failed)
