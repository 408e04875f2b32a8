"""A claim is stamped when it is made, and `reconcile --resend` never resends a live claim (#20).

A real aiosmtpd server on loopback that is slow on request; the run's clock is injected, so a
run "longer than claim_timeout_seconds" takes a fraction of a second of real time.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from podsift import deliver
from podsift.cli import main
from podsift.deliver import SendReport, SmtpSender, SmtpSettings, reconcile, this_process
from podsift.exceptions import DeliveryError
from podsift.pipeline import run_tick
from podsift.store import Claimer, Store, open_store
from tests.deliver.test_ledger import NOW, Server, context, free_port, populate

TIMEOUT = 600.0  # claim_timeout_seconds of both runs


@dataclass
class FakeMonotonic:
    """The first run's monotonic clock: it moves only when the slow server says so."""

    seconds: float = 1000.0

    def __call__(self) -> float:
        return self.seconds


@dataclass
class SlowServer(Server):
    """Message 1 takes ``slow`` seconds of the first run's clock (and a real 50 ms nap);
    message 2 is held in the SMTP conversation until ``release`` is set."""

    clock: FakeMonotonic = field(default_factory=FakeMonotonic)
    slow: float = TIMEOUT + 60
    calls: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.calls += 1
        if self.calls == 1:
            await asyncio.sleep(0.05)
            self.clock.seconds += self.slow
        elif self.calls == 2:
            self.holding.set()
            for _ in range(1000):  # at most 10 s, so a broken test cannot hang
                if self.release.is_set():
                    break
                await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow() -> Iterator[tuple[SlowServer, int]]:
    handler = SlowServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        handler.release.set()
        controller.stop()


def _sender(port: int) -> SmtpSender:
    return SmtpSender(SmtpSettings("127.0.0.1", port, timeout=20))


def test_a_long_run_overlapped_by_a_tick_keeps_its_in_flight_send(
    store: Store, slow: tuple[SlowServer, int]
) -> None:
    server, port = slow
    addresses = populate(store, 3)
    first = replace(
        context(store, claim_timeout_seconds=TIMEOUT), sender=_sender(port), monotonic=server.clock
    )
    done: list[SendReport] = []
    run = threading.Thread(target=lambda: done.append(deliver.run(first)))
    run.start()
    try:
        assert server.holding.wait(10), "the first run never reached its second message"
        # the second message was claimed 660 s into the run, and is still in flight
        in_flight = next(r for r in store.deliveries() if r.status == "claimed")
        assert in_flight.claimed_at == NOW + timedelta(seconds=TIMEOUT + 60)
        assert in_flight.claimer == this_process()
        # a second tick, 690 s after the first run began: past the timeout of the run's start
        later = context(store, NOW + timedelta(seconds=TIMEOUT + 90), claim_timeout_seconds=TIMEOUT)
        tick = run_tick(replace(later, sender=_sender(port)), poll=False).as_dict()["sent"]
        assert tick["unknown"] == 0
        assert store.ledger_row(in_flight.digest_id) == in_flight  # untouched: still claimed
        with pytest.raises(DeliveryError, match="no unknown send to settle"):
            reconcile(store, in_flight.digest_id, "resend", later.now)
    finally:
        server.release.set()
        run.join(20)
    assert sorted(str(m["To"]) for m in server.received) == addresses  # each exactly once
    assert {r.status for r in store.deliveries()} == {"sent"}
    assert done and done[0].sent + tick["sent"] == 3


def test_resend_is_refused_while_the_claimer_runs(store: Store) -> None:
    populate(store, 1)
    digest_id = store.pending_digests()[0].digest_id
    store.claim_delivery(digest_id, NOW, this_process())  # this very process: alive
    assert store.mark_unknown(claimed_before=NOW + timedelta(hours=1)) == ["reader00@example.com"]
    with pytest.raises(DeliveryError, match=r"process \d+ on .* is still running"):
        reconcile(store, digest_id, "resend", NOW)
    row = store.ledger_row(digest_id)
    assert row is not None and row.status == "unknown"
    reconcile(store, digest_id, "sent", NOW)  # settling it as delivered is always allowed
    row = store.ledger_row(digest_id)
    assert row is not None and row.status == "sent"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: its pid names no process now
    return child.pid


@pytest.mark.parametrize(
    ("claimer", "why"),
    [
        (lambda: Claimer(this_process().host, _dead_pid()), "the claimer died"),
        (lambda: Claimer("another-host.example", 1), "another host: cannot tell"),
        (lambda: None, "a claim from before 0009 names no claimer"),
    ],
)
def test_resend_is_allowed_when_the_claimer_is_gone_or_cannot_be_checked(
    any_store: Store, claimer: object, why: str
) -> None:
    populate(any_store, 1)
    digest_id = any_store.pending_digests()[0].digest_id
    any_store.claim_delivery(digest_id, NOW, claimer())  # type: ignore[operator]
    any_store.mark_unknown(claimed_before=NOW + timedelta(seconds=1))
    reconcile(any_store, digest_id, "resend", NOW)
    row = any_store.ledger_row(digest_id)
    assert row is not None and row.status == "retry", why


def test_reconcile_names_what_is_wrong(store: Store) -> None:
    populate(store, 1)
    digest_id = store.pending_digests()[0].digest_id
    with pytest.raises(DeliveryError, match="digest 999: no such digest"):
        reconcile(store, 999, "sent", NOW)
    with pytest.raises(DeliveryError, match=f"digest {digest_id}: not sent yet"):
        reconcile(store, digest_id, "resend", NOW)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    out, err = capsys.readouterr()
    return int(done.value.code or 0), out, err


def test_cli_reconcile_refuses_a_live_claim_and_an_unknown_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "podsift.db")
    store = open_store(db)
    populate(store, 1)
    digest_id = store.pending_digests()[0].digest_id
    store.claim_delivery(digest_id, NOW, this_process())
    store.mark_unknown(claimed_before=NOW + timedelta(hours=1))
    store.close()
    code, out, err = _cli(["--db", db, "digests", "reconcile", "--json"], capsys)
    assert code == 0
    assert '"claimed_by": "' + f"{this_process().host}:{this_process().pid}" in out
    code, _, err = _cli(["--db", db, "digests", "reconcile", "--resend", str(digest_id)], capsys)
    assert code == 1
    assert err.count("\n") == 1 and "is still running" in err
    code, _, err = _cli(["--db", db, "digests", "reconcile", "--sent", "4242"], capsys)
    assert (code, err) == (
        1,
        "podsift: error: digest 4242: no such digest (see `podsift digests reconcile`)\n",
    )
