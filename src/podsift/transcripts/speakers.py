"""Put full names on a transcript's speaker labels from a list of known people.

A transcript often labels turns with a first name ("Pablo:") or in capitals ("PABLO
GALINDO:"), while its front matter or the feed's ``podcast:person`` entries give the full
name. A label becomes a known person's name only when exactly one of them matches; a
generic label ("Speaker 1") or an ambiguous one stays as the transcript wrote it. With the
feed's persons, a bare "Host" or "Guest" also names the one person of that role, if the
feed lists exactly one; "Speaker 1" is never guessed (#21).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace

from podsift.models import Person, Segment, Transcript

# letters NFKD does not split into a base letter and an accent
_BASE = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"})
_APOSTROPHES = re.compile(r"['’`]")
_SEPARATORS = re.compile(r"[\W_]+")
_HONORIFICS = frozenset({"dr", "prof", "mr", "mrs", "ms", "mx", "sir", "dame"})
# labels that name a part, not a person: "Speaker 1", "SPEAKER_00", "Guest 2", "Unknown"
_GENERIC = re.compile(
    r"^(?:unknown|unidentified|speaker|spk|voice|participant|person|interviewer|interviewee"
    r"|host|co ?host|guest|guest host)(?: speaker)?(?: (?:\d+|[a-z]))?$"
)


def _fold(name: str) -> tuple[str, ...]:
    """Name words, lower-cased, without accents, punctuation or a leading title, for comparing.

    >>> _fold("Łukasz  LANGA"), _fold("José"), _fold("Dr. Timothy M. Jurgensen")
    (('lukasz', 'langa'), ('jose',), ('timothy', 'm', 'jurgensen'))
    >>> _fold("O’Brien-Smith"), _fold("SPEAKER_00")
    (('obrien', 'smith'), ('speaker', '00'))
    """
    plain = unicodedata.normalize("NFKD", name.casefold()).translate(_BASE)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return tuple(untitled(_SEPARATORS.sub(" ", _APOSTROPHES.sub("", plain)).split()))


def untitled(words: Sequence[str]) -> Sequence[str]:
    """A name's ``words`` without the titles that open it ("Dr", "Prof.", "Mrs").

    >>> untitled(["Dr", "Saoirse", "Penhaligon"]), untitled(["Prof.", "Dee"]), untitled(["Sir"])
    (['Saoirse', 'Penhaligon'], ['Dee'], ['Sir'])
    """
    start = 0
    while start < len(words) - 1 and words[start].casefold().rstrip(".") in _HONORIFICS:
        start += 1
    return words[start:]


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
    >>> match_name("Timothy Jurgensen", ["Dr. Timothy M. Jurgensen"])
    'Dr. Timothy M. Jurgensen'
    >>> match_name("FEIGELMAN-ROSS", ["Jonah Feigelman-Ross", "Ivo Stankevicius"])
    'Jonah Feigelman-Ross'
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
    else:  # "Pablo Galindo" for "Pablo Galindo Salgado"; "Timothy Jurgensen", middle dropped;
        # a surname of two words, "Feigelman-Ross" for "Jonah Feigelman-Ross"
        found = [
            name
            for name, f in folded
            if f[: len(words)] == words
            or (len(f) > len(words) and f[-len(words) :] == words)
            or (len(f) > 2 and (f[0], f[-1]) == (words[0], words[-1]))
        ]
    return found[0] if len(set(found)) == 1 else None


def is_generic_label(label: str | None) -> bool:
    """Whether a speaker label names a part rather than a person ("Speaker 1", "Host").

    >>> [is_generic_label(x) for x in ("Speaker 1", "SPEAKER_00", "Guest", "Co-Host", "Ann")]
    [True, True, True, True, False]
    """
    return label is not None and _GENERIC.match(" ".join(_fold(label))) is not None


def speaker_names(labels: Iterable[str], persons: Sequence[Person]) -> dict[str, str]:
    """Map each label that stands for one of the feed's ``persons`` to that person's name.

    A label names a person when the names match (:func:`match_name`): any listed person
    by the full name, a person of the cast (hosts, guests) also by a first or last name
    alone, if no other cast member shares it. A bare role label ("Host", "Guest") names the
    one cast person of that role, when the feed lists exactly one and no other label already
    named them. A numbered label ("Speaker 1", "Guest 2") is never mapped.

    >>> people = [Person("Michael Kennedy"), Person("Brian Okken"), Person("Ann Lee", "guest")]
    >>> speaker_names(["Michael", "Guest", "Speaker 1"], people)
    {'Michael': 'Michael Kennedy', 'Guest': 'Ann Lee'}
    >>> speaker_names(["Host"], people)  # two hosts: no way to tell which
    {}
    """
    # the crew (a cover art designer, an editor) seldom speaks: a first name alone is
    # matched against the cast, unless the feed lists no cast at all
    speaking = _cast(persons)
    names: dict[str, str] = {}
    for label in dict.fromkeys(labels):
        words = _fold(label)
        same = [p.name for p in persons if words and _fold(p.name) == words]
        found = same[0] if same else match_name(label, [p.name for p in speaking])
        if found is not None:
            names[label] = found
    taken = set(names.values())
    for label in dict.fromkeys(labels):
        holders = {p.name for p in speaking if _fold(p.role) == _fold(label)}
        if label not in names and len(holders) == 1 and not holders & taken:
            names[label] = holders.pop()
    return names


def _cast(persons: Sequence[Person]) -> list[Person]:
    """The people who speak: the feed's cast (hosts, guests), else everyone it lists (the
    crew, a cover art designer or an editor, seldom speaks)."""
    return [p for p in persons if p.group == "cast"] or list(persons)


def name_speakers(transcript: Transcript, persons: Sequence[Person]) -> Transcript:
    """Put the feed's full names on the transcript's speaker labels (:func:`speaker_names`),
    and on generic labels that say who they are (:func:`introduced`, among the cast).

    Labels that name no listed person stay as written; turns without a label stay without.
    """
    if not persons:
        return transcript
    labels = [s.speaker for s in transcript.segments if s.speaker is not None]
    names = speaker_names(labels, persons)
    segments = tuple(
        replace(s, speaker=names[s.speaker]) if s.speaker in names else s
        for s in transcript.segments
    )
    segments = introduced(segments, [p.name for p in _cast(persons)])
    if segments == transcript.segments:
        return transcript
    return replace(transcript, segments=segments)


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


# "I'm Shinobi", "my name is Ann Lee", "I am Dana": a speaker saying who they are
_SELF = re.compile(r"\b(?:I['’]m|I am|[Mm]y name is)\s+([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2})")
#: How many of a generic label's first segments may say who it is.
INTRO_SEGMENTS = 3


def introduced(segments: Sequence[Segment], names: Sequence[str]) -> tuple[Segment, ...]:
    """Name each generic label ("Speaker 0") that says who it is in one of its first
    :data:`INTRO_SEGMENTS` segments ("I'm Shinobi, technical editor at…") by one of ``names``
    (the front matter's or the feed's people), when no other label says the same name. When
    that leaves one generic label and one of ``names`` over, and there are as many generic
    labels as names, the label is that person.

    >>> segs = [Segment(0.0, 1.0, "Speaker 0", "Hello. I'm Shinobi, joined by Pieter."),
    ...         Segment(1.0, 2.0, "Speaker 1", "Glad to be here."),
    ...         Segment(2.0, 3.0, "Speaker 0", "So, clusters?")]
    >>> [s.speaker for s in introduced(segs, ["Pieter Wuille", "Shinobi"])]
    ['Shinobi', 'Pieter Wuille', 'Shinobi']
    >>> [s.speaker for s in introduced(segs, ["Pieter Wuille", "Shinobi", "Ann Lee"])]
    ['Shinobi', 'Speaker 1', 'Shinobi']
    >>> [s.speaker for s in introduced(segs[1:2], ["Ann Lee"])]  # no one said who they are
    ['Speaker 1']
    """
    people = [n for n in dict.fromkeys(n.strip() for n in names) if n]
    labels = dict.fromkeys(s.speaker for s in segments if s.speaker is not None)
    generic = [x for x in labels if is_generic_label(x)]
    if not people or not generic:
        return tuple(segments)
    said: dict[str, set[str]] = {}
    for label in generic:
        first = [s.text for s in segments if s.speaker == label][:INTRO_SEGMENTS]
        for m in _SELF.finditer(" ".join(first)):
            words = m.group(1).split()
            found = match_name(m.group(1), people) or match_name(words[0], people)
            if found is not None:
                said.setdefault(label, set()).add(found)
    claims = [name for names_ in said.values() for name in names_]
    found_for = {
        label: next(iter(names_))
        for label, names_ in said.items()
        if len(names_) == 1 and claims.count(next(iter(names_))) == 1
    }
    left = [x for x in generic if x not in found_for]
    unused = [n for n in people if n not in found_for.values()]
    if found_for and len(generic) == len(people) and len(left) == len(unused) == 1:
        found_for[left[0]] = unused[0]
    return tuple(
        replace(s, speaker=found_for[s.speaker]) if s.speaker in found_for else s
        for s in segments
    )


# "Speakers: S1 - Rosamund Achterberg, S2 - Kwabena Oduro-Lisle" (Scribie's header), or a line
# of "TA = Tamsin Achterberg, RV = Rohan Venkataraman" above the talk
_LEGEND = re.compile(r"^\s*Speakers?\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
#: How far into a transcript its legend of speakers may be (characters).
LEGEND_REACH = 2000


def legend(text: str) -> dict[str, str]:
    """The full names a transcript's header gives its speaker labels, label → name.

    >>> legend("File: x.mp3\\nSpeakers: S1 - Rosamund Achterberg, S2 - Kwabena Oduro-Lisle\\n")
    {'S1': 'Rosamund Achterberg', 'S2': 'Kwabena Oduro-Lisle'}
    >>> legend("TA = Tamsin Achterberg, JL = Joaquim de Lacerda (guest)")
    {'TA': 'Tamsin Achterberg', 'JL': 'Joaquim de Lacerda'}
    >>> legend("Speakers: three, all lovely"), legend("x = 5 and y = 6")
    ({}, {})
    """
    head = text[:LEGEND_REACH]
    m = _LEGEND.search(head)
    lines = [m.group(1)] if m else [line for line in head.splitlines() if "=" in line]
    for line in lines:
        found = _entries(line, "-–=:" if m else "=")
        if found:
            return found
    return {}


def _entries(line: str, marks: str) -> dict[str, str]:
    """The ``label - Name`` entries of a legend's line, or none when one entry is not one (a
    list of names, a sentence); a part after the name ("(guest)") is dropped."""
    found = {}
    for entry in re.split(r"[,;]", line):
        e = re.match(rf"^\s*([\w.]{{1,20}})\s*[{marks}]\s*(\S.*?)\s*(?:\([^)]*\))?\s*$", entry)
        if e is None or not 2 <= len(e.group(2).split()) <= 4:
            return {}
        found[e.group(1)] = e.group(2)
    return found if len(found) >= 2 or marks != "=" else {}


def named_by_legend(segments: Sequence[Segment], names: dict[str, str]) -> tuple[Segment, ...]:
    """``segments`` with each label the legend lists replaced by its full name."""
    return tuple(
        Segment(s.start, s.end, names[s.speaker], s.text) if s.speaker in names else s
        for s in segments
    )


def own_names(segments: Sequence[Segment]) -> list[str]:
    """The full names a transcript's own labels give (two words or more, no part such as
    "Speaker 1"): a later "FEIGELMAN-ROSS:" or "Michael:" stands for one of them
    (:func:`resolve_speakers`).

    >>> own_names([Segment(0.0, 1.0, "Jonah Feigelman-Ross", "Hi."),
    ...            Segment(1.0, 2.0, "Speaker 2", "Yo."), Segment(2.0, 3.0, "Ivo", "So.")])
    ['Jonah Feigelman-Ross']
    """
    labels = dict.fromkeys(s.speaker for s in segments if s.speaker)
    return [x for x in labels if x and len(x.split()) > 1 and not is_generic_label(x)]
