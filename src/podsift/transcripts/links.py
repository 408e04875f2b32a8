"""Choose which of an episode's ``<podcast:transcript>`` links to fetch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from podsift.models import TranscriptLink

_RANK = {"json": 0, "vtt": 1, "srt": 2, "sbv": 2, "ttml": 3, "html": 4, "markdown": 5, "text": 5}
_MIME_FORMAT = {
    "application/json": "json", "text/vtt": "vtt", "application/x-subrip": "srt",
    "application/srt": "srt", "text/srt": "srt", "text/x-srt": "srt",
    "text/html": "html", "text/plain": "text", "text/markdown": "markdown",
    "application/ttml+xml": "ttml",
}  # fmt: skip
_EXT_FORMAT = {
    ".json": "json", ".vtt": "vtt", ".srt": "srt", ".html": "html", ".htm": "html",
    ".txt": "text", ".md": "markdown", ".ttml": "ttml", ".sbv": "sbv",
}  # fmt: skip
_ENGLISH = re.compile(r"^en(?:[-_]|$)", re.IGNORECASE)


def _link_rank(link: TranscriptLink) -> int:
    mime = (link.type or "").split(";")[0].strip().lower()
    fmt = _MIME_FORMAT.get(mime)
    if fmt is None and not mime:
        fmt = _EXT_FORMAT.get(PurePosixPath(urlsplit(link.url).path).suffix.lower())
    return _RANK.get(fmt or "", len(_RANK))


def choose_link(links: Sequence[TranscriptLink]) -> TranscriptLink | None:
    """Pick the transcript to fetch: English or unspecified language first, then
    JSON > VTT > SRT > TTML > HTML > Markdown/text by MIME type (or URL extension without one).

    Returns ``None`` when there is no link.
    """
    if not links:
        return None

    def key(item: tuple[int, TranscriptLink]) -> tuple[int, int, int]:
        index, link = item
        lang = (link.language or "").strip()
        foreign = 0 if not lang or _ENGLISH.match(lang) else 1
        return foreign, _link_rank(link), index

    return min(enumerate(links), key=key)[1]
