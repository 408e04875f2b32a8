"""Prose formats: HTML, plain text and Markdown transcripts into segments."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol

from podsift.models import Segment
from podsift.transcripts._text import (
    CLOCK_TEXT,
    Piece,
    clean_speaker,
    collapse,
    heading_speakers,
    label_line,
    name_line,
    parse_clock,
    said_name,
    segments_from_pieces,
    split_label,
    split_stamp,
    strip_links,
)

_BLOCK_TAGS = frozenset(
    {"cite", "time", "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "pre", "td", "tr"}
)
# page chrome around a transcript: a site's footer ("Subscribe: RSS · Spotify"), menus and
# boxes aside ("Support Provenance: become a member")
_HIDDEN_TAGS = frozenset(
    {"script", "style", "head", "title", "template", "noscript", "footer", "nav", "aside"}
)
_VOID_TAGS = frozenset({"br", "hr", "img", "meta", "link", "input", "wbr"})
# boxes a page lays its text out in: outside the blocks above, each holds a line of its own,
# and a span a word or more ("<div><span>Ann Lee</span><span>(00:00:12)</span>…</div>")
_BOX_TAGS = frozenset({"div", "section", "article"})


class _Blocks(HTMLParser):
    """Collect ``(tag, text)`` for block elements; never fetches or runs anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.loose: list[str] = []
        self._open: list[str] = []
        self._parts: list[str] = []
        self._hidden = 0
        self.linked_data: list[str] = []  # the texts of <script type="application/ld+json">
        self._in_linked_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and ("type", "application/ld+json") in attrs:
            self._in_linked_data = True
            self.linked_data.append("")
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag == "br" or (tag in _BOX_TAGS and not self._open):
            self._parts.append("\n")
        elif tag == "span" and not self._open:
            self._parts.append(" ")
        elif tag in _BLOCK_TAGS:
            if not self._open:
                self._flush_loose()
            else:  # a block inside one (a table row's cells): a line of its own
                self._parts.append("\n")
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_linked_data = False
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BOX_TAGS and not self._open:
            self._parts.append("\n")
        elif tag in _BLOCK_TAGS and tag in self._open:
            while self._open and self._open.pop() != tag:
                pass
            if not self._open:
                self.blocks.append((tag, "".join(self._parts)))
                self._parts = []

    def handle_data(self, data: str) -> None:
        if self._in_linked_data:
            self.linked_data[-1] += data
        elif not self._hidden:
            self._parts.append(data)

    def _flush_loose(self) -> None:
        """Keep the text between blocks aside; a speaker and a time there, as hosted pages put
        them in elements of their own above each turn's ``<p>`` ("<div class=speaker>Ann
        Lee</div> <span class=timestamp>0:14</span>"), is a block: the turn's heading."""
        text = "".join(self._parts)
        if (stamp := split_stamp(collapse(text))) is not None and not stamp[2]:
            self.blocks.append(("div", collapse(text)))
        elif text.strip():
            self.loose.append(text)
        self._parts = []

    def close(self) -> None:
        super().close()
        if self._open:
            self.blocks.append((self._open[0], "".join(self._parts)))
            self._parts = []
        self._flush_loose()


def parse_html(text: str) -> tuple[Segment, ...]:
    """Parse HTML: Buzzsprout/Podnews ``<cite>``/``<time>``/``<p>``, else paragraph text."""
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    tags = {tag for tag, body in parser.blocks if tag != "time" or parse_clock(body) is not None}
    if "time" in tags and "p" in tags:  # a <time> holding a clock, not a date ("Apr 18, 2024")
        return segments_from_pieces(_cited_pieces(parser.blocks))
    headed = list(zip((tag for tag, _ in parser.blocks), _headed(parser.blocks), strict=True))
    linked = linked_transcript(parser.linked_data) if parser.linked_data else None
    if linked and not _has_turns(headed):
        return parse_text(linked)
    lines = [body for _, body in _turns_only(headed)]
    loose = "\n\n".join(parser.loose)
    boxed = _line_turns(loose)
    if boxed >= PAGE_TURNS and boxed > _line_turns("\n".join(lines)):
        return parse_text(loose)  # the turns are in boxes (<div>, <span>), not in blocks
    return parse_text("\n\n".join(lines) or loose)


