"""The hallucination guards: pure decisions on recognised segments."""

from __future__ import annotations

from podsift.asr import AsrResult, AsrSegment, feed_language, result_to_json
from podsift.asr.guards import (
    apply_guards,
    collapse_loop,
    drop_repeats_across,
    is_stock_phrase,
    redecode_loops,
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


def test_a_loop_inside_a_word_is_decoded_again_between_its_neighbours() -> None:
    # a batched chunk that fell into "Merkmerk…" after its real words: the guards would drop
    # the whole segment, the real words with it (what cost the windowed benchmark 1 point)
    looped = seg("And you can come over here. Why did that? " + "Merk" * 80, 12.0)
    also = seg("merk" * 40, 13.0)  # the same loop, cut into a second segment
    segs = [seg("Right.", 0.0), looped, also, seg("And then I'll put it back.", 14.5)]
    assert apply_guards(segs)[1].loop == 2
    calls: list[tuple[float, float]] = []

    def again(start: float, end: float) -> list[AsrSegment]:
        calls.append((start, end))
        return [seg("And you can come over here. Why did that? Back.", start)]

    out, runs = redecode_loops(segs, 60.0, again)
    assert calls == [(2.0, 14.5)] and runs == 1  # from "Right." ending to the next start
    kept, report = apply_guards(out)
    assert [s.text for s in kept] == [
        "Right.", "And you can come over here. Why did that? Back.", "And then I'll put it back.",
    ]  # fmt: skip
    assert report.dropped == 0


def test_only_loops_past_cutting_are_decoded_again() -> None:
    def again(start: float, end: float) -> list[AsrSegment]:
        raise AssertionError("decoded again")

    phrase_loop = seg("We did it. " + "Thank you so much. " * 12)  # the guards cut it
    ordinary = [seg("We shipped it."), phrase_loop, seg("It is faster.", 2.0)]
    assert redecode_loops(ordinary, 10.0, again) == (tuple(ordinary), 0)
    assert redecode_loops([], 10.0, again) == ((), 0)
    # a loop at the very end is decoded again up to the end of the audio
    tail = [seg("Ok.", 0.0), seg("la" * 200, 3.0)]
    out, runs = redecode_loops(tail, 9.0, lambda a, b: [seg(f"{a:g} to {b:g}.", a)])
    assert [s.text for s in out] == ["Ok.", "2 to 9."] and runs == 1
