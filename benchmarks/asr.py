"""Speech-to-text benchmark: word error rate, real-time factor and peak memory per model.

Two kinds of audio:
- the real clips in tests/data/audio (references.json gives their reference text);
- long-form SYNTHETIC audio, one clip per ``--minutes`` length: real transcript text
  (Python Bytes 377, MIT; it starts over past its 35 minutes) spoken by Debian's espeak-ng
  in two voices taking turns, mixed with pink noise by sox (needs the Debian packages:
  apt-get install -y espeak-ng sox). espeak is robotic but clean: expect higher error
  rates on real podcasts.

Audio is decoded and transcribed as the pipeline does it, in windows of each of
``--windows`` seconds (0: the whole file at once), so the modes are compared side by side
in one run. Each (clip length, window) runs in its own child process, so its peak RSS is
that clip's alone (the real clips ride with the shortest long clip), with the thread count
of ``--threads`` (default 2, the project machine's cores). RTF is wall time (decoding
included) over audio time (the fastest of ``--repeat`` runs); "CPU s / audio s" is the
process's CPU time over audio time, which other processes on the machine disturb much less:
the load average is printed before and after. ``--workers N`` runs N children at once on
the longest clip and reports their throughput (wall time over all the audio they did).

    python benchmarks/asr.py [--minutes 10,60] [--windows 0,600]
        [--models whisper-tiny,whisper-local] [--beams 5,1] [--threads 2] [--workers 1]
        [--batch 8,4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIPS = ROOT / "tests" / "data" / "audio"
SOURCE_TEXT = (
    ROOT / "tests" / "data" / "transcripts" / "python-bytes" / "377-a-dramatic-episode.txt"
)
VOICES = ("en-us+m3", "en-gb+f3")
# what the pipeline would know of the long clip's episode (show and episode titles)
LONG_SHOW, LONG_TITLE = "Python Bytes", "#377 A Dramatic Episode"
WORDS_PER_MINUTE = 165


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")
_FRENCH = ["zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix"]


def number_words(n: int) -> str:
    """An integer in English words (digit by digit past the billions).

    >>> number_words(0), number_words(21), number_words(1_905), number_words(3_000_012)
    ('zero', 'twenty one', 'one thousand nine hundred five', 'three million twelve')
    """
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    scales = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))
    for size, name in scales:
        if n >= size:
            if n >= 1000 * 10**9:
                return " ".join(_ONES[int(d)] for d in str(n))
            head, rest = divmod(n, size)
            return number_words(head) + " " + name + (f" {number_words(rest)}" if rest else "")
    raise AssertionError(n)  # pragma: no cover


def _spell(match: re.Match[str]) -> str:
    token = match.group().replace(",", "")
    percent = token.endswith("%")
    whole, _, frac = token.rstrip("%").partition(".")
    words = number_words(int(whole))
    if frac:
        words += " point " + " ".join(_ONES[int(d)] for d in frac)
    return f" {words}{' percent' if percent else ''} "


def normalise(text: str, language: str = "en") -> str:
    """The text as the WER compares it, the same for reference and hypothesis.

    English: Whisper's benchmark normaliser (``whisper-normalizer``, as in OpenAI's paper
    and the Open ASR Leaderboard): lower case, punctuation and brackets dropped,
    contractions and abbreviations expanded ("I'm" = "I am", "Mr" = "mister"), British
    spellings made American; but numbers are spelled out as words first ("3.6" = "three
    point six", "1, 2, 3" = "one two three"), because its number rules treat "one two
    three" and "1, 2, 3" differently. Other languages: the basic normaliser (lower case, no
    punctuation; accents kept), digits 0-10 spelled out in French.

    >>> normalise("And I'm Brian Okken; it's 3.6 percent."), normalise("1, 2, 3")
    ('and i am brian okken it is three point six percent', 'one two three')
    """
    if language != "en":
        from whisper_normalizer.basic import BasicTextNormalizer

        words = BasicTextNormalizer()(text).split()
        if language == "fr":
            words = [_FRENCH[int(w)] if w.isdigit() and int(w) <= 10 else w for w in words]
        return " ".join(words)
    from whisper_normalizer.english import EnglishTextNormalizer

    norm = EnglishTextNormalizer()
    norm.standardize_numbers = lambda s: s  # numbers are words already (see above)
    return " ".join(norm(_NUMBER.sub(_spell, text)).split())


def script_lines(minutes: float) -> list[str]:
    """Turns of real transcript text (no digits, URLs or @handles: espeak and Whisper
    write those differently), about ``minutes`` of speech; the text starts over when it
    runs out (it holds about 35 minutes)."""
    lines = []
    for raw in SOURCE_TEXT.read_text("utf-8").splitlines():
        text = re.sub(r"^\d\d:\d\d:\d\d\s*", "", raw).strip()
        if len(text.split()) < 4 or re.search(r"[\d@/#_]|\.(?:com|org|io)\b", text):
            continue
        lines.append(text)
    budget, out = minutes * WORDS_PER_MINUTE, []
    for line in itertools.cycle(lines):
        if budget <= 0:
            break
        out.append(line)
        budget -= len(line.split())
    return out


def synthesise(lengths: list[float], folder: Path) -> dict[float, tuple[Path, str]]:
    """Make the long-form synthetic WAVs (16 kHz mono), one a length in minutes, each with
    its reference; the shorter ones are the start of the longer ones."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        sys.exit("needs espeak-ng and sox: apt-get install -y espeak-ng sox")
    lines = script_lines(max(lengths))
    turns = []
    for i, line in enumerate(lines):
        wav = folder / f"turn{i:05d}.wav"
        subprocess.run(
            ["espeak-ng", "-v", VOICES[i % 2], "-s", "165", "-w", str(wav), line], check=True
        )
        turns.append(str(wav))
    gap = folder / "gap.wav"
    subprocess.run(
        ["sox", "-n", "-r", "22050", "-c", "1", str(gap), "trim", "0", "0.5"], check=True
    )
    clips = {}
    for minutes in lengths:
        count = len(script_lines(minutes))
        name = f"synthetic-{minutes:g}min.wav"
        clips[minutes] = (mix(turns[:count], gap, folder / name), " ".join(lines[:count]))
    return clips


