"""Build the crowds of benchmarks/eval_crowd.py: many shows' real episodes in one busy fortnight.

A crowd is a data folder laid out like the demo's (``feeds/*.xml`` whose transcript links use
the ``__BASE__`` placeholder of :mod:`podsift.demo.server`, and ``transcripts/<show>/``), built
from the real episodes indexed in ``shared/data/transcripts/index.json``. Each crowd's episodes
keep their real order (by date; undated ones last, in index order) but are re-dated evenly
into one 14-day window starting :data:`WINDOW_START`, so the daily job's story window
(``cluster.window_days``, 30) holds the whole crowd, as it would a real busy fortnight.

Crowds (disjoint by show):

- ``dev``: the Changelog family, many shows of one field. May be tuned on.
- ``confirm``: Python Bytes and Talk Python To Me episodes that the bundled demo does not
  carry, and the podcasting-industry shows. For confirmation only: nobody tunes on it.
- ``demo`` is not built here: it is the bundled demo itself (:data:`podsift.demo.DEMO_DATA`
  plus ``tests/data/demo-talkpython``), run on its own dates.

Where an episode comes in several formats (the spec example, Buzzcast, the Python shows' VTT
and text), the product's own order (JSON > VTT > SRT > HTML > Markdown/text) picks among the
files whose parse has at least half the words of the richest one (the spec example's JSON is a
5-word toy, its VTT a 66-word excerpt); an episode none of whose files parses is left out and
named. Each crowd
folder also holds ``crowd.json``: every episode with its real and its crowd date.

The folders go under ``benchmarks/crowds/build/`` (git-ignored: they hold copies of CC-BY-SA
and GPL transcripts, which are not committed here).

Run from the repository root: ``python benchmarks/crowds/make_crowds.py [dev] [confirm]
[--shared ../shared/data] [--out benchmarks/crowds/build]``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from podsift.demo import DEMO_DATA
from podsift.exceptions import PodsiftError
from podsift.transcripts import parse_transcript

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "benchmarks" / "crowds" / "build"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the repo
#: The bundled demo's data folders: the ``demo`` crowd, and what ``confirm`` leaves out.
DEMO_ROOTS = (DEMO_DATA, ROOT / "tests" / "data" / "demo-talkpython")
#: Where each crowd's fortnight begins (any date works: the run is as of the day after).
WINDOW_START = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
WINDOW = timedelta(days=14)

CHANGELOG = frozenset({
    "The Changelog", "Changelog News", "Practical AI", "JS Party", "Go Time", "Ship It!",
    "Changelog & Friends", "Brain Science", "Away From Keyboard", "Request For Commits",
    "Founders Talk",
})  # fmt: skip
PYTHON = frozenset({"Python Bytes", "Talk Python To Me"})
PODCASTING = frozenset({
    "Podnews Weekly Review", "Podnews Daily", "Buzzcast", "Podcasting 2.0",
    "How to Start a Podcast", "KDE Express",
    "Podcasting Q&A (Buzzsprout) - Podcasting 2.0 spec examples",
})  # fmt: skip
#: Index keys that name a transcript file, in the product's order of preference
#: (:func:`podsift.transcripts.choose_link`): the tie-break between equally rich files.
FILE_KEYS = ("json", "vtt", "srt", "html", "transcript", "txt")
_RANK = {".json": 0, ".vtt": 1, ".srt": 2, ".html": 3, ".md": 4, ".txt": 4}
MIME = {
    ".md": "text/markdown", ".vtt": "text/vtt", ".txt": "text/plain",
    ".srt": "application/x-subrip", ".json": "application/json", ".html": "text/html",
}  # fmt: skip
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")

Entry = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CrowdEpisode:
    """One episode of a crowd: where its transcript comes from, its real and crowd dates."""

    show: str
    episode: int | None
    title: str
    source: str  # path under shared/data
    words: int
    real_date: str | None
    date: str  # ISO, UTC, in the crowd's fortnight
    speakers: tuple[str, ...]
    language: str


def demo_files(roots: Iterable[Path] = DEMO_ROOTS) -> frozenset[str]:
    """Names of the transcript files the bundled demo carries."""
    return frozenset(p.name for r in roots for p in (r / "transcripts").rglob("*") if p.is_file())


def in_dev(entry: Entry, _demo: frozenset[str]) -> bool:
    """The ``dev`` crowd: every Changelog-family episode."""
    return entry["show"] in CHANGELOG


def in_confirm(entry: Entry, demo: frozenset[str]) -> bool:
    """The ``confirm`` crowd: Python shows' episodes the demo lacks, and podcasting shows."""
    if entry["show"] in PODCASTING:
        return True
    return entry["show"] in PYTHON and not any(Path(f).name in demo for f in _files(entry))


