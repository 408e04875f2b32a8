"""The lxml fast parse path gives the same ParsedFeed as the feedparser path, or declines."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from lxml import etree

from podsift.feeds.parse.fast import parse_rss_fast
from podsift.feeds.parse.standard import _html_to_text, parse_duration, parse_feed_with_hints
from podsift.feeds.parse.xmltree import is_podcast as _is_podcast
from podsift.feeds.parse.xmltree import strict_root as _strict_root
from podsift.models import ParsedFeed

FEEDS = Path(__file__).parents[1] / "data" / "feeds"
# the golden feeds plus the 142 real-world feeds (kept gzipped in tests/data/feeds/world)
CASES = sorted(
    p
    for p in FEEDS.rglob("*")
    if p.is_file() and (p.suffix in (".xml", ".rss") or p.name.endswith((".xml.gz", ".rss.gz")))
)


def _read(case: Path) -> bytes:
    return gzip.decompress(case.read_bytes()) if case.suffix == ".gz" else case.read_bytes()


BASES = [None, "https://feeds.example.org/show/feed.xml"]


def _fast(content: bytes, base: str | None = None) -> ParsedFeed | None:
    return parse_rss_fast(
        content,
        base,
        root=_strict_root(content),
        is_podcast=_is_podcast,
        text_of_html=_html_to_text,
        duration=parse_duration,
    )


def _same_as_feedparser(content: bytes, base: str | None, name: str) -> bool:
    """Whether the fast path accepted ``content``; when it did, assert it matches."""
    quick = _fast(content, base)
    if quick is None:
        return False  # declined: parse_feed uses feedparser alone
    # without a base, a file name, as the golden tests parse
    slow, _ = parse_feed_with_hints(content, base or name, fast=False)
    assert quick == slow
    assert parse_feed_with_hints(content, base or name)[0] == slow
    return True


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_matches_feedparser(case: Path, base: str | None) -> None:
    _same_as_feedparser(_read(case), base, case.name.removesuffix(".gz"))


def test_fast_path_takes_most_well_formed_rss_feeds() -> None:
    assert len(CASES) > 100
    assert sum(_fast(_read(case)) is not None for case in CASES) >= 95


def test_fast_path_takes_the_podcasting_2_0_example() -> None:
    # podcast:liveItem, itunes:owner and e-mail authors: the bulk benchmark's template
    assert _fast((FEEDS / "pc20-namespace-example.xml").read_bytes()) is not None


_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
)
_ITEM = (
    "<item><title>Ep</title><guid>ep-1</guid><pubDate>Sat, 01 Mar 2025 08:00:00 GMT</pubDate>"
    '<enclosure url="/a/1.mp3" type="audio/mpeg" length="1"/></item>'
)
# each replays one rule of feedparser's that the fast path must follow
QUIRKS = {
    "owner rewrites an e-mail author": "<title>S</title><itunes:author>jo@example.com (Jo)"
    "</itunes:author><itunes:owner><itunes:name>Jo</itunes:name><itunes:email>jo@ex.org"
    "</itunes:email></itunes:owner>" + _ITEM,
    "owner alone": "<title>S</title><itunes:owner><itunes:name>Jo</itunes:name>"
    "</itunes:owner>" + _ITEM,
    "author after owner": "<title>S</title><itunes:owner><itunes:name>Jo</itunes:name>"
    "</itunes:owner><managingEditor>ed@example.com</managingEditor>" + _ITEM,
    "empty author keeps the first name": "<title>S</title><itunes:author>Bob</itunes:author>"
    "<managingEditor></managingEditor>" + _ITEM,
    "live item fields leak into the show": "<title>S</title><link>https://ex.com/</link>"
    '<podcast:liveItem status="live"><title>Live</title><description>Live now</description>'
    "<link>https://ex.com/live</link><guid>https://ex.com/g</guid>"
    '<enclosure url="https://ex.com/l.mp3" type="audio/mpeg"/></podcast:liveItem>' + _ITEM,
    "live item title before the show title": "<podcast:liveItem><title>Live</title>"
    "</podcast:liveItem><description>D</description>" + _ITEM,
    "live item title after an untitled image": "<title>S</title><image><url>https://ex.com/i"
    ".jpg</url></image><podcast:liveItem><title>Live</title></podcast:liveItem>" + _ITEM,
    "live item after the items": "<title>S</title>" + _ITEM + "<podcast:liveItem><title>Live"
    "</title><link>/live</link></podcast:liveItem>",
    "a guid sets a missing link": "<title>S</title><podcast:liveItem><guid>/g</guid>"
    "</podcast:liveItem><link>/home</link>" + _ITEM,
    "relative links": "<title>S</title><link>/home</link><image><url>img/a.jpg</url></image>"
    '<item><title>T</title><link>ep/1</link><guid isPermaLink="false">x-1</guid>'
    '<enclosure url="media/1.mp3" type="Audio/MPEG"/></item>' + _ITEM,
    "isPermaLink spellings and empty links": "<title>S</title><item><title>A</title><guid "
    'isPermaLink="True">a-1</guid></item><item><title>B</title><guid isPermaLink="">b-1'
    "</guid></item><item><title>C</title><guid>c-1</guid><link></link></item><item><title>D"
    "</title><link/><guid>/d-1</guid></item>",
    "utf-8 read as latin-1 and C1 quotes": "<title>Caf\u00c3\u00a9 \u0093Show\u0094</title><item>"
    "<title>\u00c3\u0089pisode</title><description>\u00c3\u00a9t\u00c3\u00a9</description></item>",
    "channel content leaks into the first item": "<title>S</title><itunes:summary>Sum"
    "</itunes:summary><description>Desc</description><item><title>A</title><description>"
    "first</description><itunes:summary>second</itunes:summary></item><item><title>B</title>"
    "<description>first</description><itunes:summary>second</itunes:summary></item>",
    "content encoded as the summary": "<title>S</title><item><title>A</title><content:encoded>"
    "&lt;p&gt;Body&lt;/p&gt;</content:encoded></item><item><title>B</title><description> "
    "</description><content:encoded>Body2</content:encoded></item><item><title>C</title>"
    "<content:encoded>c1</content:encoded><description>d1</description><itunes:summary>s1"
    "</itunes:summary></item>",
    "enclosure href and type case": '<title>S</title><item><title>A</title><enclosure href="'
    'https://ex.com/h.mp3" type="AUDIO/MP3"/><enclosure url="https://ex.com/i.jpg" type="image/'
    'jpeg"/></item><item><title>B</title><enclosure url="" href="https://ex.com/x.mp3"/></item>',
    "atom links that are not the page": '<title>S</title><atom:link rel="self" href="https://'
    'ex.com/feed" type="application/rss+xml"/><atom:link rel="hub" href="https://hub.ex.com/"/>'
    '<item><title>A</title><atom:link rel="payment" href="https://pay.ex.com/"/></item>',
    "a duration with attributes": "<title>S</title><item><title>A</title><itunes:duration "
    'unit="s">120</itunes:duration></item><item><title>B</title><itunes:duration>1:00:00'
    "</itunes:duration></item>",
    "image keeps itunes:image without a url": '<title>S</title><itunes:image href="art.jpg"/>'
    "<image><title>S</title><link>https://ex.com</link></image>" + _ITEM,
    "the last image wins": "<title>S</title><image><url>https://ex.com/a.jpg</url></image>"
    '<itunes:image href="https://ex.com/b.jpg"/>' + _ITEM,
    "blank itunes:summary": "<title>S</title><itunes:summary> </itunes:summary><description>"
    "desc</description>" + _ITEM,
    "atom:updated beside pubDate": "<title>S</title><item><title>A</title><pubDate>Sat, 01 Mar"
    " 2025 08:00:00 GMT</pubDate><atom:updated>2025-03-02T00:00:00Z</atom:updated></item>",
    "extra slashes in urls": "<title>S</title><link>https:///ex.com/x</link><item><title>A"
    "</title><link>http:////ex.com/ep</link></item>",
    "the first podcast:guid in the document": "<title>S</title><item><title>A</title>"
    "<podcast:guid>in-item</podcast:guid></item><podcast:guid>show-guid</podcast:guid>",
}


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("body", QUIRKS.values(), ids=QUIRKS.keys())
def test_fast_path_replays_feedparser_quirks(body: str, base: str | None) -> None:
    doc = (_HEAD + body + "</channel></rss>").encode()
    assert _same_as_feedparser(doc, base, "quirk.xml")


def test_fast_path_matches_feedparser_on_mutated_real_feeds() -> None:
    """Real feeds with elements dropped, moved, nested or re-texted (a fixed seed)."""
    rng = random.Random(5)
    docs = [_read(c) for c in CASES if _fast(_read(c)) is not None]
    texts = ["", " ", "x@y.com (N)", "/rel/path", "\u00c3\u00a9t", "Tue, 02 Jan 2024 10:00:00 GMT"]
    accepted = 0
    for _ in range(150):
        root = _strict_root(rng.choice(docs))
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        for _ in range(rng.randint(1, 4)):
            el, op = rng.choice(elements), rng.random()
            parent = el.getparent()
            if parent is None:
                continue
            if op < 0.3:
                parent.remove(el)
            elif op < 0.6:
                parent.remove(el)
                parent.insert(rng.randrange(len(parent) + 1), el)
            elif op < 0.8:
                el.text = rng.choice(texts)
            else:
                target = rng.choice(elements)
                if target is not el and all(a is not el for a in target.iterancestors()):
                    parent.remove(el)
                    target.append(el)
        doc = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        accepted += sum(_same_as_feedparser(doc, base, "mutated.xml") for base in BASES)
    assert accepted > 100


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss><channel>'
        b"<title>&a;</title></channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b"<rss><channel><title>t</title><item><title>a</item></channel></rss>",
        b'<rss><channel><title>t</title><item xml:base="https://o.example/"><link>x</link>'
        b"</item></channel></rss>",
        b"<rss><channel><title>t</title><item><atom:link xmlns:atom="
        b'"http://www.w3.org/2005/Atom" rel="alternate" href="https://e.x/a"/></item></channel>'
        b"</rss>",
        b"<rss><channel><title>t</title><item><media:title xmlns:media="
        b'"http://search.yahoo.com/mrss/">m</media:title></item></channel></rss>',
    ],
)
def test_fast_path_declines_what_it_does_not_model(doc: bytes) -> None:
    assert _fast(doc) is None