def linked_transcript(scripts: Sequence[str]) -> str | None:
    """The longest ``transcript`` text in a page's linked data (schema.org JSON-LD: an
    episode's or its audio's ``"transcript"``), where a page that shows no transcript of its
    own keeps it; ``None`` when none holds one. A script that is not JSON is passed over.

    >>> linked_transcript(['{"@type": "PodcastEpisode", "associatedMedia": '
    ...                    '{"transcript": "[00:00] Ann Lee: Hi."}}', '{oops'])
    '[00:00] Ann Lee: Hi.'
    """
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(text := node.get("transcript"), str) and text.strip():
                found.append(text)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for script in scripts:
        try:
            walk(json.loads(script))
        except ValueError:
            continue
    return max(found, key=len, default=None)


#: The least turns in the one kind of element that holds a page's transcript (more than
#: half of all the blocks that open like a turn; :func:`_turns_only`).
PAGE_TURNS = 3


def _turns_only(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The blocks of a page's transcript: from its first turn on, in the kind of element that
    holds more than half of the blocks opening with a speaker or a time (and
    :data:`PAGE_TURNS` or more). Above it are the page's title and show notes, below its last
    turn the page's links to other episodes, unless in a kind of element that holds speech
    between the turns (the last turn's paragraphs); a heading between turns titles a section;
    and a block of another kind that opens like a turn is the page's, not speech: a chapter
    list's "15:48 Sponsor: Marquee Seats", a link's "Harbourlight Pictures: investor news".
    A page whose turns are no one kind of element is read whole.

    >>> page = [("h1", "The Week: Mergers"), ("p", "Notes."), ("li", "02:10 Sponsor: Acme"),
    ...         ("p", "[00:05] Ann Lee: Hi."), ("p", "[00:09] Bo Chen: Hey."), ("p", "More."),
    ...         ("h3", "Sponsor: Acme [02:10]"), ("p", "[02:11] Ann Lee: So."), ("p", "Bo: Ha."),
    ...         ("h2", "#117 The Week That Was")]
    >>> [body for _, body in _turns_only(page)]
    ['[00:05] Ann Lee: Hi.', '[00:09] Bo Chen: Hey.', 'More.', '[02:11] Ann Lee: So.', 'Bo: Ha.']
    """
    opens = [_opens_turn(body) for _, body in blocks]
    kinds = Counter(tag for (tag, _), turn in zip(blocks, opens, strict=True) if turn)
    if not kinds:
        return blocks
    kind, turns = kinds.most_common(1)[0]
    if turns < PAGE_TURNS or 2 * turns <= sum(kinds.values()):
        return blocks
    turns_at = [k for k, (tag, _) in enumerate(blocks) if opens[k] and tag == kind]
    first, last = turns_at[0], turns_at[-1]
    # the kinds of element that hold speech between turns (a <dd> below each <dt> name); a
    # heading between them titles a section
    speech = {kind} | {blocks[k][0] for k in range(first, last) if not opens[k]}
    speech -= _TITLES - {kind}
    return [
        (tag, body)
        for k, (tag, body) in enumerate(blocks)
        if k >= first and tag in speech and (tag == kind or not opens[k])
    ]


def _has_turns(blocks: list[tuple[str, str]]) -> bool:
    """Whether a page shows :data:`PAGE_TURNS` blocks or more that open like a turn."""
    return sum(_opens_turn(body) for _, body in blocks) >= PAGE_TURNS


def _line_turns(text: str) -> int:
    """How many of ``text``'s lines open a turn (:func:`_opens_turn`)."""
    return sum(_opens_turn(line) for line in text.split("\n") if line.strip())


def _opens_turn(body: str) -> bool:
    """Whether a block's first line opens a turn: a speaker or a time."""
    first = next((line for line in body.split("\n") if line.strip()), "")
    started = _line_start(first) if first else None
    return started is not None and (started.speaker is not None or started.mark is not None)


_HEADINGS = frozenset({"dt", "h2", "h3", "h4", "h5", "h6"})
#: Elements that title a page or a section, never speech.
_TITLES = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def _headed(blocks: list[tuple[str, str]]) -> list[str]:
    """The blocks' texts, a heading that names a speaker made their label ("Ann Lee" in an
    ``<h3>`` or a ``<dt>``, the turn's paragraphs below), when a name heads two turns or more
    (with a time or without): the page heads its turns with names (and a one-off guest's
    full name too), not only its sections ("Transcript" stays no one).

    >>> _headed([("h3", "Ann Lee"), ("p", "Hi."), ("h3", "Bo Chen"), ("h3", "Ann Lee")])
    ['Ann Lee:', 'Hi.', 'Bo Chen:', 'Ann Lee:']
    >>> _headed([("h2", "Transcript"), ("h3", "Ann Lee"), ("h3", "Ann Lee")])
    ['Transcript', 'Ann Lee:', 'Ann Lee:']
    """
    named = [name_line(collapse(body)) if tag in _HEADINGS else None for tag, body in blocks]
    stamped = [split_stamp(collapse(body)) if tag in _HEADINGS else None for tag, body in blocks]
    speakers = heading_speakers([n for n in named if n] + [s[0] for s in stamped if s and not s[2]])
    return [
        f"{name}:" if name in speakers else body
        for name, (_, body) in zip(named, blocks, strict=True)
    ]


def _cited_pieces(blocks: list[tuple[str, str]]) -> Iterator[Piece]:
    """Yield a piece per ``<p>``: speaker from the last ``<cite>``, mark from ``<time>``; the
    paragraphs above the first ``<cite>`` or ``<time>`` are the page's show notes."""
    speaker: str | None = None
    mark: float | None = None
    started = False
    for tag, body in blocks:
        if tag == "cite":
            speaker, started = clean_speaker(body), True
        elif tag == "time" and (clock := parse_clock(body)) is not None:
            mark, started = clock, True
        elif tag == "p" and started:
            yield Piece(mark, speaker, body)
            mark = None


# -- plain text ---------------------------------------------------------------------------

# A line's time: "00:06:10", "[12:34]", Whisper's "[00:00.000 --> 00:05.120]", an editor's
# "00:00:06:14 - 00:00:11:02" (hours, minutes, seconds, frames; the frames and the end dropped).
_FRAMES = r"(?::\d{2}(?!\d))?"
_LINE_MARK = re.compile(
    rf"^\s*[\[(]?({CLOCK_TEXT}){_FRAMES}(?:\s*(?:-->|-|–)\s*{CLOCK_TEXT}{_FRAMES})?[\])]?(?:\s+|$)"
)
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]*)?\s+([^>]*)>", re.IGNORECASE)
# "</v>", and the "<v Name>" that some exports repeat inside a line (Python Bytes 466)
_VOICE_END = re.compile(r"</v>|<v(?:\.[^\s>]*)?\s+[^>]*>", re.IGNORECASE)


