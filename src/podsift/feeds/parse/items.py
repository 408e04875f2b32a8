"""One ``<item>`` of the fast parse path, read as feedparser reads it (see :mod:`.fastparse`).

No business logic beyond that mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz
from typing import Any
from urllib.parse import urljoin

from podsift.feeds.parse.rules import (
    CONTAINERS,
    HANDLERS,
    ITEM_IGNORED,
    OTHER_DATES,
    Reject,
    absolute,
    check_quiet,
    element_name,
    fix_text,
    link_is_text,
    permalink,
    plain,
    raw,
    resolve,
)
from podsift.feeds.parse.xmltree import persons_of, transcript_link
from podsift.models import Episode, TranscriptLink


@dataclass(frozen=True, slots=True)
class Helpers:
    """The feedparser path's own helpers, so both paths share one definition of each."""

    is_podcast: Callable[[Any, str], bool]
    text_of_html: Callable[[Any], str | None]
    duration: Callable[[Any], float | None]


class _Item:
    """One item's fields as feedparser fills them."""

    def __init__(self, has_content: bool) -> None:
        self.one: dict[str, Any] = {}
        self.summary: str | None = None
        self.contents: list[str] = []
        self.has_content = has_content
        self.enclosures: list[tuple[str, str]] = []
        self.transcripts: list[TranscriptLink] = []
        self.persons: list[Any] = []  # podcast:person elements
        self.other_dates = False

    def text(self, value: str, as_summary_only: bool) -> None:
        """A description / itunes:summary (``as_summary_only``) or content:encoded."""
        if as_summary_only:
            if self.summary is not None and not self.has_content:
                self.has_content = True
                self.contents.append(value)
            else:
                self.summary = value
            return
        self.has_content = True
        self.contents.append(value)
        if self.summary is None:
            self.summary = value


def read_item(item: Any, url: str | None, has_content: bool, h: Helpers) -> Episode:
    """The :class:`Episode` of one ``<item>``; ``has_content`` is feedparser's flag as the
    item starts (a channel-level description read as content leaks into the first item)."""
    fields = _Item(has_content)
    for el in item:
        name = element_name(el)
        if name is not None:
            _item_element(el, name, fields, h)
    one = fields.one
    guid_el = one.get("guid")
    is_link = guid_el is not None and permalink(guid_el)
    guid = plain(guid_el)
    if guid and is_link:
        guid = fix_text(resolve("", guid))
    if "link" in one:
        text = plain(one["link"])
        link = fix_text(resolve("", text)) if text else None
    else:
        link = guid if is_link else None
    link = absolute(url, link)
    summary = fields.summary
    if not (summary or "").strip():
        summary = fields.contents[0] if fields.contents else None
    if fields.other_dates and "pubdate" not in one:
        raise Reject("a date other than pubDate")
    dur = one.get("itunes_duration")
    return Episode(
        title=plain(one.get("title")),
        guid=guid,
        published=_date(one.get("pubdate")),
        link=link,
        audio_url=_audio(fields.enclosures, url),
        duration=h.duration(None if dur is None or dur.attrib else raw(dur)),
        transcripts=tuple(fields.transcripts),
        description=h.text_of_html(summary),
        persons=persons_of(fields.persons),
    )


def _item_element(el: Any, name: str, fields: _Item, h: Helpers) -> None:
    if name == "link" and not link_is_text(el, in_item=True):
        if len(el):
            check_quiet(el)
    elif name in ("title", "link", "guid", "pubdate", "itunes_duration"):
        if name in fields.one:
            raise Reject(f"two {name}")
        fields.one[name] = el
    elif name in ("description", "itunes_summary", "summary"):
        fields.text(fix_text(raw(el).strip()), True)
    elif name == "content_encoded":
        fields.text(fix_text(raw(el).strip()), False)
    elif name == "enclosure":
        if len(el):
            check_quiet(el)
        href = _enclosure_href(el)
        if href:
            fields.enclosures.append((href, (el.get("type") or "").lower()))
    elif name.endswith("_transcript") and h.is_podcast(el, "transcript"):
        if len(el):
            check_quiet(el)
        found = transcript_link(el.attrib)
        if found is not None:
            fields.transcripts.append(found)
    elif name.endswith("_person") and h.is_podcast(el, "person"):
        if len(el):
            check_quiet(el)
        fields.persons.append(el)
    elif name in ITEM_IGNORED or name in CONTAINERS or name not in HANDLERS:
        if len(el):
            check_quiet(el)
    elif name in OTHER_DATES:
        fields.other_dates = True
    else:
        raise Reject(f"item element {name}")


def _enclosure_href(el: Any) -> str | None:
    """feedparser's ``_enforce_href``: ``url``, else ``uri``, else ``href``; stripped."""
    attrs = {k.lower(): v for k, v in el.attrib.items()}
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if not href:
        href = attrs.get("href")
    return (href or "").strip() or None


def _audio(enclosures: list[tuple[str, str]], url: str | None) -> str | None:
    media = [u for u, kind in enclosures if kind.startswith(("audio/", "video/"))]
    chosen = (media or [u for u, _ in enclosures] or [""])[0]
    if not chosen:
        return None
    return urljoin(url, chosen) if url else chosen


def _date(el: Any) -> datetime | None:
    if el is None:
        return None
    text = raw(el).strip()
    if not text:
        raise Reject("empty date")
    parts = parsedate_tz(text)
    if parts is None or parts[9] is None:
        raise Reject("date")
    year, month, day, hour, minute, second = parts[:6]
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise Reject("date") from exc
    return local - timedelta(seconds=parts[9])
