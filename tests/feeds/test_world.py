"""Every real-world feed parses (with warnings) or fails with a one-line reason; fuzzing."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podsift.exceptions import FeedParseError, TranscriptError
from podsift.feeds import parse_feed, parse_opml
from podsift.transcripts import parse_transcript

WORLD = Path(__file__).parents[1] / "data" / "feeds" / "world"
CASES = sorted(WORLD.rglob("*.gz"))


def test_all_shared_feed_files_are_present() -> None:
    assert len(CASES) == 142


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(WORLD)))
def test_real_world_feed_parses_or_fails_in_one_line(case: Path) -> None:
    content = gzip.decompress(case.read_bytes())
    name = str(case.relative_to(WORLD))[: -len(".gz")]
    parse = parse_opml if name.endswith(".opml") else parse_feed
    try:
        parse(content, name)  # type: ignore[operator]
    except FeedParseError as e:
        message = str(e)
        assert message.startswith(name) and "\n" not in message and len(message) < 400


def _seeds() -> list[bytes]:
    picks = ("podcastparser/itunes.rss", "partytime/pc20rss.xml", "rss-parser/atom.xml")
    found = [WORLD / f"{p}.gz" for p in picks if (WORLD / f"{p}.gz").is_file()]
    return [gzip.decompress(p.read_bytes())[:6000] for p in found] or [b"<rss/>"]


SEEDS = _seeds()


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    base = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 8))):
        if not base:
            break
        at = draw(st.integers(0, len(base) - 1))
        op = draw(st.sampled_from(("flip", "cut", "insert")))
        if op == "flip":
            base[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del base[at : at + draw(st.integers(1, 200))]
        else:
            base[at:at] = draw(
                st.sampled_from((b"<", b"&", b"]]>", b"<!ENTITY", b"\xff\xfe", b"\x00"))
            )
    return bytes(base)


_FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@_FUZZ
@given(_mutated())
def test_fuzzed_feeds_raise_only_feed_parse_errors(content: bytes) -> None:
    with contextlib.suppress(FeedParseError):
        parse_feed(content, "fuzz.xml")


@_FUZZ
@given(st.binary(max_size=400) | _mutated())
def test_fuzzed_opml_raises_only_feed_parse_errors(content: bytes) -> None:
    try:
        parse_opml(b"<opml><body>" + content + b"</body></opml>", "fuzz.opml")
        parse_opml(content, "fuzz.opml")
    except FeedParseError:
        pass


@_FUZZ
@given(st.text(max_size=400), st.sampled_from(("a.vtt", "a.srt", "a.json", "a.html", "a.txt")))
def test_fuzzed_transcripts_raise_only_transcript_errors(text: str, name: str) -> None:
    try:
        parse_transcript(text.encode("utf-8", "surrogatepass"), source=name)
        parse_transcript(("WEBVTT\n\n00:00.000 --> 00:01.000\n" + text).encode(), source=name)
    except TranscriptError:
        pass
