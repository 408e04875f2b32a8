"""Drop what Whisper invents: text in silence or music, repeated-phrase loops, stock phrases.

Pure functions of the recognised segments. Whisper's known failure modes on podcasts:

- in long silences or music it writes text anyway (high ``no_speech_prob`` with a low
  ``avg_logprob``), often a stock phrase from its training subtitles ("Thanks for
  watching!", "Subtitles by …", sponsor names);
- it falls into a loop, repeating one phrase many times (a high ``compression_ratio``, or
  the same text in several segments in a row).

The Silero VAD (on by default) removes most silence and music before decoding; these
guards catch what remains. Each dropped segment is counted.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from podsift.asr.records import AsrSegment
from podsift.lexicon import alternation

NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
MAX_COMPRESSION = 2.4
MAX_REPEATS = 2  # the same text this many times in a row is speech; more is a loop
_LOOP = re.compile(r"((?:\S+\s+){1,12}?)\1{" + str(MAX_REPEATS) + ",}")

# Phrases Whisper invents in gaps (subtitle credits, video outros): never real podcast speech.
# Weak ones are real speech too ("Thank you."): dropped only where the model itself doubted
# there was speech, which is where it invents them. Both lists: lexicon/data/whisper.txt.
_STOCK = re.compile(rf"^\W*(?:{alternation('whisper', 'stock')})", re.IGNORECASE)
_WEAK = re.compile(rf"^\W*(?:{alternation('whisper', 'weak')})", re.IGNORECASE)
WEAK_NO_SPEECH = 0.3
WEAK_LOGPROB = -0.8


@dataclass(frozen=True, slots=True)
class GuardReport:
    """Which guard dropped how many segments."""

    no_speech: int = 0
    loop: int = 0
    stock_phrase: int = 0
    empty: int = 0

    @property
    def dropped(self) -> int:
        """All dropped segments."""
        return self.no_speech + self.loop + self.stock_phrase + self.empty


def compression_ratio(text: str) -> float:
    """How much ``text`` shrinks under zlib: high for repetitive text (Whisper's measure).

    >>> compression_ratio("the quick brown fox") < 1.5 < compression_ratio("la " * 40)
    True
    """
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def is_stock_phrase(text: str, doubtful: bool = False) -> bool:
    """Whether ``text`` is a phrase Whisper invents in gaps; ``doubtful`` segments (the
    model was unsure there was speech) also lose "thank you" and sponsor lines.

    >>> is_stock_phrase("Thanks for watching!"), is_stock_phrase("Thanks for the question.")
    (True, False)
    >>> is_stock_phrase("Thank you."), is_stock_phrase("Thank you.", doubtful=True)
    (False, True)
    """
    text = text.strip()
    return bool(_STOCK.match(text) or (doubtful and _WEAK.match(text)))


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def collapse_loop(text: str) -> str:
    """Cut a phrase that repeats more than ``MAX_REPEATS`` times in a row to one copy.

    >>> collapse_loop("We did it. " + "I'm going to go. " * 6).strip()
    "We did it. I'm going to go."
    """
    return _LOOP.sub(r"\1", text + " ").rstrip()


def is_loop(seg: AsrSegment, max_compression: float = MAX_COMPRESSION) -> bool:
    """Whether :func:`apply_guards` drops ``seg`` as a loop it cannot cut to one copy (the
    loop is inside a word, or not phrase by phrase).

    >>> is_loop(AsrSegment(0, 30, "So, why did that? " + "Merk" * 60))
    True
    >>> is_loop(AsrSegment(0, 30, "We did it. " + "Thank you so much. " * 12))
    False
    """
    text = seg.text.strip()
    if max(seg.compression_ratio, compression_ratio(text)) <= max_compression:
        return False
    return compression_ratio(collapse_loop(text)) > max_compression


def redecode_loops(
    segments: Sequence[AsrSegment],
    duration: float,
    redecode: Callable[[float, float], Sequence[AsrSegment]],
    max_compression: float = MAX_COMPRESSION,
) -> tuple[tuple[AsrSegment, ...], int]:
    """Replace each run of segments that loop past cutting (:func:`is_loop`) by
    ``redecode(start, end)`` of the audio between the segments around it (from the end of
    the one before, or 0, to the start of the one after, or ``duration``); return the
    segments and how many runs were decoded again.

    A loop takes the rest of its 30 s chunk with it, real speech included, and the guards
    then drop the whole segment; a decoder with a temperature fallback (which the batched
    one lacks) usually gets through the same audio. What it gives is guarded as the rest.

    >>> seg = lambda start, end, text: AsrSegment(start, end, text)
    >>> loop = seg(10.5, 40.0, "And then, why? " + "Merk" * 60)
    >>> out, runs = redecode_loops([seg(0, 10, "Hi."), loop, seg(39.0, 45, "Ok.")], 60.0,
    ...                            lambda a, b: [seg(a, b, f"{a:g}-{b:g}")])
    >>> [s.text for s in out], runs
    (['Hi.', '10-39', 'Ok.'], 1)
    """
    out: list[AsrSegment] = []
    runs = 0
    i = 0
    while i < len(segments):
        if not is_loop(segments[i], max_compression):
            out.append(segments[i])
            i += 1
            continue
        j = i
        while j < len(segments) and is_loop(segments[j], max_compression):
            j += 1
        start = out[-1].end if out else 0.0
        end = segments[j].start if j < len(segments) else duration
        if end > start:
            out.extend(redecode(start, end))
            runs += 1
        else:
            out.extend(segments[i:j])  # nowhere to decode again: the guards drop them
        i = j
    return tuple(out), runs


def apply_guards(
    segments: Sequence[AsrSegment],
    *,
    no_speech_prob: float = NO_SPEECH_PROB,
    low_logprob: float = LOW_LOGPROB,
    max_compression: float = MAX_COMPRESSION,
) -> tuple[tuple[AsrSegment, ...], GuardReport]:
    """Keep the segments that look like real speech; say how many were dropped and why."""
    kept: list[AsrSegment] = []
    counts = {"no_speech": 0, "loop": 0, "stock_phrase": 0, "empty": 0}
    run_text, run_len = "", 0
    for seg in segments:
        text = seg.text.strip()
        key = _norm(text)
        if not key:
            counts["empty"] += 1
            continue
        if seg.no_speech_prob > no_speech_prob and seg.avg_logprob < low_logprob:
            counts["no_speech"] += 1
            continue
        doubtful = seg.no_speech_prob > WEAK_NO_SPEECH or seg.avg_logprob < WEAK_LOGPROB
        if is_stock_phrase(text, doubtful):
            counts["stock_phrase"] += 1
            continue
        run_len = run_len + 1 if key == run_text else 1
        run_text = key
        if run_len > MAX_REPEATS:
            counts["loop"] += 1
            continue
        if max(seg.compression_ratio, compression_ratio(text)) > max_compression:
            text = collapse_loop(text)
            if compression_ratio(text) > max_compression:
                counts["loop"] += 1
                continue
        kept.append(seg if seg.text == text else _with_text(seg, text))
    return tuple(kept), GuardReport(**counts)


def drop_repeats_across(
    before: Sequence[AsrSegment], after: Sequence[AsrSegment]
) -> tuple[tuple[AsrSegment, ...], int]:
    """Drop the segments at the start of ``after`` that carry a run of the same text at the
    end of ``before`` past ``MAX_REPEATS`` (a loop across two windows of one episode); return
    what is kept of ``after`` and how many were dropped.

    >>> seg = lambda text: AsrSegment(0.0, 1.0, text)
    >>> kept, dropped = drop_repeats_across([seg("Ok."), seg("I'm going.")],
    ...                                     [seg("I'm going!"), seg("I'm going."), seg("Ok.")])
    >>> [s.text for s in kept], dropped
    (["I'm going!", 'Ok.'], 1)
    """
    if not before:
        return tuple(after), 0
    key = _norm(before[-1].text)

    def same(seg: AsrSegment) -> bool:
        return _norm(seg.text) == key

    tail = sum(1 for _ in itertools.takewhile(same, reversed(before)))
    lead = sum(1 for _ in itertools.takewhile(same, after))
    fits = min(lead, max(0, MAX_REPEATS - tail))
    return (*after[:fits], *after[lead:]), lead - fits


def _with_text(seg: AsrSegment, text: str) -> AsrSegment:
    return AsrSegment(
        seg.start, seg.end, text, seg.words, seg.no_speech_prob, seg.avg_logprob,
        seg.compression_ratio,
    )  # fmt: skip
