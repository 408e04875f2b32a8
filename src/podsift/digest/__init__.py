"""Digests: compose each recipient's digest from ranked stories, and render it.

One :class:`~podsift.models.Digest` object is built once (:func:`build_digest`, pure) and every
format is rendered from it, so the email's text and HTML parts, the archive and ``--json`` always
agree. :func:`run` is the stage: it ranks, builds and stores the digests due in this run, every
recipient's today (the daily run) or those whose local hour has come (the tick).
"""

from __future__ import annotations

from podsift.digest.build import build_digest, headline_of, timestamp_link
from podsift.digest.compose import (
    OPERATOR,
    Headlines,
    Recipient,
    StoryPool,
    compose_batch,
    compose_for,
    digest_from_json,
    draft_digest,
    rank_for,
)
from podsift.digest.judgement import Judgements, judge_candidates
from podsift.digest.related import (
    RELATED_MAX,
    RELATED_THRESHOLD,
    RelatedIndex,
    drop_repeats,
    pick_related,
    subject_terms,
    told_together,
)
from podsift.digest.render import (
    FORMATS,
    digest_to_json,
    format_clock,
    render,
    render_html,
    render_markdown,
    render_text,
    short_day,
    worth_showing,
)
from podsift.digest.schedule import Slot, compose_day, local_date, local_slot
from podsift.digest.stage import (
    BATCH,
    ComposeDueReport,
    ComposeReport,
    DigestReport,
    compose_many,
    due_now,
    run,
    today,
)

__all__ = [
    "BATCH",
    "FORMATS",
    "OPERATOR",
    "RELATED_MAX",
    "RELATED_THRESHOLD",
    "ComposeDueReport",
    "ComposeReport",
    "DigestReport",
    "Headlines",
    "Judgements",
    "Recipient",
    "RelatedIndex",
    "Slot",
    "StoryPool",
    "build_digest",
    "compose_batch",
    "compose_day",
    "compose_for",
    "compose_many",
    "digest_from_json",
    "digest_to_json",
    "draft_digest",
    "drop_repeats",
    "due_now",
    "format_clock",
    "headline_of",
    "judge_candidates",
    "local_date",
    "local_slot",
    "pick_related",
    "rank_for",
    "render",
    "render_html",
    "render_markdown",
    "render_text",
    "run",
    "short_day",
    "subject_terms",
    "timestamp_link",
    "today",
    "told_together",
    "worth_showing",
]
