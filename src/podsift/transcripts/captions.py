"""Caption formats: WebVTT and SRT cues into segments."""

from __future__ import annotations

import html
import re
from collections import Counter

from podsift.models import Segment
from podsift.transcripts._text import clean_speaker, collapse, parse_clock, said_name, split_label

_BLOCKS = re.compile(r"(\n[ \t]*\n)")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
# markup inside a cue: tags ("<font color=…>", "<c.colorE5E5E5>", a word's "<00:00:01.500>")
# and SSA overrides ("{\an8}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d[\d:.]*>|\{\\[^}]*\}")
_SKIP = ("NOTE", "STYLE", "REGION", "WEBVTT")
_WORD_TIME = re.compile(r"<\d{2}:\d{2}:\d{2}\.\d{3}>")  # a word's time inside a cue
_DASH = re.compile(r"^-\s+")  # a subtitle's dialogue dash: a new speaker's line
_DASHED_LINE = re.compile(r"\n[ \t]*-\s+")  # a line of a cue that opens with one
_CHANGE = re.compile(r"(?:^|\s)(?:>>|&gt;&gt;)+(?:\s+|$)")  # automatic captions' new speaker


def _identified(ident: list[str], lines: list[str]) -> list[str]:
    """A cue's lines, labelled by its identifier when that is a speaker's name (an editor
    that names each cue after its speaker: "Siobhán Ní Bhriain" above the timing line).

    >>> _identified(["Ann Lee"], ["We shipped it."]), _identified(["12"], ["Hi."])
    (['Ann Lee: We shipped it.'], ['Hi.'])
    """
    name = said_name(ident[0]) if len(ident) == 1 else None
    if name is None or not lines or split_label(lines[0].strip())[0] is not None:
        return lines
    return [f"{name}: {lines[0].strip()}", *lines[1:]]


def _cues(text: str) -> list[tuple[float, float | None, list[str]]]:
    """Split caption text into ``(start, end, payload lines)`` cues.

    A blank line ends a cue. A line of spaces does too, unless the text after it has no
    cue timing: then it is the cue's own line (YouTube's captions open cues with one).
    """
    cues: list[tuple[float, float | None, list[str]]] = []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLOCKS.split(normalised)
    for n in range(0, len(parts), 2):
        lines = parts[n].strip("\n").split("\n")
        if not lines or lines[0].startswith(_SKIP):
            continue
        timed = False
        for i, line in enumerate(lines[:2]):
            m = _TIMING.match(line)
            if m is None:
                continue
            start = parse_clock(m.group(1))
            if start is not None:
                cues.append(
                    (start, parse_clock(m.group(2)), _identified(lines[:i], lines[i + 1 :]))
                )
            timed = True
            break
        if not timed and cues and n and parts[n - 1].strip("\n"):  # after a line of spaces
            cues[-1][2].extend(lines)
    return cues


def parse_vtt(text: str) -> tuple[Segment, ...]:
    """Parse WebVTT: cue settings and NOTE/STYLE blocks ignored, ``<v Name>`` is the speaker
    (each voice of a cue a turn of its own); in a cue without one, a ``Name:`` prefix names
    the speaker until the next, as in SRT (meeting and caption tools export speakers so).
    Automatic captions' ``>>`` marks a new speaker: the mark is dropped, and the speaker is
    the name after it, else unknown. Rolling captions (inline word times, each cue repeating
    the line above) are read once."""
    segments: list[Segment] = []
    labelled: str | None = None
    rolling = bool(_WORD_TIME.search(text))  # YouTube's automatic captions
    shown: list[str] = []  # the previous cue's lines, as read
    cues = _cues(text)
    style = label_style([(start, end, [_plain(line) for line in c]) for start, end, c in cues])
    for start, end, cue in cues:
        raw = [line for line in cue if _plain(line)]
        lines = _new_lines(raw, shown) if rolling else raw
        shown = [_plain(line) for line in raw]
        if not lines:
            continue
        voiced = _voices("\n".join(lines))
        if voiced:
            turns = voiced
        else:
            labelled, turns = cue_turns([_plain(line) for line in lines], labelled, style)
        segments.extend(cue_segments(start, end, turns))
    return tuple(segments)


