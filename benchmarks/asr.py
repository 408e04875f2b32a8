"""Speech-to-text benchmark: word error rate, real-time factor and peak memory per model.

Two kinds of audio:
- the real clips in tests/data/audio (references.json gives their reference text);
- long-form SYNTHETIC audio: real transcript text (Python Bytes 377, MIT) spoken by
  Debian's espeak-ng in two voices taking turns, mixed with pink noise by sox
  (apt-get install -y espeak-ng sox). espeak is robotic but clean: expect higher error
  rates on real podcasts.

Each model runs in its own child process (peak RSS is the child's own), with the thread
count of ``--threads`` (default 2, the project machine's cores).

    python benchmarks/asr.py [--minutes 10] [--models whisper-tiny,whisper-local]
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
CLIPS = ROOT / "tests" / "data" / "audio"
SOURCE_TEXT = (
    ROOT / "tests" / "data" / "transcripts" / "python-bytes" / "377-a-dramatic-episode.txt"
)
VOICES = ("en-us+m3", "en-gb+f3")
WORDS_PER_MINUTE = 165


_NUMBERS = [
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
    "twenty",
]
_FRENCH = {"1": "un", "2": "deux", "3": "trois"}


def normalise(text: str, language: str = "en") -> str:
    """Lower-case, no punctuation, digits 0-20 spelled out, single spaces (the WER compares
    words only, not how a number is written)."""
    text = text.lower().replace("’", "'").replace("-", " ")
    text = re.sub(r"[^\w\s']", " ", text)
    words = []
    for w in text.split():
        if w.isdigit() and int(w) <= 20:
            w = _FRENCH.get(w, w) if language == "fr" else _NUMBERS[int(w)]
        words.append(w)
    return " ".join(words)


def script_lines(minutes: float) -> list[str]:
    """Turns of real transcript text (no digits, URLs or @handles: espeak and Whisper
    write those differently), about ``minutes`` of speech."""
    lines = []
    for raw in SOURCE_TEXT.read_text("utf-8").splitlines():
        text = re.sub(r"^\d\d:\d\d:\d\d\s*", "", raw).strip()
        if len(text.split()) < 4 or re.search(r"[\d@/#_]|\.(?:com|org|io)\b", text):
            continue
        lines.append(text)
    budget, out = minutes * WORDS_PER_MINUTE, []
    for line in lines:
        if budget <= 0:
            break
        out.append(line)
        budget -= len(line.split())
    return out


def synthesise(minutes: float, folder: Path) -> tuple[Path, str]:
    """Make the long-form synthetic WAV (16 kHz mono) and return it with its reference."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        sys.exit("needs espeak-ng and sox: apt-get install -y espeak-ng sox")
    lines = script_lines(minutes)
    parts = []
    for i, line in enumerate(lines):
        wav = folder / f"turn{i:04d}.wav"
        subprocess.run(
            ["espeak-ng", "-v", VOICES[i % 2], "-s", "165", "-w", str(wav), line], check=True
        )
        parts.append(str(wav))
    speech = folder / "speech.wav"
    gap = folder / "gap.wav"
    subprocess.run(
        ["sox", "-n", "-r", "22050", "-c", "1", str(gap), "trim", "0", "0.5"], check=True
    )
    seq = [p for part in parts for p in (part, str(gap))]
    # sox opens every input at once: join in batches to stay under the open-file limit
    batch, joined = 200, []
    for n in range(0, len(seq), batch):
        out = folder / f"joined{n:05d}.wav"
        subprocess.run(["sox", *seq[n : n + batch], str(out)], check=True)
        joined.append(str(out))
    subprocess.run(["sox", *joined, "-r", "16000", str(speech)], check=True)
    seconds = float(
        subprocess.run(
            ["soxi", "-D", str(speech)], capture_output=True, text=True, check=True
        ).stdout
    )
    noise = folder / "noise.wav"
    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            str(noise),
            "synth",
            str(seconds),
            "pinknoise",
            "vol",
            "0.03",
        ],
        check=True,
    )
    mixed = folder / "long-synthetic.wav"
    subprocess.run(["sox", "-m", str(speech), str(noise), str(mixed)], check=True)
    return mixed, " ".join(lines)


def child(model: str, files: list[str], threads: int) -> None:
    """Run in a child process: transcribe ``files`` with ``model``; print JSON results."""
    from podsift.asr import transcribers
    from podsift.asr.audio import decode_audio
    from podsift.config import AsrSettings

    settings = AsrSettings(provider=model, threads=threads)
    transcriber = transcribers.create(model, settings)
    started = time.perf_counter()
    transcriber.load()  # type: ignore[attr-defined]
    load = time.perf_counter() - started
    results: dict[str, dict[str, object]] = {}
    out: dict[str, object] = {"model": transcriber.model, "load_s": load, "files": results}
    for name in files:
        audio = decode_audio(Path(name))
        lang = json.loads(os.environ.get("BENCH_LANG", "{}")).get(name)
        started = time.perf_counter()
        result = transcriber.transcribe(audio, lang)
        took = time.perf_counter() - started
        results[name] = {
            "text": " ".join(s.text for s in result.segments),
            "seconds": took,
            "duration": len(audio) / 16000,
            "dropped": result.dropped,
        }
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--models", default="whisper-tiny,whisper-local")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:], args.threads)
        return
    import jiwer

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    refs = json.loads((CLIPS / "references.json").read_text("utf-8"))["clips"]
    clips = {str(CLIPS / c["file"]): c for c in refs if c["language"] in ("en", "fr")}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        long_wav, long_ref = synthesise(args.minutes, Path(tmp))
        print(
            f"synthesised {args.minutes:g} min in {time.perf_counter() - t0:.0f} s", file=sys.stderr
        )
        references = {name: c["reference_text"] for name, c in clips.items()}
        references[str(long_wav)] = long_ref
        langs = {name: c["language"] for name, c in clips.items()}
        rows = []
        for model in args.models.split(","):
            files = [f for f in references if model != "whisper-tiny" or langs.get(f) != "fr"]
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--threads",
                    str(args.threads),
                    "--child",
                    model,
                    *files,
                ],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "BENCH_LANG": json.dumps(langs)},
            )
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            for name, r in res["files"].items():
                lang = langs.get(name, "en")
                wer = jiwer.wer(
                    normalise(references[name], lang), normalise(r["text"], lang) or "<empty>"
                )
                rows.append(
                    (
                        res["model"],
                        Path(name).name,
                        r["duration"],
                        wer,
                        r["seconds"] / r["duration"],
                        res["peak_rss_mb"],
                        r["dropped"],
                    )
                )
    print(
        f"\nthreads={args.threads}; long-synthetic.wav is SYNTHETIC (espeak-ng, 2 voices, "
        "pink noise)\n"
    )
    print("| model | audio | length s | WER % | RTF | 1 h of audio in | peak RSS MB | dropped |")
    print("|---|---|---|---|---|---|---|---|")
    for model, name, dur, wer, rtf, rss, dropped in rows:
        print(
            f"| {model} | {name} | {dur:.1f} | {wer * 100:.1f} | {rtf:.3f} | "
            f"{rtf * 60:.1f} min | {rss:.0f} | {dropped} |"
        )


if __name__ == "__main__":
    main()
