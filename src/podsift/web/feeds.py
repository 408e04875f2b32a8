"""A subscriber's digests as Atom, RSS (feedgen) and JSON, from the stored digests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from feedgen.feed import FeedGenerator

from podsift.digest import digest_from_json, render_html

Stored = list[tuple[date, dict[str, Any], datetime]]


def _generator(address: str, digests: Stored, link: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(f"urn:podsift:digests:{address}")
    fg.title("podsift: your daily top 5")
    fg.link(href=link, rel="self")
    fg.description("The day's podcast stories, each told once.")
    fg.language("en")
    for day, payload, created in reversed(digests):
        digest = digest_from_json(payload)
        entry = fg.add_entry()
        entry.id(f"urn:podsift:digest:{address}:{day.isoformat()}")
        entry.title(f"Top {len(digest.items)} for {day.isoformat()}")
        entry.published(created.astimezone(UTC))
        entry.updated(created.astimezone(UTC))
        entry.content(render_html(digest), type="html")
        entry.description("; ".join(i.headline for i in digest.items) or "no stories")
    return fg


def atom_feed(address: str, digests: Stored, link: str) -> bytes:
    """The Atom feed of ``digests`` (newest first in, newest first out)."""
    return bytes(_generator(address, digests, link).atom_str(pretty=True))


def rss_feed(address: str, digests: Stored, link: str) -> bytes:
    """The RSS 2.0 feed of ``digests``."""
    return bytes(_generator(address, digests, link).rss_str(pretty=True))


def json_feed(address: str, digests: Stored) -> dict[str, Any]:
    """The digests as JSON: the stored shape of docs/design.md, newest first."""
    return {"recipient": address, "digests": [payload for _, payload, _ in digests]}
