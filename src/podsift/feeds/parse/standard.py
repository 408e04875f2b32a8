"""Parse podcast feeds (RSS 2.0, Atom, RSS 1.0) into :class:`podsift.models.ParsedFeed`.

feedparser reads the common fields and survives broken XML; lxml, with a hardened parser
(no entities, no network, no huge trees), reads the Podcasting 2.0 tags that feedparser
does not expose well (every ``podcast:transcript`` of an item, ``podcast:person``,
``podcast:guid``).
A malformed feed yields what can be salvaged plus warnings; a document that is not a feed
at all raises :class:`podsift.exceptions.FeedParseError`.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import nh3

from podsift.exceptions import FeedParseError
from podsift.feeds.parse.fast import parse_rss_fast
from podsift.feeds.parse.rules import absolute
from podsift.feeds.parse.xmltree import (
    FeedHints,
    ItemExtras,
    TreeExtras,
    hints,
    is_podcast,
    one_line,
    read_tree,
    strict_root,
)
from podsift.models import Episode, ParsedFeed, Person, Show

_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})


def parse_feed(content: bytes, url: str | None = None) -> ParsedFeed:
    """Parse feed bytes into a :class:`ParsedFeed`.

    ``url`` names the document in messages and resolves relative links. Raises
    :class:`FeedParseError` when ``content`` is empty, binary, or not a feed.
    """
    return parse_feed_with_hints(content, url)[0]


def parse_feed_with_hints(
    content: bytes, url: str | None = None, *, fast: bool = True
) -> tuple[ParsedFeed, FeedHints]:
    """Parse feed bytes like :func:`parse_feed`, plus what the feed says about polling.

    A plain, well-formed RSS 2.0 feed takes the lxml fast path
    (:func:`podsift.feeds.parse.fast.parse_rss_fast`); anything it does not model, or
    ``fast=False``, goes through feedparser. Both give the same :class:`ParsedFeed`.
    """
    name = url or "<input>"
    _check_not_binary(content, name)
    root = strict_root(content)
    if fast and root is not None:
        quick = parse_rss_fast(
            content,
            url if url and "://" in url else None,
            root=root,
            is_podcast=is_podcast,
            text_of_html=_html_to_text,
            duration=parse_duration,
        )
        if quick is not None:
            return quick, hints(root)
    extras = read_tree(content, root)
    # a stream, never bytes: feedparser opens bytes that name a local path as a file. No
    # response headers: the document's encoding declaration rules (as for lxml; told a
    # location without a type, feedparser decodes it as Latin-1), and links are made
    # absolute here (feedparser would also resolve GUIDs, see fastrules.absolute)
    try:
        parsed = feedparser.parse(io.BytesIO(content))
    except (TypeError, AttributeError) as e:  # feedparser's loose mode trips on some garbage
        raise FeedParseError(f"{name}: not a readable feed ({one_line(str(e))})") from e
    if extras.root not in _FEED_ROOTS and not parsed.get("version"):
        raise FeedParseError(f"{name}: not a feed (no <rss>, <feed> or <rdf> root)")
    warnings = _warnings(parsed, extras)
    entries = list(parsed.get("entries", []))
    matched, unmatched = _match_items(entries, extras.items)
    if unmatched:
        warnings.append(f"{unmatched} item(s) with podcast:transcript could not be matched")
    base = url if url and "://" in url else None
    episodes = tuple(
        _episode(entry, item, extras.show_persons, base, loose=bool(parsed.get("bozo")))
        for entry, item in zip(entries, matched, strict=True)
    )
    show = _show(parsed.get("feed", {}), extras.show_guid, base, loose=bool(parsed.get("bozo")))
    feed = ParsedFeed(
        show=replace(show, persons=extras.show_persons),
        episodes=episodes,
        warnings=tuple(warnings),
    )
    return feed, extras.hints


def feed_to_json(parsed: ParsedFeed) -> dict[str, Any]:
    """Return the ``feed`` JSON object of docs/design.md for ``parsed``."""
    show = parsed.show
    return {
        "show": {
            "title": show.title,
            "link": show.link,
            "guid": show.guid,
            "author": show.author,
            "image": show.image,
            "language": show.language,
            "persons": [person_json(p) for p in show.persons],
        },
        "episodes": [_episode_json(e) for e in parsed.episodes],
        "warnings": list(parsed.warnings),
    }


def _episode_json(episode: Episode) -> dict[str, Any]:
    published = episode.published
    return {
        "guid": episode.guid,
        "title": episode.title,
        "published": published.isoformat().replace("+00:00", "Z") if published else None,
        "link": episode.link,
        "audio_url": episode.audio_url,
        "duration": episode.duration,
        "transcripts": [
            {"url": t.url, "type": t.type, "language": t.language, "rel": t.rel}
            for t in episode.transcripts
        ],
        "persons": [person_json(p) for p in episode.persons],
    }


def person_json(person: Person) -> dict[str, str | None]:
    """A ``podcast:person`` as JSON: ``{"name", "role", "group", "img", "href"}``."""
    return {
        "name": person.name,
        "role": person.role,
        "group": person.group,
        "img": person.img,
        "href": person.href,
    }


# --- sniffing ---------------------------------------------------------------------------


def _check_not_binary(content: bytes, name: str) -> None:
    if not content.strip():
        raise FeedParseError(f"{name}: not a feed (empty document)")
    head = content[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM holds NUL bytes legitimately
    if b"\x00" in head or head.startswith(b"\x1f\x8b"):
        raise FeedParseError(f"{name}: not a feed (binary data)")


def _match_items(
    entries: list[Any], items: tuple[ItemExtras, ...]
) -> tuple[list[ItemExtras | None], int]:
    """Pair lxml items with feedparser entries: by position when counts agree, else by key.

    Returns each entry's item (``None`` when none matched) and how many items with
    transcript links matched no entry.
    """
    if len(entries) == len(items):
        return list(items), 0
    by_key: dict[str, ItemExtras] = {}
    for item in items:
        for key in _item_keys(item.guid, item.audio_url, item.title):
            by_key.setdefault(key, item)
    found: list[ItemExtras | None] = []
    used: set[int] = set()
    for entry in entries:
        keys = _item_keys(_entry_guid(entry), _audio_url(entry), _clean(entry.get("title")))
        match = next((by_key[k] for k in keys if k in by_key), None)
        found.append(match)
        if match is not None:
            used.add(id(match))
    unmatched = sum(1 for item in items if item.transcripts and id(item) not in used)
    return found, unmatched


def _item_keys(guid: str | None, audio: str | None, title: str | None) -> Iterator[str]:
    if guid:
        yield f"g:{guid}"
    if audio:
        yield f"a:{audio}"
    if title:
        yield f"t:{title}"


# --- feedparser pass ---------------------------------------------------------------------


def _warnings(parsed: Any, extras: TreeExtras) -> list[str]:
    warnings: list[str] = []
    if extras.warning:
        warnings.append(extras.warning)
    if parsed.get("bozo") and extras.warning is None:
        exc = parsed.get("bozo_exception")
        warnings.append(f"feed irregularity: {one_line(str(exc))}")
    return warnings


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _plain(value: Any, loose: bool) -> str | None:
    """A text field; feedparser's loose (broken-XML) mode leaves entities undecoded."""
    text = _clean(value)
    return html.unescape(text) if text and loose else text


