"""Unit tests of transcript parsing: detection, each format's quirks, errors, link choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podsift.exceptions import TranscriptError
from podsift.models import Segment, Transcript, TranscriptLink
from podsift.transcripts import choose_link, parse_transcript, transcript_to_json

DATA = Path(__file__).parents[1] / "data" / "transcripts"

VTT = """WEBVTT Kind: captions

NOTE this is a comment
that spans two lines

STYLE
::cue { color: red }

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v.loud Jerod Santo>Welcome to <i>the</i> show &amp; more</v>

00:05.000 --> 00:07.250
<v Adam>Thanks,
<b>Jerod</b>.

00:00:08.000 --> 00:00:09.000
no voice here
"""

SRT = """1
00:00:00,500 --> 00:00:02,000
Alban: It is so stinking nice to
like, show up

2
00:00:02,000 --> 00:00:03,500
and record this show.

3
00:00:03,500 --> 00:00:05,000
Kevin: You guys remember?
"""

JSON = {
    "version": "1.0.0",
    "segments": [
        {"speaker": "Luke", "startTime": 0.5, "endTime": 1.5, "body": "I am"},
        {"speaker": "Luke", "startTime": 0.5, "endTime": 1.5, "body": "your father?"},
        {"speaker": "", "startTime": 2, "endTime": 3.25, "body": "No."},
    ],
}


def parse(text: str | bytes, source: str = "ep", **kw: str) -> Transcript:
    return parse_transcript(text, source=source, **kw)


# -- format detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "content_type", "fmt", "expected"),
    [
        ("ep.bin", None, "vtt", "vtt"),
        ("ep.bin", None, "WebVTT", "vtt"),
        ("ep.bin", "text/vtt; charset=utf-8", None, "vtt"),
        ("ep.bin", "application/x-subrip", None, "srt"),
        ("ep.bin", "application/srt", None, "srt"),
        ("ep.srt", None, None, "srt"),
        ("https://x.test/t/ep.srt?sig=1", None, None, "srt"),
        ("ep", "text/plain", None, "srt"),  # a lazy server's MIME: the content decides
        ("ep.txt", None, None, "srt"),
        ("ep.html", "text/html", None, "vtt"),  # a feed's wrong type: the document signs itself
        ("ep.json", "application/json", None, "srt"),
    ],
)
def test_format_is_chosen_by_name_signature_mime_extension_then_content(
    source: str, content_type: str | None, fmt: str | None, expected: str
) -> None:
    content = SRT if expected == "srt" else VTT
    t = parse_transcript(content, source=source, format=fmt, content_type=content_type)
    assert t.format == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (VTT, "vtt"),
        (SRT, "srt"),
        (json.dumps(JSON), "json"),
        ("<html><body><cite>A:</cite><time>0:01</time><p>Hi there</p></body></html>", "html"),
        ("**Jerod Santo:** Hello there.\n\n**Adam:** Hi.", "markdown"),
        ("00:00:01 Hello there.\n\n00:00:05 Hi.", "text"),
        ("[00:00:01] Hello there.\n\n[00:00:05] Hi. [laughs]", "text"),
    ],
)
def test_content_sniffing(content: str, expected: str) -> None:
    assert parse(content).format == expected


def test_unknown_explicit_format_is_an_error() -> None:
    with pytest.raises(TranscriptError, match=r"^ep: unknown transcript format 'docx'$"):
        parse("hello", format="docx")


# -- WebVTT and SRT -----------------------------------------------------------------------


def test_vtt_voices_tags_settings_and_notes() -> None:
    segs = parse(VTT, "ep.vtt").segments
    assert segs == (
        Segment(1.0, 4.5, "Jerod Santo", "Welcome to the show & more"),
        Segment(5.0, 7.25, "Adam", "Thanks, Jerod."),
        Segment(8.0, 9.0, None, "no voice here"),
    )


def test_vtt_seconds_only_timings() -> None:
    text = "WEBVTT\n\n0.860 --> 7.380\n<v SPEAKER_1>Podcasting is back.\n\n10.1 --> 13.48\nOk"
    segs = parse(text).segments
    assert [(s.start, s.end, s.speaker) for s in segs] == [
        (0.86, 7.38, "SPEAKER_1"),
        (10.1, 13.48, None),
    ]


def test_vtt_crlf_and_bom() -> None:
    text = "\ufeffWEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHello\r\n"
    assert parse(text.encode("utf-8")).segments == (Segment(1.0, 2.0, None, "Hello"),)


def test_srt_speaker_prefix_names_following_cues() -> None:
    segs = parse(SRT, "ep.srt").segments
    assert segs == (
        Segment(0.5, 2.0, "Alban", "It is so stinking nice to like, show up"),
        Segment(2.0, 3.5, "Alban", "and record this show."),
        Segment(3.5, 5.0, "Kevin", "You guys remember?"),
    )


def test_srt_sentence_with_colon_is_not_a_speaker() -> None:
    text = "1\n00:00:00,000 --> 00:00:01,000\nso here's the thing: it works\n"
    assert parse(text, "e.srt").segments[0].speaker is None


def test_a_name_captions_write_in_capitals_is_shown_in_title_case() -> None:
    """SRT cues that name their speaker in capitals ("HATTIE: …", the written4 crowd's Paws &
    Claws) give "Hattie", as the speech would write her; an acronym ("DHH") stays; a title
    before the name does not keep it in capitals (the written15 crowd's Curious Kettle)."""
    text = (
        "1\n00:00:00,000 --> 00:00:02,000\nHATTIE: The warning is red.\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nDHH: Thanks, Hattie.\n\n"
        "3\n00:00:04,000 --> 00:00:06,000\nDR ANOUK SORVIK: Gusts of 142.\n"
    )
    speakers = [s.speaker for s in parse(text, "e.srt").segments]
    assert speakers == ["Hattie", "DHH", "Dr Anouk Sorvik"]


def test_a_bracketed_label_names_the_speaker_and_a_sound_tag_does_not() -> None:
    """Broadcast subtitles bracket the speaker's label ("[MAYA OKAFOR]: …", "(Ben): …"); a
    sound tag with no colon after it ("[MUSIC]") names no one."""
    text = (
        "1\n00:00:00,000 --> 00:00:02,000\n[MAYA OKAFOR]: The line reopens Monday.\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\n(Ben): Finally.\n\n"
        "3\n00:00:04,000 --> 00:00:06,000\n[MUSIC] and the bells\n"
    )
    assert [(s.speaker, s.text) for s in parse(text, "e.srt").segments] == [
        ("Maya Okafor", "The line reopens Monday."),
        ("Ben", "Finally."),
        ("Ben", "[MUSIC] and the bells"),
    ]


def test_words_and_a_colon_in_another_style_than_the_files_labels_are_speech() -> None:
    """Subtitles keep to one house style of label: among "[HETTY MARLOWE]:" cues, "One: scope
    it" is a point of a list (the written17 crowd's Maintainer's Lament), and among "JUNO:"
    cues, "Agathe: I told you…" is a line Juno quotes (written8's Gutter Talk)."""
    cue = "{0}\n00:00:{0:02d},000 --> 00:00:{1:02d},000\n{2}\n\n".format
    lines = ["[HETTY MARLOWE]: Two things.", "One: scope it.", "[OSKAR LUND]: Yes.", "Two: rotate.",
             *["[HETTY MARLOWE]: Right.", "[OSKAR LUND]: Done."] * 4]  # fmt: skip
    text = "".join(cue(n, n + 1, line) for n, line in enumerate(lines, 1))
    speakers = [(s.speaker, s.text) for s in parse(text, "e.srt").segments]
    assert speakers[1:4] == [
        ("Hetty Marlowe", "One: scope it."),
        ("Oskar Lund", "Yes."),
        ("Oskar Lund", "Two: rotate."),
    ]


def test_a_one_host_shows_sponsor_slogan_is_not_a_new_speaker() -> None:
    """A one-host show names its host once, in capitals, then reads its sponsor's slogan and a
    list with words and a colon (the written25 crowd's Small Change): too few to be a style of
    label beside a label in capitals, they are the host's speech, and so is all that follows."""
    cue = "{0}\n00:00:{0:02d},000 --> 00:00:{1:02d},000\n{2}\n\n".format
    lines = ["RAFAEL DUNMORE: Hello, hello,", "welcome to Small Change.", "Thanks to Tallyo.",
             'Tallyo: "Know where every tallen went."', "Right, the Nest Account.",
             "Nest Accounts: up to eight thousand a", "year, tax-free."]  # fmt: skip
    text = "".join(cue(n, n + 1, line) for n, line in enumerate(lines, 1))
    segments = parse(text, "e.srt").segments
    assert {s.speaker for s in segments} == {"Rafael Dunmore"}
    assert 'Tallyo: "Know where every tallen went."' in " ".join(s.text for s in segments)
    # three plain labels or more are a style of their own: both kinds name speakers
    mixed = ["ANN LEE: Hi.", "Bo Park: Yes.", "Cy Tan: No.", "Di Ray: So.", "ANN LEE: Bye."]
    text = "".join(cue(n, n + 1, line) for n, line in enumerate(mixed, 1))
    assert [s.speaker for s in parse(text, "e.srt").segments] == [
        "Ann Lee", "Bo Park", "Cy Tan", "Di Ray", "Ann Lee"]  # fmt: skip


def test_a_speaker_label_alone_on_a_cue_line_names_the_words_below() -> None:
    """A long name wraps onto a line of its own in SRT and WebVTT (the written16 crowd's
    Starting From Zero G: "PTOLEMY ADEYEMI-RUSK:" then "Like a very long sausage."): it names
    the speaker, and is not read as speech; a line ending in a colon that names no one stays
    speech."""
    text = (
        "1\n00:00:00,000 --> 00:00:02,000\nWREN CASTELLANE: It is a tube of paths.\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nPTOLEMY ADEYEMI-RUSK:\nLike a very long sausage.\n\n"
        "3\n00:00:04,000 --> 00:00:06,000\nhere is the thing:\nit never hits us.\n"
    )
    segments = parse(text, "e.srt").segments
    assert [(s.speaker, s.text) for s in segments] == [
        ("Wren Castellane", "It is a tube of paths."),
        ("Ptolemy Adeyemi-Rusk", "Like a very long sausage."),
        ("Ptolemy Adeyemi-Rusk", "here is the thing: it never hits us."),
    ]
    vtt = "WEBVTT\n\n00:00.000 --> 00:02.000\nAnn Lee:\nWe shipped it.\n"
    assert [(s.speaker, s.text) for s in parse(vtt, "e.vtt").segments] == [
        ("Ann Lee", "We shipped it.")
    ]


def test_show_notes_above_the_first_timed_turn_are_neither_speaker_nor_speech() -> None:
    """ "Tonight: the strike dates, a big fine." in a page's show notes names no one (the
    written3 crowd's Evening Wrap), and show notes above the first timed turn are not speech
    (the written6 crowd's Altitude: a heading, then a paragraph of notes)."""
    html = (
        "<html><body><p>Tonight: train drivers name strike dates, a big fine.</p>"
        "<p><strong>Fiona Achterberg</strong> [00:00:00]</p><p>Good evening.</p></body></html>"
    )
    segments = parse(html, "e.html").segments
    assert [(s.speaker, s.text) for s in segments] == [("Fiona Achterberg", "Good evening.")]
    notes = (
        "<h1>After the Cold Night</h1><p>Altitude, episode 64. Rosa and Femi talk through the"
        " first reports from the frost.</p><p><strong>Rosa</strong> [00:00:00] Okay.</p>"
        "<p><strong>Femi</strong> [00:00:42] Oof.</p>"
    )
    assert [s.text for s in parse(notes, "e.html").segments] == ["Okay.", "Oof."]
    untimed_first = "Rosa: Hello.\n\n[00:00:05] Femi: Hi.\n\n[00:00:09] Rosa: Right."
    assert [s.text for s in parse(untimed_first, "e.txt").segments] == ["Hello.", "Hi.", "Right."]
    talk = " ".join(["We talked for a while before anyone kept the time."] * 20)  # 200 words
    later = parse(f"{talk}\n\n[00:10:00] Rosa: Now with times.", "e.txt").segments
    assert [s.start for s in later] == [None, 600.0]


def test_a_word_that_opens_speech_is_no_speaker() -> None:
    """ "So: soak, drain, then boil." inside a turn of a "Name: 00:07:29" transcript goes on
    with the turn's speaker (the written2 crowd's Plate & Pantry)."""
    text = (
        "Dev Hartigan: 00:07:29\nThey need a proper boil.\n"
        "So: soak, drain, then a hard rolling boil for ten minutes.\n\n"
        "Marisol Quaye: 00:07:42\nGood to know.\n"
    )
    speakers = {s.speaker for s in parse(text, "e.txt").segments}
    assert speakers == {"Dev Hartigan", "Marisol Quaye"}


# -- JSON ---------------------------------------------------------------------------------


def test_json_lines_of_one_cue_are_joined_and_empty_speaker_is_none() -> None:
    segs = parse(json.dumps(JSON), "ep.json").segments
    assert segs == (
        Segment(0.5, 1.5, "Luke", "I am your father?"),
        Segment(2.0, 3.25, None, "No."),
    )


def test_json_word_level_segments_become_phrases_per_speaker() -> None:
    words = [("A", 0.0, "Hello"), ("A", 0.5, "there"), ("A", 0.9, ","), ("A", 1.0, "friend.")]
    words += [("B", 1.5, "Hi."), ("B", 6.0, "Later"), ("B", 6.4, "on.")]
    doc = {
        "segments": [
            {"speaker": s, "startTime": t, "endTime": t + 0.3, "body": w} for s, t, w in words
        ]
    }
    segs = parse(json.dumps(doc), "w.json").segments
    assert [(s.speaker, s.start, s.end, s.text) for s in segs] == [
        ("A", 0.0, 1.3, "Hello there, friend."),
        ("B", 1.5, 1.8, "Hi."),  # a pause of 4 s splits the turn
        ("B", 6.0, 6.7, "Later on."),
    ]


def test_transcript_to_json_shape() -> None:
    doc = transcript_to_json(parse(json.dumps(JSON), "ep.json"))
    assert doc == {
        "source": "ep.json",
        "format": "json",
        "title": None,
        "speakers": [],
        "segments": [
            {"start": 0.5, "end": 1.5, "speaker": "Luke", "text": "I am your father?"},
            {"start": 2.0, "end": 3.25, "speaker": None, "text": "No."},
        ],
    }
    json.dumps(doc)


# -- HTML ---------------------------------------------------------------------------------


def test_buzzsprout_html() -> None:
    html = (
        "<!-- saved -->\n<html><head><title>T</title><style>p{}</style></head><body>"
        "<cite>Alban:</cite>\n<time>0:00</time>\n<p>It&#39;s <b>so</b> nice.</p>\n"
        "<cite>Kevin:</cite><time>1:02:03</time><p>Yes.</p><script>alert(1)</script>"
        "</body></html>"
    )
    segs = parse(html, "ep.html").segments
    assert segs == (
        Segment(0.0, 3723.0, "Alban", "It's so nice."),
        Segment(3723.0, None, "Kevin", "Yes."),  # last end unknown: None, not 0
    )


def test_html_without_a_first_cite_has_no_speaker_there() -> None:
    html = "<time>0:00</time><p>Hello.</p><cite>Jingle:</cite><time>1:07</time><p>Ad.</p>"
    segs = parse(html, "ep.html").segments
    assert [(s.speaker, s.start) for s in segs] == [(None, 0.0), ("Jingle", 67.0)]


def test_generic_html_falls_back_to_paragraphs_without_times() -> None:
    html = "<html><body><h1>Episode 1</h1><p>Jerod: Hi   all.</p><div><p>Bye.</p></div></body>"
    segs = parse(html, "ep.html").segments
    assert segs == (  # the heading above the first turn is the page's header, no speech
        Segment(None, None, "Jerod", "Hi all."),
        Segment(None, None, "Jerod", "Bye."),
    )


def test_a_page_with_its_transcript_only_in_linked_data_is_read_from_there() -> None:
    """A host that puts the transcript only in the page's schema.org JSON-LD ("transcript")
    and a script toggle to show it: the body has show notes, no turns. A page that shows its
    own turns is read from them; a script that is not JSON is passed over."""
    ld = json.dumps(
        {
            "@type": "PodcastEpisode",
            "associatedMedia": {
                "transcript": "[00:00] Ann Lee: Hello.\n[00:06] Bo Chen: Swarm season."
            },
        }
    )
    notes = "<p>Why colonies swarm.</p><ul><li>Our guide to splits</li></ul>"
    page = (
        f"<script type='application/ld+json'>{{oops</script>"
        f'<script type="application/ld+json">{ld}</script><main>{notes}</main>'
    )
    segs = parse(page, "ep.html").segments
    assert [(s.speaker, s.start, s.text) for s in segs] == [
        ("Ann Lee", 0.0, "Hello."),
        ("Bo Chen", 6.0, "Swarm season."),
    ]
    shown = "".join(f"<p>[00:{n:02d}] Cy Dee: Line {n}.</p>" for n in range(3))
    segs = parse(page.replace(notes, shown), "ep.html").segments
    assert {s.speaker for s in segs} == {"Cy Dee"}


def test_a_pages_footer_and_menu_are_not_speech() -> None:
    """A WordPress page's footer ("Subscribe: RSS · Spotify", the copyright) and its menu are
    page chrome: read as speech, "Subscribe" became a speaker (the written17 crowd)."""
    html = (
        "<html><body><nav><ul><li>Home</li><li>Episodes</li></ul></nav>"
        "<div class='transcript'><p><strong>Ines Marquardt</strong> [00:00:07] Welcome.</p>"
        "<p><strong>Rafael Lund</strong> [00:16:27] Bye, everyone!</p></div>"
        "<footer><p>&copy; 2027 Lanternscript Lounge.</p><p>Subscribe: <a href='/rss'>RSS</a>"
        " &middot; <a href='/s'>Spotify</a></p></footer></body></html>"
    )
    segs = parse(html, "ep.html").segments
    assert [(s.speaker, s.start, s.text) for s in segs] == [
        ("Ines Marquardt", 7.0, "Welcome."),
        ("Rafael Lund", 987.0, "Bye, everyone!"),
    ]


# -- plain text ---------------------------------------------------------------------------


def test_text_line_marks_and_voice_tags() -> None:
    text = (
        "00:00:00 <v Michael Kennedy>Hello and welcome.\n\n"
        "00:06:10 <v Brian Okken>But the gist is this.\ncontinued here.\n\n"
        "01:00:00 Untagged line.\n"
    )
    segs = parse(text, "ep.txt").segments
    assert segs == (
        Segment(0.0, 370.0, "Michael Kennedy", "Hello and welcome."),
        Segment(370.0, 3600.0, "Brian Okken", "But the gist is this. continued here."),
        Segment(3600.0, None, None, "Untagged line."),
    )


def test_text_without_marks_has_no_times_and_labels_carry() -> None:
    segs = parse("Jerod: Hello.\n\nStill me.\n\nAdam: Hi.", "ep.txt").segments
    assert [(s.start, s.end, s.speaker) for s in segs] == [
        (None, None, "Jerod"),
        (None, None, "Jerod"),
        (None, None, "Adam"),
    ]


# -- Markdown -----------------------------------------------------------------------------

MARKDOWN = r"""**Jerod Santo:**

Welcome to [the show](https://changelog.com) with _emphasis_ and **bold** and `code`.

**Adam Stacoviak:** Yes \[laughs\] it is my_var_name.

**Break**: \[12:34\]

**Jerod Santo:** Back. Some \[unintelligible 00:13:00.50\] words.

> A quoted line from a [post](https://x.test).
> Second line.

\[00:14:00\] And later on.

**Break:**
"""


def test_changelog_markdown() -> None:
    segs = parse(MARKDOWN, "ep.md").segments
    assert segs == (
        Segment(None, None, "Jerod Santo", "Welcome to the show with emphasis and bold and code."),
        Segment(None, 754.0, "Adam Stacoviak", "Yes [laughs] it is my_var_name."),
        Segment(754.0, None, "Jerod Santo", "Back. Some [unintelligible] words."),
        Segment(780.5, 840.0, "Jerod Santo", "A quoted line from a post. Second line."),
        Segment(840.0, None, "Jerod Santo", "And later on."),
    )


def test_markdown_detected_from_mime() -> None:
    assert parse("Hello **there**.", content_type="text/markdown").segments == (
        Segment(None, None, None, "Hello there."),
    )


# -- errors -------------------------------------------------------------------------------

BAD_JSON = "ep.json: invalid json (Expecting property name enclosed in double quotes, line 1)"
NO_SEGMENTS = "ep.json: json transcript has no segments"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
TTML = '<tt xmlns="http://www.w3.org/ns/ttml"><body>{}</body></tt>'
BOMB = "ep.ttml: TTML declares entities or a DTD (not read)"  # no entity is expanded
RTF = "ep.rtf: an RTF document, not a transcript format (save it as text)"  # not "invalid json"


@pytest.mark.parametrize(
    ("content", "source", "message"),
    [
        (b"", "ep.vtt", "ep.vtt: empty transcript"),
        ("  \n\t ", "ep.txt", "ep.txt: empty transcript"),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "ep.bin",
            "ep.bin: binary content, not a transcript",
        ),
        (bytes(range(256)) * 4, "ep.srt", "ep.srt: binary content, not a transcript"),
        (b"\x81\x8d\x8f\x90\x9d" * 10, "ep.txt", "ep.txt: binary content, not a transcript"),
        ("{not json", "ep.json", BAD_JSON),
        ('{"version": "1.0"}', "ep.json", NO_SEGMENTS),
        ('{"segments": []}', "ep.json", NO_SEGMENTS),
        ("[1, 2]", "ep.json", NO_SEGMENTS),
        ('{"segments": [{"foo": 1}]}', "ep.json", "ep.json: no segments found in json transcript"),
        ("WEBVTT\n\nNOTE only a note\n", "ep.vtt", "ep.vtt: no segments found in vtt transcript"),
        ("<html><body></body></html>", "ep.html", "ep.html: no segments found in html transcript"),
        (TTML.format(""), "ep.ttml", "ep.ttml: no segments found in ttml transcript"),
        (
            TTML.format("<p>oops")[:-13],
            "ep.ttml",
            "ep.ttml: invalid TTML (no element found: line 1, column 50)",
        ),
        (f"<!DOCTYPE tt [<!ENTITY a 'aa'>]>{TTML.format('<p>&a;</p>')}", "ep.ttml", BOMB),
        ("{\\rtf1\\ansi {\\b Ann:}\\tab Hi.\\par}", "ep.rtf", RTF),
    ],
)
def test_bad_input_is_a_one_line_transcript_error(
    content: str | bytes, source: str, message: str
) -> None:
    with pytest.raises(TranscriptError) as info:
        parse_transcript(content, source=source)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_windows_1252_text_is_decoded() -> None:
    t = parse("00:00:01 Caf\xe9 \u201cquoted\u201d".encode("cp1252"), "ep.txt")
    assert t.segments[0].text == "Café “quoted”"


