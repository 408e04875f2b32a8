"""Turn a transcript's segments into speaker turns and timed, verbatim sentences.

Consecutive segments of one speaker form a *turn*; its text is the segments' texts, each
whitespace-collapsed, joined by one space. Every sentence is a character span of its turn's
text (so a quote is always verbatim) and knows the segments it starts and ends in, which
gives its start and end times. Times are ``None`` when the transcript has none.

In prose formats (Markdown, HTML, plain text) a segment is a paragraph, so a sentence never
runs across two of them (a paragraph that ends in a colon leads into the next, though); a
short paragraph with no sentence-final punctuation, such as a link title, is a *heading*:
its own sentence, marked so that it is never an insight nor glued onto one.

Automatic captions often have no punctuation at all ("so the big news this week is that"),
and a sentence splitter finds no sentence in them. A transcript with almost no sentence ends
(:func:`unpunctuated`) is cut at its segments instead: consecutive segments of a turn make
one *open* span of at least :data:`OPEN_MIN_WORDS` words (a long segment is cut every
:data:`OPEN_MAX_WORDS`), a span that has no sentence end to wait for.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from podsift.insights.clean import EMOJI
from podsift.models import Segment, Transcript

if TYPE_CHECKING:
    import pysbd

# pysbd slows down on very long texts: a turn is cut into chunks of about this many
# characters, only where a segment ends a sentence, so no sentence is split by the cut.
CHUNK_CHARS = 2000
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]]*$")
# Formats whose segments are paragraphs (captions and JSON cues break anywhere).
PARAGRAPH_FORMATS = frozenset({"markdown", "html", "text"})
HEADING_MAX_WORDS = 12
# trailing emoji do not end a paragraph ("Have a great week. 💚")
_TRAILING_MARKS = re.compile(rf"(?:{EMOJI.pattern}|\s)+$")
_PARAGRAPH_ENDS = re.compile(r"[.!?:;,…\-–—][\"'”’)\]*_`]*$")
# Sentence ends inside a text: what an unpunctuated transcript lacks.
_SENTENCE_END = re.compile(r"[.!?…](?=[\"'”’)\]]*(?:\s|$))")
#: A transcript with fewer sentence ends than one per this many words is unpunctuated
#: (speech averages one per 10-20 words).
UNPUNCTUATED_WORDS = 100
#: Fewest and most words of an open span cut from an unpunctuated transcript.
OPEN_MIN_WORDS = 8
OPEN_MAX_WORDS = 25


@dataclass(frozen=True, slots=True)
class Turn:
    """Consecutive segments of one speaker, joined into one text.

    ``pieces`` holds, per segment, ``(first char, end char, segment index)`` in ``text``.
    """

    speaker: str | None
    text: str
    pieces: tuple[tuple[int, int, int], ...]
    starts: tuple[int, ...] = ()

    def segment_at(self, offset: int) -> int:
        """Return the index of the segment that holds character ``offset`` of the text."""
        starts = self.starts or tuple(p[0] for p in self.pieces)
        pos = max(bisect.bisect_right(starts, offset) - 1, 0)
        return self.pieces[pos][2]


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: a verbatim span ``text[begin:end]`` of turn ``turn``."""

    index: int
    turn: int
    begin: int
    end: int
    text: str
    speaker: str | None
    start: float | None
    stop: float | None
    position: float  # where it starts in the episode, 0..1 (by time when known, else chars)
    heading: bool = False  # a title line of a prose transcript, not a statement
    open: bool = False  # a span of unpunctuated speech: it ends no sentence


def collapse(text: str) -> str:
    """Collapse runs of whitespace into one space and strip the ends.

    >>> collapse("  a \\n b  ")
    'a b'
    """
    return " ".join(text.split())