def mix(turns: list[str], gap: Path, out: Path) -> Path:
    """Join the turns with half-second gaps at 16 kHz and mix in pink noise (``-R``: the
    same noise and dither every run, so that runs compare)."""
    seq = [p for turn in turns for p in (turn, str(gap))]
    # sox opens every input at once: join in batches to stay under the open-file limit
    batch, joined = 200, []
    for n in range(0, len(seq), batch):
        part = out.with_name(f"{out.stem}-part{n:06d}.wav")
        subprocess.run(["sox", "-R", *seq[n : n + batch], str(part)], check=True)
        joined.append(str(part))
    speech = out.with_name(f"{out.stem}-speech.wav")
    subprocess.run(["sox", "-R", *joined, "-r", "16000", str(speech)], check=True)
    for name in joined:
        Path(name).unlink()
    seconds = float(
        subprocess.run(
            ["soxi", "-D", str(speech)], capture_output=True, text=True, check=True
        ).stdout
    )
    noise = out.with_name(f"{out.stem}-noise.wav")
    subprocess.run(
        ["sox", "-R", "-n", "-r", "16000", "-c", "1", str(noise), "synth", str(seconds),
         "pinknoise", "vol", "0.03"],
        check=True,
    )  # fmt: skip
    subprocess.run(["sox", "-R", "-m", str(speech), str(noise), str(out)], check=True)
    speech.unlink()
    noise.unlink()
    return out


def child(model: str, files: list[str], opts: dict[str, float]) -> None:
    """Run in a child process: transcribe ``files`` with ``model``; print JSON results.

    Each file is decoded and transcribed as the pipeline does it (``decode_windows`` then
    ``transcribe_windows``), in windows of ``opts["window"]`` seconds (0: the whole file in
    one), so the time includes decoding. ``opts``: threads, beam, batch (0 = sequential
    decoding), window, repeat (the fastest of that many runs is the time reported), prompt
    (1: the long clips get the show/episode prompt the pipeline would give them; the real
    clips have no show, so none). The peak RSS is the child's own, over all its files.
    """
    from contextlib import closing
    from dataclasses import replace

    from podsift.asr import episode_prompt, transcribe_windows, transcribers
    from podsift.asr.audio import decode_windows
    from podsift.asr.whisper_local import WhisperLocal
    from podsift.config import AsrSettings

    settings = AsrSettings(
        provider=model, threads=int(opts["threads"]), beam_size=int(opts["beam"])
    )
    transcriber = transcribers.create(model, settings)
    assert isinstance(transcriber, WhisperLocal)
    transcriber.options = replace(transcriber.options, batch_size=int(opts["batch"]))
    started = time.perf_counter()
    transcriber.load()
    load = time.perf_counter() - started
    results: dict[str, dict[str, object]] = {}
    out: dict[str, object] = {"model": transcriber.model, "opts": opts, "load_s": load}
    out["files"] = results
    langs = json.loads(os.environ.get("BENCH_LANG", "{}"))
    prompt = episode_prompt(LONG_SHOW, LONG_TITLE) if opts["prompt"] else None
    for name in files:
        times, cpu = [], []
        for _ in range(max(1, int(opts["repeat"]))):
            started, cpu0 = time.perf_counter(), time.process_time()
            with closing(decode_windows(Path(name), opts["window"])) as windows:
                result = transcribe_windows(
                    transcriber, windows, langs.get(name), None if name in langs else prompt
                )
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu0)
        results[name] = {
            "text": " ".join(s.text for s in result.segments),
            "seconds": min(times),
            "cpu_seconds": min(cpu),
            "duration": result.duration,
            "dropped": result.dropped,
        }
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def run_children(
    model: str, files: list[str], opts: dict[str, float], langs: dict[str, str], workers: int
) -> list[dict[str, object]]:
    """Run ``workers`` children at once on the same files; their JSON results."""
    cmd = [sys.executable, __file__, "--child", model, json.dumps(opts), *files]
    env = {**os.environ, "BENCH_LANG": json.dumps(langs)}
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env) for _ in range(workers)
    ]
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        sys.exit(f"{model}: a benchmark child failed")
    return [json.loads(o.strip().splitlines()[-1]) for o in outs]