@dataclass(slots=True)
class _Line:
    """A text piece being built; ``voiced``: its speaker came from a ``<v>`` tag."""

    mark: float | None
    speaker: str | None
    text: str
    voiced: bool = False


_DASH_BEFORE_NAME = re.compile(r"^\s*[-–—]\s+")


def _timed_name(rest: str) -> str | None:
    """The speaker a time's line names after it, the speech below: Happy Scribe's
    "[00:00:19.41] - Jun Takahara-Wells", or a name of two words or more ("00:00:05 Speaker
    1"); a word or a sentence after a time is speech ("[00:00:31] Exactly", "00:03:37 Tim
    Schilling.").

    >>> _timed_name("- Jun Takahara-Wells"), _timed_name("Speaker 1"), _timed_name("Exactly")
    ('Jun Takahara-Wells', 'Speaker 1', None)
    >>> _timed_name("Tim Schilling."), _timed_name("- Yeah.")
    (None, None)
    """
    dash = _DASH_BEFORE_NAME.match(rest)
    named = said_name(rest[dash.end() :] if dash else rest)
    return named if named and (dash or " " in named) else None


def _line_start(line: str) -> _Line | None:
    """Return a new piece when ``line`` starts with a time mark, voice tag or label."""
    stamp = split_stamp(line)
    if stamp is not None:  # "Name: 00:12:34" (speech below) or "Speaker 1 (00:12): ..."
        return _Line(stamp[1], stamp[0], stamp[2])
    mark: float | None = None
    m = _LINE_MARK.match(line)
    if m is not None:
        mark = parse_clock(m.group(1))
        line = line[m.end() :]
    voice = _VOICE.match(line)
    if voice is not None:
        return _Line(mark, voice.group(1), _VOICE_END.sub("", line[voice.end() :]), True)
    alone = label_line(line)
    if alone is not None:  # "Ann Lee:" on its own line, the speech below
        return _Line(mark, alone, "")
    if mark is not None and (named := _timed_name(line)) is not None:
        return _Line(mark, named, "")
    label, rest = split_label(line.strip())
    bracketed = _BRACKETED.match(line) if label is None else None
    if bracketed is not None and (named := _bracketed_name(bracketed.group(1))) is not None:
        label, rest = named, bracketed.group(2)
    if label is not None or mark is not None:
        return _Line(mark, label, rest)
    return None


