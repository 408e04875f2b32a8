"""Put full names on a transcript's speaker labels from a list of known people.

A transcript often labels turns with a first name ("Pablo:") or in capitals ("PABLO
GALINDO:"), while its front matter or the feed's ``podcast:person`` entries give the full
name. A label becomes a known person's name only when exactly one of them matches; a
generic label ("Speaker 1") or an ambiguous one stays as the transcript wrote it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from podsift.models import Segment

# letters NFKD does not split into a base letter and an accent
_BASE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})


def _fold(name: str) -> tuple[str, ...]:
    """Name words, lower-cased and without accents, for comparing.

    >>> _fold("Łukasz  LANGA"), _fold("José")
    (('lukasz', 'langa'), ('jose',))
    """
    plain = unicodedata.normalize("NFKD", name.casefold()).translate(_BASE)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return tuple(w.strip(".,'’") for w in plain.split() if w.strip(".,'’"))


def match_name(label: str, names: Sequence[str]) -> str | None:
    """Return the one name in ``names`` that ``label`` stands for, else ``None``.

    The same name (case, accents and spacing aside) wins; otherwise a label of one word
    matches a name whose first or last word it is, and a label of several words matches a
    name that starts with them; and only when one name matches.

    >>> people = ["Pablo Galindo", "Łukasz Langa", "Jerod Santo"]
    >>> match_name("PABLO GALINDO", people), match_name("Lukasz", people)
    ('Pablo Galindo', 'Łukasz Langa')
    >>> match_name("Santo", people), match_name("Speaker 1", people)
    ('Jerod Santo', None)
    >>> match_name("Adam", ["Adam Stacoviak", "Adam Jacob"]) is None
    True
    """
    words = _fold(label)
    if not words:
        return None
    folded = [(name, _fold(name)) for name in names]
    same = [name for name, f in folded if f == words]
    if same:
        return same[0]
    if len(words) == 1:
        found = [name for name, f in folded if f and words[0] in (f[0], f[-1])]
    else:
        found = [name for name, f in folded if f[: len(words)] == words]
    return found[0] if len(set(found)) == 1 else None


def resolve_speakers(segments: Sequence[Segment], names: Sequence[str]) -> tuple[Segment, ...]:
    """Replace each speaker label that stands for one of ``names`` with that full name.

    When no segment names a speaker and ``names`` holds exactly one person, that person
    said everything (a solo show whose transcript labels no turns).

    >>> segs = [Segment(0.0, 1.0, "PABLO", "Hi."), Segment(1.0, 2.0, "Speaker 2", "Yo.")]
    >>> [s.speaker for s in resolve_speakers(segs, ["Pablo Galindo"])]
    ['Pablo Galindo', 'Speaker 2']
    """
    people = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    if not people:
        return tuple(segments)
    if len(people) == 1 and all(s.speaker is None for s in segments):
        return tuple(Segment(s.start, s.end, people[0], s.text) for s in segments)
    labels = {s.speaker for s in segments if s.speaker is not None}
    full = {label: match_name(label, people) or label for label in labels}
    return tuple(
        Segment(s.start, s.end, full[s.speaker], s.text) if s.speaker is not None else s
        for s in segments
    )
