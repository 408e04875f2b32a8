"""The lxml fast parse path gives the same ParsedFeed as the feedparser path, or declines."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from podsift.models import ParsedFeed
from podsift.sources.fastparse import parse_rss_fast
from podsift.sources.parse import (
    _html_to_text,
    _is_podcast,
    _strict_root,
    parse_duration,
    parse_feed_with_hints,
)

FEEDS = Path(__file__).parent / "data" / "feeds"
# the golden feeds plus the 142 real-world feeds (kept gzipped in tests/data/feeds/world)
CASES = sorted(
    p
    for p in FEEDS.rglob("*")
    if p.is_file() and (p.suffix in (".xml", ".rss") or p.name.endswith((".xml.gz", ".rss.gz")))
)


def _read(case: Path) -> bytes:
    return gzip.decompress(case.read_bytes()) if case.suffix == ".gz" else case.read_bytes()


def _fast(content: bytes) -> ParsedFeed | None:
    return parse_rss_fast(
        content,
        None,
        root=_strict_root(content),
        is_podcast=_is_podcast,
        text_of_html=_html_to_text,
        duration=parse_duration,
    )


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fast_path_matches_feedparser(case: Path) -> None:
    content = _read(case)
    quick = _fast(content)
    if quick is None:
        return  # declined: parse_feed uses feedparser alone
    # a file name, as the golden tests parse: given an http(s) URL without response
    # headers, feedparser adds a "no Content-type specified" warning the fast path omits
    slow, _ = parse_feed_with_hints(content, case.name.removesuffix(".gz"), fast=False)
    assert quick == slow
    assert parse_feed_with_hints(content, case.name.removesuffix(".gz"))[0] == slow


def test_fast_path_takes_a_good_share_of_real_feeds() -> None:
    assert len(CASES) > 100
    assert sum(_fast(_read(case)) is not None for case in CASES) >= 30


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "x">]><rss><channel>'
        b"<title>&a;</title></channel></rss>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b"<rss><channel><title>t</title><item><link>/rel</link></item></channel></rss>",
        b"<rss><channel><title>t</title><item><title>a</item></channel></rss>",
    ],
)
def test_fast_path_declines_what_it_does_not_model(doc: bytes) -> None:
    assert _fast(doc) is None