# A volunteer's "[Imogen Tate-Harrow] Okay, we're recording.": a bracketed name, no colon.
_BRACKETED = re.compile(r"^\s*\[([^\]\n]{3,60})\]\s+(\S.*)$")


def _bracketed_name(inside: str) -> str | None:
    """The speaker a line's opening ``[…]`` names: a full name of two words or more written
    as a name, not a sound in capitals ("[MUSIC BRIDGE]") or a word ("[laughter]").

    >>> _bracketed_name("Rafael Quiñones"), _bracketed_name("MUSIC BRIDGE")
    ('Rafael Quiñones', None)
    >>> _bracketed_name("inaudible"), _bracketed_name("Laughs"), _bracketed_name("Ann Lee.")
    (None, None, None)
    """
    named = said_name(inside)
    if named is None or len(named.split()) < 2 or named.isupper():
        return None
    return named


def _lines(text: str) -> Iterator[_Line]:
    """Yield pieces: a new one per paragraph or per line with a mark/voice/label.

    A speaker's name may stand on the line above or below a time alone (Apple Podcasts'
    "Hannah Lindqvist" / "58:41", an editor's "00:00:06:14 - 00:00:11:02" / "Halvard
    Nkemelu"), the speech below both, or above a line that opens on its time ("Lex Fridman"
    / "(00:00:12) Thanks for having me.").

    Under a turn's heading with a time ("Ann (24:57):", "Ann: 00:24:57"), the speech below
    may open with words and a colon ("Harrowby: the council voted…", a news round-up): they
    are speech, not a speaker, unless they carry a time of their own.
    """
    heading = False  # the last piece is a timed heading, its speech still to come
    blocks = [b for b in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if b.strip()]
    for block, after in itertools.zip_longest(blocks, blocks[1:]):
        if after is not None and (name := _name_above_time(block, after)) is not None:
            # a page's boxes, one a paragraph: "Dana Whitcombe", "00:00:04", the speech
            yield _Line(None, name, "")
            continue
        current: _Line | None = None
        for line in block.split("\n"):
            if not line.strip():
                continue
            started = _line_start(line)
            if heading and started is not None and started.mark is None and not started.voiced:
                started = None
            if started is None and current and _bare_time(current) and said_name(line):
                # "00:00:06:14 - 00:00:11:02", then "Halvard Nkemelu", then the speech
                current.speaker, heading = line.strip(), True
                continue
            heading = _heading(started)
            if started is None and current is not None:
                current.text = f"{current.text} {line}"
                continue
            if started is not None and _bare_time(started) and current and _named(current):
                # "Hannah Lindqvist", then "58:41" on the next line, then the speech
                started = _Line(started.mark, current.text.strip(), "")
                heading, current = True, None
            elif started is not None and _timed_speech(started) and current and _named(current):
                # "Lex Fridman", then "(00:00:12) Thanks for having me." on the next line
                started = _Line(started.mark, current.text.strip(), started.text)
                current = None
            if current is not None:
                yield current
            current = started or _Line(None, None, line)
        if current is not None:
            yield current