def main() -> None:
    from podsift.config import AsrSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", default="10", help="long clips' lengths, e.g. 10,60")
    parser.add_argument("--models", default="whisper-tiny,whisper-local")
    parser.add_argument("--threads", type=int, default=2, help="CTranslate2 threads a child")
    parser.add_argument("--beams", default="5", help="beam sizes to compare, e.g. 5,1")
    parser.add_argument(
        "--batch",
        default=str(AsrSettings().batch_size),
        help="batch sizes to compare, e.g. 8,4 (0: sequential decoding)",
    )
    parser.add_argument(
        "--windows",
        default=f"0,{AsrSettings().window_seconds:g}",
        help="window lengths in seconds to compare (0: the whole file at once)",
    )
    parser.add_argument("--workers", type=int, default=1, help="children at once (long clip)")
    parser.add_argument("--repeat", type=int, default=1, help="report the fastest of N runs")
    parser.add_argument(
        "--prompt", action="store_true", help="give the long clips their show/episode prompt"
    )
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[2:], json.loads(args.child[1]))
        return
    import jiwer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    refs = json.loads((CLIPS / "references.json").read_text("utf-8"))["clips"]
    clips = {str(CLIPS / c["file"]): c for c in refs if c["language"] in ("en", "fr")}
    lengths = sorted(float(m) for m in args.minutes.split(","))
    windows = [float(w) for w in args.windows.split(",")]
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        long = synthesise(lengths, Path(tmp))
        print(
            f"synthesised {args.minutes} min in {time.perf_counter() - t0:.0f} s", file=sys.stderr
        )
        references = {name: c["reference_text"] for name, c in clips.items()}
        references |= {str(wav): ref for wav, ref in long.values()}
        langs = {name: c["language"] for name, c in clips.items()}
        # one child per clip length and mode, so each peak RSS is that length's; the real
        # clips ride with the shortest; the modes take turns, so the machine's load falls
        # on both alike
        groups = [[*clips, str(long[lengths[0]][0])], *([str(long[m][0])] for m in lengths[1:])]
        if args.workers > 1:
            groups = [[str(long[lengths[-1]][0])]]
        modes = [(int(b), float(w)) for b in args.batch.split(",") for w in windows]
        rows = []
        for model in args.models.split(","):
            for beam in (int(b) for b in args.beams.split(",")):
                for group in groups:
                    files = [f for f in group if model != "whisper-tiny" or langs.get(f) != "fr"]
                    for batch, window in modes:
                        opts = {"threads": args.threads, "beam": beam, "batch": batch}
                        opts |= {"window": window, "repeat": args.repeat}
                        opts |= {"prompt": int(args.prompt)}
                        started = time.perf_counter()
                        results = run_children(model, files, opts, langs, args.workers)
                        wall = time.perf_counter() - started
                        rows += table_rows(results[0], references, langs, args.workers, wall, jiwer)
    print(
        f"\nthreads={args.threads} x workers={args.workers}, best of {args.repeat}, "
        f"prompt={args.prompt}; synthetic-*.wav are SYNTHETIC (espeak-ng, 2 voices, pink "
        "noise); window 0 = the whole file at once; the time includes decoding\n"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(
        "| model | beam | batch | window s | audio | length s | WER % | RTF | 1 h in "
        "| CPU/audio | peak RSS MB | dropped |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for model, opts, name, dur, wer, rtf, cpu, rss, dropped in rows:
        print(
            f"| {model} | {opts['beam']} | {opts['batch']} | {opts['window']:g} | {name} | "
            f"{dur:.1f} | {wer * 100:.1f} | {rtf:.3f} | {rtf * 60:.1f} min | {cpu:.3f} | "
            f"{rss:.0f} | {dropped} |"
        )


def table_rows(
    res: dict[str, Any],
    references: dict[str, str],
    langs: dict[str, str],
    workers: int,
    wall: float,
    jiwer: Any,
) -> list[tuple[Any, ...]]:
    """One child's results as table rows: WER, RTF, CPU per audio second, peak RSS."""
    rows = []
    for name, r in res["files"].items():
        lang = langs.get(name, "en")
        wer = jiwer.wer(normalise(references[name], lang), normalise(r["text"], lang) or "<empty>")
        rtf = r["seconds"] / r["duration"]
        if workers > 1:  # throughput: all children's audio in the wall time
            rtf = (wall - float(res["load_s"])) / (workers * r["duration"])
        rows.append(
            (res["model"], res["opts"], Path(name).name, r["duration"], wer, rtf,
             r["cpu_seconds"] / r["duration"], res["peak_rss_mb"], r["dropped"])
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    main()
