"""Digest building (pure) and rendering (text, Markdown, HTML, JSON) checked against snapshots.

Regenerate the snapshots with ``PODSIFT_UPDATE_SNAPSHOTS=1 pytest tests/digest/test_render.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from podsift.digest import (
    build_digest,
    digest_from_json,
    digest_to_json,
    format_clock,
    headline_of,
    render,
    render_html,
    render_markdown,
    render_text,
    timestamp_link,
)
from podsift.digest.labels import TermCounts
from podsift.models import AlsoOn, Digest, DigestItem, Mention, RankedStory, Related, StoryView

SNAPSHOTS = Path(__file__).parents[1] / "snapshots"
DAY = date(2024, 4, 2)
UNSUBSCRIBE = "https://podsift.example/u/tok3n?x=1&y=2"


def mention(show: str, score: float = 0.5, **kw: object) -> Mention:
    """Build a Mention with sensible defaults."""
    values: dict[str, object] = {
        "insight_id": f"i-{show}-{score}",
        "show": show,
        "episode": f"{show} ep 1",
        "speaker": "Ann",
        "text": f"{show} says something",
        "quote": f"quote from {show}",
        "link": f"https://{show.lower().replace(' ', '')}.example/ep1.mp3",
        "start": 60.0,
        "score": score,
    }
    values.update(kw)
    return Mention(**values)  # type: ignore[arg-type]


def ranked(story_id: str, *mentions: Mention) -> RankedStory:
    return RankedStory(StoryView(id=story_id, mentions=tuple(mentions)), score=1.0)


def sample_digest() -> Digest:
    """Five items covering the awkward cases: no speaker, no time, HTML specials, non-ASCII."""
    items = (
        DigestItem(
            rank=1,
            story_id="s1",
            headline="Rust in the Linux kernel now ships in every major distribution's default "
            "build, and maintainers say the…",
            insight="Rust in the Linux kernel now ships in every major distribution's default "
            "build, and maintainers say the first drivers written in it have had no memory "
            "safety bugs reported in two years.",
            quote="We've had zero memory-safety CVEs in the Rust drivers since they landed, "
            "which frankly surprised even the sceptics on the list.",
            speaker="Jerod Santo",
            show="The Changelog",
            episode="Rust everywhere (#581)",
            link="https://changelog.example/581.mp3#t=751",
            start=751.4,
            also_on=(
                AlsoOn(
                    show="Oxide and Friends",
                    episode="Kernel chat",
                    speaker="Bryan",
                    quote="No CVEs at all.",
                    link="https://oxide.example/kc#t=2882",
                    start=2882.0,
                ),
                AlsoOn(
                    show="Software Engineering Daily",
                    episode="Memory safety",
                    speaker=None,
                    quote="It just works.",
                    link="https://sed.example/ms",
                    start=None,
                ),
            ),
            related=(
                Related(
                    show="Rustacean Station",
                    episode="Drivers in Rust",
                    speaker="Allen",
                    quote="The Rust driver for Apple's GPU was written in a few months, and the "
                    "kernel maintainers argued for a year about whether its abstractions "
                    "belonged upstream at all, which is the real story here if you ask me.",
                    link="https://rustacean.example/drivers#t=1322",
                    start=1322.0,
                ),
                Related(
                    show="Untimed Radio",
                    episode="Kernel news",
                    speaker=None,
                    quote="Rust drivers are coming.",
                    link=None,
                    start=None,
                ),
            ),
        ),
        DigestItem(
            rank=2,
            story_id="s2",
            headline="WAL · database",  # no LLM: a label of key terms, the quote said once
            insight="Turn on WAL and it's a different database.",
            quote="Um, turn on WAL and it's a different database.",
            speaker=None,
            show="Talk Python",
            episode="Episode 450",
            link="https://talkpython.example/450#t=3723",
            start=3723.0,
        ),
        DigestItem(
            rank=3,
            story_id="s3",
            headline="Script tags in a quote must never reach the page as markup.",
            insight="Script tags in a quote must never reach the page as markup.",
            quote='Use <script>alert("x")</script> & see what happens * _ [link](x) #1',
            speaker="Dr. O'Brien <ob@example.com>",
            show="Security & Privacy <Weekly>",
            episode='"Injection" special',
            link="https://sec.example/ep?a=1&b=2",
            start=None,
            related=(
                Related(
                    show="<img src=x onerror=alert(1)> & Co",
                    episode="</p><script>steal()</script>",
                    speaker="<b>Mallory</b>",
                    quote='"><iframe src="//evil.example"></iframe> * _ [x](y)',
                    link="javascript:alert(3)",
                    start=61.0,
                ),
            ),
        ),
        DigestItem(
            rank=4,
            story_id="s4",
            headline="Les podcasts francophones ont doublé leur audience en un an.",
            insight="Les podcasts francophones ont doublé leur audience en un an.",
            quote="Ça a été une année incroyable — vraiment, ¡olé! 日本語も。",
            speaker="Zoë Ångström",
            show="Café Tech",
            episode="Épisode 12 : l'été",
            link=None,
            start=95.0,
        ),
        DigestItem(
            rank=5,
            story_id="s5",
            headline="",  # no LLM and no key term: the quote alone
            insight="Sometimes you just have the words.",
            quote="Sometimes you just have the words.",
            speaker=None,
            show="Plain Show",
            episode="Untimed",
            link=None,
            start=None,
            also_on=(
                AlsoOn(
                    show="Other Show",
                    episode="Ep 2",
                    speaker=None,
                    quote="Words again.",
                    link=None,
                    start=30.0,
                ),
            ),
            update=True,
        ),
    )
    return Digest(date=DAY, items=items, recipient="reader@example.com")


def check_snapshot(name: str, actual: str) -> None:
    """Compare ``actual`` with ``snapshots/name``; rewrite it when PODSIFT_UPDATE_SNAPSHOTS=1."""
    path = SNAPSHOTS / name
    if os.environ.get("PODSIFT_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing snapshot {path}: run with PODSIFT_UPDATE_SNAPSHOTS=1"
    assert actual == path.read_text(encoding="utf-8")


# --- build -----------------------------------------------------------------------------


def test_build_uses_representative_and_orders_ranks() -> None:
    d = build_digest(
        [ranked("a", mention("Show A", start=751.9)), ranked("b", mention("Show B"))],
        day=DAY,
        recipient="r@example.com",
    )
    assert d.date == DAY
    assert d.recipient == "r@example.com"
    assert [i.rank for i in d.items] == [1, 2]
    first = d.items[0]
    assert first.story_id == "a"
    assert first.show == "Show A"
    assert first.insight == "Show A says something"
    assert first.quote == "quote from Show A"
    assert first.speaker == "Ann"
    assert first.start == 751.9
    assert first.link == "https://showa.example/ep1.mp3#t=751"


def test_build_also_on_one_per_other_show_best_scored_sorted_by_name() -> None:
    story = ranked(
        "s",
        mention("Middle", score=0.9),
        mention("zeta", score=0.2, episode="z low", start=10.0),
        mention("zeta", score=0.8, episode="z high", start=20.0),
        mention("Middle", score=0.99, episode="same show again"),
        mention("alpha", score=0.1, start=None),
    )
    (item,) = build_digest([story], day=DAY).items
    assert [a.show for a in item.also_on] == ["alpha", "zeta"]
    alpha, zeta = item.also_on
    assert zeta.episode == "z high"
    assert zeta.link == "https://zeta.example/ep1.mp3#t=20"
    assert alpha.start is None
    assert alpha.link == "https://alpha.example/ep1.mp3"


def test_build_skips_stories_without_mentions_and_handles_empty_input() -> None:
    empty = RankedStory(StoryView(id="none", mentions=()), score=9.0)
    d = build_digest([empty, ranked("x", mention("S"))], day=DAY)
    assert [(i.rank, i.story_id) for i in d.items] == [(1, "x")]
    assert build_digest([], day=DAY).items == ()


def test_build_labels_items_with_key_terms_never_the_quote_again() -> None:
    """Without an LLM the headline is a few key terms of the story, rare in the window."""
    text = "Django tasks landed in Django 6.0 and Python developers can drop Celery now."
    stories = [
        ranked("s", mention("S", text=text), mention("T", text="Celery is optional for Django")),
        *(ranked(f"o{i}", mention("O", text=f"Python developers like topic{i}")) for i in range(4)),
    ]
    item = build_digest(stories, day=DAY).items[0]
    assert item.headline == "Django · Python · Celery"  # what two tellings share comes first
    assert item.insight == text
    assert all(len(i.headline.split(" · ")) <= 3 for i in build_digest(stories, day=DAY).items)


def test_a_label_names_things_never_an_everyday_word_a_date_or_a_number() -> None:
    """An everyday word rare in the window ("released", "fix") names no story."""
    text = "So Django 6 was released on December 3rd, and the bug fix came in January."
    others = [f"Python and Django talk number {i} in the window" for i in range(3)]
    others += ["The maintainers behind HTTPX moved on", "An HTTP client"]
    stories = [ranked("s", mention("S", text=text)),
               *(ranked(f"o{i}", mention("O", text=t)) for i, t in enumerate(others))]  # fmt: skip
    assert build_digest(stories, day=DAY).items[0].headline == "Django"
    text = "You might use HTTPX or HTTPXY, or even HTTPX2, which the HTTPX folks are not on."
    stories[0] = ranked("s", mention("S", text=text))
    assert build_digest(stories, day=DAY).items[0].headline == "HTTPX · HTTPXY · HTTPX2"
    counts = TermCounts.from_texts(others)
    said = "A trial of eighteen thousand adults found walking thirty minutes a day cut the risk."
    assert counts.label([said]) == ""
    said = "On the twelfth, Nine Lamps staff voted. Nine said no. It'll pass, says Ann Lo's team."
    assert counts.label([said]) == "Nine Lamps · Ann Lo"
    said = "Passkeys beat phishing: the key checks the website."
    assert counts.label([said]) == "Passkeys · phishing"
    assert counts.label(["Harbourlight buys Greywater, Friday's filing says."]) == (
        "Harbourlight · Greywater"
    )


def test_a_label_shows_a_name_whole_and_no_everyday_opening_word() -> None:
    others = ["Python is fun", "Python 3.14 is out", "An HTTP client", "The vendors like Python"]
    counts = TermCounts.from_texts(others)
    text = "Contrary to what vendors say, Rob Mensching found the XZ Utils backdoor in 2024."
    assert counts.label([text]) == "Rob Mensching · XZ Utils · backdoor"
    # five words at most: a long name fills the label alone
    text = "Docker Sponsored Open Source Program members get 30 million pulls."
    assert counts.label([text]) == "Docker Sponsored Open Source Program"
    # an opening word no dictionary holds is a name; "of" and "for" join one name
    assert counts.label(["Redka is slower than Redis, but smaller."]) == "Redka · Redis"
    text = "The Department for Transport fined Hashicorp's team."
    assert counts.label([text]) == "Department for Transport · Hashicorp"


def test_build_label_is_empty_without_a_content_word() -> None:
    (item,) = build_digest([ranked("s", mention("S", text="Yes, it is 42."))], day=DAY).items
    assert item.headline == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short.", "Short."),
        ("  spaced\n  out  ", "spaced out"),
        ("a" * 130, "a" * 119 + "…"),
    ],
)
def test_headline_of(text: str, expected: str) -> None:
    assert headline_of(text) == expected


@pytest.mark.parametrize(
    ("url", "start", "expected"),
    [
        ("https://ex.com/a.mp3", 751.9, "https://ex.com/a.mp3#t=751"),
        ("https://ex.com/a?x=1#old", 5.0, "https://ex.com/a?x=1#t=5"),
        ("https://ex.com/a#old", None, "https://ex.com/a#old"),
        ("https://ex.com/a", 0.0, "https://ex.com/a#t=0"),
        ("https://ex.com/a", -3.0, "https://ex.com/a#t=0"),
        (None, 12.0, None),
        ("", 12.0, None),
    ],
)
def test_timestamp_link(url: str | None, start: float | None, expected: str | None) -> None:
    assert timestamp_link(url, start) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "0:00"), (59.99, "0:59"), (751, "12:31"), (3600, "1:00:00"), (36061, "10:01:01")],
)
def test_format_clock(seconds: float, expected: str) -> None:
    assert format_clock(seconds) == expected


# --- render: snapshots -------------------------------------------------------------------


def test_text_snapshot() -> None:
    check_snapshot("digest.txt", render_text(sample_digest(), unsubscribe_url=UNSUBSCRIBE))


def test_markdown_snapshot() -> None:
    check_snapshot("digest.md", render_markdown(sample_digest()))


def test_html_snapshot() -> None:
    check_snapshot("digest.html", render_html(sample_digest(), unsubscribe_url=UNSUBSCRIBE))


# --- render: properties ------------------------------------------------------------------


def test_text_is_wrapped_and_links_stand_alone() -> None:
    text = render_text(sample_digest(), unsubscribe_url=UNSUBSCRIBE)
    for line in text.splitlines():
        if "://" not in line:
            assert len(line) <= 78, line
    url_lines = [line.strip() for line in text.splitlines() if "://" in line]
    assert "https://changelog.example/581.mp3#t=751" in url_lines
    assert UNSUBSCRIBE in url_lines
    assert all(" " not in u for u in url_lines)
    assert "12:31" in text
    assert "1:02:03" in text


def test_html_escapes_quote_and_names() -> None:
    html = render_html(sample_digest())
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "Security &amp; Privacy &lt;Weekly&gt;" in html
    assert "https://sec.example/ep?a=1&amp;b=2" in html
    assert "Zoë Ångström" in html
    assert "日本語も" in html


def test_html_shows_timestamp_only_when_start_known() -> None:
    html = render_html(sample_digest())
    assert re.search(
        r'href="https://changelog\.example/581\.mp3#t=751"[^>]*>▶(&nbsp;|\xa0)12:31', html
    )
    assert re.search(
        r'href="https://talkpython\.example/450#t=3723"[^>]*>▶(&nbsp;|\xa0)1:02:03', html
    )
    # start None: the link goes to the episode with no time shown
    assert re.search(r'href="https://sec\.example/ep\?a=1&amp;b=2"[^>]*>▶(&nbsp;|\xa0)listen', html)
    assert "#t=" not in html.split("sec.example", 1)[1].split('"', 1)[0]
    # the other shows likewise: a timed one links to its minute, an untimed one to the episode
    assert re.search(r'href="https://oxide\.example/kc#t=2882"[^>]*>▶(&nbsp;|\xa0)48:02', html)
    assert re.search(r'href="https://sed\.example/ms"[^>]*>▶(&nbsp;|\xa0)listen', html)


def test_html_css_is_inlined_on_key_elements() -> None:
    html = render_html(sample_digest(), unsubscribe_url=UNSUBSCRIBE)
    for cls in ("container", "headline", "quote", "rank", "play", "footer", "unsubscribe"):
        tags = re.findall(rf'<[a-z0-9]+ [^>]*class="{cls}"[^>]*>', html)
        assert tags, cls
        assert all("style=" in t for t in tags), (cls, tags)
    assert "max-width: 600px" in html
    head_css = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(head_css) == 1
    # only @media rules stay in <head>; everything else lives in style attributes
    assert head_css[0].lstrip().startswith("@media")
    assert "prefers-color-scheme: dark" in head_css[0]
    assert "<blockquote" in html
    assert f'href="{UNSUBSCRIBE.replace("&", "&amp;")}"' in html


def test_html_without_unsubscribe_has_no_link_and_refuses_unsafe_urls() -> None:
    d = sample_digest()
    html = render_html(d)
    assert "Unsubscribe" not in html
    bad = Digest(
        date=DAY,
        items=(DigestItem(1, "s", "h", "h", "q", None, "S", "E", "javascript:alert(1)", 5.0),),
    )
    out = render_html(bad, unsubscribe_url="javascript:alert(2)")
    assert "javascript:" not in out
    assert "href" not in out


def test_markdown_escapes_and_links() -> None:
    md = render_markdown(sample_digest())
    assert r"Use \<script\>alert" in md
    assert r"\[link\](x) \#1" in md
    assert "[▶ 12:31](https://changelog.example/581.mp3#t=751)" in md
    assert "*Oxide and Friends* · Kernel chat · [▶ 48:02](https://oxide.example/kc#t=2882)" in md


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_a_merged_story_shows_every_show_with_its_quote_speaker_episode_and_minute(
    render: Callable[[Digest], str],
) -> None:
    out = re.sub(r"<[^>]+>|[*]", "", render(sample_digest()))  # the words, without markup
    out = " ".join(out.split())
    assert "Raised on 3 shows" in out and "Raised on 2 shows" in out
    assert "“No CVEs at all.” — Bryan, Oxide and Friends · Kernel chat" in out
    assert "“It just works.” — Software Engineering Daily · Memory safety" in out
    assert "“Words again.” — Other Show · Ep 2 · 0:30" in out
    assert "https://oxide.example/kc#t=2882" in render(sample_digest())
    assert out.count("Raised on") == 2  # only the stories more than one show raised


# --- JSON ----------------------------------------------------------------------------------

ITEM_KEYS = {
    "rank", "story_id", "headline", "insight", "quote", "speaker", "show", "episode", "link",
    "start", "also_on", "update", "related",
}  # fmt: skip
ALSO_KEYS = {"show", "episode", "speaker", "quote", "link", "start"}


def test_json_shape_has_every_key_and_nulls() -> None:
    data = digest_to_json(sample_digest())
    assert set(data) == {"date", "items"}
    assert data["date"] == "2024-04-02"
    assert len(data["items"]) == 5
    for item in data["items"]:
        assert set(item) == ITEM_KEYS
        for also in item["also_on"] + item["related"]:
            assert set(also) == ALSO_KEYS
    first, second, third = data["items"][:3]
    assert first["rank"] == 1
    assert first["start"] == 751.4
    assert first["also_on"][1]["speaker"] is None
    assert first["also_on"][1]["start"] is None
    assert second["speaker"] is None
    assert third["start"] is None
    assert json.loads(render(sample_digest(), "json")) == data
    assert [item["update"] for item in data["items"]] == [False] * 4 + [True]
    assert [len(item["related"]) for item in data["items"]] == [2, 0, 1, 0, 0]
    assert first["related"][1] == {
        "show": "Untimed Radio", "episode": "Kernel news", "speaker": None,
        "quote": "Rust drivers are coming.", "link": None, "start": None,
    }  # fmt: skip
    assert digest_from_json(data, recipient="reader@example.com") == sample_digest()
    stored = json.loads(json.dumps(data))  # as the store keeps it
    assert digest_from_json(stored, recipient="reader@example.com") == sample_digest()


def test_a_digest_stored_before_related_discussions_still_loads() -> None:
    data = digest_to_json(sample_digest())
    for item in data["items"]:
        del item["related"]
    loaded = digest_from_json(data)
    assert all(item.related == () for item in loaded.items)
    assert [i.also_on for i in loaded.items] == [i.also_on for i in sample_digest().items]


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_related_discussions_are_shown_apart_from_the_shows_that_raised_it(
    render: Callable[[Digest], str],
) -> None:
    raw = render(sample_digest())
    out = " ".join(re.sub(r"<[^>]+>|&nbsp;|▶", " ", raw.replace("*", "")).split())
    assert out.count("Related: also discussed on") == 2  # items 1 and 3
    assert re.search(r"Rustacean Station \(Drivers in Rust, \[? ?22:02", out)
    assert "Untimed Radio (Kernel news): “Rust drivers are coming.”" in out
    assert "https://rustacean.example/drivers#t=1322" in raw
    # related shows never count as shows that raised the story
    assert "Raised on 3 shows" in out and "Raised on 5 shows" not in out
    assert out.index("Raised on 3 shows") < out.index("Related: also discussed on")
    assert out.index("It just works.") < out.index("Rustacean Station")
    # a long quote is cut at a word boundary
    assert "belonged upstream at…”" in out and "if you ask me" not in out


def test_related_discussions_escape_hostile_text_in_html() -> None:
    html = render_html(sample_digest())
    assert "<img" not in html and "<iframe" not in html and "<b>" not in html
    assert "steal()</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in html
    assert "&lt;/p&gt;&lt;script&gt;steal()&lt;/script&gt;" in html
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert "(&lt;/p&gt;&lt;script&gt;steal()&lt;/script&gt;, 1:01)" in html  # unlinked minute


def test_related_discussions_escape_markdown() -> None:
    md = render_markdown(sample_digest())
    assert r"*\<img src=x onerror=alert(1)\> & Co*" in md
    assert "javascript:" not in md
    assert r"\* \_ \[x\](y)" in md


def test_build_puts_related_mentions_on_their_item_with_minute_links() -> None:
    other = mention("Other", start=125.7, link="https://other.example/e#notes", speaker=None)
    d = build_digest(
        [ranked("a", mention("A")), ranked("b", mention("B"))],
        day=DAY,
        related={"a": [other]},
    )
    first, second = d.items
    assert second.related == ()
    (rel,) = first.related
    assert rel == Related(
        "Other", "Other ep 1", None, "quote from Other", "https://other.example/e#t=125", 125.7
    )
    assert first.also_on == ()


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_an_update_is_marked_in_every_format(render: Callable[[Digest], str]) -> None:
    out = render(sample_digest())
    assert out.count("Update: new shows raised it since your last digest.") == 1
    assert out.index("Update:") > out.index("Les podcasts francophones")  # on item 5


def test_json_roundtrip_from_build() -> None:
    d = build_digest([ranked("a", mention("A", speaker=None, start=None, link=None))], day=DAY)
    (item,) = digest_to_json(d)["items"]
    assert item["speaker"] is None
    assert item["start"] is None
    assert item["link"] is None
    assert item["also_on"] == []


def test_render_dispatch_and_unknown_format() -> None:
    d = sample_digest()
    assert render(d, "text") == render_text(d)
    assert render(d, "md") == render_markdown(d)
    assert render(d, "html") == render_html(d)
    with pytest.raises(ValueError, match="unknown digest format 'pdf'"):
        render(d, "pdf")


def test_the_terminal_view_lists_related_discussions_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from podsift.cli.show import show_digest

    show_digest(sample_digest())
    out = capsys.readouterr().out
    assert out.count("related: also discussed on") == 2
    assert out.count("raised on 3 shows") == 1  # related shows are not counted
    first = out.split("\n2.", 1)[0]
    assert first.index("also: “It just works.”") < first.index("related: also discussed on")
    assert "- Rustacean Station (Drivers in Rust, 22:02): “The Rust driver" in first
    assert "https://rustacean.example/drivers#t=1322" in first
    assert "- Untimed Radio (Kernel news): “Rust drivers are coming.”" in first


def test_a_short_day_says_so_plainly_in_every_format() -> None:
    d = sample_digest()
    short = Digest(date=d.date, items=d.items[:2])
    line = "Only 2 points stood on their own today."
    for fmt in ("text", "md", "html"):
        assert line in render(short, fmt)
        assert "stood on" not in render(d, fmt)
