"""Build a subscriber's digest from ranked stories and render it as text, HTML, Markdown or JSON.

One :class:`~podsift.models.Digest` object is built once (:func:`build_digest`, pure) and every
format is rendered from it, so the email's text and HTML parts, the archive and ``--json`` always
agree. :func:`compose_all` is the stage: it ranks, builds and stores each recipient's digest.
"""

from __future__ import annotations

from podsift.digest.build import build_digest, headline_of, timestamp_link
from podsift.digest.render import (
    FORMATS,
    digest_to_json,
    format_clock,
    render,
    render_html,
    render_markdown,
    render_text,
)
from podsift.digest.stage import (
    OPERATOR,
    ComposeReport,
    Headlines,
    StoryPool,
    compose_all,
    compose_for,
    digest_from_json,
    draft_digest,
    local_date,
    rank_for,
)

__all__ = [
    "FORMATS",
    "OPERATOR",
    "ComposeReport",
    "Headlines",
    "StoryPool",
    "build_digest",
    "compose_all",
    "compose_for",
    "digest_from_json",
    "digest_to_json",
    "draft_digest",
    "format_clock",
    "headline_of",
    "local_date",
    "rank_for",
    "render",
    "render_html",
    "render_markdown",
    "render_text",
    "timestamp_link",
]