_TRAILING_MARK = re.compile(rf"\s*[\[(]({CLOCK_TEXT})[\])]\s*$")


def _trailing_time(line: _Line) -> _Line:
    """``line`` less a time that ends it ("CORA LINDHOLM: Hi, hi. Hello. (00:00:15)", as some
    sites paste them), which is its time when it has none of its own.

    >>> _trailing_time(_Line(None, "Cora", "Hi, hi. Hello. (00:00:15)"))
    _Line(mark=15.0, speaker='Cora', text='Hi, hi. Hello.', voiced=False)
    """
    m = _TRAILING_MARK.search(line.text)
    if m is None or not line.text[: m.start()].strip():
        return line
    mark = line.mark if line.mark is not None else parse_clock(m.group(1))
    return _Line(mark, line.speaker, line.text[: m.start()], line.voiced)


def _bare_time(line: _Line) -> bool:
    """Whether ``line`` is a time alone: no speaker, no words."""
    return line.mark is not None and line.speaker is None and not line.text


def _name_above_time(block: str, after: str) -> str | None:
    """The name ``block`` holds alone when the paragraph ``after`` it opens on a time and
    names no one: the name is that turn's speaker ("Dana Whitcombe", then "00:00:04").

    >>> _name_above_time("Dana Whitcombe", "00:00:04"), _name_above_time("Dana", "Hi. 00:01")
    ('Dana Whitcombe', None)
    """
    if "\n" in block.strip() or (name := said_name(block)) is None:
        return None
    first = after.strip().split("\n", 1)[0]
    started = _line_start(first)
    return name if started and started.mark is not None and started.speaker is None else None


def _timed_speech(line: _Line) -> bool:
    """Whether ``line`` opens on a time, then speech, and names no speaker."""
    return line.mark is not None and line.speaker is None and bool(line.text.strip())


def _named(line: _Line) -> bool:
    """Whether ``line`` holds a name and nothing else: no time, no speaker, no speech."""
    return line.mark is None and line.speaker is None and name_line(line.text) is not None


def _heading(line: _Line | None) -> bool:
    """Whether ``line`` is a turn's timed heading with no speech of its own."""
    return (
        line is not None
        and line.mark is not None
        and line.speaker is not None
        and not line.text.strip()
    )


#: The most words of a header line above a transcript's first turn.
HEADER_WORDS = 25
#: The most words above the first timed turn that are a page's heading and show notes (a
#: paragraph), not untimed speech: more is the start of a talk whose times come later.
HEADER_NOTES_WORDS = 150
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s*$")


def _skip_header(lines: list[_Line]) -> list[_Line]:
    """``lines`` less the header an export or a page puts above the first turn.

    Where the turns carry times, what comes before the first timed turn is header (a page's
    heading and show notes, an export's title, date and duration: a time the next runs back
    from is no turn's); where no line has a time, what comes before the first named turn;
    unless it names one of the
    transcript's speakers (an untimed first turn) or runs past :data:`HEADER_NOTES_WORDS`
    (untimed speech, times coming later). Otherwise the header is the short pieces
    with no time, speaker or sentence end before a turn that has one ("Open House Ep 140 -
    Halls and Hosepipes", "Mon, Oct 05, 2026 8:06PM • 13:50").

    >>> lines = [_Line(None, None, "Ep 9 Mon, Oct 05, 2026 8:06PM"), _Line(0.0, "Ann", "Hi.")]
    >>> [line.text for line in _skip_header(lines)]
    ['Hi.']
    >>> [line.text for line in _skip_header([_Line(None, None, "Hello there.")] + lines[1:])]
    ['Hi.']
    >>> [line.text for line in _skip_header([_Line(None, "Ann", "Hello there.")] + lines[1:])]
    ['Hello there.', 'Hi.']
    >>> [line.text for line in _skip_header([_Line(None, None, "Hello there."), lines[1]][::-1])]
    ['Hi.', 'Hello there.']
    """
    marks = [(k, line.mark) for k, line in enumerate(lines) if line.mark is not None]
    # a time the next one runs back from is the header's ("Duration: 0:01:23"), not a turn's
    timed = next((k for (k, t), (_, u) in itertools.pairwise(marks) if u >= t), None)
    timed = marks[-1][0] if timed is None and marks else timed
    if not marks:  # no times at all: the first turn is the first that names its speaker
        timed = next((k for k, line in enumerate(lines) if line.speaker is not None), None)
    if timed and lines[timed - 1].speaker and not lines[timed - 1].text:
        timed -= 1  # its speaker's name alone on the line above ("Jonah Kerr", "(00:00:00) …")
    if timed and notes_above(lines, timed):
        return lines[timed:]
    for k, line in enumerate(lines):
        if line.mark is not None or line.speaker is not None:
            return lines[k:] if k else lines
        if len(line.text.split()) > HEADER_WORDS or _SENTENCE_END.search(line.text):
            return lines
    return lines


