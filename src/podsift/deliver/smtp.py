"""Compose a digest email and hand it to an SMTP server (stdlib ``email`` + ``smtplib``).

:func:`compose_email` is pure given ``now``: the same digest, recipient and date always give the
same Message-ID, so a retried send is recognisably the same message.
:class:`SmtpSender` does the I/O and turns every failure into a :class:`SendError` that says
whether retrying can help (``permanent``).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from podsift.exceptions import ConfigError, DeliveryError
from podsift.models import Digest

DEFAULT_LIST_ID = "podsift digest <digest.podsift.local>"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class SendError(DeliveryError):
    """A message was not accepted; ``permanent`` says whether a retry can never succeed.

    Permanent: the server answered 5xx (unknown mailbox, policy, bad credentials). Temporary:
    a 4xx answer, a dropped connection, a refused connection or a timeout.
    """

    def __init__(
        self, message: str, *, permanent: bool, code: int | None = None, recipient: str = ""
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.recipient = recipient


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to hand messages off: ``smtp://`` (optionally STARTTLS) or ``smtps://``."""

    host: str = "localhost"
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    use_ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, *, timeout: float = 30.0) -> SmtpSettings:
        """Parse ``smtp://user:pass@host:port`` or ``smtps://…`` (``PODSIFT_SMTP_URL``).

        ``smtp://`` defaults to port 25, ``smtps://`` (implicit TLS) to 465. STARTTLS is on for
        port 587 unless ``?starttls=0``; ``?starttls=1`` forces it; ``?timeout=SECONDS`` sets the
        timeout. User and password are percent-decoded.

        Raises:
            ConfigError: the URL is not a usable SMTP URL (the password is never echoed).
        """
        try:
            return cls._parse(url, timeout)
        except ValueError as e:
            raise ConfigError(f"bad SMTP URL '{redact_url(url)}': {e}") from None

    @classmethod
    def _parse(cls, url: str, timeout: float) -> SmtpSettings:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError("use smtp://user:pass@host:port or smtps://…")
        if not parts.hostname:
            raise ValueError("no host")
        port = parts.port or (465 if scheme == "smtps" else 25)  # .port raises ValueError
        query = _single_values(parse_qs(parts.query, keep_blank_values=True))
        unknown = set(query) - {"starttls", "timeout"}
        if unknown:
            raise ValueError(f"unknown option '{sorted(unknown)[0]}' (known: starttls, timeout)")
        starttls = _flag(query["starttls"]) if "starttls" in query else port == 587
        if scheme == "smtps" and starttls:
            raise ValueError("smtps:// is already TLS; drop starttls")
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            use_ssl=scheme == "smtps",
            starttls=starttls,
            timeout=_positive(query["timeout"]) if "timeout" in query else timeout,
        )

    @property
    def address(self) -> str:
        """``host:port``, for messages."""
        return f"{self.host}:{self.port}"


