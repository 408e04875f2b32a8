"""Write the published-shape case files from a real Python Bytes transcript excerpt.

No real transcript of these shapes is in ../../shared/data/transcripts, so each case file is
the same real excerpt (Python Bytes 466, 00:33:01 to 00:41:05, MIT; see ../PROVENANCE.md)
re-shaped: consecutive lines of one speaker become one turn that starts at its first line's
time. Run from the repository root: ``.venv/bin/python tests/data/transcripts/shapes/reshape.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = HERE.parent / "python-bytes" / "466-psf-lands-1.5-million.txt"
FIRST, LAST = "00:33:01", "00:41:05"  # the excerpt: FIRST up to, not including, LAST
LINE = re.compile(r"^(\d\d:\d\d:\d\d) <v ([^>]+)>(.*)$")
INNER_VOICE = re.compile(r"<v [^>]+>")  # the export repeats the tag inside some lines


def turns() -> list[tuple[str, str, str]]:
    """Return the excerpt's turns as ``(time, speaker, text)``."""
    out: list[tuple[str, str, str]] = []
    inside = False
    for line in SOURCE.read_text(encoding="utf-8").splitlines():
        m = LINE.match(line)
        if m is None:
            continue
        when, speaker, text = m.groups()
        text = " ".join(INNER_VOICE.sub(" ", text).split())
        inside = (inside or when == FIRST) and when != LAST
        if not inside:
            continue
        if out and out[-1][1] == speaker:
            out[-1] = (out[-1][0], speaker, f"{out[-1][2]} {text.strip()}")
        else:
            out.append((when, speaker, text.strip()))
    return out


def short(when: str) -> str:
    """``00:21:04`` as Rev writes it under an hour: ``21:04``."""
    return when[3:] if when.startswith("00:") else when


def seconds(when: str) -> int:
    """``00:21:04`` in seconds."""
    h, m, sec = (int(x) for x in when.split(":"))
    return h * 3600 + m * 60 + sec


def vtt_clock(total: float) -> str:
    """Seconds as a WebVTT cue time."""
    ms = round(total * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def otter(parts: list[tuple[str, str, str]]) -> str:
    """Plain text as Otter.ai exports it: the title and the recording date above the first
    turn, then each turn as ``Name  M:SS`` (two spaces) on its own line, the speech below."""
    header = "Python Bytes 466 - PSF lands 1.5 million\nMon, Jan 19, 2026 9:02AM \u2022 8:04\n\n"
    clock = [f"{seconds(t) // 60}:{seconds(t) % 60:02d}" for t, _, _ in parts]
    return header + "".join(f"{s}  {c}\n{x}\n\n" for (_, s, x), c in zip(parts, clock, strict=True))


def name_cues(parts: list[tuple[str, str, str]]) -> str:
    """WebVTT with one cue a turn, its speaker a ``Name:`` prefix (no ``<v>`` tag), as
    meeting tools export it; a cue ends where the next turn starts."""
    ends = [seconds(t) for t, _, _ in parts[1:]] + [seconds(LAST)]
    cues = [
        f"{vtt_clock(seconds(t))} --> {vtt_clock(end)}\n{s}: {x}\n"
        for (t, s, x), end in zip(parts, ends, strict=True)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def whisper_json(parts: list[tuple[str, str, str]]) -> str:
    """Whisper's JSON output with a diarizer's ``speaker`` on each segment (as WhisperX
    writes it): ``{"text", "segments": [{"id", "start", "end", "text", "speaker"}]}``."""
    ends = [seconds(t) for t, _, _ in parts[1:]] + [seconds(LAST)]
    segments = [
        {"id": n, "start": float(seconds(t)), "end": float(end), "text": f" {x}", "speaker": s}
        for n, ((t, s, x), end) in enumerate(zip(parts, ends, strict=True))
    ]
    text = "".join(seg["text"] for seg in segments)
    return json.dumps({"text": text, "segments": segments, "language": "en"}, indent=1) + "\n"


def rolling_captions(parts: list[tuple[str, str, str]]) -> str:
    """WebVTT as YouTube's automatic captions: lowercase, no punctuation, no speakers, lines
    of seven words, each with its words' times inline, and each cue repeating the line above
    it, with a 10 ms cue between two that shows the finished line alone."""
    ends = [seconds(t) for t, _, _ in parts[1:]] + [seconds(LAST)]
    timed: list[tuple[float, list[str]]] = []
    for (t, _, x), end in zip(parts, ends, strict=True):
        words = re.sub(r"[.,!?;:…]", "", x).lower().split()
        lines = [words[k : k + 7] for k in range(0, len(words), 7)]
        step = (end - seconds(t)) / max(len(lines), 1)
        timed += [(seconds(t) + n * step, line) for n, line in enumerate(lines)]
    cues: list[str] = []
    above = ""
    for n, (begin, line) in enumerate(timed):
        stop = timed[n + 1][0] if n + 1 < len(timed) else float(seconds(LAST))
        pace = (stop - begin) / len(line)
        inline = line[0] + "".join(
            f"<{vtt_clock(begin + k * pace)}><c> {w}</c>" for k, w in enumerate(line[1:], 1)
        )
        cues.append(f"{vtt_clock(begin)} --> {vtt_clock(stop - 0.01)} align:start position:0%\n"
                    f"{above or chr(32)}\n{inline}\n")  # fmt: skip
        above = " ".join(line)
        cues.append(f"{vtt_clock(stop - 0.01)} --> {vtt_clock(stop)} align:start position:0%\n"
                    f"{above}\n \n")  # fmt: skip
    return "WEBVTT\nKind: captions\nLanguage: en\n\n" + "\n".join(cues)


def main() -> None:
    parts = turns()
    generic = {
        name: f"Speaker {n}" for n, name in enumerate(dict.fromkeys(s for _, s, _ in parts), 1)
    }
    front = (
        "---\n"
        "title: 'Python Bytes 466: PSF lands 1.5 million'\n"
        "transcript_by: Python Bytes\n"
        "tags: ['python', 'django']\n"
        "speakers: ['Michael Kennedy', 'Brian Okken']\n"
        "date: 2026-01-19\n"
        "---\n\n"
    )
    files = {
        "front-matter-stamps.md": front + "".join(f"{s}: {t}\n\n{x}\n\n" for t, s, x in parts),
        "bold-names.md": "".join(f"**{s}**: {x}\n\n" for _, s, x in parts),
        "bracket-times.txt": "".join(f"[{t}] {s}: {x}\n" for t, s, x in parts),
        "speaker-times.txt": "".join(f"{generic[s]} ({short(t)}):\n{x}\n\n" for t, s, x in parts),
        "otter.txt": otter(parts),
        "name-cues.vtt": name_cues(parts),
        "whisper.json": whisper_json(parts),
        "rolling-captions.vtt": rolling_captions(parts),
    }
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
