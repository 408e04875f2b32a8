"""Render a :class:`~podsift.models.Digest` as plain text, Markdown, email-safe HTML or JSON.

Every format comes from the same Digest object through the Jinja2 templates next to this
module. HTML is autoescaped and its ``<style>`` block is inlined into ``style`` attributes with
css-inline, keeping only the ``@media`` rules (dark mode, narrow screens) in the head.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import css_inline
import jinja2

from podsift.digest.build import headline_of
from podsift.models import AlsoOn, Digest, DigestItem, Related

FORMATS = ("text", "md", "html", "json")
"""Names accepted by :func:`render`."""

TEXT_WIDTH = 78
"""Column at which the plain-text part is wrapped."""

RELATED_QUOTE_MAX = 160
"""Longest quote of a related discussion, in characters, before it is cut at a word boundary."""

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
Votes = Mapping[str, tuple[str, str]]
"""Each story id's "more like this" and "less like this" links (signed, per subscriber)."""


def render(d: Digest, fmt: str, *, unsubscribe_url: str | None = None) -> str:
    """Render ``d`` in ``fmt`` (one of :data:`FORMATS`); JSON is indented, UTF-8 text.

    Raises:
        ValueError: ``fmt`` is not a known format.
    """
    if fmt == "text":
        return render_text(d, unsubscribe_url=unsubscribe_url)
    if fmt == "md":
        return render_markdown(d)
    if fmt == "html":
        return render_html(d, unsubscribe_url=unsubscribe_url)
    if fmt == "json":
        return json.dumps(digest_to_json(d), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown digest format '{fmt}' (available: {', '.join(FORMATS)})")


def render_text(
    d: Digest,
    *,
    unsubscribe_url: str | None = None,
    preferences_url: str | None = None,
    browser_url: str | None = None,
    votes: Votes | None = None,
) -> str:
    """Render the plain-text part: wrapped at :data:`TEXT_WIDTH`, links on their own lines.

    ``votes`` maps a story id to its "more like this" and "less like this" links.
    """
    return (
        _env(html=False)
        .get_template("digest.txt")
        .render(
            _context(d),
            unsubscribe_url=_public_url(unsubscribe_url),
            preferences_url=_public_url(preferences_url),
            browser_url=_public_url(browser_url),
            votes=_public_votes(votes),
        )
    )


def render_markdown(d: Digest) -> str:
    """Render the digest as CommonMark (special characters in the data are escaped)."""
    return _env(html=False).get_template("digest.md").render(_context(d))


def render_html(
    d: Digest,
    *,
    unsubscribe_url: str | None = None,
    preferences_url: str | None = None,
    browser_url: str | None = None,
    votes: Votes | None = None,
) -> str:
    """Render the email HTML: table layout, system fonts, CSS inlined into ``style`` attributes.

    Only ``http``/``https`` links become ``href`` attributes; anything else is shown unlinked.
    """
    html = (
        _env(html=True)
        .get_template("digest.html")
        .render(
            _context(d),
            unsubscribe_url=_public_url(unsubscribe_url),
            preferences_url=_public_url(preferences_url),
            browser_url=_public_url(browser_url),
            votes=_public_votes(votes),
        )
    )
    return _inliner().inline(html)


def digest_to_json(d: Digest) -> dict[str, Any]:
    """Return the digest in the stable JSON shape of docs/design.md (unknown: ``None``)."""
    return {"date": d.date.isoformat(), "items": [_item_json(i) for i in d.items]}


def _item_json(item: DigestItem) -> dict[str, Any]:
    return {
        "rank": item.rank,
        "story_id": item.story_id,
        "headline": item.headline,
        "insight": item.insight,
        "quote": item.quote,
        "speaker": item.speaker,
        "show": item.show,
        "episode": item.episode,
        "link": item.link,
        "start": item.start,
        "also_on": [_also_json(a) for a in item.also_on],
        "update": item.update,
        "related": [_also_json(r) for r in item.related],
    }


def _also_json(a: AlsoOn | Related) -> dict[str, Any]:
    return {
        "show": a.show,
        "episode": a.episode,
        "speaker": a.speaker,
        "quote": a.quote,
        "link": a.link,
        "start": a.start,
    }


def format_clock(seconds: float | None) -> str:
    """Format a time in seconds as ``M:SS`` or ``H:MM:SS`` (empty when unknown).

    >>> format_clock(751.9)
    '12:31'
    >>> format_clock(3723)
    '1:02:03'
    >>> format_clock(None)
    ''
    """
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def long_date(day: date) -> str:
    """Format ``day`` in English regardless of locale.

    >>> long_date(date(2024, 4, 2))
    'Tuesday, 2 April 2024'
    """
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month - 1]} {day.year}"