CROWDS: dict[str, Callable[[Entry, frozenset[str]], bool]] = {
    "dev": in_dev,
    "confirm": in_confirm,
}


def _files(entry: Entry) -> list[str]:
    """The transcript files an index entry names (one episode, maybe several formats)."""
    return list(dict.fromkeys(entry[k] for k in FILE_KEYS if entry.get(k)))


def real_date(entry: Entry) -> str | None:
    """The episode's date: the index's, else one in a file name or the note (Podnews)."""
    if entry.get("date"):
        return str(entry["date"])
    for text in [*_files(entry), entry.get("note") or ""]:
        if m := _DATE.search(text):
            return m.group(1)
    return None


def usable_file(shared: Path, files: Sequence[str]) -> tuple[str, int] | None:
    """The file to serve, and the words of its parse: the first in the product's order among
    those whose parse has at least half the words of the richest (a toy JSON or a short
    excerpt of the same episode loses); None if no file parses."""
    parsed = []
    for rel in files:
        path = shared / rel
        try:
            transcript = parse_transcript(path.read_bytes(), source=path.name)
        except PodsiftError:
            continue
        words = sum(len(s.text.split()) for s in transcript.segments)
        parsed.append((_RANK.get(path.suffix, len(_RANK)), rel, words))
    if not parsed:
        return None
    richest = max(words for _, _, words in parsed)
    _, rel, words = min(p for p in parsed if 2 * p[2] >= richest)
    return rel, words


def episodes_of(entries: Iterable[Entry]) -> list[tuple[Entry, list[str]]]:
    """Index entries joined into episodes, with all their files: the index gives some
    episodes one entry per format (Buzzcast), which share the show and the file stem."""
    joined: dict[tuple[str, str], tuple[Entry, list[str]]] = {}
    for entry in entries:
        files = _files(entry)
        key = (entry["show"], Path(files[0]).stem if files else "")
        joined.setdefault(key, (entry, []))[1].extend(f for f in files if f not in joined[key][1])
    return list(joined.values())


def select(shared: Path, crowd: str) -> tuple[list[CrowdEpisode], list[str]]:
    """The crowd's episodes, re-dated into the fortnight in their real order; and the
    episodes left out because no file of theirs parses."""
    index = json.loads((shared / "transcripts" / "index.json").read_text(encoding="utf-8"))
    demo = demo_files()
    chosen = episodes_of(e for e in index["episodes"] if CROWDS[crowd](e, demo))
    # stable sort: undated episodes go last, in index order
    chosen.sort(key=lambda ef: (real_date(ef[0]) is None, real_date(ef[0]) or ""))
    usable, skipped = [], []
    for entry, files in chosen:
        best = usable_file(shared, files)
        if best is None:
            skipped.append(f"{entry['show']}: {', '.join(files)}")
        else:
            usable.append((entry, *best))
    step = WINDOW / max(len(usable), 1)
    episodes = [
        CrowdEpisode(
            show=entry["show"],
            episode=entry.get("episode"),
            title=entry.get("title") or "",
            source=rel,
            words=words,
            real_date=real_date(entry),
            date=(WINDOW_START + k * step).isoformat(),
            speakers=tuple(entry.get("speakers") or ()),
            language="es" if "spanish" in (entry.get("note") or "").lower() else "en",
        )
        for k, (entry, rel, words) in enumerate(usable)
    ]
    return episodes, skipped


