"""feedparser's rules for the fields podsift keeps, replayed for the lxml fast path.

:mod:`.fastparse` must build exactly what the feedparser path builds. This module holds
what both of its halves share: how feedparser names an element (and which names cannot
touch a kept field), and what it does to a value after reading it: the mojibake repair
and windows-1252 mapping of text, relative URL resolution, and its feed-level author
bookkeeping (``itunes:author``, ``managingEditor`` and ``itunes:owner`` all write the
same ``author`` field). No business logic.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from feedparser.mixin import _FeedParserMixin

# feedparser maps the C1 controls to what windows-1252 puts there
_CP1252 = {
    code: char
    for code in range(0x80, 0xA0)
    if (char := bytes([code]).decode("cp1252", errors="replace")) != "\ufffd"
}
# feedparser's own table of the namespaces it knows, and the prefix it gives each
_KNOWN_NS: dict[str, str] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
HANDLERS = frozenset(
    name.split("_", 2)[2].lower()
    for name in dir(_FeedParserMixin)
    if name.startswith(("_start_", "_end_"))
)
AUTHORS = frozenset({"author", "managingeditor", "itunes_author", "dc_author", "dc_creator"})
# handled names whose handlers never touch a field podsift keeps (leaf elements only)
HARMLESS = frozenset(
    {"category", "keywords", "tags", "itunes_category", "itunes_keywords", "itunes_explicit"}
    | {"itunes_block", "itunes_name", "itunes_email", "name", "email", "contributor"}
    | {"dc_contributor", "webmaster", "dc_publisher", "rights", "copyright", "dc_rights"}
    | {"cc_license", "creativecommons_license", "creativeCommons_license", "generator"}
    | {"cloud", "expirationdate", "itunes_subtitle", "subtitle", "tagline", "width", "height"}
    | {"media_category", "media_keywords", "media_rating", "media_credit", "media_content"}
    | {"media_thumbnail", "media_restriction", "media_license", "media_player", "psc_chapter"}
    | {"feedburner_browserfriendly", "info", "where", "geom", "georssgeom", "newlocation"}
    | {n for n in HANDLERS if n.startswith(("georss_", "gml_"))}
)
# handled names whose children feedparser reads as separate elements
CONTAINERS = frozenset({"media_group", "itunes_category", "psc_chapters"})
# other dates feedparser reads: podsift's published falls back on them without a pubDate
OTHER_DATES = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "created"})
ITEM_IGNORED = HARMLESS | AUTHORS | {"itunes_image", "itunes_link", "itunes_owner"}
_ENTITY = re.compile(r"&#?\w+;")
_URIFIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def fix_text(text: str) -> str:
    """A text field as feedparser stores it: UTF-8 read as Latin-1 repaired, C1 mapped.

    >>> fix_text("Caf\\u00c3\\u00a9"), fix_text("\\x93quoted\\x94")
    ('Café', '“quoted”')
    """
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_CP1252)


def absolute(base: str | None, url: str | None) -> str | None:
    """``url`` made absolute against the feed's own URL (podsift's rule, both paths).

    feedparser is not told the feed's URL: it would also resolve a GUID that is not a
    URL ("ep-1" becoming "https://host/ep-1"), and episode identity must not depend on
    where the feed lives.

    >>> absolute("https://example.com/show/feed.xml", "ep/1.html")
    'https://example.com/show/ep/1.html'
    """
    return urljoin(base, url) if base and url else url


def resolve(base: str, uri: str) -> str:
    """``uri`` resolved against ``base`` the way feedparser does (extra slashes dropped).

    >>> resolve("https://example.com/show/feed.xml", "ep/1.html")
    'https://example.com/show/ep/1.html'
    >>> resolve("", "https:///example.com/a")
    'https://example.com/a'
    """
    uri = _URIFIXER.sub(r"\1\3", uri)
    try:
        return urljoin(base, uri)
    except ValueError:
        return ""


class AuthorTrail:
    """feedparser's feed-level ``author`` field, replayed event by event.

    An author element (``itunes:author``, ``managingEditor``, ...) sets the field to its
    text; a ``name`` or ``email`` inside ``itunes:owner`` rewrites it from what earlier
    author elements held. :attr:`author` is what the feedparser path reports.
    """

    def __init__(self) -> None:
        self.value: str | None = None
        self.authors: list[dict[str, str]] | None = None
        self.detail: dict[str, str] | None = None

    @property
    def author(self) -> str | None:
        """The author the feedparser path reports (``author``, else ``author_detail.name``)."""
        text = (self.value or "").strip()
        if text:
            return text
        name = (self.detail or {}).get("name", "").strip()
        return name or None

    def element(self, text: str) -> None:
        """An author element whose stripped (and repaired) text is ``text``."""
        if self.authors is None:
            self.authors = []
        self.authors.append({})
        self.value = text
        self._sync()

    def owner(self, key: str, value: str) -> None:
        """``itunes:name`` (``key`` "name") or ``itunes:email`` ("email") in ``itunes:owner``."""
        self._sync()
        if self.authors is None:
            self.authors = [{}]
        self.authors[-1][key] = value

    def _sync(self) -> None:
        detail = self.authors[-1] if self.authors else {}
        if detail:
            name, email = detail.get("name"), detail.get("email")
            if name and email:
                self.value = f"{name} ({email})"
            elif name:
                self.value = name
            elif email:
                self.value = email
            return
        author, found = self.value, None
        if not author:
            return
        match = _EMAIL.search(author)
        if match:
            found = match.group(0)
            author = author.replace(found, "").replace("()", "").replace("<>", "")
            author = author.replace("&lt;&gt;", "").strip()
            if author and author[0] == "(":
                author = author[1:]
            if author and author[-1] == ")":
                author = author[:-1]
            author = author.strip()
        if (author or found) and self.detail is None:
            self.detail = detail
        if author:
            detail["name"] = author
        if found:
            detail["email"] = found


class Reject(Exception):
    """The fast path does not model this feed exactly; use feedparser."""


@lru_cache(maxsize=4096)
def fp_name(tag: str, prefix: str | None) -> str:
    """The name feedparser gives an element: ``title``, ``itunes_author``, ``podcast_guid``."""
    if tag[0] != "{":
        return tag.lower()
    ns, _, local = tag[1:].partition("}")
    lowered = ns.lower()
    if "backend.userland.com/rss" in lowered:
        return local.lower()
    known = _KNOWN_NS.get(lowered)
    if known is None:  # feedparser names it by the document's prefix
        if prefix is None:
            raise Reject("an unknown default namespace")
        known = prefix
    return f"{known}_{local.lower()}" if known else local.lower()


def element_name(el: Any) -> str | None:
    tag = el.tag
    return fp_name(tag, el.prefix) if isinstance(tag, str) else None


def raw(el: Any) -> str:
    if len(el):
        raise Reject("markup in a text field")
    return el.text if el.text is not None else ""


def text_of(el: Any) -> str | None:
    text = (el.text or "").strip()
    return text or None


def plain(el: Any) -> str | None:
    """A text field as feedparser reports it; markup inside it is not modelled."""
    if el is None:
        return None
    text = raw(el).strip()
    if "<" in text or _ENTITY.search(text):
        raise Reject("markup-like text")
    return fix_text(text) or None


def link_is_text(el: Any, *, in_item: bool) -> bool:
    """Whether feedparser reads a ``link`` element's text (else it is a harmless
    ``atom:link``, such as rel="self"); an alternate or enclosure href is not modelled."""
    if not el.attrib:
        return True
    attrs = {k.lower(): v for k, v in el.attrib.items()}
    if not attrs.get("url", attrs.get("uri", attrs.get("href"))) and "href" not in attrs:
        return True
    rel = attrs.get("rel", "alternate").lower()
    kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html").lower()
    html = kind in ("html", "text/html", "xhtml", "application/xhtml+xml")
    if (rel == "alternate" and html) or (in_item and rel == "enclosure"):
        raise Reject("link by href")
    return False


def permalink(el: Any) -> bool:
    """feedparser's ``guidislink``: ``isPermaLink`` absent or exactly "true"."""
    for key, value in el.attrib.items():
        if key.lower() == "ispermalink":
            return bool(value == "true")
    return True


def check_quiet(el: Any) -> None:
    """Elements nested in an item's unknown element must not reach a kept field."""
    for child in el.iterdescendants():
        name = element_name(child)
        if name is None or name in ITEM_IGNORED or name in CONTAINERS:
            continue
        if name in HANDLERS or name == "itunes_duration":
            raise Reject(f"{name} nested in {el.tag}")
