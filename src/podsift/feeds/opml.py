"""Read and write OPML subscription lists.

Parsing goes through defusedxml (no entity expansion, no external DTDs). Outlines nest in
folders; every outline with an http(s) ``xmlUrl`` is a feed, at any depth.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError, SubElement, indent, tostring

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from podsift.exceptions import FeedParseError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One feed of an OPML file: its URL and, where given, its title."""

    url: str
    title: str | None = None


def parse_opml(content: bytes, source: str) -> list[OpmlOutline]:
    """Return the feeds listed in OPML ``content``, in document order, without duplicates.

    ``source`` names the file in messages. Outlines whose ``xmlUrl`` is not an http(s) URL
    are skipped. Raises :class:`FeedParseError` when ``content`` is not OPML.
    """
    root = _parse_root(content, source)
    body = root.find("body")
    if body is None:
        raise FeedParseError(f"{source}: not an opml file (no <body>)")
    seen: set[str] = set()
    outlines: list[OpmlOutline] = []
    for element in body.iter("outline"):
        outline = _outline(element)
        if outline is None:
            continue
        if outline.url not in seen:
            seen.add(outline.url)
            outlines.append(outline)
    return outlines


def _parse_root(content: bytes, source: str) -> Element:
    if not content.strip():
        raise FeedParseError(f"{source}: not an opml file (empty document)")
    try:
        root = safe_et.fromstring(content.lstrip())
    except ParseError as exc:
        raise FeedParseError(f"{source}: not valid opml xml ({exc})") from exc
    except DefusedXmlException as exc:
        raise FeedParseError(f"{source}: opml refused ({type(exc).__name__})") from exc
    if root.tag.lower() != "opml":
        raise FeedParseError(f"{source}: not an opml file (root is <{root.tag}>)")
    return root  # type: ignore[no-any-return]


def _outline(element: Element) -> OpmlOutline | None:
    url = (element.get("xmlUrl") or element.get("xmlurl") or "").strip()
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")):
        log.info("opml outline skipped: url=%s reason=not an http(s) url", url)
        return None
    title = (element.get("title") or element.get("text") or "").strip() or None
    return OpmlOutline(url=url, title=title)


def export_opml(feeds: Iterable[tuple[str, str | None]], title: str = "podsift feeds") -> str:
    """Return an OPML 2.0 document listing ``feeds`` as ``(url, title)`` pairs."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    body = SubElement(root, "body")
    for url, feed_title in feeds:
        attrs = {"type": "rss", "xmlUrl": url}
        if feed_title:
            attrs["text"] = feed_title
            attrs["title"] = feed_title
        else:
            attrs["text"] = url
        SubElement(body, "outline", attrs)
    indent(root)
    xml = tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'