def cue_segments(
    start: float, end: float | None, turns: list[tuple[str | None, str]]
) -> list[Segment]:
    """One segment for each of a cue's turns, its time shared out by the length of each.

    >>> got = cue_segments(10.0, 14.0, [(None, "Rice?"), ("Ben", "Rice.")])
    >>> [(s.start, s.end, s.speaker, s.text) for s in got]
    [(10.0, 12.0, None, 'Rice?'), (12.0, 14.0, 'Ben', 'Rice.')]
    """
    bodies = [(speaker, collapse(html.unescape(_TAG.sub("", text)))) for speaker, text in turns]
    bodies = [(speaker, body) for speaker, body in bodies if body]
    total = sum(len(body) for _, body in bodies)
    out: list[Segment] = []
    done = 0
    for speaker, body in bodies:
        at = start if end is None or done == 0 else round(start + (end - start) * done / total, 3)
        done += len(body)
        until = (
            end if end is None or done == total else round(start + (end - start) * done / total, 3)
        )
        out.append(Segment(at, until, speaker, body))
    return out


def _voices(text: str) -> list[tuple[str | None, str]]:
    """A cue's turns by its ``<v Name>`` voice tags, one for each (none when it has none);
    words before the first tag go with the first voice, and a line below a voice that opens
    with a dialogue dash is another, unnamed, speaker's.

    >>> _voices("<v.guest Emeka>Not every one.</v> <v.host Ros>Not every one?</v>")
    [('Emeka', 'Not every one.</v> '), ('Ros', 'Not every one?</v>')]
    >>> _voices("<v Renata>I did not know that.\\n- Really? I say it every episode.")
    [('Renata', 'I did not know that.'), (None, 'Really? I say it every episode.')]
    """
    tags = list(_VOICE.finditer(text))
    turns: list[tuple[str | None, str]] = []
    for k, tag in enumerate(tags):
        said = (text[: tag.start()] if k == 0 else "") + text[
            tag.end() : tags[k + 1].start() if k + 1 < len(tags) else len(text)
        ]
        first, *dashed = _DASHED_LINE.split(said)  # "- Really?" below a voice: another speaker
        turns += [(clean_speaker(tag.group(1)), first), *((None, line) for line in dashed)]
    return turns


def _plain(line: str) -> str:
    """A caption line's words: tags and inline times removed, entities read, spaces collapsed."""
    return collapse(html.unescape(_TAG.sub("", line)))


def _new_lines(lines: list[str], shown: list[str]) -> list[str]:
    """The lines of a cue less those still on screen from the previous cue (``shown``, as
    read): rolling captions repeat the last line above each new one.

    >>> _new_lines(["so the big", "news<00:00:02.500><c> this week</c>"], ["so the big"])
    ['news<00:00:02.500><c> this week</c>']
    >>> _new_lines(["so the big"], ["uh", "so the big"]), _new_lines(["news"], ["so the big"])
    ([], ['news'])
    """
    for j in range(min(len(lines), len(shown)), 0, -1):
        if [_plain(line) for line in lines[:j]] == shown[-j:]:
            return lines[j:]
    return lines


