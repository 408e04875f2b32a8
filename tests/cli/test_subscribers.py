"""`podsift subscribers import` and `export` (#20): opt-in emails over SMTP, one-line refusals."""

from __future__ import annotations

import email
import email.policy
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from podsift.cli import main
from podsift.store import open_store
from tests.smtp_server import SmtpServer

LIST = "email,tz,hour\nann@example.org,Europe/Berlin,6\nbob@example,UTC,7\ncid@example.org,UTC,8\n"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("PODSIFT_SMTP_URL", "PODSIFT_CONFIG", "PODSIFT_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PODSIFT_SECRET_KEY", "test-key")
    monkeypatch.setenv("PODSIFT_BASE_URL", "https://podsift.example")
    return monkeypatch


def test_import_emails_each_new_address_its_opt_in_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    db, path = str(tmp_path / "p.db"), tmp_path / "list.csv"
    path.write_text(LIST)
    with SmtpServer() as smtp:
        env.setenv("PODSIFT_SMTP_URL", smtp.url)
        code, out, err = run(["--db", db, "subscribers", "import", str(path), "--json"], capsys)
        received = list(smtp.received)
    assert code == 0, err
    assert f"{path}:3: bob@example: not an email address" in err
    assert "import: 2 added (pending), 0 already subscribers" in err
    assert "opt-in emails: sent 2, failed 0" in err
    assert json.loads(out)["opt_in"] == {"sent": 2, "failed": []}
    assert sorted(r.rcpt_tos[0] for r in received) == ["ann@example.org", "cid@example.org"]
    msg = email.message_from_bytes(received[0].content, policy=email.policy.default)
    assert "https://podsift.example/confirm?t=" in msg.get_body().get_content()  # type: ignore[union-attr]
    store = open_store(db)
    assert {s.email: s.status for s in store.subscribers()} == {
        "ann@example.org": "pending",
        "cid@example.org": "pending",
    }
    store.close()


def test_import_without_smtp_or_consent_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    db, path = str(tmp_path / "p.db"), tmp_path / "list.csv"
    path.write_text(LIST)
    code, _, err = run(["--db", db, "subscribers", "import", str(path)], capsys)
    assert code == 1
    assert err.startswith("podsift: error: no SMTP server for the opt-in emails")
    assert err.count("\n") == 1
    store = open_store(db)
    assert store.subscribers() == []
    store.close()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a binary file, not CSV or JSON Lines"),
        (b"email,phone\na@example.org,1\n", "unknown column 'phone' in the header"),
    ],
)
def test_a_refused_file_is_one_line_and_exit_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    env: pytest.MonkeyPatch,
    content: bytes,
    needle: str,
) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    args = ["--db", str(tmp_path / "p.db"), "subscribers", "import", str(path), "--confirmed"]
    code, _, err = run(args, capsys)
    assert (code, err) == (1, f"podsift: error: {path}: {needle}" + err.split(needle, 1)[1])
    assert err.count("\n") == 1


def test_export_to_stdout_and_a_file_then_import_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    db, path = str(tmp_path / "p.db"), tmp_path / "list.csv"
    path.write_text(LIST)
    assert run(["--db", db, "subscribers", "import", str(path), "--confirmed"], capsys)[0] == 0
    code, out, err = run(["--db", db, "subscribers", "export"], capsys)
    assert code == 0 and "export: 2 subscribers (active)" in err
    assert out.splitlines() == [
        "email,tz,hour,shows,topics",
        "ann@example.org,Europe/Berlin,6,,",
        "cid@example.org,UTC,8,,",
    ]
    target = tmp_path / "out.jsonl"
    assert run(["--db", db, "subscribers", "export", "-o", str(target)], capsys)[0] == 0
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines[0] == {"email": "ann@example.org", "tz": "Europe/Berlin", "hour": 6, "shows": [],
                        "topics": None}  # fmt: skip
    other = str(tmp_path / "other.db")
    env.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(target.read_bytes())))
    code, _, err = run(["--db", other, "subscribers", "import", "-", "--confirmed"], capsys)
    assert code == 0 and "import: 2 added (active)" in err


def test_subscribers_still_lists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], env: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "p.db")
    run(["--db", db, "subscribe", "ann@example.org", "--confirmed"], capsys)
    code, out, _ = run(["--db", db, "subscribers"], capsys)
    assert (code, out) == (0, "ann@example.org\tUTC\t07:00\tactive\t\n")


def test_the_console_script_imports(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text('{"email": "ann@example.org"}\n{"email": "ann@example.org"}\n')
    done = subprocess.run(
        [sys.executable, "-m", "podsift", "--db", str(tmp_path / "p.db"), "subscribers", "import",
         str(path), "--confirmed"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{path}:2: ann@example.org: a duplicate of line 1" in done.stderr
