"""The transcripts stage: fetch and parse each new episode's publisher transcript."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from podsift.context import RunContext
from podsift.exceptions import PodsiftError
from podsift.net import fetch_url_or_file
from podsift.store import EpisodeRow
from podsift.transcripts.formats import parse_transcript
from podsift.transcripts.links import choose_link

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ObtainReport:
    """What the transcripts stage did."""

    fetched: int
    without_transcript: int
    failed: int


def run(ctx: RunContext) -> ObtainReport:
    """Fetch transcripts of new (and earlier failed) episodes published in the run's window.

    Episodes with no ``podcast:transcript`` link wait in state ``no_transcript`` for
    speech-to-text; a failing one is recorded as ``failed`` and retried by the next run.
    """
    fetched = missing = failed = 0
    for ep in ctx.store.episodes(
        ["new", "failed"], published_since=ctx.since, published_until=ctx.now
    ):
        try:
            if obtain_one(ctx, ep):
                fetched += 1
            else:
                missing += 1
        except PodsiftError as e:
            failed += 1
            log.warning("transcript failed: %s", e)
            ctx.store.set_episode_state(ep.id, "failed", str(e))
    return ObtainReport(fetched, missing, failed)


def obtain_one(ctx: RunContext, ep: EpisodeRow) -> bool:
    """Fetch and store one episode's transcript; False when the feed links none."""
    link = choose_link(ep.transcript_links)
    if link is None:
        ctx.store.set_episode_state(ep.id, "no_transcript")
        return False
    content, _ = fetch_url_or_file(link.url, ctx.client)
    transcript = parse_transcript(content, source=link.url, content_type=link.type)
    ctx.store.save_transcript(ep.id, transcript, ctx.now)
    ctx.progress(f"transcript: {ep.show_title} — {ep.label} ({len(transcript.segments)} segments)")
    return True
