"""The lxml pass over a feed: the hardened XML parser and what feedparser does not expose.

A parser with no entities, no network and no huge trees reads the Podcasting 2.0 tags
(every ``podcast:transcript`` and ``podcast:person`` of an item, the channel's
``podcast:person`` entries, ``podcast:guid``) and the polling hints (RSS ``ttl``,
``podcast:updateFrequency``, ``itunes:new-feed-url``). No business logic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from podsift.models import Person, TranscriptLink

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
_PODCAST_NS_ALIASES = (
    PODCAST_NS,
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
)
_ITEM_NAMES = frozenset({"item", "entry"})


@dataclass(frozen=True, slots=True)
class ItemExtras:
    """What lxml read from one item: its identity keys, transcript links and persons."""

    guid: str | None
    audio_url: str | None
    title: str | None
    transcripts: tuple[TranscriptLink, ...]
    persons: tuple[Person, ...] = ()


@dataclass(frozen=True, slots=True)
class TreeExtras:
    """What lxml read from the whole document."""

    root: str | None
    show_guid: str | None
    items: tuple[ItemExtras, ...]
    warning: str | None
    hints: FeedHints = field(default_factory=lambda: FeedHints())
    show_persons: tuple[Person, ...] = ()


@dataclass(frozen=True, slots=True)
class FeedHints:
    """What a feed says about polling it: RSS ``ttl``, ``podcast:updateFrequency`` rrule,
    and ``itunes:new-feed-url`` (the publisher moved the feed)."""

    ttl: str | None = None
    update_frequency: str | None = None
    new_feed_url: str | None = None


_PARSERS = threading.local()


def xml_parser(*, recover: bool) -> etree.XMLParser:
    """The hardened parser, one per thread (an lxml parser is not thread-safe; making one
    per document costs more than parsing a small feed)."""
    key = "recover" if recover else "strict"
    parser: etree.XMLParser | None = getattr(_PARSERS, key, None)
    if parser is None:
        parser = _new_xml_parser(recover=recover)
        setattr(_PARSERS, key, parser)
    return parser


def _new_xml_parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        recover=recover,
    )


def strict_root(content: bytes) -> Any:
    """The document's root element, or None when it is not well-formed XML."""
    try:
        return etree.fromstring(content, xml_parser(recover=False))
    except etree.XMLSyntaxError:
        return None


def read_tree(content: bytes, strict: Any = None) -> TreeExtras:
    warning = None
    root = strict
    if root is None:
        try:
            root = etree.fromstring(content, xml_parser(recover=False))
        except etree.XMLSyntaxError as exc:
            warning = f"malformed xml, salvaged what could be read: {one_line(str(exc))}"
            try:
                root = etree.fromstring(content, xml_parser(recover=True))
            except etree.XMLSyntaxError:
                root = None
    if root is None:
        return TreeExtras(None, None, (), warning)
    items = tuple(_item_extras(el) for el in root.iter() if local_name(el) in _ITEM_NAMES)
    show_guid = next((_text(el) for el in root.iter() if is_podcast(el, "guid")), None)
    channel = next((el for el in root if local_name(el) == "channel"), root)
    people = persons_of(el for el in channel if is_podcast(el, "person"))
    return TreeExtras(local_name(root).lower(), show_guid, items, warning, hints(root), people)


def hints(root: Any) -> FeedHints:
    channel = next((el for el in root if local_name(el) == "channel"), root)
    ttl = update = moved = None
    for el in channel:
        local = local_name(el)
        if local == "ttl" and ttl is None:
            ttl = _text(el)
        elif is_podcast(el, "updateFrequency") and update is None:
            update = (el.get("rrule") or "").strip() or None
        elif local == "new-feed-url" and moved is None:
            moved = _text(el)
    return FeedHints(ttl, update, moved)


def local_name(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def is_podcast(el: Any, name: str) -> bool:
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return local == name and ns.rstrip("/") in _PODCAST_NS_ALIASES
    # recover=True keeps an unbound prefix as part of the name
    return tag == f"podcast:{name}"


def _text(el: Any) -> str | None:
    text = (el.text or "").strip()
    return text or None


def _item_extras(item: Any) -> ItemExtras:
    guid = audio = title = None
    links: list[TranscriptLink] = []
    people: list[Any] = []
    for child in item:
        local = local_name(child)
        if is_podcast(child, "transcript"):
            link = transcript_link(child.attrib)
            if link is not None:
                links.append(link)
        elif is_podcast(child, "person"):
            people.append(child)
        elif local in ("guid", "id") and guid is None:
            guid = _text(child)
        elif local == "enclosure" and audio is None:
            audio = (child.get("url") or "").strip() or None
        elif local == "title" and title is None:
            title = _text(child)
    return ItemExtras(guid, audio, title, tuple(links), persons_of(people))


def transcript_link(attrib: Mapping[str, str]) -> TranscriptLink | None:
    """The ``podcast:transcript`` link of an element's attributes (``None`` without a url)."""
    url = (attrib.get("url") or "").strip()
    if not url:
        return None
    return TranscriptLink(
        url=url,
        type=(attrib.get("type") or "").strip() or None,
        language=(attrib.get("language") or "").strip() or None,
        rel=(attrib.get("rel") or "").strip() or None,
    )


def persons_of(elements: Iterable[Any]) -> tuple[Person, ...]:
    """The :class:`Person` of each ``podcast:person`` element with a name, each once.

    A missing ``role`` is "host" and a missing ``group`` "cast", as the namespace says;
    both are lower-cased (the namespace compares them without case).
    """
    found: list[Person] = []
    for el in elements:
        name = " ".join("".join(el.itertext()).split())
        if not name:
            continue
        found.append(
            Person(
                name=name,
                role=" ".join((el.get("role") or "").lower().split()) or "host",
                group=" ".join((el.get("group") or "").lower().split()) or "cast",
                img=(el.get("img") or "").strip() or None,
                href=(el.get("href") or "").strip() or None,
            )
        )
    return tuple(dict.fromkeys(found))


def one_line(text: str) -> str:
    return " ".join(text.split())[:200]