def redact_url(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``.

    >>> redact_url("smtp://me:s3cret@mail.example:587")
    'smtp://me:***@mail.example:587'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{netloc[1]}").geturl()


def _single_values(query: Mapping[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] for key, values in query.items()}


def _flag(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE or lowered == "":
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"starttls must be 1 or 0, not '{value}'")


def _positive(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"timeout must be a number of seconds, not '{value}'") from None
    if seconds <= 0:
        raise ValueError(f"timeout must be positive, not '{value}'")
    return seconds


def subject_for(d: Digest) -> str:
    """Return the subject line, e.g. ``podsift: your top 5 for 2024-04-02``."""
    return f"podsift: your top {len(d.items)} for {d.date.isoformat()}"


def message_id_for(recipient: str, d: Digest, sender: str) -> str:
    """Return the deterministic Message-ID of ``d`` for ``recipient``, on the sender's domain.

    >>> from datetime import date
    >>> mid = message_id_for("A@Example.com", Digest(date(2024, 4, 2), ()), "p@news.example")
    >>> mid.endswith(".2024-04-02@news.example>"), len(mid.split(".")[0])
    (True, 25)
    """
    day = d.date.isoformat()
    address = parseaddr(recipient)[1].strip().lower() or recipient.strip().lower()
    digest = hashlib.sha256(f"{address}|{day}".encode()).hexdigest()[:24]
    domain = parseaddr(sender)[1].rpartition("@")[2].strip().lower() or "podsift"
    return f"<{digest}.{day}@{domain}>"


def compose_email(
    d: Digest,
    *,
    sender: str,
    recipient: str,
    html: str,
    text: str,
    unsubscribe_url: str | None,
    unsubscribe_mailto: str | None = None,
    list_id: str = DEFAULT_LIST_ID,
    now: datetime | None = None,
) -> EmailMessage:
    """Build the multipart/alternative (text, then HTML) email of ``d`` for ``recipient``.

    Adds the headers mailbox providers want from a subscription list: ``List-Id``,
    ``List-Unsubscribe`` (the https URL and/or ``mailto:``) and, when there is an http(s) URL,
    ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058). The Message-ID depends
    only on (recipient, date) and the sender's domain; ``now`` (default: the current UTC time)
    sets the ``Date`` header.
    """
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject_for(d)
    msg["From"] = sender
    msg["To"] = recipient
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = message_id_for(recipient, d, sender)
    msg["List-Id"] = list_id
    _add_unsubscribe(msg, unsubscribe_url, unsubscribe_mailto)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def _add_unsubscribe(msg: EmailMessage, url: str | None, mailto: str | None) -> None:
    targets: list[str] = []
    if url:
        targets.append(f"<{url}>")
    if mailto:
        targets.append(
            f"<{mailto if mailto.lower().startswith('mailto:') else 'mailto:' + mailto}>"
        )
    if targets:
        msg["List-Unsubscribe"] = ", ".join(targets)
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


class SmtpSender:
    """Send each message in its own SMTP session (one recipient per transaction)."""

    name: ClassVar[str] = "smtp"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = settings
        self.ssl_context = ssl_context
        self.local_hostname = local_hostname

    def send(self, msg: EmailMessage) -> None:
        """Hand ``msg`` to the server; return once it answered 250 to the data.

        Raises:
            SendError: the server refused the message or could not be reached; the message
                names ``host:port`` and the recipient, and ``permanent`` says if a retry helps.
        """
        recipient = str(msg.get("To", ""))
        try:
            with self._connect() as smtp:
                self._prepare(smtp)
                refused = smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            raise self._refused(e.recipients, recipient) from e
        except smtplib.SMTPResponseException as e:
            raise self._error(recipient, e.smtp_code, _reply_text(e.smtp_error)) from e
        except smtplib.SMTPNotSupportedError as e:
            raise self._error(recipient, None, str(e), permanent=True) from e
        except (smtplib.SMTPException, OSError) as e:
            raise self._error(recipient, None, str(e) or type(e).__name__) from e
        if refused:
            raise self._refused(refused, recipient)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.use_ssl:
            return smtplib.SMTP_SSL(
                s.host,
                s.port,
                local_hostname=self.local_hostname,
                timeout=s.timeout,
                context=self.ssl_context or ssl.create_default_context(),
            )
        return smtplib.SMTP(s.host, s.port, local_hostname=self.local_hostname, timeout=s.timeout)

    def _prepare(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        smtp.ehlo_or_helo_if_needed()
        if s.starttls:
            smtp.starttls(context=self.ssl_context or ssl.create_default_context())
            smtp.ehlo()
        if s.username:
            smtp.login(s.username, s.password or "")

    def _refused(self, refused: Mapping[str, tuple[int, bytes]], recipient: str) -> SendError:
        code, reply = next(iter(refused.values()), (0, b""))
        permanent = all(c >= 500 for c, _ in refused.values())
        return self._error(recipient, code, _reply_text(reply), permanent=permanent)

    def _error(
        self, recipient: str, code: int | None, reason: str, *, permanent: bool | None = None
    ) -> SendError:
        if permanent is None:
            permanent = code is not None and 500 <= code < 600
        kind = "refused" if permanent else "temporarily failed"
        shown = f"{code} {reason}" if code else reason
        return SendError(
            f"smtp {self.settings.address} {kind} mail to {recipient or '?'}: {shown}",
            permanent=permanent,
            code=code,
            recipient=recipient,
        )


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())
