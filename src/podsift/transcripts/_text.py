"""Helpers shared by the transcript parsers: clocks, speaker labels, timed pieces.

No business logic beyond turning marked-up text into segments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from podsift.models import Segment

_WS = re.compile(r"\s+")
_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+)(?:[.,](\d+))?$")
# "Adam Curry: text", "SPEAKER_1: text", "Norma-Jean Belenky: text": one to four
# capitalised words, so that "so here's the thing: ..." is not taken for a speaker.
_LABEL = re.compile(
    r"^((?:[A-Z0-9][\w.'’-]*)(?: (?:[A-Z0-9][\w.'’-]*|de|van|von|da|del|le|la)){0,3}):\s+(?=\S)"
)


def collapse(text: str) -> str:
    """Collapse runs of whitespace into one space and strip the ends.

    >>> collapse("  a\\n b  ")
    'a b'
    """
    return _WS.sub(" ", text).strip()


def parse_clock(text: str) -> float | None:
    """Parse ``HH:MM:SS.mmm``, ``MM:SS``, ``SS.mmm`` (``,`` also accepted) into seconds.

    >>> parse_clock("01:02:03,500")
    3723.5
    >>> parse_clock("0:30"), parse_clock("7.38"), parse_clock("x")
    (30.0, 7.38, None)
    """
    m = _CLOCK.match(text.strip())
    if m is None:
        return None
    first, second, secs, frac = m.groups()
    hours, minutes = (first, second) if second is not None else (None, first)
    value = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(secs)
    if frac:
        value += int(frac) / 10 ** len(frac)
    return round(float(value), 3)


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading ``Name:`` speaker label off ``text``.

    >>> split_label("Alban: It is so")
    ('Alban', 'It is so')
    >>> split_label("so here's the thing: no")
    (None, "so here's the thing: no")
    """
    m = _LABEL.match(text)
    if m is None:
        return None, text
    return m.group(1), text[m.end() :]


def clean_speaker(name: str | None) -> str | None:
    """Normalise a speaker name: trailing colon and spaces removed, empty → ``None``."""
    if name is None:
        return None
    name = collapse(name).rstrip(":").strip()
    return name or None


@dataclass(frozen=True, slots=True)
class Piece:
    """Text with the time mark it carried itself (``None`` when it had none).

    ``floor`` is a mark heard earlier but after the previous piece began (e.g. inside it):
    it becomes the start of this piece when it has no mark, but is no exact time.
    """

    mark: float | None
    speaker: str | None
    text: str
    floor: float | None = None


def segments_from_pieces(pieces: Iterable[Piece]) -> tuple[Segment, ...]:
    """Turn pieces into segments.

    A piece without its own mark starts at the latest earlier mark (``None`` before any
    mark). An empty piece is dropped, but its mark passes to the next piece. A segment
    ends where the next one starts only when that start is the next piece's own mark.
    """
    kept: list[Piece] = []
    pending: float | None = None
    floor: float | None = None
    for piece in pieces:
        text = collapse(piece.text)
        mark = piece.mark if piece.mark is not None else pending
        floor = piece.floor if piece.floor is not None else floor
        if not text:
            pending = mark
            continue
        pending = None
        kept.append(Piece(mark, piece.speaker, text, floor))
        floor = None
    segments: list[Segment] = []
    last: float | None = None
    for i, piece in enumerate(kept):
        if piece.mark is not None:
            last = piece.mark
        elif piece.floor is not None:
            last = piece.floor
        nxt = kept[i + 1].mark if i + 1 < len(kept) else pending
        end = nxt if nxt is not None and (last is None or nxt >= last) else None
        segments.append(Segment(last, end, clean_speaker(piece.speaker), piece.text))
    return tuple(segments)
