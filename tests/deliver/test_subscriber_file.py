"""Subscribers in bulk (#20): CSV and JSON Lines in, the same out; on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from podsift.deliver.subscribe import SubscribeError
from podsift.deliver.subscriber_file import (
    BadRow,
    export_subscribers,
    import_subscribers,
    parse_records,
    plan_import,
)
from podsift.store import NewSubscriber, Store

FEED = "https://pythonbytes.fm/episodes/rss"

CSV = """\
email,Time Zone,hour,shows,topics
ann@example.org,Europe/Berlin,6,Python Bytes,"rust, databases"
bob@example,UTC,7,,
cid@example.org,Mars/Olympus,7,,
dee@example.org,UTC,25,,
ANN@example.org,UTC,8,,
"eve@example.org",America/New_York,,"Python Bytes; https://nope.example/feed.xml",
"fay@example.org",UTC,9,,"a topic
over two lines"
gus@example.org,,,https://pythonbytes.fm/episodes/rss,

hal@example.org,UTC,seven,,
ivy@example.org,UTC,0,,,extra
"""


def _file(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def _subs(store: Store) -> dict[str, tuple[str, int, str | None, tuple[int, ...], str]]:
    return {
        s.email: (s.tz, s.send_hour, s.topics, s.show_ids, s.status) for s in store.subscribers()
    }


def test_csv_import_reports_bad_rows_by_line_and_adds_the_good_ones(
    any_store: Store, now: datetime, tmp_path: Path
) -> None:
    show_id, _ = any_store.add_show(FEED, now, title="Python Bytes")
    report = import_subscribers(any_store, _file(tmp_path, "list.csv", CSV), now, confirmed=True)
    assert report.added == ("ann@example.org", "fay@example.org", "gus@example.org")
    assert report.bad == (
        BadRow(3, "bob@example: not an email address"),
        BadRow(4, "Mars/Olympus: unknown time zone (e.g. Europe/Berlin)"),
        BadRow(5, "25: the send hour must be 0 to 23"),
        BadRow(6, "ANN@example.org: a duplicate of line 2"),
        BadRow(7, "https://nope.example/feed.xml: no such show (add it with `podsift add URL`)"),
        BadRow(12, 'hour "seven": not a whole number from 0 to 23'),
        BadRow(13, "6 fields, the header has 5"),
    )
    assert _subs(any_store) == {
        "ann@example.org": ("Europe/Berlin", 6, "rust, databases", (show_id,), "active"),
        "fay@example.org": ("UTC", 9, "a topic\nover two lines", (), "active"),
        "gus@example.org": ("UTC", 7, None, (show_id,), "active"),
    }


def test_jsonl_import_checks_each_line(any_store: Store, now: datetime, tmp_path: Path) -> None:
    text = "\n".join([
        '{"email": "ann@example.org", "tz": "Asia/Tokyo", "hour": 5, "shows": [], "topics": "go"}',
        '{"email": "bob@example.org", "hour": "6"}',
        "not json",
        '["a list"]',
        '{"email": "cid@example.org", "phone": "+49"}',
        '{"email": "dee@example.org", "hour": true}',
        '{"email": 42}',
        "",
        '{"email": "eve@example.org", "send_hour": 23, "timezone": "UTC"}',
    ])  # fmt: skip
    report = import_subscribers(any_store, _file(tmp_path, "list.txt", text), now, confirmed=False)
    assert report.added == ("ann@example.org", "bob@example.org", "eve@example.org")
    assert [(b.line, b.problem.split(" (")[0]) for b in report.bad] == [
        (3, "not JSON"),
        (4, "not a JSON object"),
        (5, "unknown key 'phone'"),
        (6, "hour true: not a whole number from 0 to 23"),
        (7, "email 42: not text"),
    ]
    assert _subs(any_store)["ann@example.org"] == ("Asia/Tokyo", 5, "go", (), "pending")
    assert _subs(any_store)["eve@example.org"] == ("UTC", 23, None, (), "pending")


def test_an_address_already_stored_is_left_as_it_is(
    any_store: Store, now: datetime, tmp_path: Path
) -> None:
    gone = any_store.add_subscriber("Ann@Example.org", now, tz="UTC", send_hour=7)
    any_store.set_subscriber_status(gone, "unsubscribed", now)
    text = "email,tz,hour\nann@example.org,Europe/Berlin,6\nbob@example.org,UTC,8\n"
    report = import_subscribers(any_store, _file(tmp_path, "l.csv", text), now, confirmed=True)
    assert (report.added, report.existing) == (("bob@example.org",), ("ann@example.org",))
    assert _subs(any_store)["Ann@Example.org"] == ("UTC", 7, None, (), "unsubscribed")
    again = import_subscribers(any_store, _file(tmp_path, "l.csv", text), now, confirmed=True)
    assert (again.added, len(again.existing)) == ((), 2)  # a rerun changes nothing


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "bin.csv",
            b"email\n\x00\x01\x02ann@example.org\n",
            "a binary file, not CSV or JSON Lines",
        ),
        (
            "latin1.csv",
            "email\nj\u00f6rg@example.org\n".encode("latin-1"),
            "not UTF-8 text (line 2)",
        ),
        ("cols.csv", b"email,phone\nann@example.org,1\n", "unknown column 'phone' in the header"),
        ("noemail.csv", b"tz,hour\nUTC,7\n", "the header needs one 'email' column"),
        ("twice.csv", b"email,tz,timezone\na@b.org,UTC,UTC\n", "the header needs one 'email'"),
    ],
)
def test_a_bad_file_is_refused_whole_before_any_row_is_written(
    any_store: Store, now: datetime, tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = _file(tmp_path, name, content)
    with pytest.raises(SubscribeError) as refused:
        import_subscribers(any_store, path, now, confirmed=True)
    assert str(refused.value).startswith(f"{path}: {problem}")
    assert "\n" not in str(refused.value)
    assert any_store.subscribers() == []


def test_a_2_gb_file_is_refused_unread(store: Store, now: datetime, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:  # sparse: takes no disk
        f.write(b"email\nann@example.org\n")
        f.truncate(2 * 2**30)
    with pytest.raises(SubscribeError, match=r"huge.csv: 2,048 MiB is over the import limit"):
        import_subscribers(store, str(path), now, confirmed=True)
    assert store.subscribers() == []


def test_the_good_rows_go_in_all_or_nothing(any_store: Store, now: datetime) -> None:
    rows = [NewSubscriber(f"r{i}@example.org") for i in range(50)]
    rows.append(NewSubscriber("broken@example.org", show_ids=(999_999,)))  # no such show
    with pytest.raises(sa.exc.IntegrityError):
        any_store.add_subscribers(rows, now)
    assert any_store.subscribers() == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_writes_what_import_reads(
    any_store: Store, now: datetime, tmp_path: Path, fmt: str
) -> None:
    show_id, _ = any_store.add_show(FEED, now, title="Python Bytes")
    import_subscribers(any_store, _file(tmp_path, "list.csv", CSV), now, confirmed=True)
    pending = any_store.add_subscriber("pen@example.org", now, status="pending")
    assert pending
    out = io.StringIO()
    assert export_subscribers(any_store, out, fmt, "active") == 3
    assert "pen@example.org" not in out.getvalue()
    assert FEED in out.getvalue()  # shows by feed URL
    exported = _file(tmp_path, f"out.{fmt}", out.getvalue())
    wanted = {k: v for k, v in _subs(any_store).items() if v[-1] == "active"}
    for sub in any_store.subscribers():
        any_store.set_subscriber_status(sub.id, "unsubscribed", now)
    with any_store.engine.begin() as c:  # a fresh list: the same store, emptied
        c.execute(sa.text("DELETE FROM subscriptions"))
        c.execute(sa.text("DELETE FROM subscribers"))
    report = import_subscribers(any_store, exported, now, confirmed=True)
    assert report.bad == ()
    assert _subs(any_store) == wanted
    assert show_id in _subs(any_store)["ann@example.org"][3]


def test_plan_import_is_pure_and_keeps_the_first_of_duplicates() -> None:
    records = parse_records("email\nA@x.org\na@x.org\nb@x.org\n", "csv", "l.csv")
    plan = plan_import(records, {})
    assert [r.email for r in plan.rows] == ["A@x.org", "b@x.org"]
    assert plan.bad == (BadRow(3, "a@x.org: a duplicate of line 2"),)