def _show(feed: Any, guid: str | None, base: str | None, *, loose: bool) -> Show:
    image = feed.get("image") or {}
    author = _plain(feed.get("author"), loose) or _plain(
        (feed.get("author_detail") or {}).get("name"), loose
    )
    return Show(
        title=_plain(feed.get("title"), loose) or "",
        link=absolute(base, _clean(feed.get("link"))),
        guid=guid,
        author=author,
        image=absolute(base, _clean(image.get("href")) or _clean(image.get("url"))),
        language=_clean(feed.get("language")),
        description=_html_to_text(feed.get("summary") or feed.get("subtitle")),
    )


def _episode(
    entry: Any,
    item: ItemExtras | None,
    show_persons: tuple[Person, ...],
    base: str | None,
    *,
    loose: bool,
) -> Episode:
    audio_url = absolute(base, _audio_url(entry))
    return Episode(
        title=_plain(entry.get("title"), loose),
        guid=_entry_guid(entry),
        published=_published(entry),
        link=absolute(base, _clean(entry.get("link"))),
        audio_url=audio_url,
        duration=parse_duration(entry.get("itunes_duration")),
        transcripts=item.transcripts if item else (),
        description=_description(entry),
        persons=(item.persons if item else ()) or show_persons,
    )


def _entry_guid(entry: Any) -> str | None:
    return _clean(entry.get("id"))


def _audio_url(entry: Any) -> str | None:
    enclosures = [e for e in entry.get("enclosures", []) if _clean(e.get("href"))]
    media = [e for e in enclosures if str(e.get("type", "")).startswith(("audio/", "video/"))]
    chosen = (media or enclosures or [None])[0]
    return _clean(chosen.get("href")) if chosen else None


def _published(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


_DURATION = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)$")


def parse_duration(value: Any) -> float | None:
    """Seconds from an ``itunes:duration`` value (``SS``, ``MM:SS``, ``HH:MM:SS``), else None.

    >>> parse_duration("01:02:03"), parse_duration("90"), parse_duration("n/a")
    (3723.0, 90.0, None)
    """
    if not isinstance(value, str):
        return None
    match = _DURATION.match(value.strip())
    if match is None:
        return None
    first, second, secs = match.groups()
    hours, minutes = (first, second) if second is not None else (None, first)
    total = float(secs) + 60 * int(minutes or 0) + 3600 * int(hours or 0)
    return total if total > 0 else None


def _description(entry: Any) -> str | None:
    summary = entry.get("summary")
    if not _clean(summary):
        contents = entry.get("content") or []
        summary = contents[0].get("value") if contents else None
    return _html_to_text(summary)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def sanitize_notes(value: str) -> str:
    """Show notes HTML made safe to store and show: nh3 (Ammonia) with its safe defaults.

    >>> sanitize_notes('<p onclick="x()">Hi<script>alert(1)</script></p>')
    '<p>Hi</p>'
    """
    return nh3.clean(value, link_rel="noopener noreferrer nofollow")


def _html_to_text(value: Any) -> str | None:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blank runs folded."""
    if not isinstance(value, str) or not value.strip():
        return None
    collector = _TextCollector()
    # nh3 drops scripts, styles and their text before anything reads the notes
    collector.feed(sanitize_notes(value))
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    return text or None
