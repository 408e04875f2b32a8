"""The hallucination guards: pure decisions on recognised segments."""

from __future__ import annotations

from podsift.asr import AsrResult, AsrSegment, feed_language, result_to_json
from podsift.asr.guards import (
    apply_guards,
    collapse_loop,
    drop_repeats_across,
    is_stock_phrase,
)


def seg(text: str, start: float = 0.0, **kw: float) -> AsrSegment:
    return AsrSegment(start, start + 2.0, text, **kw)  # type: ignore[arg-type]


def test_guards_keep_ordinary_speech() -> None:
    segs = [seg("We shipped the new release on Tuesday."), seg("It is faster.", 2.0)]
    kept, report = apply_guards(segs)
    assert [s.text for s in kept] == [s.text for s in segs]
    assert report.dropped == 0


def test_guards_drop_text_the_model_was_unsure_was_speech() -> None:
    noisy = seg("So yeah.", no_speech_prob=0.9, avg_logprob=-1.5)
    sure = seg("So yeah.", 2.0, no_speech_prob=0.9, avg_logprob=-0.2)
    kept, report = apply_guards([noisy, sure])
    assert kept == (sure,)
    assert report.no_speech == 1


def test_guards_drop_stock_phrases_invented_in_gaps() -> None:
    segs = [
        seg("Thanks for watching!"),
        seg("Subtitles by the Amara.org community", 2.0),
        seg("This episode is sponsored by Squarespace.", 4.0, no_speech_prob=0.5),
        seg("[Music]", 6.0),
        seg("The compiler got twice as fast.", 8.0),
        seg("This episode is sponsored by Scout APM.", 10.0, avg_logprob=-0.2),
        seg("Thank you.", 12.0, avg_logprob=-0.3),
    ]
    kept, report = apply_guards(segs)
    assert [s.text for s in kept] == [
        "The compiler got twice as fast.",
        "This episode is sponsored by Scout APM.",  # said with confidence: real speech
        "Thank you.",
    ]
    assert report.stock_phrase == 4


def test_guards_drop_a_phrase_repeated_segment_after_segment() -> None:
    segs = [seg("I'm going to go.", float(i)) for i in range(6)]
    kept, report = apply_guards([seg("Right."), *segs])
    assert [s.text for s in kept] == ["Right.", "I'm going to go.", "I'm going to go."]
    assert report.loop == 4


def test_guards_collapse_a_loop_inside_one_segment() -> None:
    looped = seg("We did it. " + "Thank you so much. " * 12)
    kept, report = apply_guards([looped])
    assert kept[0].text == "We did it. Thank you so much."
    assert report.dropped == 0


def test_stock_phrase_needs_the_whole_segment() -> None:
    assert is_stock_phrase("thank you.", doubtful=True)
    assert not is_stock_phrase("Thank you for the question, it's a good one.")


def test_collapse_loop_leaves_two_repeats_alone() -> None:
    assert collapse_loop("no no, not that") == "no no, not that"


def test_result_json_has_the_transcript_shape() -> None:
    result = AsrResult((seg("Hello there."),), "en", 2.0, "whisper-x", dropped=1)
    data = result_to_json(result, "a.mp3")
    assert {"source", "format", "segments"} <= data.keys()
    assert data["format"] == "asr"
    assert data["segments"][0] | {"words": []} == {
        "start": 0.0, "end": 2.0, "speaker": None, "text": "Hello there.", "words": [],
    }  # fmt: skip
    transcript = result.to_transcript("a.mp3")
    assert transcript.format == "asr" and transcript.language == "en"


def test_feed_language_takes_the_primary_subtag() -> None:
    assert feed_language("EN-gb") == "en"
    assert feed_language("") is None


def test_a_loop_is_cut_across_two_windows_as_within_one() -> None:
    loop = "I'm going to go."
    one_window, _ = apply_guards([seg("Ok."), *[seg(loop)] * 4, seg("Right.")])
    before, after = [seg("Ok."), seg(loop)], [seg(loop), seg(loop), seg(loop), seg("Right.")]
    kept, dropped = drop_repeats_across(before, after)
    assert [*before, *kept] == list(one_window) and dropped == 2
    assert drop_repeats_across([], after) == (tuple(after), 0)
    assert drop_repeats_across([seg("Ok.")], after) == (tuple(after), 0)
