"""Measure insights against human-written show notes: recall, precision, grounding, ads.

Pure parts for ``benchmarks/eval_insights.py``: read a Python Bytes show-notes file into
its news items (headline + bullet points; the sponsor line, "Extras" and "Joke" are not
items), ROUGE-1 F between two texts, and the matching of insights to items given a
similarity matrix. The embedding model and the files stay in the benchmark.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from podsift.lexicon import STOPWORDS, normalised_tokens

__all__ = [
    "HOUSEKEEPING",
    "HumanItem",
    "is_housekeeping",
    "match_counts",
    "parse_show_notes",
    "rouge1_f",
    "sponsor_of",
]

_ITEM = re.compile(r"^\*\*\s*[^*#\n]{1,40}?#\s*\d+\s*:\s*(?:\*\*)?(.*)$")
_SECTION_END = re.compile(r"^\s*(?:\*\*)?\s*(?:extras?|joke|connect with the hosts)\b", re.I)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"[*_`#>]+")
_SPONSOR = re.compile(r"(?i)^\s*sponsored by\s+(?:\[\*\*)?\*{0,2}([A-Za-z][\w .-]*?)[:*\]!(.]")
#: What makes an insight sponsor talk or housekeeping when it is not a labelled ad.
HOUSEKEEPING = re.compile(
    r"(?i)\b(?:brought to you by|sponsor(?:ed|s)?|patreon|pythonbytes\.fm/|talkpython\.fm/|"
    r"our courses?|subscribe|newsletter|follow (?:us|the show)|rate (?:us|the show)|"
    r"leave a review|thanks? (?:to )?(?:our )?sponsor|support (?:the|our) (?:show|work)|"
    r"check them out|free trial|promo code|discount code|this episode is)\b"
)


@dataclass(frozen=True, slots=True)
class HumanItem:
    """One news item of the show notes: its headline and bullet points, Markdown removed."""

    headline: str
    bullets: tuple[str, ...]

    @property
    def units(self) -> tuple[str, ...]:
        """The headline and each bullet: what an insight may match."""
        return (self.headline, *self.bullets) if self.headline else self.bullets


def _plain(text: str) -> str:
    """Strip Markdown links and marks from one line."""
    return " ".join(_MD_MARKS.sub(" ", _MD_LINK.sub(r"\1", text)).split()).strip(" :-")


def parse_show_notes(markdown: str) -> list[HumanItem]:
    """Return the news items of a Python Bytes show-notes file, in order.

    >>> notes = "**Brian #1:** [**uv venv**](u)\\n- fast venvs\\n\\n**Extras**\\n- no"
    >>> parse_show_notes(notes)
    [HumanItem(headline='uv venv', bullets=('fast venvs',))]
    """
    items: list[HumanItem] = []
    current: tuple[str, list[str]] | None = None
    in_code = False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
            continue
        line = line.strip().lstrip("#").strip()
        match = _ITEM.match(line)
        if match or _SECTION_END.match(line):
            if current:
                items.append(HumanItem(current[0], tuple(current[1])))
            current = (_plain(match.group(1)), []) if match else None
            continue
        if current is None or in_code:
            continue
        text = _plain(line)
        if (len(text.split()) >= 2 and line[:1] in "-*•0123456789") or (text and not current[0]):
            current[1].append(text)
    if current:
        items.append(HumanItem(current[0], tuple(current[1])))
    return [i for i in items if i.units]


def sponsor_of(markdown: str) -> str | None:
    """Return the sponsor named on the show notes' "Sponsored by" line ("us" is no sponsor).

    >>> sponsor_of("Sponsored by ScoutAPM: [**pythonbytes.fm/scout**](x)")
    'ScoutAPM'
    """
    for line in markdown.splitlines()[:6]:
        match = _SPONSOR.match(line)
        if match:
            name = match.group(1).strip()
            return None if name.lower() == "us" else name
    return None


def is_housekeeping(text: str, sponsor: str | None = None) -> bool:
    """Whether an insight is sponsor talk or show housekeeping.

    >>> is_housekeeping("This episode is brought to you by Sentry.")
    True
    >>> is_housekeeping("ScoutAPM finds N+1 queries.", "ScoutAPM")
    True
    """
    if sponsor and sponsor.lower() in text.lower():
        return True
    return bool(HOUSEKEEPING.search(text))


def _terms(text: str) -> Counter[str]:
    return Counter(w for w in normalised_tokens(text) if w not in STOPWORDS)


def rouge1_f(candidate: str, reference: str) -> float:
    """Return ROUGE-1 F1 of two texts over lower-cased words, stop words left out.

    >>> rouge1_f("uv creates virtual environments fast", "uv venv creates environments")
    0.6667
    >>> rouge1_f("", "anything")
    0.0
    """
    a, b = _terms(candidate), _terms(reference)
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return round(2 * p * r / (p + r), 4)


def match_counts(sims: Sequence[Sequence[float]], threshold: float) -> tuple[int, int]:
    """Return (human items matched, insights matched) for ``sims[insight][item] >= threshold``.

    >>> match_counts([[0.9, 0.1], [0.2, 0.3], [0.8, 0.0]], 0.5)
    (1, 2)
    """
    items = {j for row in sims for j, s in enumerate(row) if s >= threshold}
    insights = sum(1 for row in sims if any(s >= threshold for s in row))
    return len(items), insights