DIGEST_SIZE = 5
"""Items a full digest holds; a day with fewer standalone points says so (#21)."""


def short_day(d: Digest, size: int = DIGEST_SIZE) -> str | None:
    """The plain line of a day with fewer than ``size`` points that stand on their own.

    Filler never fills the gap: the ranking leaves out what cannot be read alone.

    >>> short_day(Digest(date(2024, 4, 2), ()))
    'Only 0 points stood on their own today.'
    """
    n = len(d.items)
    if n >= size:
        return None
    return (
        f"Only {n} point{'' if n == 1 else 's'} stood on {'its' if n == 1 else 'their'} own today."
    )


def _context(d: Digest) -> dict[str, Any]:
    return {
        "d": d,
        "items": d.items,
        "long_date": long_date(d.date),
        "short_day": short_day(d),
    }


def _public_url(url: str | None) -> str | None:
    """Return ``url`` when it is an absolute http(s) URL, else ``None`` (never link javascript:)."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _public_votes(votes: Votes | None) -> dict[str, tuple[str, str]]:
    """The vote links of each story, kept only when both are absolute http(s) URLs."""
    out = {}
    for story_id, (more, less) in (votes or {}).items():
        more_url, less_url = _public_url(more), _public_url(less)
        if more_url and less_url:
            out[story_id] = (more_url, less_url)
    return out


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    """Wrap ``text`` at :data:`TEXT_WIDTH` with ``indent`` (``first`` for the first line)."""
    return textwrap.fill(
        " ".join(text.split()),
        width=TEXT_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _md(text: str) -> str:
    """Escape Markdown syntax in plain ``text`` and flatten it to one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_url(url: str) -> str:
    """Make ``url`` safe inside a Markdown ``(...)`` link destination."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


@cache
def _env(*, html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("podsift.digest", "templates"),
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(clock=format_clock, wrap=_wrap, md=_md, md_url=_md_url, url=_public_url)
    env.filters["short"] = lambda text: headline_of(text, RELATED_QUOTE_MAX)
    env.tests["worth_showing"] = worth_showing
    return env


def worth_showing(insight: str, headline: str, quote: str) -> bool:
    """Whether the insight adds to what the headline and the quote already say.

    An extractive insight is its quote with disfluencies cleaned, and the headline is its
    beginning: printing all three repeats one sentence three times.

    >>> worth_showing("XZ had a backdoor.", "XZ had a backdoor.", "Um, XZ had a backdoor.")
    False
    >>> worth_showing("A backdoor hid in XZ 5.6.", "Backdoor in XZ", "so yeah, the thing is out")
    True
    """

    def words(text: str) -> list[str]:
        return re.findall(r"[a-z0-9]+", text.lower())

    said, quoted = words(insight), words(quote)
    if said == words(headline):
        return False
    return not said or len(set(said) - set(quoted)) > max(2, len(said) // 10)


@cache
def _inliner() -> css_inline.CSSInliner:
    # keep_at_rules: @media blocks (dark mode, phones) cannot be inlined, so they stay in <head>
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
