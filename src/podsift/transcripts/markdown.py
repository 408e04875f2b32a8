"""Changelog-style Markdown transcripts into segments.

``**Name:**`` opens a speaker's turn (alone on its line or before the text), each
paragraph is a segment, ``**Break:** \\[12:34\\]`` is no speech but gives the time,
``\\[01:00:48.21\\]`` and ``\\[unintelligible 00:18:26.23\\]`` are time marks. Block quotes
(``> ``) stay as text: they are material the speaker quotes, in a segment of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from podsift.models import Segment
from podsift.transcripts._text import (
    CLOCK_TEXT,
    Piece,
    clean_speaker,
    heading_speakers,
    label_line,
    open_turn,
    parse_clock,
    said_name,
    segments_from_pieces,
    split_aliased,
    split_label,
    strip_links,
)
from podsift.transcripts.markup import notes_above

_TURN = re.compile(r"^\s*\*\*([^*\n]{1,80}?)(?::\*\*|\*\*:)[ \t]*")
_MARK = re.compile(r"\\\[([^\]\\]*?)\s*((?:\d{1,2}:)?\d{1,2}:\d{2}(?:\.\d+)?)\\\]")
_TIMED_LABEL = re.compile(rf"^\s*\[?({CLOCK_TEXT})\]?\s+")
_PLAIN_MARK = re.compile(rf"^\s*\[({CLOCK_TEXT})\]\s*")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~<])")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`+([^`]*)`+")
_LINE_PREFIX = re.compile(r"^\s*(?:>\s?|#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)+", re.MULTILINE)
_PRIVATE = 0xE000  # escaped characters hide in the private-use area while markup is removed


def _hide(m: re.Match[str]) -> str:
    return chr(_PRIVATE + ord(m.group(1)))


def _unhide(text: str) -> str:
    return "".join(
        chr(ord(c) - _PRIVATE) if _PRIVATE <= ord(c) < _PRIVATE + 128 else c for c in text
    )


def strip_markdown(text: str) -> str:
    """Remove inline Markdown (links, emphasis, code, quote/list markers); keep the words.

    >>> strip_markdown(r"see [the _docs_](https://x.y) **now** \\[laughs\\] my_var")
    'see the docs now [laughs] my_var'
    """
    text = _ESCAPE.sub(_hide, text)
    text = _LINE_PREFIX.sub("", text)
    text = strip_links(text)
    text = _REF_LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    for _ in range(2):  # nested emphasis such as **_x_**
        text = _STRONG.sub(r"\2", text)
        text = _EM_STAR.sub(r"\1", text)
        text = _EM_UNDER.sub(r"\1", text)
    return _unhide(text)


def _marks(paragraph: str) -> tuple[float | None, float | None, str]:
    """Return (leading mark, last inner mark, text with marks removed or shortened)."""
    lead: float | None = None
    inner: float | None = None
    parts: list[str] = []
    pos = 0
    for m in _MARK.finditer(paragraph):
        seconds = parse_clock(m.group(2))
        before = paragraph[pos : m.start()]
        if not "".join(parts).strip() and not before.strip():
            lead = seconds if lead is None else lead
        else:
            inner = seconds
        label = m.group(1).strip()
        parts.extend([before, f"\\[{label}\\]" if label else ""])
        pos = m.end()
    parts.append(paragraph[pos:])
    return lead, inner, "".join(parts)


_OPENING_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|>\s?)")  # a heading's, a block quote's
# a time in emphasis after a name: "**Shinobi** *(00:00:00)*"
_EMPHASISED_TIME = re.compile(rf"(?<![\w*])[*_]([\[(]?{CLOCK_TEXT}[\])]?)[*_](?![\w*])")


def _unheaded(paragraph: str) -> str:
    """``paragraph`` as a turn may open it: a heading's or a block quote's marker, bold and
    links reduced to their text ("### Omar Haddad [00:00:15](https://x.y/ep.mp3#t=15)" is
    "Omar Haddad 00:00:15", MacWhisper's "**Lucía Brandvold** (00:58:40)" is "Lucía
    Brandvold (00:58:40)").

    >>> _unheaded("### Omar Haddad [00:00:15](https://x.y/ep.mp3#t=15)")
    'Omar Haddad 00:00:15'
    >>> _unheaded("**Lucía Brandvold** (00:58:40)"), _unheaded("> **Ann Lee** (12:04): Hi.")
    ('Lucía Brandvold (00:58:40)', 'Ann Lee (12:04): Hi.')
    >>> _unheaded("**Shinobi** *(00:00:00)*")
    'Shinobi (00:00:00)'
    """
    text = strip_links(_STRONG.sub(r"\2", _OPENING_MARKS.sub("", paragraph)))
    return _EMPHASISED_TIME.sub(r"\1", text)


def _paragraphs(text: str) -> Iterator[str]:
    """Yield paragraphs; a line that opens a turn starts a paragraph of its own."""
    for paragraph in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        lines: list[str] = []
        for line in paragraph.split("\n"):
            if lines and (_TURN.match(line) or open_turn(line)):
                yield "\n".join(lines)
                lines = []
            lines.append(line)
        yield "\n".join(lines)


def _pieces(text: str) -> Iterator[Piece]:
    """Yield one piece per paragraph, with turn speakers, marks and breaks applied."""
    speaker: str | None = None
    carried: float | None = None  # an inner mark: it times the next paragraph
    for paragraph in _paragraphs(text):
        turn = _TURN.match(paragraph)
        opened = None if turn is not None else open_turn(_unheaded(paragraph))
        stamp: float | None = None
        if turn is not None:
            label = strip_links(turn.group(1))  # "**[12:04](#t=724) Ann Lee:**": time, then name
            if (timed := _TIMED_LABEL.match(label)) is not None:
                stamp, label = parse_clock(timed.group(1)), label[timed.end() :]
            name = clean_speaker(label)
            is_break = name is not None and name.lower() == "break"
            speaker = None if is_break else name
            paragraph = paragraph[turn.end() :]
            if stamp is None and (plain := _PLAIN_MARK.match(paragraph)) is not None:
                stamp, paragraph = parse_clock(plain.group(1)), paragraph[plain.end() :]
        else:
            is_break = False
        if opened is not None:  # "Name: 00:12:34", "Speaker 1 (00:12):", "[00:12:34] Name:"
            name, stamp, paragraph = opened
            speaker = clean_speaker(name) or speaker
        lead, inner, body = _marks(paragraph)
        lead = stamp if stamp is not None else lead
        if is_break:
            body = ""
        yield Piece(lead, speaker, strip_markdown(body), floor=carried)
        carried = inner


# a section's heading: a page's title ("# The Umbrella Mountain") heads no turn
_HEADING_LINE = re.compile(r"^[ \t]*#{2,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


def _named_headings(text: str) -> str:
    """``text`` with each heading that is a speaker's name alone made that speaker's turn
    ("### Emeric Dufresne", the turn's paragraphs below, as ``**Emeric Dufresne:**``), when
    a name heads two turns or more: the page heads its turns with names (and its one-off
    guest's full name too), not its sections ("## Transcript" stays a heading).

    >>> _named_headings("## Transcript\\n### Ann Lee\\nHi.\\n### Bo Chen\\nYo.\\n### Ann Lee\\nSo.")
    '## Transcript\\n**Ann Lee:**\\nHi.\\n**Bo Chen:**\\nYo.\\n**Ann Lee:**\\nSo.'
    """
    return _named_lines(text, _HEADING_LINE, lambda m: said_name(m.group(1)))


# a name and a colon alone on a line, the speech below: "Stephan Livera:" (plain labels)
_LABEL_LINE = re.compile(r"^[ \t]*[^\s*#>].{0,80}:[ \t]*$", re.MULTILINE)


def _label_lines(text: str) -> str:
    """``text`` with each line that holds a name and a colon alone ("Stephan Livera:", the
    speech below) made that speaker's turn, by the rule of :func:`_named_headings`: "Notes:"
    once stays text.

    >>> _label_lines("Notes:\\nAnn Lee:\\nHi.\\nBo Chen :\\nYo.\\nAnn Lee:\\nSo.")
    'Notes:\\n**Ann Lee:**\\nHi.\\n**Bo Chen:**\\nYo.\\n**Ann Lee:**\\nSo.'
    """
    return _named_lines(text, _LABEL_LINE, lambda m: label_line(m.group(0)))


def _named_lines(
    text: str, pattern: re.Pattern[str], name_of: Callable[[re.Match[str]], str | None]
) -> str:
    """``text`` with each match of ``pattern`` whose name (``name_of``) is a speaker's made
    that speaker's turn (``**Name:**``): a name that opens two turns or more, or a full name
    when some name does (:func:`~podsift.transcripts._text.heading_speakers`)."""
    speakers = heading_speakers(n for m in pattern.finditer(text) if (n := name_of(m)))

    def turn(m: re.Match[str]) -> str:
        name = name_of(m)
        return f"**{name}:**" if name in speakers else m.group(0)

    return pattern.sub(turn, text)


def _plain_labels(text: str) -> str:
    """``text`` with each line that opens with a plain ``Name: `` label made that speaker's
    turn (``**Name:** ``), by the rule of :func:`_named_headings` ("Guix: https://…" once
    stays text). ``Adam Jonas (AJ): `` names the speaker whom later ``AJ: `` labels mean; a
    one-letter label is a speaker only so named ("Q: " stays text).

    >>> print(_plain_labels("Video: x\\n\\nAdam Jonas (AJ): Hi.\\n\\nAJ: So.\\n\\nCarl Dong: Yo."))
    Video: x
    <BLANKLINE>
    **Adam Jonas:** Hi.
    <BLANKLINE>
    **Adam Jonas:** So.
    <BLANKLINE>
    **Carl Dong:** Yo.
    """
    lines = text.split("\n")
    aliases: dict[str, str] = {}
    opened: list[tuple[str, str] | None] = []  # per line: (speaker, rest)
    for line in lines:
        if open_turn(line) is not None:  # "Ann Lee: 00:12:34" and the like: a turn already
            opened.append(None)
            continue
        aliased = split_aliased(line)
        if aliased is not None:
            aliases[aliased[1]] = aliased[0]
            opened.append((aliased[0], aliased[2]))
            continue
        name, rest = split_label(line)
        opened.append((name, rest) if name else None)
    named = [aliases.get(o[0], o[0]) for o in opened if o]
    speakers = heading_speakers(n for n in named if len(n) > 1 or n in aliases.values())
    out = []
    for line, got in zip(lines, opened, strict=True):
        name = got and aliases.get(got[0], got[0])
        out.append(f"**{name}:** {got[1]}" if got and name in speakers else line)
    return "\n".join(out)


#: A heading that opens a page's transcript: "## Transcript", "Full transcript".
_TRANSCRIPT_TITLE = re.compile(r"^(?:(?:full|episode)\s+)?transcript:?$", re.I)


def parse_markdown(text: str) -> tuple[Segment, ...]:
    """Parse a Changelog-style Markdown transcript into segments.

    Above the first turn with a speaker and a time (with a speaker, where no turn has a time),
    a page's title and show notes ("## Show notes", a list of links) are not speech, when
    short and said by none of the turns' speakers
    (:func:`~podsift.transcripts.markup.notes_above`, as for a page); nor, however long, is
    what stands above a heading "Transcript" before that turn.

    >>> [s.text for s in parse_markdown("Notes.\\n\\n## Transcript\\n\\n**Ann:** Hi.")]
    ['Hi.']
    """
    pieces = list(_pieces(_plain_labels(_label_lines(_named_headings(text)))))
    named = [k for k, p in enumerate(pieces) if p.speaker]
    first = next((k for k in named if pieces[k].mark is not None), named[0] if named else 0)
    titled = [k for k in range(first) if _TRANSCRIPT_TITLE.match(pieces[k].text)]
    if titled:  # the page's own heading says where its transcript starts
        pieces, first = pieces[titled[-1] + 1 :], first - titled[-1] - 1
    if notes_above(pieces, first):
        pieces = pieces[first:]
    elif named and notes_above(pieces, named[0]):  # untimed turns first, times further on
        pieces = pieces[named[0] :]
    return segments_from_pieces(pieces)
