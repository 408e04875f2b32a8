"""Turn ranked stories into a :class:`~podsift.models.Digest` (pure: data in, digest out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from urllib.parse import urldefrag

from podsift.digest.labels import TermCounts
from podsift.models import AlsoOn, Digest, DigestItem, Mention, RankedStory, Related
from podsift.rank import is_update

HEADLINE_MAX = 120
"""Longest headline, in characters, before it is cut at a word boundary."""


def build_digest(
    ranked: Sequence[RankedStory],
    *,
    day: date,
    recipient: str | None = None,
    related: Mapping[str, Sequence[Mention]] | None = None,
    terms: TermCounts | None = None,
) -> Digest:
    """Build the digest of ``ranked`` stories (best first) for ``recipient`` on ``day``.

    Each story's first mention is its representative: it gives the insight, quote, speaker,
    show, episode and timestamped link. The headline is a label of the story's key terms
    (:mod:`~podsift.digest.labels`, counted over ``terms``, the window; by default over
    ``ranked``), never the quote again; an LLM may rewrite it later (``Headlines``).
    Every *other* show that raised the story adds one "also on" entry (that show's best-scored
    mention), ordered by show name. A story the reader got before, back because new shows
    raised it, is marked as an update. ``related`` gives, by story id, the mentions of other
    stories on the same subject (see :func:`~podsift.digest.related.pick_related`), shown
    apart from the shows that raised it.
    Stories without mentions are skipped; ranks count from 1 over the stories kept.
    """
    kept = [r for r in ranked if r.story.mentions]
    nearby = related or {}
    counts = terms or TermCounts.build([r.story for r in ranked])
    items = tuple(
        _item(
            rank,
            r.story.id,
            r.story.mentions,
            label=counts.label([m.text for m in r.story.mentions]),
            update=is_update(r),
            related=nearby.get(r.story.id, ()),
        )
        for rank, r in enumerate(kept, start=1)
    )
    return Digest(date=day, items=items, recipient=recipient)


def _item(
    rank: int,
    story_id: str,
    mentions: Sequence[Mention],
    *,
    label: str = "",
    update: bool = False,
    related: Sequence[Mention] = (),
) -> DigestItem:
    """Build one digest item from a story's mentions (representative first)."""
    rep = mentions[0]
    return DigestItem(
        rank=rank,
        story_id=story_id,
        headline=label,
        insight=rep.text,
        quote=rep.quote,
        speaker=rep.speaker,
        show=rep.show,
        episode=rep.episode,
        link=timestamp_link(rep.link, rep.start),
        start=rep.start,
        also_on=_also_on(rep.show, mentions[1:]),
        update=update,
        related=tuple(
            Related(m.show, m.episode, m.speaker, m.quote, timestamp_link(m.link, m.start), m.start)
            for m in related
        ),
    )


def _also_on(own_show: str, others: Sequence[Mention]) -> tuple[AlsoOn, ...]:
    """Return the best-scored mention of each other show, ordered by show name."""
    best: dict[str, Mention] = {}
    for m in others:
        if m.show == own_show:
            continue
        if m.show not in best or m.score > best[m.show].score:
            best[m.show] = m
    ordered = sorted(best.values(), key=lambda m: (m.show.casefold(), m.show))
    return tuple(
        AlsoOn(
            show=m.show,
            episode=m.episode,
            speaker=m.speaker,
            quote=m.quote,
            link=timestamp_link(m.link, m.start),
            start=m.start,
        )
        for m in ordered
    )


def headline_of(text: str, limit: int = HEADLINE_MAX) -> str:
    """Return ``text`` on one line, cut to at most ``limit`` characters at a word boundary.

    >>> headline_of("Short and sweet.")
    'Short and sweet.'
    >>> headline_of("one two three four", limit=12)
    'one two…'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def timestamp_link(url: str | None, start: float | None) -> str | None:
    """Return ``url`` pointing at ``start`` seconds (``#t=SECONDS``), or as is when unknown.

    An existing fragment is replaced; negative or fractional times are floored to whole seconds.

    >>> timestamp_link("https://ex.com/ep.mp3", 751.8)
    'https://ex.com/ep.mp3#t=751'
    >>> timestamp_link("https://ex.com/ep#notes", 12)
    'https://ex.com/ep#t=12'
    >>> timestamp_link("https://ex.com/ep", None)
    'https://ex.com/ep'
    >>> timestamp_link(None, 5) is None
    True
    """
    if not url:
        return None
    if start is None:
        return url
    base = urldefrag(url).url
    return f"{base}#t={max(0, int(start))}"