def test_utf16_with_bom_is_decoded() -> None:
    assert parse(VTT.encode("utf-16"), "ep.vtt").segments[0].speaker == "Jerod Santo"


# -- link choice --------------------------------------------------------------------------


def test_choose_link_prefers_json_then_vtt_then_srt_then_ttml_then_html_then_text() -> None:
    links = [
        TranscriptLink("https://x.test/t.txt", "text/plain"),
        TranscriptLink("https://x.test/t.html", "text/html"),
        TranscriptLink("https://x.test/t.ttml", "application/ttml+xml"),
        TranscriptLink("https://x.test/t.srt", "application/x-subrip"),
        TranscriptLink("https://x.test/t.vtt", "text/vtt", rel="captions"),
        TranscriptLink("https://x.test/t.json", "application/json"),
    ]
    order = []
    while links:
        best = choose_link(links)
        assert best is not None
        order.append(best.url.rsplit(".", 1)[1])
        links.remove(best)
    assert order == ["json", "vtt", "srt", "ttml", "html", "txt"]


def test_choose_link_prefers_english_or_unspecified_language() -> None:
    spanish = TranscriptLink("https://x.test/es.json", "application/json", language="es")
    english = TranscriptLink("https://x.test/en.vtt", "text/vtt", language="en-US")
    unknown = TranscriptLink("https://x.test/t.srt", "application/srt")
    assert choose_link([spanish, english]) is english
    assert choose_link([spanish, unknown]) is unknown
    assert choose_link([spanish]) is spanish


