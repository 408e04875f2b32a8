"""Hints for the model about an episode: the feed's language and the show and episode titles."""

from __future__ import annotations

import re

_URI = re.compile(r"^[a-z][a-z0-9+.-]*:\S*$", re.IGNORECASE)  # a feed URL or GUID, no title


def episode_prompt(show: str | None, episode: str | None) -> str | None:
    """The context given to the model for an episode: its show and title, as a sentence
    (a feed URL or GUID standing in for a missing title is left out).

    >>> episode_prompt("Python Bytes", "#377 A dramatic episode")
    'Python Bytes: #377 A dramatic episode.'
    >>> episode_prompt("Talk Python", "Ep 12: Rust for Pythonistas")
    'Talk Python: Ep 12: Rust for Pythonistas.'
    >>> episode_prompt("https://x.org/feed", " "), episode_prompt("Show", "urn:uuid:1-2")
    (None, 'Show.')
    """
    parts = [p.strip() for p in (show, episode) if p and p.strip() and not _URI.match(p.strip())]
    return ": ".join(parts).rstrip(".") + "." if parts else None


def feed_language(value: str | None) -> str | None:
    """The ISO 639-1 code of a feed's ``<language>`` (``en-us`` → ``en``), if it has one.

    >>> feed_language("en-US"), feed_language(" fr "), feed_language(None), feed_language("x")
    ('en', 'fr', None, None)
    """
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None
