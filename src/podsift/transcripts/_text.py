"""Helpers shared by the transcript parsers: clocks, speaker labels, timed pieces.

No business logic beyond turning marked-up text into segments.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podsift.lexicon import word_set
from podsift.models import Segment
from podsift.transcripts.speakers import untitled

_WS = re.compile(r"\s+")
_CLOCK = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+)(?:[.,](\d+))?$")
# "Adam Curry: text", "SPEAKER_1: text", "Łukasz Langa: text": one to four capitalised
# words (checked by _is_name), so that "so here's the thing: ..." is not taken for a speaker.
_NAME = r"[^\W_][\w.'’-]*(?: [^\W_][\w.'’-]*){0,3}(?: #\d+)?"  # "UNIDENTIFIED PERSON #1"
# Broadcast subtitles may bracket it: "[ANN LEE]: text", "(Ann Lee): text"; radio transcripts
# add the speaker's part in capitals: "JONAH FEIGELMAN-ROSS, BYLINE: text" (NPR's).
_ROLE = r"(?:, [A-Z][A-Z .'’-]*)?"
_LABEL = re.compile(rf"^(?:\[({_NAME})\]|\(({_NAME})\)|({_NAME}){_ROLE}):\s+(?=\S)")
_PARTICLES = frozenset({"de", "van", "von", "da", "del", "der", "le", "la", "di", "du", "bin"})
#: A written time: "12:34", "01:02:03", "00:01:05.500" (a comma for the dot too).
CLOCK_TEXT = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d+)?"
# "Pablo Galindo: 00:12:34" alone on its line, the speech below (btctranscripts.com),
# "Leopold Ferrante-Oduya - 00:00" (Fireflies) or "Greg Sanders – 00:02:57:".
_STAMP_LINE = re.compile(rf"^\s*({_NAME}):?\s+(?:[-–—]\s+)?[\[(]?({CLOCK_TEXT})[\])]?:?\s*$")
# "Speaker 1 (00:12):" or "Pablo Galindo [00:12:34]:" (Rev, Otter, Descript), or "Stephan
# Livera – 00:02:02:" (a dash, then the time and a colon), speech after.
_STAMP_LABEL = re.compile(
    rf"^\s*({_NAME})\s+(?:[\[(]({CLOCK_TEXT})[\])]:?|[-–—]\s+({CLOCK_TEXT}):)(?:\s+|$)"
)
# "Jamie Park: [00:00:07] Hi." (Descript's export): the label, then the time, then speech.
_LABEL_STAMP = re.compile(rf"^\s*({_NAME}):\s+[\[(]({CLOCK_TEXT})[\])](?:\s+|$)")


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


def seconds(value: object, scale: float = 1.0) -> float | None:
    """A time as a document gives it, in seconds: a number (times ``scale``: 0.001 for
    milliseconds), a string of one (Amazon Transcribe's "0.54") or a clock ("00:01:05.500").

    >>> seconds(480, 0.001), seconds("0.54"), seconds("00:01:05.500"), seconds(True)
    (0.48, 0.54, 65.5, None)
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return round(float(value) * scale, 3)
    except ValueError:
        return parse_clock(value) if isinstance(value, str) else None


def heading_speakers(names: Iterable[str]) -> set[str]:
    """Of the names that head a page's sections (each heading that is a name alone), those
    that are speakers: when a name heads two turns or more, the page heads its turns with
    names, and then each such name is a speaker that heads two or is a full name (a one-off
    guest); "Transcript" or "Notes" once are a page's sections.

    >>> sorted(heading_speakers(["Transcript", "Ann Lee", "Bo Chen", "Ann Lee"]))
    ['Ann Lee', 'Bo Chen']
    >>> heading_speakers(["Transcript", "Show Notes"])
    set()
    """
    heads = Counter(names)
    if not any(n >= 2 for n in heads.values()):
        return set()
    return {name for name, n in heads.items() if n >= 2 or " " in name}


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading ``Name:`` speaker label off ``text``.

    >>> split_label("Alban: It is so")
    ('Alban', 'It is so')
    >>> split_label("so here's the thing: no"), split_label("[ANN LEE]: Go.")
    ((None, "so here's the thing: no"), ('ANN LEE', 'Go.'))
    >>> split_label("JONAH FEIGELMAN-ROSS, BYLINE: The ferry is called the Marigold.")
    ('JONAH FEIGELMAN-ROSS', 'The ferry is called the Marigold.')
    """
    m = _LABEL.match(text)
    name = m and next(g for g in m.groups() if g is not None)
    if m is None or not name or not _is_name(name):
        return None, text
    return name, text[m.end() :]


# "Adam Jonas (AJ): text": a name, the initials it goes by later in brackets, then speech.
_ALIASED = re.compile(rf"^({_NAME}) \(([A-Z][A-Za-z.]{{0,5}})\):\s+(?=\S)")


def split_aliased(text: str) -> tuple[str, str, str] | None:
    """Split a ``Name (INITIALS):`` label that says what a speaker's later labels will be.

    Returns ``(name, initials, rest)``, else ``None``.

    >>> split_aliased("Adam Jonas (AJ): Welcome to the show.")
    ('Adam Jonas', 'AJ', 'Welcome to the show.')
    >>> split_aliased("Murch (M): Fine."), split_aliased("AJ: Hi."), split_aliased("So (ok): no")
    (('Murch', 'M', 'Fine.'), None, None)
    """
    m = _ALIASED.match(text)
    if m is None or not _is_name(m.group(1)):
        return None
    return m.group(1), m.group(2), text[m.end() :]


def name_line(line: str) -> str | None:
    """The name a line holds and nothing else (a speaker whose time is on the next line, as
    Apple Podcasts' transcripts print them), else ``None``.

    >>> name_line("Hannah Lindqvist"), name_line("Well"), name_line("So, okay.")
    ('Hannah Lindqvist', None, None)
    """
    text = line.strip()
    return text if re.fullmatch(_NAME, text) and _is_name(text) else None


def said_name(line: str) -> str | None:
    """The name ``line`` holds and nothing else, with a letter and not ended as a sentence is
    ("Tim Schilling." and "Thanks." are speech, "12" a cue's number).

    >>> said_name("Halvard Nkemelu"), said_name("Thanks."), said_name("12")
    ('Halvard Nkemelu', None, None)
    """
    named = name_line(line)
    if named is None or named.endswith((".", "!", "?")) or not any(c.isalpha() for c in named):
        return None
    return named


def label_line(line: str) -> str | None:
    """The speaker of a line that is only a ``Name:`` label (the speech below), else ``None``.

    >>> label_line("Lena Vasquez-Moore:"), label_line("Here's the thing:"), label_line("Ann: hi")
    ('Lena Vasquez-Moore', None, None)
    >>> label_line("CORDELIA NWANKWO-BRISCOE, HOST:")
    'CORDELIA NWANKWO-BRISCOE'
    """
    text = line.strip()
    return name_line(re.sub(rf"{_ROLE}:$", "", text)) if text.endswith(":") else None


# Words that open a sentence without adding to it (lexicon/data/fillers.txt), or name a day
# ("Tonight: …", "Friday: …"), never a speaker (a month may be: "May", "June").
_OPENERS = word_set("fillers", "discourse_markers") | word_set("names", "days")


def _is_name(label: str) -> bool:
    """Whether every word of ``label`` is capitalised (or a number, or a name particle), and
    it is not one word that opens speech ("So: soak, drain, then boil.") or names a time
    ("Tonight: the strike dates, a big fine.").

    >>> _is_name("Łukasz Langa"), _is_name("Ludwig van Beethoven"), _is_name("so here's")
    (True, True, False)
    >>> _is_name("So"), _is_name("Okay"), _is_name("Tonight"), _is_name("May"), _is_name("Alban")
    (False, False, False, True, True)
    >>> _is_name("Ep. 57"), _is_name("Part 2"), _is_name("Speaker 2")
    (False, False, True)
    """
    first, *rest = label.split(" ")
    if not rest and first.lower() in _OPENERS:
        return False
    if _NUMBERED_PART.match(label):  # "Ep. 57: Cargo Bikes", a list of episodes
        return False
    return _capital(first) and all(
        _capital(w) or w in _PARTICLES or _NUMBER_SIGN.match(w) for w in rest
    )


_NUMBER_SIGN = re.compile(r"^#\d+$")  # "UNIDENTIFIED PERSON #1"
# a numbered part of a show, not a person: "Ep. 57", "Episode 12", "Part 2", "Chapter 3"
_NUMBERED_PART = re.compile(
    r"^(?:ep|eps|episode|part|pt|chapter|ch|season|series|track|no|vol|volume)\.?\s*#?\d+$",
    re.IGNORECASE,
)


def _capital(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


def split_stamp(line: str) -> tuple[str, float | None, str] | None:
    """Split a turn opened by a speaker and a time: ``Name: 00:12:34`` or ``Name (00:12):``.

    Returns ``(speaker, seconds, rest of the line)``, or ``None`` when the line opens no
    such turn.

    >>> split_stamp("Pablo Galindo: 00:12:34")
    ('Pablo Galindo', 754.0, '')
    >>> split_stamp("Speaker 1 (00:12): So we started.")
    ('Speaker 1', 12.0, 'So we started.')
    >>> split_stamp("Jamie Park: [00:00:07] Hi. Hello.")
    ('Jamie Park', 7.0, 'Hi. Hello.')
    >>> split_stamp("Stephan Livera – 00:02:02:  So on to Greg."), split_stamp("Greg – 00:02:57:")
    (('Stephan Livera', 122.0, 'So on to Greg.'), ('Greg', 177.0, ''))
    >>> split_stamp("at 12:30 we left") is None, split_stamp("Lunch - 12:30 at the hall") is None
    (True, True)
    """
    for pattern in (_STAMP_LINE, _STAMP_LABEL, _LABEL_STAMP):
        m = pattern.match(line)
        if m is not None and _is_name(m.group(1)):
            clock = next(g for g in m.groups()[1:] if g is not None)
            return m.group(1), parse_clock(clock), line[m.end() :].strip()
    return None


_BRACKET_MARK = re.compile(rf"^\s*[\[(]({CLOCK_TEXT})[\])]\s*")


def open_turn(paragraph: str) -> tuple[str | None, float | None, str] | None:
    """Split the speaker and time that open a paragraph in one of the published styles.

    ``Name: 00:12:34`` on a line of its own, ``Speaker 1 (00:12):`` and ``[00:12:34] Name:``
    (the name is optional there). Returns ``(speaker, seconds, the rest)``, or ``None``.

    >>> open_turn("[00:12:34] Ann Lee: We shipped it.")
    ('Ann Lee', 754.0, 'We shipped it.')
    >>> open_turn("Ann Lee: 00:00:05\\nWe shipped it.")
    ('Ann Lee', 5.0, 'We shipped it.')
    >>> open_turn("We shipped it.") is None
    True
    """
    first, _, after = paragraph.partition("\n")
    stamp = split_stamp(first)
    if stamp is not None:
        name, mark, rest = stamp
        return name, mark, "\n".join(x for x in (rest, after) if x)
    m = _BRACKET_MARK.match(first)
    if m is None:
        return None
    label, rest = split_label(first[m.end() :].strip())
    return label, parse_clock(m.group(1)), "\n".join(x for x in (rest, after) if x)


# A link's address may hold parentheses of its own: "[x](https://w.org/Core_(ch_4):_Net)".
# Some hold spaces too: "[x](https://www.systeminit.com/open source/)" (Changelog & Friends 41).
_URL = r"(?:[^()\n]|\([^()\n]*\))*"
_IMAGE = re.compile(rf"!\[([^\]]*)\]\({_URL}\)")
_LINK = re.compile(rf"\[([^\]]*)\]\({_URL}\)")


def strip_links(text: str) -> str:
    """Reduce Markdown links and images to their text.

    >>> strip_links("see [checkpoints](https://w.org/Core_(ch_4):_Net#Checkpoints).")
    'see checkpoints.'
    """
    return _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))


_NO_ONE = frozenset({"unknown", "unknown speaker", "unidentified", "unidentified speaker"})


def clean_speaker(name: str | None) -> str | None:
    """Normalise a speaker name: trailing colon and spaces removed; a name captions write in
    capitals ("MAYA", "RUTH OKAFOR") in title case; empty or a label that says the speaker is
    not known ("Unknown:", #21) → ``None``.

    >>> clean_speaker(" Adam  Curry: "), clean_speaker("Unknown"), clean_speaker("")
    ('Adam Curry', None, None)
    >>> clean_speaker("MAYA:"), clean_speaker("RUTH O'BRIEN-SMITH"), clean_speaker("DHH")
    ('Maya', "Ruth O'Brien-Smith", 'DHH')
    >>> clean_speaker("DR ANOUK SORVIK"), clean_speaker("EDITOR'S NOTE")
    ('Dr Anouk Sorvik', "Editor's Note")
    """
    if name is None:
        return None
    name = collapse(name).rstrip(":").strip()
    if _shouted(untitled(name.split())):
        name = _POSSESSIVE.sub("'s", name.title())
    return name if name and name.casefold() not in _NO_ONE else None


_POSSESSIVE = re.compile(r"(?<=\w)['’]S\b")  # title case's "Editor'S"


def _shouted(words: Sequence[str]) -> bool:
    """Whether ``words`` are a name in capitals: each of three capital letters or more (any
    script's: "RENÉE") with a vowel, so not an acronym such as "DHH".

    >>> _shouted(["RENÉE", "FAIRWEATHER"]), _shouted(["DHH"]), _shouted(["Ann"]), _shouted([])
    (True, False, False, False)
    """
    return bool(words) and all(
        w.isupper()
        and all(c.isalpha() or c in "'’-" for c in w)
        and sum(c.isalpha() for c in w) >= 3
        and _VOWEL.search(_unaccented(w))
        for w in words
    )


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


_VOWEL = re.compile(r"[AEIOUY]")


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