class _Spoken(Protocol):
    """A piece of a transcript being read: its speaker, if named, and its words."""

    @property
    def speaker(self) -> str | None: ...

    @property
    def text(self) -> str: ...


def notes_above(pieces: Sequence[_Spoken], first: int) -> bool:
    """Whether what stands above the transcript's first turn (``pieces[first]``) is a page's
    or an export's header: short (:data:`HEADER_NOTES_WORDS`), and none of it said by one of
    the speakers of the turns below (a label there that never speaks again, "**Links:**", is
    the header's).
    """
    speakers = {piece.speaker for piece in pieces[first:] if piece.speaker is not None}
    above = pieces[:first]
    words = sum(len(piece.text.split()) for piece in above)
    return words <= HEADER_NOTES_WORDS and all(piece.speaker not in speakers for piece in above)


# A name alone on its line, the turn's words indented below it (a Google Docs export).
_NAME_ABOVE_INDENT = re.compile(r"^([^\S\n]*\S[^\n]*?)[^\S\n]*\n(?=[ \t]+\S)", re.MULTILINE)


def _named_above_indent(m: re.Match[str]) -> str:
    """The line of :data:`_NAME_ABOVE_INDENT` as a label when it is a name alone.

    >>> _NAME_ABOVE_INDENT.sub(_named_above_indent, "Hollis Brennan\\n\\tBefore the bridge.")
    'Hollis Brennan:\\n\\tBefore the bridge.'
    >>> _NAME_ABOVE_INDENT.sub(_named_above_indent, "Thanks.\\n\\tSure.")
    'Thanks.\\n\\tSure.'
    """
    name = said_name(m.group(1).strip())
    return f"{name}:\n" if name else m.group(0)


_TRACK_LINE = re.compile(r"^[ \t]*(\d+(?:\.\d+)?)\t\d+(?:\.\d+)?\t(.*)$")
# a spectral label's second line: "\", then its low and high frequencies
_TRACK_BAND = re.compile(r"^\\\t[\d.]+\t[\d.]+\s*$")


def _label_track(text: str) -> str:
    """``text`` as timed lines when every line is a label track's (Audacity's export:
    start and end in seconds, a tab, the words; a spectral label's band line is dropped),
    else unchanged.

    >>> _label_track("3.412000\\t9.880000\\tWren: Welcome.\\n75.5\\t80\\tIvo: Hi.")
    '[00:00:03.412] Wren: Welcome.\\n[00:01:15.500] Ivo: Hi.'
    """
    lines = [line for line in text.splitlines() if line.strip() and not _TRACK_BAND.match(line)]
    found = [_TRACK_LINE.match(line) for line in lines]
    if not lines or not all(found):
        return text
    return "\n".join(f"[{_clock(float(m.group(1)))}] {m.group(2)}" for m in found if m)


def _clock(seconds: float) -> str:
    """``seconds`` as ``HH:MM:SS.mmm``."""
    whole, millis = divmod(round(seconds * 1000), 1000)
    minutes, secs = divmod(whole, 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}:{secs:02d}.{millis:03d}"