def build_turns(segments: Sequence[Segment]) -> list[Turn]:
    """Join consecutive segments of the same speaker into turns (empty segments skipped)."""
    turns: list[Turn] = []
    speaker: str | None = None
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    for index, segment in enumerate(segments):
        text = collapse(segment.text)
        if not text:
            continue
        if parts and segment.speaker != speaker:
            turns.append(_turn(speaker, parts, pieces))
            parts, pieces = [], []
        speaker = segment.speaker
        offset = pieces[-1][1] + 1 if pieces else 0
        pieces.append((offset, offset + len(text), index))
        parts.append(text)
    if parts:
        turns.append(_turn(speaker, parts, pieces))
    return turns


def _turn(speaker: str | None, parts: list[str], pieces: list[tuple[int, int, int]]) -> Turn:
    """Build a turn from its segment texts and their pieces."""
    return Turn(speaker, " ".join(parts), tuple(pieces), tuple(p[0] for p in pieces))


@cache
def _segmenter() -> pysbd.Segmenter:
    """Return the shared pysbd segmenter (verbatim mode: ``clean=False``)."""
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def is_heading(text: str) -> bool:
    """Whether a paragraph is a heading: a few words with no sentence-final punctuation.

    >>> is_heading("The discovery"), is_heading("✊ The attacker")
    (True, True)
    >>> is_heading("Ben Peven writing for Sentry:"), is_heading("Have a great week. 💚")
    (False, False)
    >>> is_heading("He says it's gonna take a little bit of time to --")
    False
    """
    text = _TRAILING_MARKS.sub("", text)
    count = len(text.split())
    return 0 < count <= HEADING_MAX_WORDS and not _PARAGRAPH_ENDS.search(text)


def _chunks(turn: Turn, paragraphs: bool = False) -> Iterator[tuple[int, int]]:
    """Yield ``(begin, end)`` spans of the turn text, cut only after sentence-final segments.

    With ``paragraphs`` every segment ends a chunk, except one that ends with a colon.
    """
    begin = 0
    for first, last, _ in turn.pieces:
        piece = turn.text[first:last]
        if paragraphs:
            cut = not _TRAILING_MARKS.sub("", piece).endswith(":")
        else:
            cut = last - begin >= CHUNK_CHARS and bool(_ENDS_SENTENCE.search(piece))
        if cut:
            yield begin, last
            begin = last + 1
    if begin < len(turn.text):
        yield begin, len(turn.text)


def _spans(text: str, paragraphs: bool) -> list[tuple[int, int, bool]]:
    """Return ``(begin, end, heading)`` sentence spans of one chunk of a turn."""
    if paragraphs and is_heading(text):
        stripped = text.strip()
        begin = text.find(stripped)
        return [(begin, begin + len(stripped), True)]
    return [(b, e, False) for b, e in split_spans(text)]


def split_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return their ``(begin, end)`` character spans.

    Each span's text is exactly what pysbd returned, stripped, located in ``text``.

    >>> t = "Dr. Smith is here. He said hi!"
    >>> [t[b:e] for b, e in split_spans(t)]
    ['Dr. Smith is here.', 'He said hi!']
    >>> t = "It is in my .cshrc file. Yes."
    >>> [t[b:e] for b, e in split_spans(t)]
    ['It is in my .cshrc file.', 'Yes.']
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for raw in _segmenter().segment(text):
        sentence = raw.strip()
        if not sentence:
            continue
        found = text.find(sentence, cursor)
        if found < 0:  # pysbd altered the text: keep what can be located verbatim
            continue
        cursor = found + len(sentence)
        if spans and found == spans[-1][1]:  # split inside a word (".cshrc"): undo it
            found = spans.pop()[0]
        spans.append((found, cursor))
    return spans


def _times(segments: Sequence[Segment], first: int, last: int) -> tuple[float | None, float | None]:
    """Return the start of segment ``first`` and the end of segment ``last``.

    An unknown end falls back to the next timed segment's start; nothing is invented.
    """
    start = segments[first].start
    stop = segments[last].end
    if stop is None:
        stop = next((s.start for s in segments[last + 1 :] if s.start is not None), None)
    if start is None:
        return None, None
    if stop is not None and stop < start:
        stop = None
    return start, stop