def cue_turns(
    lines: list[str], current: str | None, style: str | None = None
) -> tuple[str | None, list[tuple[str | None, str]]]:
    """A cue's turns, ``(speaker, text)`` each, and the speaker who goes on after it.

    A ``Name:`` label names the speaker (who goes on until the next); automatic captions'
    ``>>``, at a line's start or inside it, and a subtitle's dialogue dash opening a line
    start a new turn, unknown unless named; other text goes on with ``current``.

    >>> cue_turns(["Ann Lee: We shipped it."], None), cue_turns([">> on time"], "Ann Lee")
    (('Ann Lee', [('Ann Lee', 'We shipped it.')]), (None, [(None, 'on time')]))
    >>> cue_turns(["and under budget"], "Ann Lee")
    ('Ann Lee', [('Ann Lee', 'and under budget')])
    >>> cue_turns(["Saturday >> five it was five"], None)
    (None, [(None, 'Saturday'), (None, 'five it was five')])
    >>> cue_turns(["- Rice?", "- BEN: Rice."], "Ann")
    ('Ben', [(None, 'Rice?'), ('Ben', 'Rice.')])

    A label alone on the first line, the words below it, names the speaker too, and so does
    a long name that wraps onto the second line (at a space or after a hyphen):

    >>> cue_turns(["PTOLEMY ADEYEMI-RUSK:", "Like a very long sausage."], "Wren Castellane")
    ('Ptolemy Adeyemi-Rusk', [('Ptolemy Adeyemi-Rusk', 'Like a very long sausage.')])
    >>> cue_turns(["Theo Vandenberghe-", "Castillo: Hello, hello."], None)
    ('Theo Vandenberghe-Castillo', [('Theo Vandenberghe-Castillo', 'Hello, hello.')])
    >>> cue_turns(["I burn rice. I burn it", "every single time."], "Theo")
    ('Theo', [('Theo', 'I burn rice. I burn it every single time.')])

    Where the file names its speakers in one ``style`` (:func:`label_style`), a label in it
    opens a new turn on any line of the cue, and words and a colon in another are speech:

    >>> cue_turns(["One: scope it."], "Hetty Marlowe", style="bracketed")
    ('Hetty Marlowe', [('Hetty Marlowe', 'One: scope it.')])
    """
    pieces: list[tuple[bool, str]] = []  # (opened by a mark, text)
    for line in _unwrapped(lines):
        head = line.strip()
        dash = _DASH.match(head)
        first, *after = _CHANGE.split(head[dash.end() :] if dash else head)
        if dash or not pieces or _house_label(first, style):
            pieces.append((bool(dash), first))
        else:
            pieces[-1] = (pieces[-1][0], f"{pieces[-1][1]} {first}")
        pieces.extend((True, text) for text in after)
    turns: list[tuple[str | None, str]] = []
    for marked, text in pieces:
        label, words = split_label(text.strip())
        if label is not None and style is not None and _style(text, label) != style:
            label, words = None, text
        if label is not None:
            current = clean_speaker(label)
        elif marked:
            current = None
        if words.strip():
            turns.append((current, words.strip()))
    return current, turns


def _house_label(line: str, style: str | None) -> bool:
    """Whether ``line`` opens with a label in the file's house ``style``: a new speaker's line
    inside a cue ("MARGARET OKAFOR: We'll come to the wrist." / "TOBIAS LINDQVIST: Everyone
    does."). Without a house style a label there may be words and a colon, and stays speech.

    >>> _house_label("TOBIAS LINDQVIST: Everyone does.", "capitals")
    True
    >>> _house_label("TOBIAS LINDQVIST: Everyone does.", None), _house_label("One: go", "capitals")
    (False, False)
    """
    label, _ = split_label(line)
    return style is not None and label is not None and _style(line, label) == style


#: The share of a file's labels in one style above which a label in another is speech.
STYLE_SHARE = 0.8


