"""Tests for podsift.feeds OPML import and export, on real OPML files."""

from __future__ import annotations

from pathlib import Path

import pytest

from podsift.exceptions import FeedParseError
from podsift.feeds import OpmlOutline, export_opml, parse_opml

OPML = Path(__file__).parents[1] / "data" / "feeds" / "opml"


def test_parses_nested_outlines_of_a_real_file() -> None:
    outlines = parse_opml((OPML / "feeds.opml").read_bytes(), "feeds.opml")
    assert len(outlines) == 11
    assert outlines[0] == OpmlOutline(
        "https://feeds.99percentinvisible.org/99percentinvisible", "99% Invisible"
    )
    assert (
        OpmlOutline(
            "https://feeds.megaphone.fm/MYSR6960203128",
            "Mysterious Radio: Paranormal, UFO & Lore Interviews",
        )
        in outlines
    )
    assert all(o.url.startswith(("http://", "https://")) for o in outlines)


def test_skips_outlines_without_an_http_url() -> None:
    outlines = parse_opml((OPML / "feeds_with_invalid.opml").read_bytes(), "x.opml")
    urls = [o.url for o in outlines]
    assert "hypnogoria.libsyn.com/rss" not in urls
    assert len(urls) == 10


def test_deeply_nested_and_duplicate_outlines() -> None:
    doc = b"""<?xml version="1.0"?><opml version="2.0"><head/><body>
      <outline text="A"><outline text="B">
        <outline type="rss" text="Deep" xmlUrl="https://example.com/deep.xml"/>
      </outline></outline>
      <outline type="rss" text="Again" xmlUrl="https://example.com/deep.xml"/>
      <outline type="rss" xmlUrl="https://example.com/untitled.xml"/>
    </body></opml>"""
    assert parse_opml(doc, "n.opml") == [
        OpmlOutline("https://example.com/deep.xml", "Deep"),
        OpmlOutline("https://example.com/untitled.xml", None),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not an opml file (empty document)"),
        (b"<opml><body><outline", "not valid opml xml"),
        (b"<rss><channel/></rss>", "not an opml file (root is <rss>)"),
        (b"<opml version='2.0'><head/></opml>", "not an opml file (no <body>)"),
    ],
)
def test_bad_opml_raises_one_line_error(content: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError) as info:
        parse_opml(content, "subs.opml")
    assert str(info.value).startswith(f"subs.opml: {reason}")
    assert "\n" not in str(info.value)


def test_entity_declarations_are_refused() -> None:
    doc = b'<!DOCTYPE opml [<!ENTITY a "x">]><opml><body/></opml>'
    with pytest.raises(FeedParseError, match=r"^bomb\.opml: opml refused"):
        parse_opml(doc, "bomb.opml")


def test_round_trip_of_a_real_file() -> None:
    original = parse_opml((OPML / "feeds.opml").read_bytes(), "feeds.opml")
    text = export_opml((o.url, o.title) for o in original)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert parse_opml(text.encode("utf-8"), "export.opml") == original


def test_export_escapes_and_handles_missing_titles() -> None:
    feeds = [("https://example.com/a?x=1&y=2", 'Tom & "Jerry" <3'), ("https://e.com/b", None)]
    text = export_opml(feeds)
    assert "&amp;y=2" in text
    back = parse_opml(text.encode(), "e.opml")
    assert back == [
        OpmlOutline("https://example.com/a?x=1&y=2", 'Tom & "Jerry" <3'),
        OpmlOutline("https://e.com/b", "https://e.com/b"),
    ]