def test_choose_link_uses_extension_without_type_and_handles_empty() -> None:
    assert choose_link([]) is None
    html = TranscriptLink("https://x.test/t.html")
    vtt = TranscriptLink("https://x.test/t.vtt")
    assert choose_link([html, vtt]) is vtt


APPLE_TTML = (
    '<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata" '
    'xmlns:podcasts="http://podcasts.apple.com/transcript-ttml-internal"><head><metadata>'
    '<ttm:agent xml:id="SPEAKER_1"><ttm:name type="full">Sylvie Achterberg</ttm:name>'
    '</ttm:agent></metadata></head><body dur="931.159">'
    '<div begin="6.200" end="1:00.000"><p begin="6.200" end="8.417" ttm:agent="SPEAKER_1">'
    '<span begin="6.200" end="8.417" podcasts:unit="sentence">'
    '<span begin="6.200" end="6.531" podcasts:unit="word">Hello,</span>'
    '<span begin="6.726" end="6.971" podcasts:unit="word">and</span>'
    '<span begin="6.977" end="8.417" podcasts:unit="word">welcome.</span></span></p></div>'
    '<div begin="1:15.191" end="2:00.000"><p begin="1:15.191" end="1:16.000" '
    'ttm:agent="SPEAKER_1"><span podcasts:unit="sentence">Right.</span></p></div></body></tt>'
)


