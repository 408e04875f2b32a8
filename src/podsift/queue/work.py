"""What a task does: one stage on one episode, only if the store says it is still to do."""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from podsift.asr import transcribe_pending
from podsift.context import RunContext
from podsift.exceptions import PodsiftError
from podsift.insights import extract_episode
from podsift.transcripts import obtain_one

log = logging.getLogger(__name__)


def fetch_transcript(ctx: RunContext, episode_id: int) -> str:
    """Fetch an episode's publisher transcript; return the episode's state afterwards."""
    ep = ctx.store.episode(episode_id)
    if ep is None:
        return "missing"
    if ep.state not in ("new", "failed"):
        return ep.state  # done already (by this or another worker): nothing to do
    try:
        obtain_one(ctx, ep)
    except PodsiftError as e:
        log.warning("transcript failed: %s", e)
        ctx.store.set_episode_state(ep.id, "failed", str(e))
    after = ctx.store.episode(episode_id)
    return after.state if after else "missing"


def extract_insights(ctx: RunContext, episode_id: int) -> str:
    """Extract an episode's insights; return the episode's state afterwards."""
    ep = ctx.store.episode(episode_id)
    if ep is None:
        return "missing"
    if ep.state != "transcribed":
        return ep.state
    try:
        extract_episode(ctx, episode_id)
    except IntegrityError:
        # another worker stored the same insights first: the rows are keyed, so we are done
        log.info("insights already stored by another worker: episode %s", episode_id)
    after = ctx.store.episode(episode_id)
    return after.state if after else "missing"


def transcribe_one(ctx: RunContext) -> list[int]:
    """Claim one episode waiting for speech-to-text (by lease) and transcribe it.

    Returns the ids of the window's episodes that now have a transcript, for extraction.
    """
    report = transcribe_pending(ctx, limit=1)
    if not report.transcribed:
        return []
    return [ep.id for ep in ctx.store.episodes(["transcribed"])]