def _named_alone(text: str) -> str:
    """``text`` with a line that is only the name of one of its labelled speakers made that
    speaker's label: a page's turns read "Marcus Delacroix-Reid (1:00:03)", and one reads
    "Anouk Verhoeven" alone, its time missing.

    >>> _named_alone("Ann Lee (0:01)\\nHi.\\n\\nBo Chen (0:04)\\nYo.\\n\\nAnn Lee\\nSo.")
    'Ann Lee (0:01)\\nHi.\\n\\nBo Chen (0:04)\\nYo.\\n\\nAnn Lee:\\nSo.'
    """
    speakers = {line.speaker for line in _lines(text) if line.speaker and not line.voiced}
    if not speakers:
        return text
    alone = "|".join(re.escape(name) for name in sorted(speakers, key=len, reverse=True))
    return re.sub(rf"^[ \t]*({alone})[ \t]*$", r"\1:", text, flags=re.MULTILINE)


# a chapter's line: its time, a dash or a colon, and a title of a few words not ended as a
# sentence is ("2:05 – Why night trains disappeared", "(17:40) Designing for sleep")
_CHAPTER = re.compile(rf"^\s*[\[(]?({CLOCK_TEXT})[\])]?\s*[-–—:]?\s*(\S[^\n]*?)\s*$")
#: The fewest lines of a chapter list, and the least time between two of its chapters.
CHAPTER_LINES, CHAPTER_GAP_SECONDS = 3, 30.0


def _without_chapters(text: str) -> str:
    """``text`` less each paragraph that is a chapter list: :data:`CHAPTER_LINES` lines or
    more, each a time and a short title (ten words at most, no sentence end), the times
    rising by :data:`CHAPTER_GAP_SECONDS` or more: a page's table of contents, no turns.

    >>> _without_chapters("0:00 – Intro\\n2:05 – Why Trains Left\\n17:40 – Sleep\\n\\nAnn: Hi.")
    'Ann: Hi.'
    >>> _without_chapters("[00:01] Hi there\\n[00:03] Yes\\n[00:05] So we began")  # speech
    '[00:01] Hi there\\n[00:03] Yes\\n[00:05] So we began'
    """
    kept, dropped = [], False
    for block in re.split(r"(\n[ \t]*\n)", text):
        lines = [line for line in block.split("\n") if line.strip()]
        found = [_CHAPTER.match(line) for line in lines]
        times = [parse_clock(m.group(1)) for m in found if m]
        chapters = (
            len(lines) >= CHAPTER_LINES
            and all(m and len(m.group(2).split()) <= 10 for m in found)
            and not any(_SENTENCE_END.search(m.group(2)) for m in found if m)
            and all(
                t is not None and u is not None and u - t >= CHAPTER_GAP_SECONDS
                for t, u in itertools.pairwise(times)
            )
        )
        kept.append("" if chapters else block)
        dropped = dropped or chapters
    return "".join(kept).strip("\n") if dropped else text


def parse_text(text: str) -> tuple[Segment, ...]:
    """Parse plain text: paragraphs; ``00:06:10`` line marks, ``<v Name>`` and ``Name:``.

    Also the published turn styles: ``[00:12:34] Name:``, ``Speaker 1 (00:12):`` and
    ``Name: 00:12:34`` (or Otter's ``Name  0:12``) on a line of its own with the speech below.
    An unlabelled paragraph keeps the last ``Name:`` speaker; a ``<v>`` voice tag names its
    own line only, as in WebVTT. A paragraph may end on its time instead ("… Hello.
    (00:00:15)"). Markdown links are reduced to their text. Above the first turn,
    a page's heading and show notes and an export's title and date are not speech
    (:func:`_skip_header`).
    """
    pieces: list[Piece] = []
    speaker: str | None = None
    text = _named_alone(
        _NAME_ABOVE_INDENT.sub(_named_above_indent, _label_track(_without_chapters(text)))
    )
    for line in _skip_header([_trailing_time(line) for line in _lines(text)]):
        body = strip_links(line.text)
        if line.voiced:
            speaker = None
            pieces.append(Piece(line.mark, line.speaker, body))
            continue
        speaker = line.speaker if line.speaker is not None else speaker
        pieces.append(Piece(line.mark, speaker, body))
    return segments_from_pieces(pieces)
