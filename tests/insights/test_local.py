"""The local extractor on real transcripts (see tests/data/insights/PROVENANCE.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podsift.exceptions import ConfigError, UnknownProviderError
from podsift.insights import LocalExtractorSettings, extractors, insights_to_json
from podsift.insights.local import LocalExtractor
from podsift.insights.sentences import build_turns, split_sentences
from podsift.lexicon import content_words, words
from podsift.models import Insight, Segment, Transcript
from podsift.transcripts import parse_transcript

DATA = Path(__file__).parents[1] / "data" / "insights"
PYTHON_BYTES = "377-a-dramatic-episode.vtt"
CHANGELOG = "changelog-news-88.md"


def load(name: str) -> Transcript:
    return parse_transcript((DATA / name).read_text(encoding="utf-8"), source=name)


def joined(transcript: Transcript) -> str:
    return " ".join(" ".join(s.text.split()) for s in transcript.segments if s.text.strip())


@pytest.fixture(scope="module")
def bytes377() -> Transcript:
    return load(PYTHON_BYTES)


@pytest.fixture(scope="module")
def news88() -> Transcript:
    return load(CHANGELOG)


@pytest.fixture(scope="module")
def bytes_insights(bytes377: Transcript) -> list[Insight]:
    return LocalExtractor().extract(bytes377)


@pytest.fixture(scope="module")
def news_insights(news88: Transcript) -> list[Insight]:
    return LocalExtractor().extract(news88)


def test_registry_builds_the_local_extractor() -> None:
    extractor = extractors.create("local", LocalExtractorSettings(top_n=3))
    assert (extractor.name, extractor.version) == ("local", "4")
    assert "local" in extractors.names()
    with pytest.raises(UnknownProviderError, match=r"available: .*local"):
        extractors.create("nope", None)


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="min_words"):
        LocalExtractorSettings(min_words=80, max_words=70)
    with pytest.raises(ConfigError, match="top_n"):
        LocalExtractorSettings(top_n=0)
    with pytest.raises(ConfigError, match="max_overlap"):
        LocalExtractorSettings(max_overlap=2.0)


def test_sentences_are_verbatim_spans_of_their_turn(bytes377: Transcript) -> None:
    turns, sentences = split_sentences(bytes377)
    assert len(sentences) > 500
    for s in sentences:
        assert turns[s.turn].text[s.begin : s.end] == s.text
    assert [s.index for s in sentences] == list(range(len(sentences)))


def test_turns_join_segments_of_one_speaker() -> None:
    segments = (
        Segment(0.0, 2.0, "A", "Hello   there."),
        Segment(2.0, 4.0, "A", "Still me."),
        Segment(4.0, 5.0, "B", "Now me."),
        Segment(5.0, 6.0, "B", "  "),
    )
    turns = build_turns(segments)
    assert [(t.speaker, t.text) for t in turns] == [
        ("A", "Hello there. Still me."),
        ("B", "Now me."),
    ]
    assert turns[0].segment_at(13) == 1


def test_sentence_times_come_from_their_segments() -> None:
    segments = (
        Segment(0.0, 3.0, "A", "XZ Utils 5.6.0 shipped a backdoor to many"),
        Segment(3.0, None, "A", "Linux distributions last week. It was found by chance."),
        Segment(9.5, 12.0, "B", "Wow."),
    )
    _, sentences = split_sentences(Transcript("t", "vtt", segments))
    first, second, third = sentences
    assert (first.start, first.stop) == (0.0, 9.5)  # an unknown end: the next start
    assert (second.start, second.stop) == (3.0, 9.5)
    assert (third.speaker, third.start, third.stop) == ("B", 9.5, 12.0)


def test_python_bytes_insights_skip_sponsor_and_intro(bytes_insights: list[Insight]) -> None:
    assert len(bytes_insights) == 8
    for insight in bytes_insights:
        for text in (insight.text, insight.quote):
            assert "scout" not in text.lower()
            assert "sponsor" not in text.lower()
            assert "welcome to python bytes" not in text.lower()
            assert not text.rstrip().endswith("?")


def test_python_bytes_has_the_xz_backdoor(bytes_insights: list[Insight]) -> None:
    assert any(re.search(r"\bxz\b|backdoor", i.text, re.I) for i in bytes_insights)


def test_quotes_are_verbatim_and_times_point_at_them(
    bytes377: Transcript, bytes_insights: list[Insight]
) -> None:
    text = joined(bytes377)
    length = max(s.end or 0.0 for s in bytes377.segments)
    for insight in bytes_insights:
        assert insight.quote in text
        assert insight.start is not None and insight.end is not None
        assert 0.0 <= insight.start < insight.end <= length
        at_start = [s for s in bytes377.segments if s.start == insight.start]
        assert at_start, insight
        head = " ".join(at_start[0].text.split())
        # the quote begins inside the segment that starts at the insight's start
        assert any(insight.quote.startswith(head[i:]) for i in range(len(head))) or (
            insight.quote[:40] in head
        )
        at_end = [s for s in bytes377.segments if s.end == insight.end]
        assert at_end and insight.quote[-15:] in " ".join(at_end[0].text.split())


def test_insight_texts_are_clean_and_sized(bytes_insights: list[Insight]) -> None:
    for insight in bytes_insights:
        assert 12 <= len(words(insight.text)) <= 70
        assert insight.text[0].isupper()
        assert not re.search(r"\b(?:um|uh)\b", insight.text, re.I)
        assert not re.match(r"(?i)(?:so|and|yeah)\b", insight.text)
        assert 0.0 < insight.score <= 1.0


def test_no_two_insights_are_near_duplicates(bytes_insights: list[Insight]) -> None:
    for i, a in enumerate(bytes_insights):
        for b in bytes_insights[i + 1 :]:
            wa, wb = content_words(a.text), content_words(b.text)
            assert len(wa & wb) / len(wa | wb) <= 0.5
            assert a.quote not in b.quote and b.quote not in a.quote
            assert a.start != b.start
            assert a.end is not None and b.end is not None
            assert a.end <= b.start or b.end <= a.start  # no overlapping spans


def test_insights_are_best_first_with_stable_ids(
    bytes377: Transcript, bytes_insights: list[Insight]
) -> None:
    scores = [i.score for i in bytes_insights]
    assert scores == sorted(scores, reverse=True)
    assert len({i.id for i in bytes_insights}) == len(bytes_insights)
    assert bytes_insights[0].id == bytes_insights[0].with_id(bytes377.source).id


def test_extraction_is_deterministic(bytes377: Transcript, bytes_insights: list[Insight]) -> None:
    assert LocalExtractor().extract(bytes377) == bytes_insights
    again = load(PYTHON_BYTES)
    assert LocalExtractor().extract(again) == bytes_insights


def test_changelog_keeps_speaker_and_has_no_times(news_insights: list[Insight]) -> None:
    assert news_insights
    for insight in news_insights:
        assert insight.speaker == "Jerod Santo"
        assert insight.start is None and insight.end is None


def test_changelog_has_the_xz_backdoor_and_no_ad(
    news88: Transcript, news_insights: list[Insight]
) -> None:
    texts = " ".join(i.text for i in news_insights[:3])
    assert re.search(r"\bxz\b|backdoor", texts, re.I)
    text = joined(news88)
    for insight in news_insights:
        assert insight.quote in text
        assert "sentry" not in insight.text.lower()
        assert "changelog news" not in insight.text.lower()


def test_widened_passages_stay_in_one_turn(news88: Transcript) -> None:
    turns, _ = split_sentences(news88)
    for insight in LocalExtractor(LocalExtractorSettings(top_n=20)).extract(news88):
        assert any(insight.quote in t.text for t in turns)


def test_top_n_and_lengths_follow_settings(bytes377: Transcript) -> None:
    settings = LocalExtractorSettings(top_n=3, min_words=20, max_words=40)
    found = LocalExtractor(settings).extract(bytes377)
    assert len(found) == 3
    assert all(20 <= len(words(i.text)) <= 40 for i in found)


def test_scorer_is_pluggable(bytes377: Transcript) -> None:
    def prefer_homebrew(texts: object, episode: object) -> list[float]:
        assert isinstance(texts, list)
        return [1.0 if "homebrew" in t.lower() else 0.1 for t in texts]

    found = LocalExtractor(LocalExtractorSettings(top_n=2), scorer=prefer_homebrew).extract(
        bytes377
    )
    assert "homebrew" in found[0].text.lower()


def test_empty_and_filler_transcripts_give_no_insights() -> None:
    assert LocalExtractor().extract(Transcript("e", "vtt", ())) == []
    chatter = tuple(Segment(float(i), float(i + 1), None, "Yeah. Right.") for i in range(50))
    assert LocalExtractor().extract(Transcript("c", "vtt", chatter)) == []


def test_insights_to_json_shape(bytes_insights: list[Insight]) -> None:
    shuffled = list(reversed(bytes_insights))
    data = insights_to_json(PYTHON_BYTES, shuffled)
    assert data["source"] == PYTHON_BYTES
    assert [i["id"] for i in data["insights"]] == [i.id for i in bytes_insights]
    first = data["insights"][0]
    assert set(first) == {"id", "text", "quote", "speaker", "start", "end", "score"}
    assert first["start"] == bytes_insights[0].start


@pytest.mark.parametrize("name", ["school-run-35.txt", "press-start-89.srt"])
def test_talk_naming_a_speaker_of_the_episode_is_no_insight(name: str) -> None:
    """A host introducing the guest ("Our guest today is Marisol Grant. Marisol has been a
    reading specialist…") or talking to a co-host by name is talk about the conversation; the
    guest's own points stay (#21)."""
    transcript = load(name)
    speakers = {s.speaker for s in transcript.segments if s.speaker}
    named = re.compile(
        "|".join(rf"\b{re.escape(n)}\b|\b{re.escape(n.split()[0])}\b(?!\s+[A-Z])" for n in speakers)
    )
    got = LocalExtractor().extract(transcript)
    assert len(got) == LocalExtractorSettings().top_n
    assert not [i.quote for i in got if named.search(i.quote)]
    guests = {i.speaker for i in got} - {"Priya Nair", "Jordan Reyes"}
    assert sum(i.speaker in guests for i in got) >= 3


def test_a_host_with_a_title_is_not_named_by_every_sentence() -> None:
    """The only speaker of written13's training show is "Dr Saoirse Penhaligon" (Apache-2.0):
    "Dr" is too short to look for, and an empty list of given names matched every sentence,
    so the episode gave no insights, every sentence "naming a speaker"."""
    path = (
        Path(__file__).parents[2]
        / "benchmarks/crowds/written13/data/transcripts/rehearsal-room/rehearsal-room-48.txt"
    )
    transcript = parse_transcript(path.read_bytes(), source=path.name)
    assert {s.speaker for s in transcript.segments} == {"Dr Saoirse Penhaligon"}
    found = LocalExtractor().extract(transcript)
    assert len(found) >= 5
    assert any("2.1 million crowns" in i.text for i in found)
    assert not any("Saoirse" in i.text for i in found)