def slug(show: str) -> str:
    """A show's folder and feed name.

    >>> slug("Changelog & Friends"), slug("Ship It!")
    ('changelog-friends', 'ship-it')
    """
    return re.sub(r"[^a-z0-9]+", "-", show.lower()).strip("-")


def build(
    shared: Path, crowd: str, out: Path = BUILD
) -> tuple[Path, list[CrowdEpisode], list[str]]:
    """Write the crowd's folder (replacing it); return it, its episodes and those skipped."""
    episodes, skipped = select(shared, crowd)
    root = out / crowd
    shutil.rmtree(root, ignore_errors=True)
    by_show: dict[str, list[CrowdEpisode]] = {}
    for ep in episodes:
        by_show.setdefault(ep.show, []).append(ep)
    for show, eps in sorted(by_show.items()):
        items = []
        for ep in eps:
            src = shared / ep.source
            dest = root / "transcripts" / slug(show) / src.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            items.append(item_xml(ep, f"__BASE__/transcripts/{slug(show)}/{src.name}"))
        feed = root / "feeds" / f"{slug(show)}.xml"
        feed.parent.mkdir(parents=True, exist_ok=True)
        feed.write_text(FEED.format(title=escape(show), items="".join(items)), encoding="utf-8")
    manifest = {
        "crowd": crowd,
        "window_start": WINDOW_START.isoformat(),
        "window_days": WINDOW.days,
        "episodes": [asdict(ep) for ep in episodes],
        "skipped": skipped,
    }
    (root / "crowd.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return root, episodes, skipped


def crowd_title(ep: CrowdEpisode) -> str:
    """The episode's title in its feed, as the demo writes them ("<show> #<n>: <title>")."""
    number = f" #{ep.episode}" if ep.episode is not None else ""
    name = ep.title or ("" if ep.episode is not None else Path(ep.source).stem)
    return f"{ep.show}{number}" + (f": {name}" if name else "")


def item_xml(ep: CrowdEpisode, url: str) -> str:
    """One feed item: title, a stable guid, the crowd date, the transcript link, speakers."""
    persons = "".join(f"\n      <podcast:person>{escape(p)}</podcast:person>" for p in ep.speakers)
    return ITEM.format(
        title=escape(crowd_title(ep)),
        guid=escape(f"urn:podsift-crowd:{slug(ep.show)}:{Path(ep.source).name}"),
        date=format_datetime(datetime.fromisoformat(ep.date)),
        url=quoteattr(url),
        mime=MIME[Path(ep.source).suffix],
        language=ep.language,
        persons=persons,
    )


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by benchmarks/crowds/make_crowds.py from real episode metadata, re-dated. -->
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
  <channel>
    <title>{title}</title>
    <language>en</language>
    <description>Real episodes of {title}, re-dated for a podsift crowd.</description>{items}
  </channel>
</rss>
"""
ITEM = """
    <item>
      <title>{title}</title>
      <guid isPermaLink="false">{guid}</guid>
      <pubDate>{date}</pubDate>
      <podcast:transcript url={url} type="{mime}" language="{language}" />{persons}
    </item>"""


def main() -> None:
    """Build the crowds named on the command line (default: dev and confirm)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("crowds", nargs="*", metavar="CROWD", help=f"among {', '.join(CROWDS)}")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--out", type=Path, default=BUILD)
    args = parser.parse_args()
    if unknown := sorted(set(args.crowds) - set(CROWDS)):
        parser.error(f"unknown crowd {', '.join(unknown)} (known: {', '.join(CROWDS)})")
    for crowd in args.crowds or CROWDS:
        root, episodes, skipped = build(args.shared, crowd, args.out)
        shows = len({e.show for e in episodes})
        print(f"{crowd}: {len(episodes)} episodes of {shows} shows -> {root}")
        for line in skipped:
            print(f"  left out (no file parses): {line}")


if __name__ == "__main__":
    main()
