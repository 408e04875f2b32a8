"""An extractive insight that only repeats its quote is not printed a third time."""

from __future__ import annotations

from datetime import date

from podsift.digest import render_html, render_markdown, render_text
from podsift.models import Digest, DigestItem

QUOTE = "Um, XZ Utils 5.6.0 and 5.6.1 release tarballs contain a backdoor, you know."
CLEAN = "XZ Utils 5.6.0 and 5.6.1 release tarballs contain a backdoor."
REWRITTEN = "A backdoor shipped inside two XZ Utils releases, signed by the attacker."


def _digest(insight: str) -> Digest:
    item = DigestItem(1, "s1", "XZ Utils 5.6.0 and 5.6.1 release tarballs…", insight, QUOTE,
                      "Jerod Santo", "Changelog News", "#88", None, None)  # fmt: skip
    return Digest(date(2024, 4, 2), (item,))


def test_the_cleaned_quote_is_not_repeated() -> None:
    d = _digest(CLEAN)
    assert 'class="insight"' not in render_html(d)
    assert render_text(d).count("release tarballs contain a backdoor") == 1
    assert render_markdown(d).count("release tarballs contain a backdoor") == 1


def test_an_insight_that_adds_something_is_shown() -> None:
    d = _digest(REWRITTEN)
    assert 'class="insight"' in render_html(d)
    assert REWRITTEN in render_text(d).replace("\n    ", " ")