def _episode_length(segments: Sequence[Segment]) -> float | None:
    """Return the last known time of the episode, or ``None`` without times."""
    times = [t for s in segments for t in (s.start, s.end) if t is not None]
    return max(times) if times else None


def unpunctuated(turns: Sequence[Turn]) -> bool:
    """Whether the turns have fewer sentence ends than one per :data:`UNPUNCTUATED_WORDS`
    words (automatic captions); a text shorter than that is never called unpunctuated.

    >>> unpunctuated(build_turns([Segment(None, None, None, "so the news is that " * 30)]))
    True
    >>> unpunctuated(build_turns([Segment(None, None, None, "The news is big. " * 30)]))
    False
    """
    words = sum(len(t.text.split()) for t in turns)
    ends = sum(len(_SENTENCE_END.findall(t.text)) for t in turns)
    return words >= UNPUNCTUATED_WORDS and ends * UNPUNCTUATED_WORDS < words


def open_spans(turn: Turn) -> list[tuple[int, int]]:
    """Cut an unpunctuated turn at its segments: each span joins segments until it holds
    :data:`OPEN_MIN_WORDS` words, and a longer run is cut every :data:`OPEN_MAX_WORDS`.

    >>> [turn] = build_turns([Segment(0, 1, None, "so the big news"), Segment(1, 2, None,
    ...     "this week is that python three fourteen"), Segment(2, 3, None, "is out")])
    >>> [turn.text[b:e] for b, e in open_spans(turn)]
    ['so the big news this week is that python three fourteen', 'is out']
    """
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", turn.text)]
    ends = {last for _, last, _ in turn.pieces}
    spans: list[tuple[int, int]] = []
    first = 0
    for k, (_, end) in enumerate(words):
        count = k - first + 1
        if (end in ends and count >= OPEN_MIN_WORDS) or count >= OPEN_MAX_WORDS:
            spans.append((words[first][0], end))
            first = k + 1
    if first < len(words):
        spans.append((words[first][0], words[-1][1]))
    return spans


def split_sentences(transcript: Transcript) -> tuple[list[Turn], list[Sentence]]:
    """Return the transcript's turns and all its sentences, in order (the open spans of
    :func:`open_spans` for an :func:`unpunctuated` transcript)."""
    segments = transcript.segments
    turns = build_turns(segments)
    length = _episode_length(segments)
    total_chars = max(sum(len(t.text) + 1 for t in turns), 1)
    paragraphs = transcript.format in PARAGRAPH_FORMATS
    is_open = unpunctuated(turns)
    sentences: list[Sentence] = []
    turn_offset = 0
    for turn_index, turn in enumerate(turns):
        if is_open:
            cut = [(b, e, False) for b, e in open_spans(turn)]
        else:
            cut = [
                (b + chunk_begin, e + chunk_begin, heading)
                for chunk_begin, chunk_end in _chunks(turn, paragraphs)
                for b, e, heading in _spans(turn.text[chunk_begin:chunk_end], paragraphs)
            ]
        for begin, end, heading in cut:
            first, last = turn.segment_at(begin), turn.segment_at(end - 1)
            start, stop = _times(segments, first, last)
            if start is not None and length:
                position = start / length
            else:
                position = (turn_offset + begin) / total_chars
            sentences.append(
                Sentence(
                    index=len(sentences),
                    turn=turn_index,
                    begin=begin,
                    end=end,
                    text=turn.text[begin:end],
                    speaker=turn.speaker,
                    start=start,
                    stop=stop,
                    position=min(max(position, 0.0), 1.0),
                    heading=heading,
                    open=is_open,
                )
            )
        turn_offset += len(turn.text) + 1
    return turns, sentences
