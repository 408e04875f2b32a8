"""Transcripts: publisher transcripts (JSON, VTT, SRT, HTML, Markdown, text) into segments.

Front matter is read for the title and speakers; speaker labels get full names from known
people (``resolve_speakers``) and from the feed's ``podcast:person`` entries
(``name_speakers``).

Everything becomes ``Segment(start, end, speaker, text)``; times the document does not
give stay ``None``. Other packages import from here only.
"""

from __future__ import annotations

from podsift.transcripts.formats import detect_format, parse_transcript, transcript_to_json
from podsift.transcripts.links import choose_link
from podsift.transcripts.speakers import (
    is_generic_label,
    match_name,
    name_speakers,
    resolve_speakers,
    speaker_names,
    untitled,
)
from podsift.transcripts.stage import ObtainReport, obtain_one, run

__all__ = [
    "ObtainReport",
    "choose_link",
    "detect_format",
    "is_generic_label",
    "match_name",
    "name_speakers",
    "obtain_one",
    "parse_transcript",
    "resolve_speakers",
    "run",
    "speaker_names",
    "transcript_to_json",
    "untitled",
]
