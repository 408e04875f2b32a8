"""Exactly once: the send ledger against a real aiosmtpd server on loopback.

Servers that answer 421 after N messages, 550 for some recipients, drop the connection or
are down; a crash between the 250 and the commit; rate limits and automatic pauses.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

from podsift import deliver
from podsift.config import DeliverySettings, EmailSettings, Settings
from podsift.context import RunContext
from podsift.deliver import Pacer, Sender, SendError, SendReport, SmtpSender, SmtpSettings
from podsift.digest import digest_to_json
from podsift.models import Digest, DigestItem
from podsift.store import Store

# 07:30 in Berlin (CEST) on 2024-04-03
NOW = datetime(2024, 4, 3, 5, 30, tzinfo=UTC)
DAY = date(2024, 4, 3)
SECRET = "test-key-new,test-key-old"


def digest(day: date = DAY, items: int = 5) -> Digest:
    return Digest(
        date=day,
        items=tuple(
            DigestItem(
                rank=n,
                story_id=f"s{n}",
                headline=f"Story {n}",
                insight=f"Story {n} in full.",
                quote=f"Quote {n}",
                speaker="Ann",
                show=f"Show {n}",
                episode=f"Ep {n}",
                link=f"https://show{n}.example/ep.mp3#t={n * 60}",
                start=float(n * 60),
            )
            for n in range(1, items + 1)
        ),
    )


def settings(**delivery: Any) -> Settings:
    return Settings(
        email=EmailSettings(
            sender="podsift <digest@news.example>",
            base_url="https://podsift.example",
            secret_key=SECRET,
        ),
        delivery=DeliverySettings(**{"retry_base_seconds": 60.0, **delivery}),
    )


def populate(
    store: Store, n: int, *, tz: str = "Europe/Berlin", day: date = DAY, items: int = 5
) -> list[str]:
    """n active subscribers (send hour 7) with a stored digest for ``day``."""
    addresses = [f"reader{i:02d}@example.com" for i in range(n)]
    for address in addresses:
        sub_id = store.add_subscriber(address, NOW, tz=tz, send_hour=7)
        store.save_digest(address, day, digest_to_json(digest(day, items)), [], NOW, sub_id)
    return addresses


def context(store: Store, now: datetime = NOW, **delivery: Any) -> RunContext:
    return RunContext(settings(**delivery), store, httpx.Client(), now)


def send_with(ctx: RunContext, sender: Sender) -> SendReport:
    """The delivery stage, sending through ``sender``."""
    return deliver.run(replace(ctx, sender=sender))


# --- a real SMTP server that misbehaves on request -------------------------------------------


@dataclass
class Server:
    """aiosmtpd handler: 421 after ``accept`` messages, canned RCPT replies, dropped links."""

    accept: int | None = None
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    drop: set[str] = field(default_factory=set)
    received: list[EmailMessage] = field(default_factory=list)

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str,
        mail_options: list[str],
    ) -> str:  # fmt: skip
        if self.accept is not None and len(self.received) >= self.accept:
            return "421 4.7.0 Too many messages, try again later"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address in self.drop:
            assert server.transport is not None
            server.transport.abort()
            return "250 OK"
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        msg = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.received.append(msg)
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return sorted(str(m["To"]) for m in self.received)

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Server, SmtpSender]]:
    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, SmtpSender(SmtpSettings("127.0.0.1", controller.port, timeout=5))
    finally:
        controller.stop()


def statuses(store: Store) -> dict[str, str]:
    return {row.recipient: row.status for row in store.deliveries()}


# --- tests -----------------------------------------------------------------------------------


def test_each_subscriber_gets_one_message_and_reruns_send_nothing(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    addresses = populate(store, 3)
    first = send_with(context(store), sender)
    again = send_with(context(store, NOW + timedelta(minutes=5)), sender)
    assert (first.sent, again.sent) == (3, 0)
    assert server.recipients() == addresses
    assert len(set(server.message_ids())) == 3
    assert set(statuses(store).values()) == {"sent"}
    msg = server.received[0]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://podsift.example/unsubscribe?t=" in str(msg["List-Unsubscribe"])


def test_421_after_n_messages_retries_with_backoff_then_sends_the_rest(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    server.accept = 2
    addresses = populate(store, 4)
    first = send_with(context(store, pause_after_failures=0), sender)
    assert (first.sent, first.retry) == (2, 2)
    retry = [r for r in store.deliveries() if r.status == "retry"]
    assert {r.smtp_code for r in retry} == {421}
    assert {r.next_attempt_at for r in retry} == {NOW + timedelta(seconds=60)}
    server.accept = None
    early = send_with(context(store, NOW + timedelta(seconds=30)), sender)
    assert early.sent == 0  # backoff not over yet
    later = send_with(context(store, NOW + timedelta(seconds=61)), sender)
    assert later.sent == 2
    assert server.recipients() == addresses
    assert set(statuses(store).values()) == {"sent"}


def test_550_fails_the_address_counts_a_bounce_and_suspends_at_the_threshold(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    addresses = populate(store, 2)
    gone = addresses[0]
    server.rcpt_replies[gone] = "550 5.1.1 No such user"
    report = send_with(context(store, bounce_threshold=1), sender)
    assert (report.sent, report.failed, report.suspended) == (1, 1, 1)
    assert statuses(store)[gone] == "failed"
    sub = store.subscriber(gone)
    assert sub is not None and (sub.status, sub.bounces) == ("suspended", 1)
    assert server.recipients() == [addresses[1]]
    assert send_with(context(store, NOW + timedelta(hours=1)), sender).sent == 0


def test_dropped_connection_is_temporary(store: Store, smtp: tuple[Server, SmtpSender]) -> None:
    server, sender = smtp
    (address,) = populate(store, 1)
    server.drop.add(address)
    report = send_with(context(store), sender)
    assert report.retry == 1
    assert statuses(store)[address] == "retry"
    server.drop.clear()
    assert send_with(context(store, NOW + timedelta(minutes=2)), sender).sent == 1
    assert server.recipients() == [address]


def test_server_down_pauses_sending_after_repeated_failures(store: Store) -> None:
    down = SmtpSender(SmtpSettings("127.0.0.1", free_port(), timeout=2))
    populate(store, 5)
    report = send_with(context(store, pause_after_failures=3, pause_minutes=30), down)
    assert (report.retry, report.paused) == (3, 1)
    pause = store.pause_state()
    assert pause.paused_until == NOW + timedelta(minutes=30)
    assert "127.0.0.1" in (pause.reason or "")
    paused = send_with(context(store, NOW + timedelta(minutes=5)), down)
    assert paused.paused == 1 and paused.retry == 0
    # nothing lost: two never tried, three waiting to retry
    assert sorted(statuses(store).values()) == ["retry"] * 3
    assert len(store.pending_digests()) == 5


def test_crash_after_250_leaves_unknown_that_is_never_resent(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    (address,) = populate(store, 1)
    store.claim_delivery(store.pending_digests()[0].digest_id, NOW)  # claimed, then crashed
    report = send_with(context(store, NOW + timedelta(minutes=20)), sender)
    assert (report.unknown, report.sent) == (1, 0)
    assert statuses(store)[address] == "unknown"
    assert send_with(context(store, NOW + timedelta(minutes=40)), sender).sent == 0
    assert server.received == []
    digest_id = store.deliveries()[0].digest_id
    assert store.reconcile(digest_id, "resend", NOW + timedelta(minutes=41))
    assert send_with(context(store, NOW + timedelta(minutes=42)), sender).sent == 1
    assert store.reconcile(digest_id, "resend", NOW) is False  # only unknown rows


def test_a_claim_in_flight_is_not_marked_unknown_early(store: Store) -> None:
    populate(store, 1)
    store.claim_delivery(store.pending_digests()[0].digest_id, NOW)
    assert store.mark_unknown(claimed_before=NOW - timedelta(minutes=10)) == []


def test_late_digest_expires_instead_of_going_out_at_night(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    (address,) = populate(store, 1)
    night = datetime(2024, 4, 3, 20, 30, tzinfo=UTC)  # 22:30 in Berlin
    report = send_with(context(store, night, cutoff_hour=22), sender)
    assert (report.expired, report.sent) == (1, 0)
    assert statuses(store)[address] == "expired"
    assert server.received == []


def test_digest_of_a_past_day_expires(store: Store, smtp: tuple[Server, SmtpSender]) -> None:
    _, sender = smtp
    populate(store, 1, day=DAY - timedelta(days=1))
    assert send_with(context(store), sender).expired == 1


def test_before_the_send_hour_nothing_goes(store: Store, smtp: tuple[Server, SmtpSender]) -> None:
    _server, sender = smtp
    populate(store, 1)
    report = send_with(context(store, datetime(2024, 4, 3, 4, 59, tzinfo=UTC)), sender)
    assert (report.sent, report.skipped) == (0, 1)
    assert store.deliveries() == []


def test_empty_digest_is_recorded_not_sent(store: Store, smtp: tuple[Server, SmtpSender]) -> None:
    server, sender = smtp
    (_address,) = populate(store, 1, items=0)
    assert send_with(context(store), sender).empty == 1
    row = store.deliveries()[0]
    assert (row.status, row.error) == ("empty", "no stories for this reader")
    assert server.received == []


def test_unsubscribed_before_the_send_is_cancelled(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    (address,) = populate(store, 1)
    sub = store.subscriber(address)
    assert sub is not None
    store.set_subscriber_status(sub.id, "unsubscribed", NOW)
    send_with(context(store), sender)
    assert statuses(store)[address] == "cancelled"
    assert server.received == []


def test_hourly_limit_holds_across_runs(store: Store, smtp: tuple[Server, SmtpSender]) -> None:
    server, sender = smtp
    populate(store, 5)
    first = send_with(context(store, per_hour=2), sender)
    second = send_with(context(store, NOW + timedelta(minutes=10), per_hour=2), sender)
    assert (first.sent, first.rate_limited, second.sent) == (2, 1, 0)
    third = send_with(context(store, NOW + timedelta(minutes=61), per_hour=2), sender)
    assert third.sent == 2
    assert len(server.received) == 4


def test_pacer_spaces_messages_without_sleeping_for_real() -> None:
    clock = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    pacer = Pacer(4.0, clock=lambda: clock[0], sleep=sleep)
    for _ in range(3):
        pacer.wait()
    assert slept == [0.25, 0.25]


def test_temporary_failures_give_up_after_max_attempts(
    store: Store, smtp: tuple[Server, SmtpSender]
) -> None:
    server, sender = smtp
    server.accept = 0
    (_address,) = populate(store, 1)
    now = NOW
    for _ in range(3):
        send_with(context(store, now, max_attempts=3, pause_after_failures=0), sender)
        now += timedelta(hours=3)
    row = store.deliveries()[0]
    assert (row.status, row.attempts) == ("failed", 3)


def test_send_error_of_a_refused_message_is_permanent() -> None:
    error = SendError("x", permanent=True, code=550)
    assert error.permanent and error.code == 550


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])
def test_every_time_zone_sends_on_its_own_local_date(
    store: Store, smtp: tuple[Server, SmtpSender], tz: str
) -> None:
    _server, sender = smtp
    from zoneinfo import ZoneInfo

    local_seven = datetime(2024, 4, 3, 7, 15, tzinfo=ZoneInfo(tz)).astimezone(UTC)
    populate(store, 1, tz=tz)
    assert send_with(context(store, local_seven - timedelta(minutes=30)), sender).sent == 0
    assert send_with(context(store, local_seven), sender).sent == 1


def test_settings_dataclass_defaults_are_sane() -> None:
    conf = replace(DeliverySettings(), per_hour=10)
    assert conf.per_hour == 10 and conf.cutoff_hour == 22