def label_style(cues: list[tuple[float, float | None, list[str]]]) -> str | None:
    """The one style a caption file writes its speakers' labels in (its cues' lines read as
    :func:`_plain` reads them), where it keeps to one:
    ``bracketed`` ("[HETTY MARLOWE]: …"), ``capitals`` ("HATTIE: …") or ``plain`` ("Ann
    Lee: …"); ``None`` where it mixes styles, or names its speakers only in the plain style
    and fewer than three times.

    Subtitles keep to their house style, so "One: scope it" among "[HETTY MARLOWE]:" labels
    is speech (the written17 crowd's Maintainer's Lament). A label in capitals or brackets is
    a deliberate mark, and words and a colon in speech are not: where a file marks its
    speakers so, plain labels too few to be a style (under three) are speech. A one-host show
    names its host once, in capitals, and then reads its sponsor's slogan ("Tallyo: know where
    every tallen went") and lists ("Nest Accounts: up to eight thousand a year") as speech
    (the written25 crowd's Small Change).

    >>> cues = [(0.0, 1.0, [line]) for line in ("[ANN]: Hi.", "[BO]: Yes.", "[ANN]: So.")]
    >>> label_style(cues + [(1.0, 2.0, ["[BO]: No."]), (2.0, 3.0, ["One: go."])])
    'bracketed'
    >>> label_style([(0.0, 1.0, ["RAFAEL DUNMORE: Hi.", "Tallyo: know where.", "Nest: up."])])
    'capitals'
    >>> label_style([(0.0, 1.0, ["Ann Lee: Hi.", "Bo: Yes.", "Cy Tan: So.", "BO: No."])]) is None
    True
    """
    seen: Counter[str] = Counter()
    for _, _, lines in cues:
        for line in lines:
            head = _CHANGE.sub("", _DASH.sub("", line))
            label, _ = split_label(head)
            if label is not None:
                seen[_style(head, label)] += 1
    if not seen:
        return None
    style, count = seen.most_common(1)[0]
    total = sum(seen.values())
    if count >= 3 and count >= STYLE_SHARE * total:
        return style
    plain = seen.pop("plain", 0)
    if seen and plain < 3:  # too few to be a style: words and a colon, not the marked labels
        return seen.most_common(1)[0][0]
    return None


def _style(text: str, label: str) -> str:
    """The style of a ``label`` split off ``text``."""
    if text.lstrip().startswith(("[", "(")):
        return "bracketed"
    return "capitals" if label.isupper() else "plain"


def _unwrapped(lines: list[str]) -> list[str]:
    """``lines`` with the first two joined when a speaker's label wraps across them: the
    first line is all of the label's start ("Bernadette" / "Okonkwo-Hayes: Welcome…",
    "PTOLEMY ADEYEMI-RUSK:" / "Like…")."""
    if len(lines) < 2:
        return lines
    head, second = lines[0].strip(), lines[1].strip()
    if split_label(head)[0] is not None or _DASH.match(head) or _CHANGE.match(head):
        return lines
    joined = f"{head}{'' if head.endswith('-') else ' '}{second}"
    label, _ = split_label(joined)
    if label is None or len(label) < len(head.rstrip(":")):
        return lines
    return [joined, *lines[2:]]


_SBV_TIMING = re.compile(r"^(\d+:\d{2}:\d{2}\.\d+),(\d+:\d{2}:\d{2}\.\d+)[ \t]*$", re.MULTILINE)


def parse_sbv(text: str) -> tuple[Segment, ...]:
    """Parse YouTube's SubViewer captions (``0:00:03.520,0:00:07.180``, the lines below): its
    cues read as SRT's are.

    >>> sbv = "0:00:03.520,0:00:07.180\\nANN LEE: Hi.\\n\\n0:00:07.180,0:00:09.000\\n>> Yo."
    >>> [(s.start, s.speaker, s.text) for s in parse_sbv(sbv)]
    [(3.52, 'Ann Lee', 'Hi.'), (7.18, None, 'Yo.')]
    """
    return parse_srt(_SBV_TIMING.sub(r"\1 --> \2", text))


def parse_srt(text: str) -> tuple[Segment, ...]:
    """Parse SRT: each cue's turns as :func:`cue_turns` reads them (a ``Name:`` or
    ``[NAME]:`` label names the speaker until the next; ``>>`` and a dialogue dash start an
    unnamed turn; the file's house style of label is kept), its time shared among them."""
    segments: list[Segment] = []
    speaker: str | None = None
    cues = [(start, end, [_plain(line) for line in lines]) for start, end, lines in _cues(text)]
    style = label_style(cues)
    for start, end, lines in cues:
        if not lines:
            continue
        speaker, turns = cue_turns(lines, speaker, style)
        segments.extend(cue_segments(start, end, turns))
    return tuple(segments)
