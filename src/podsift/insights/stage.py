"""The insights stage: run the configured extractor on every transcribed episode."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from podsift.config import InsightSettings
from podsift.context import RunContext
from podsift.exceptions import PodsiftError, UnknownProviderError
from podsift.insights.base import Extractor, LocalExtractorSettings, ReportsFallbacks, extractors
from podsift.insights.grounding import FUZZY_THRESHOLD, ground
from podsift.insights.llm import build_llm_extractor
from podsift.insights.quality import filler_reason, unusable_reason
from podsift.llm import chat_models
from podsift.models import Insight, Transcript
from podsift.store import EpisodeRow
from podsift.transcripts import is_generic_label, name_speakers

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractReport:
    """What the insights stage did.

    ``ungrounded``: insights dropped because their quote was not found (or carried a link
    or an instruction); ``empty``: episodes with no usable text; ``fallbacks``: LLM chunks
    done by the local extractor instead; ``tokens``: LLM tokens spent this run.
    """

    episodes: int
    insights: int
    failed: int
    ungrounded: int = 0
    empty: int = 0
    fallbacks: int = 0
    tokens: int = 0


@dataclass(frozen=True, slots=True)
class Extraction:
    """One transcript's grounded insights, how many were dropped, and why there are none."""

    insights: tuple[Insight, ...]
    dropped: int = 0
    reason: str | None = None


def extract_one(
    extractor: Extractor, transcript: Transcript, threshold: float = FUZZY_THRESHOLD
) -> Extraction:
    """Run ``extractor`` on one transcript and keep only the insights its quotes prove.

    An unusable transcript (empty, tiny, not English, garbled) gives no insights and the
    reason; so does one that is all filler (sponsor reads, small talk, reactions) and one
    where every insight failed grounding. An insight whose speaker label names no one
    ("Speaker 1", a "Host" no listed person matched) has no speaker: the digest then names
    the show (#21).
    """
    reason = unusable_reason(transcript)
    if reason:
        return Extraction((), 0, reason)
    result = ground(extractor.extract(transcript), transcript, threshold)
    for insight, why in result.dropped:
        log.info("insight dropped: %s: %s: %.60s", transcript.source, why, insight.quote)
    if not result.kept and result.dropped:
        reason = "no insight was grounded"
    elif not result.kept:  # say why when it is because every line is filler (#21)
        reason = filler_reason(transcript) or "no insight found"
    kept = tuple(
        replace(x, speaker=None) if is_generic_label(x.speaker) else x for x in result.kept
    )
    return Extraction(kept, len(result.dropped), reason)


def build_extractor(cfg: InsightSettings) -> Extractor:
    """Build the extractor ``cfg.provider`` names.

    A registered extractor gets the whole section (``local`` its own settings); a chat model
    (``podsift.llm.chat_models``) runs the LLM extractor, which hands ``local`` the chunks
    it cannot do.

    Raises:
        UnknownProviderError: neither an extractor nor a chat model has that name.
    """
    local = LocalExtractorSettings(top_n=cfg.top_n)
    if cfg.provider in extractors.names():
        return extractors.create(cfg.provider, local if cfg.provider == "local" else cfg)
    if cfg.provider in chat_models.names():
        return build_llm_extractor(cfg, fallback=extractors.create("local", local))
    known = ", ".join(sorted({*extractors.names(), *chat_models.names()}))
    raise UnknownProviderError(f"unknown extractor '{cfg.provider}' (available: {known})")


def _fallback_reasons(extractor: Extractor) -> Sequence[str]:
    """Why the extractor's chunks fell back so far (none for one without a fallback)."""
    return extractor.fallback_reasons if isinstance(extractor, ReportsFallbacks) else ()


def make_extractor(ctx: RunContext) -> Extractor:
    """Build the extractor named in the run's settings."""
    return build_extractor(ctx.settings.insights)


def run(ctx: RunContext) -> ExtractReport:
    """Extract insights from each transcribed episode; ids are keyed by episode and quote."""
    return _extract(ctx, ctx.store.episodes(["transcribed"]))


def extract_episode(ctx: RunContext, episode_id: int) -> ExtractReport:
    """Extract one episode's insights if it is (still) transcribed: a queue worker's task."""
    ep = ctx.store.episode(episode_id)
    return _extract(ctx, [ep] if ep is not None and ep.state == "transcribed" else [])


def _extract(ctx: RunContext, episodes: Sequence[EpisodeRow]) -> ExtractReport:
    """Run the configured extractor on ``episodes``; record each one's outcome on its row."""
    extractor = make_extractor(ctx)
    tag = f"{extractor.name}@{extractor.version}"
    done = found = failed = ungrounded = empty = 0
    threshold = ctx.settings.insights.grounding_threshold
    for ep in episodes:
        transcript = ctx.store.transcript(ep.id)
        failures_before = len(_fallback_reasons(extractor))
        try:
            if transcript is None:
                raise PodsiftError(f"{ep.label}: no stored transcript")
            # the feed's podcast:person entries put full names on the labels ("Michael:")
            result = extract_one(extractor, name_speakers(transcript, ep.persons), threshold)
            insights = [x.with_id(f"{ep.show_id}|{ep.key}|{tag}") for x in result.insights]
        except (PodsiftError, ValueError) as e:
            failed += 1
            log.warning("extract failed: %s: %s", ep.label, e)
            ctx.store.set_episode_state(ep.id, "failed", f"extract: {e}")
            continue
        ungrounded += result.dropped
        if result.reason and not insights:
            empty += 1
            log.info("no insights: %s: %s", ep.label, result.reason)
        found += ctx.store.save_insights(ep.id, tag, insights, ctx.now)
        failures = _fallback_reasons(extractor)[failures_before:]
        if failures:  # an LLM chunk fell back to the local extractor: keep the why on the row
            ctx.store.set_episode_state(ep.id, "extracted", f"llm fell back: {failures[0]}")
        done += 1
        note = f" ({result.reason})" if result.reason else ""
        ctx.progress(f"insights: {ep.show_title} — {ep.label}: {len(insights)}{note}")
    return ExtractReport(
        done,
        found,
        failed,
        ungrounded,
        empty,
        fallbacks=len(_fallback_reasons(extractor)),
        tokens=extractor.tokens_spent if isinstance(extractor, ReportsFallbacks) else 0,
    )
