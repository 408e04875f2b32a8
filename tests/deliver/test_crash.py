"""Crashes: `podsift send` killed with SIGKILL mid-batch, and any crash/rerun interleaving."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podsift.context import RunContext
from podsift.digest import digest_to_json
from podsift.store import open_store
from tests.deliver.test_ledger import NOW, Server, context, digest, free_port, populate, send_with
from tests.deliver.test_ledger import settings as make_settings


class KillingServer(Server):
    """Kills the sending process right after it received message number ``kill_at``."""

    pid: int | None = None
    kill_at: int = 3

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.received) == self.kill_at and self.pid is not None:
            os.kill(self.pid, signal.SIGKILL)  # before the client ever sees the 250
            self.pid = None
        return reply


def run_send(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODSIFT_")}
    env.update(
        PODSIFT_SMTP_URL=f"smtp://127.0.0.1:{port}",
        PODSIFT_SECRET_KEY="k1",
        PODSIFT_DELIVERY__CUTOFF_HOUR="24",
        PODSIFT_DELIVERY__CLAIM_TIMEOUT_SECONDS="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "podsift", "--db", str(db), "send"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_send_killed_mid_batch_then_rerun_sends_each_once(tmp_path: Path) -> None:
    db = tmp_path / "podsift.db"
    store = open_store(str(db))
    today = datetime.now(UTC).date()
    addresses = [f"r{i}@example.com" for i in range(6)]
    for address in addresses:
        sub_id = store.add_subscriber(address, NOW, tz="UTC", send_hour=0)
        store.save_digest(address, today, digest_to_json(digest(today)), [], NOW, sub_id)
    handler = KillingServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        proc = run_send(db, controller.port)
        handler.pid = proc.pid
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL
        assert len(handler.received) == 3
        again = run_send(db, controller.port)
        _, err = again.communicate(timeout=60)
        assert again.returncode == 0, err.decode()
        assert b"podsift digests reconcile" in err
    finally:
        controller.stop()
    assert handler.recipients() == addresses  # exactly one message each
    assert len(set(handler.message_ids())) == 6
    ledger = {r.recipient: r.status for r in store.deliveries()}
    assert sorted(ledger.values()) == ["sent"] * 5 + ["unknown"]
    assert ledger[str(handler.received[2]["To"])] == "unknown"
    store.close()


class CrashingSender:
    """Records messages; crashes (like SIGKILL) before or after the server's 250."""

    name: ClassVar[str] = "crashing"

    def __init__(self, plan: list[tuple[int, bool]], log: list[EmailMessage]) -> None:
        self.plan = dict(plan)  # send number -> crash after delivery?
        self.log = log
        self.count = 0

    def send(self, msg: EmailMessage) -> None:
        self.count += 1
        after = self.plan.get(self.count)
        if after is False:
            raise Crash
        self.log.append(msg)
        if after:
            raise Crash


class Crash(BaseException):
    """The process died."""


runs = st.lists(
    st.lists(st.tuples(st.integers(1, 5), st.booleans()), max_size=2),
    min_size=1,
    max_size=4,
)
# the operator may settle unknown sends; "resend" is their explicit choice, so not drawn here
resolutions = st.lists(st.sampled_from(["sent", "failed", None]), max_size=4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=runs, decisions=resolutions)
def test_no_interleaving_of_crashes_and_reruns_sends_a_message_id_twice(
    plans: list[list[tuple[int, bool]]], decisions: list[str | None]
) -> None:
    store = open_store(":memory:")
    try:
        populate(store, 4)
        delivered: list[EmailMessage] = []
        now = NOW
        for plan, decision in zip(plans, decisions + [None] * len(plans), strict=False):
            with contextlib.suppress(Crash):
                send_with(
                    context(store, now, claim_timeout_seconds=60), CrashingSender(plan, delivered)
                )
            now += timedelta(minutes=5)
            _reconcile(store, decision, now)
        send_with(context(store, now + timedelta(minutes=5)), CrashingSender([], delivered))
        ids = [str(m["Message-ID"]) for m in delivered]
        assert len(ids) == len(set(ids))
        ledger = {r.recipient: r.status for r in store.deliveries()}
        assert set(ledger.values()) <= {"sent", "unknown", "failed"}
        assert len(ledger) == 4  # nothing lost
    finally:
        store.close()


def _reconcile(store: Any, decision: str | None, now: datetime) -> None:
    store.mark_unknown(claimed_before=now - timedelta(seconds=60))
    for row in store.deliveries(status="unknown"):
        if decision is not None:
            store.reconcile(row.digest_id, decision, now)


def test_context_helper_builds_fresh_clients() -> None:
    ctx: RunContext = context(open_store(":memory:"))
    assert isinstance(ctx.client, httpx.Client)
    assert make_settings().email.secret_key
