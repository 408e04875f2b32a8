"""Episode identity within a show, and the duplicate guesser for republished episodes.

Keys, strongest first: the GUID; GUID + enclosure URL when the feed repeats a GUID (some
hosts give every item the same one); the enclosure URL; title + date. Pure functions.

A show's identity across feed URLs is its ``podcast:guid``. The namespace defines it as a
UUID (v5 of the feed URL); only a value shaped like one names a show, so feeds that copied
placeholder text (the namespace example's "y0ur-gu1d-g035-h3r3") stay apart.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from podsift.models import Episode, Show
from podsift.store import RepublishedRule

DURATION_SLACK = timedelta(minutes=10)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def show_identity(show: Show) -> str | None:
    """The GUID that names ``show`` across feed URLs: its ``podcast:guid`` if that is a UUID.

    >>> show_identity(Show("A", guid="917393e3-1b1e-5cef-ace4-edaa54e1f810"))
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    >>> show_identity(Show("B", guid="y0ur-gu1d-g035-h3r3")) is None
    True
    """
    return show.guid if show.guid and _UUID.fullmatch(show.guid) else None


def episode_keys(episodes: Sequence[Episode]) -> list[str]:
    """The identity key of each episode of one feed, in order.

    >>> a = Episode("A", guid="x", audio_url="https://h/a.mp3")
    >>> b = Episode("B", guid="x", audio_url="https://h/b.mp3")
    >>> episode_keys([a, b])
    ['guid:x|url:https://h/a.mp3', 'guid:x|url:https://h/b.mp3']
    """
    counts = Counter(e.guid for e in episodes if e.guid)
    keys: list[str] = []
    for ep in episodes:
        if ep.guid and counts[ep.guid] > 1 and ep.audio_url:
            keys.append(f"guid:{ep.guid}|url:{ep.audio_url}")
        else:
            keys.append(ep.key)
    return keys


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the duplicate guesser compares: enclosure, normalised title, day, duration."""

    audio_url: str | None
    title: str
    day: str | None
    duration: float | None


def fingerprint(
    title: str | None, published: datetime | None, audio_url: str | None, duration: float | None
) -> Fingerprint:
    """The fingerprint of one episode."""
    day = published.date().isoformat() if published else None
    return Fingerprint(audio_url or None, normalise_title(title), day, duration)


_NOISE = re.compile(r"\b(re-?upload|rebroadcast|repost|encore|replay|rerun)\b|[^\w\s]")


def normalise_title(title: str | None) -> str:
    """Lower-case, accents and punctuation dropped, "(rebroadcast)" style marks removed.

    >>> normalise_title("Episode 12: Café — Rebroadcast!")
    'episode 12 cafe'
    """
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(_NOISE.sub(" ", text).split())


def is_republished(candidate: Fingerprint, known: Iterable[Fingerprint]) -> bool:
    """Whether ``candidate`` looks like a republished copy of a known episode.

    The same enclosure URL, or the same normalised title on the same day with durations
    within ten minutes (or either unknown).
    """
    for other in known:
        if candidate.audio_url and candidate.audio_url == other.audio_url:
            return True
        if (
            candidate.title
            and candidate.title == other.title
            and candidate.day is not None
            and candidate.day == other.day
            and _close(candidate.duration, other.duration)
        ):
            return True
    return False


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= DURATION_SLACK.total_seconds()


REPUBLISHED = RepublishedRule(fingerprint, is_republished)
"""The duplicate guesser as the store takes it (``Store.save_polls(republished=...)``)."""
