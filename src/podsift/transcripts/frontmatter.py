"""YAML front matter (``---`` … ``---`` at the top of a transcript): its title and speakers.

Transcript sites built with static site generators (btctranscripts.com, Jekyll and Hugo
blogs) open each file with a metadata block. It is no speech: the parsers get the text
after it, and the title and speaker names go on the ``Transcript``. Only the few shapes
such blocks use are read (``key: value``, ``key: [a, 'b']``, ``- item`` lists and a list of
people's ``- name: …``), so no YAML library is needed and nothing in the block can run or
expand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"\A\ufeff?[ \t]*---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*)$")
_ITEM = re.compile(r"^[ \t]+-[ \t]+(.*)$|^-[ \t]+(.*)$")
_SPEAKER_KEYS = ("speakers", "speaker", "hosts", "host", "guests", "guest", "people")
MAX_LINES = 200  # a longer block is no front matter but a document that opens with a rule


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """What a transcript's front matter says about it."""

    title: str | None = None
    speakers: tuple[str, ...] = ()


def split_front_matter(text: str) -> tuple[FrontMatter | None, str]:
    """Split leading front matter off ``text``; ``(None, text)`` when there is none.

    >>> meta, body = split_front_matter("---\\ntitle: 'Core.py'\\nspeakers: [Ann Lee]\\n---\\nHi")
    >>> meta, body
    (FrontMatter(title='Core.py', speakers=('Ann Lee',)), 'Hi')
    >>> split_front_matter("--- not front matter")[0] is None
    True
    """
    opened = _OPEN.match(text)
    if opened is None:
        return None, text
    closed = _CLOSE.search(text, opened.end())
    if closed is None:
        return None, text
    block = text[opened.end() : closed.start()]
    if block.count("\n") > MAX_LINES or not any(_KEY.match(x) for x in block.splitlines()):
        return None, text
    fields = _fields(block)
    title = next(iter(fields.get("title", ())), None)
    speakers: list[str] = []
    for key in _SPEAKER_KEYS:
        speakers.extend(s for s in fields.get(key, ()) if s not in speakers)
    return FrontMatter(title, tuple(speakers)), text[closed.end() :].lstrip("\r\n")


def _fields(block: str) -> dict[str, tuple[str, ...]]:
    """Read ``key: value``, ``key: [a, b]`` and block lists into ``{key: values}``."""
    fields: dict[str, list[str]] = {}
    key: str | None = None
    for line in block.splitlines():
        item = _ITEM.match(line)
        if item is not None and key is not None:
            fields[key].extend(_item_scalars(item.group(1) or item.group(2) or ""))
            continue
        m = _KEY.match(line)
        if m is None:
            continue  # nested maps, comments, folded text: not needed
        key = m.group(1).lower()
        fields[key] = _scalars(m.group(2))
    return {k: tuple(v) for k, v in fields.items()}


def _item_scalars(item: str) -> list[str]:
    """The strings of one list item: its value, or its name where the item is a map of a
    person ("- name: Dr. Ann Lee" above "  role: historian"); another map's first key gives
    nothing.

    >>> _item_scalars('name: "Dr. Ann Lee"'), _item_scalars("role: host"), _item_scalars("Bo")
    (['Dr. Ann Lee'], [], ['Bo'])
    """
    if (pair := _KEY.match(item)) is not None:
        return _scalars(pair.group(2)) if pair.group(1).lower() == "name" else []
    return _scalars(item)


def _scalars(value: str) -> list[str]:
    """Return the strings of one value: a scalar, or a flow list ``[a, "b, c"]``.

    >>> _scalars("[Ann Lee, 'Bo, Jr.']"), _scalars('"Title: sub" # note'), _scalars("")
    (['Ann Lee', 'Bo, Jr.'], ['Title: sub'], [])
    """
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        parts = re.findall(r"\s*(?:\"([^\"]*)\"|'([^']*)'|([^,]+))\s*(?:,|$)", value[1:-1])
        found = (a or b or c for a, b, c in parts)
        return [s for s in (_unquote(x) for x in found) if s]
    scalar = _unquote(value)
    return [scalar] if scalar else []


def _unquote(value: str) -> str:
    value = value.strip()
    quoted = re.match(r"^([\"'])(.*?)\1(?:\s+#.*)?$", value)
    if quoted is not None:
        return quoted.group(2).strip()
    return re.sub(r"\s+#.*$", "", value).strip()
