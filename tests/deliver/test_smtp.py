"""Email composition and SMTP delivery against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from podsift.deliver import (
    ConsoleSender,
    Sender,
    SendError,
    SmtpSender,
    SmtpSettings,
    compose_email,
    senders,
)
from podsift.digest import render_html, render_text
from podsift.exceptions import ConfigError, DeliveryError, UnknownProviderError
from podsift.models import Digest, DigestItem

SENDER = "podsift <digest@news.example>"
RECIPIENT = "reader@example.com"
UNSUB = "https://podsift.example/unsubscribe/abc123"
NOW = datetime(2024, 4, 2, 6, 30, tzinfo=UTC)


def make_digest() -> Digest:
    items = tuple(
        DigestItem(
            rank=n,
            story_id=f"s{n}",
            headline=f"Story {n} — naïve café",
            insight=f"Story {n} — naïve café",
            quote=f'Quote <{n}> & "more"',
            speaker=None if n == 2 else "Zoë",
            show=f"Show {n}",
            episode=f"Ep {n}",
            link=f"https://show{n}.example/ep#t={n * 100}",
            start=float(n * 100),
        )
        for n in range(1, 6)
    )
    return Digest(date=date(2024, 4, 2), items=items, recipient=RECIPIENT)


def compose(recipient: str = RECIPIENT, **kw: Any) -> EmailMessage:
    d = make_digest()
    args: dict[str, Any] = {
        "sender": SENDER,
        "recipient": recipient,
        "html": render_html(d, unsubscribe_url=UNSUB),
        "text": render_text(d, unsubscribe_url=UNSUB),
        "unsubscribe_url": UNSUB,
        "now": NOW,
    }
    args.update(kw)
    return compose_email(d, **args)


# --- a real SMTP server --------------------------------------------------------------------


@dataclass
class Recorder:
    """aiosmtpd handler: records envelopes; answers RCPT for special addresses with errors."""

    envelopes: list[Envelope] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:  # fmt: skip
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(handler: Recorder, **server_kwargs: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **server_kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, SmtpSettings]]:
    handler = Recorder(
        rcpt_replies={
            "gone@example.com": "550 5.1.1 No such user here",
            "busy@example.com": "451 4.3.0 Try again later",
        }
    )
    controller = start_server(handler)
    try:
        yield handler, SmtpSettings(host="127.0.0.1", port=controller.port, timeout=5)
    finally:
        controller.stop()


def received(handler: Recorder) -> EmailMessage:
    (envelope,) = handler.envelopes
    content = envelope.original_content or envelope.content
    assert isinstance(content, bytes)
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


# --- compose --------------------------------------------------------------------------------


def test_compose_headers() -> None:
    msg = compose(unsubscribe_mailto="unsubscribe@news.example")
    assert msg["Subject"] == "podsift: your top 5 for 2024-04-02"
    assert msg["From"] == SENDER
    assert msg["To"] == RECIPIENT
    assert msg["Date"] == "Tue, 02 Apr 2024 06:30:00 +0000"
    assert msg["List-Id"] == "podsift digest <digest.podsift.local>"
    assert msg["List-Unsubscribe"] == f"<{UNSUB}>, <mailto:unsubscribe@news.example>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"


def test_message_id_is_stable_per_recipient_and_date() -> None:
    first = compose()["Message-ID"]
    assert first == compose(now=datetime(2024, 4, 2, 9, 0, tzinfo=UTC))["Message-ID"]
    assert first == compose(recipient="Reader <READER@example.com>")["Message-ID"]
    assert first.endswith(".2024-04-02@news.example>")
    assert first != compose(recipient="other@example.com")["Message-ID"]


def test_compose_without_https_unsubscribe_has_no_one_click() -> None:
    msg = compose(unsubscribe_url=None, unsubscribe_mailto="mailto:u@news.example")
    assert msg["List-Unsubscribe"] == "<mailto:u@news.example>"
    assert msg["List-Unsubscribe-Post"] is None
    bare = compose(unsubscribe_url=None)
    assert bare["List-Unsubscribe"] is None


# --- send through aiosmtpd -----------------------------------------------------------------


def test_send_delivers_multipart_alternative(smtp_server: tuple[Recorder, SmtpSettings]) -> None:
    handler, settings = smtp_server
    msg = compose()
    SmtpSender(settings).send(msg)

    (envelope,) = handler.envelopes
    assert envelope.rcpt_tos == [RECIPIENT]
    assert envelope.mail_from == "digest@news.example"
    got = received(handler)
    assert got.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in got.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text_part = got.get_body(preferencelist=("plain",))
    html_part = got.get_body(preferencelist=("html",))
    assert text_part is not None
    assert html_part is not None
    text = text_part.get_content()
    html = html_part.get_content()
    assert "naïve café" in text
    assert 'Quote <1> & "more"' in text
    assert 'Quote &lt;1&gt; &amp; "more"' in html
    assert "Unsubscribe" in html
    assert got["Subject"] == "podsift: your top 5 for 2024-04-02"
    assert got["List-Unsubscribe"] == f"<{UNSUB}>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert got["Message-ID"] == msg["Message-ID"] == compose()["Message-ID"]
    assert got["Date"] == "Tue, 02 Apr 2024 06:30:00 +0000"


def test_rejected_recipient_is_permanent(smtp_server: tuple[Recorder, SmtpSettings]) -> None:
    handler, settings = smtp_server
    with pytest.raises(DeliveryError) as info:
        SmtpSender(settings).send(compose(recipient="gone@example.com"))
    err = info.value
    assert isinstance(err, SendError)
    assert err.permanent is True
    assert err.code == 550
    message = str(err)
    assert "\n" not in message
    assert f"127.0.0.1:{settings.port}" in message
    assert "gone@example.com" in message
    assert "No such user" in message
    assert handler.envelopes == []


def test_greylisted_recipient_is_temporary(smtp_server: tuple[Recorder, SmtpSettings]) -> None:
    _, settings = smtp_server
    with pytest.raises(SendError) as info:
        SmtpSender(settings).send(compose(recipient="busy@example.com"))
    assert info.value.permanent is False
    assert info.value.code == 451


def test_connection_refused_is_temporary() -> None:
    port = free_port()  # bound and closed again: nothing listens there
    sender = SmtpSender(SmtpSettings(host="127.0.0.1", port=port, timeout=5))
    with pytest.raises(SendError) as info:
        sender.send(compose())
    assert info.value.permanent is False
    assert f"127.0.0.1:{port}" in str(info.value)
    assert RECIPIENT in str(info.value)


def test_login_uses_url_credentials() -> None:
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        # handled=False: aiosmtpd itself answers 235 / 535
        return AuthResult(success=auth_data.password == b"p@ss word", handled=False)

    handler = Recorder()
    # only AUTH PLAIN, so one failed attempt is one 535 (smtplib would retry with AUTH LOGIN)
    controller = start_server(
        handler,
        authenticator=authenticator,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    )
    try:
        url = f"smtp://me%40x:p%40ss%20word@127.0.0.1:{controller.port}"
        SmtpSender(SmtpSettings.from_url(url)).send(compose())
        bad = SmtpSettings.from_url(f"smtp://me:wrong@127.0.0.1:{controller.port}")
        with pytest.raises(SendError) as info:
            SmtpSender(bad).send(compose())
    finally:
        controller.stop()
    assert logins[0] == (b"me@x", b"p@ss word")
    assert len(handler.envelopes) == 1
    assert info.value.permanent is True
    assert info.value.code == 535
    assert "wrong" not in str(info.value)


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example", SmtpSettings("mail.example", 25)),
        (
            "smtp://user:pa%3Ass@mail.example:587",
            SmtpSettings("mail.example", 587, "user", "pa:ss", starttls=True),
        ),
        (
            "smtp://mail.example:587?starttls=0",
            SmtpSettings("mail.example", 587, starttls=False),
        ),
        (
            "smtp://mail.example:2525?starttls=1&timeout=3",
            SmtpSettings("mail.example", 2525, starttls=True, timeout=3.0),
        ),
        ("smtps://u:p@mail.example", SmtpSettings("mail.example", 465, "u", "p", use_ssl=True)),
    ],
)
def test_settings_from_url(url: str, expected: SmtpSettings) -> None:
    assert SmtpSettings.from_url(url) == expected


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("http://mail.example", "use smtp://"),
        ("smtp://", "no host"),
        ("smtp://mail.example:notaport", "bad SMTP URL"),
        ("smtp://mail.example?tls=1", "unknown option 'tls'"),
        ("smtp://mail.example?starttls=maybe", "starttls must be"),
        ("smtp://mail.example?timeout=-1", "timeout must be positive"),
        ("smtps://mail.example?starttls=1", "already TLS"),
    ],
)
def test_settings_from_bad_url(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        SmtpSettings.from_url(url)
    assert "\n" not in str(info.value)


def test_settings_never_show_the_password() -> None:
    with pytest.raises(ConfigError) as info:
        SmtpSettings.from_url("smtp://me:hunter2@mail.example:bad")
    assert "hunter2" not in str(info.value)
    assert "me:***@" in str(info.value)
    assert "hunter2" not in repr(SmtpSettings.from_url("smtp://me:hunter2@mail.example"))


# --- registry and console -------------------------------------------------------------------


def test_registry_builds_senders() -> None:
    assert {"console", "smtp"} <= set(senders.names())
    smtp = senders.create("smtp", SmtpSettings("127.0.0.1", 2525))
    assert isinstance(smtp, SmtpSender)
    assert smtp.name == "smtp"
    with pytest.raises(UnknownProviderError, match="unknown sender 'carrier-pigeon'"):
        senders.create("carrier-pigeon", None)


def test_console_sender_writes_the_message() -> None:
    out = io.StringIO()
    sender: Sender = senders.create("console", out)
    assert isinstance(sender, ConsoleSender)
    sender.send(compose())
    written = out.getvalue()
    assert "Subject: podsift: your top 5 for 2024-04-02\n" in written
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in written
    assert "multipart/alternative" in written
    assert "\r\n" not in written
    reparsed = email.message_from_string(written.rsplit("\n" + "-" * 78, 1)[0],
                                         policy=email.policy.default)  # fmt: skip
    assert isinstance(reparsed, EmailMessage)
    body = reparsed.get_body(preferencelist=("plain",))
    assert body is not None
    assert "naïve café" in body.get_content()