def test_apple_podcasts_ttml_word_spans_and_times_from_the_start() -> None:
    """Apple's TTML: a span per word with no space between them, times in minutes and seconds
    past the first minute, and each ``<p>`` timed from the start of the episode though its
    ``<div>`` has a begin of its own (read as an offset, every time doubled: written18's
    18-minute episodes ended at 36 minutes; written20's words ran into one)."""
    segs = parse(APPLE_TTML, "ep.ttml").segments
    assert [(s.start, s.speaker, s.text) for s in segs] == [
        (6.2, "Sylvie Achterberg", "Hello, and welcome."),
        (75.191, "Sylvie Achterberg", "Right."),
    ]
    exported = Path(__file__).parents[1] / "data" / "transcripts" / "exports" / "shape21.ttml"
    starts = [s.start for s in parse(exported.read_bytes(), "shape21.ttml").segments[:2]]
    assert starts == [0.48, 12.538]  # its key: 0.48


def test_a_jekyll_posts_guests_and_its_notes_above_the_transcript_heading() -> None:
    """A Jekyll post (written20): front matter listing guests as maps ("- name: …" above
    "role: …"), a long intro and links, then "## Transcript"; read before, the guest was named
    'name: "Dr. Hester Quillan"' and the notes were speech of no one."""
    intro = " ".join(["The herring trade stopped in the autumn of 1788."] * 20)
    page = (
        '---\ntitle: "The Salt Strike"\nhost: "Oren Castellano"\nguests:\n'
        '  - name: "Dr. Hester Quillan"\n    role: "Labour historian"\n---\n\n'
        f"{intro}\n\n## Links\n\n- [Archive](https://a.example/)\n\n## Transcript\n\n"
        "*This transcript may contain errors.*\n\n"
        "[00:00:01] **Oren Castellano:** Hello, and welcome.\n\n"
        "[00:00:20] **Hester Quillan:** It was magnificent.\n"
    )
    transcript = parse(page, "ep.md")
    assert transcript.speakers == ("Oren Castellano", "Dr. Hester Quillan")
    assert [(s.start, s.speaker) for s in transcript.segments] == [
        (1.0, "Oren Castellano"),
        (20.0, "Dr. Hester Quillan"),
    ]
