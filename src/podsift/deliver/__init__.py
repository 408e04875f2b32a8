"""Deliver a rendered digest: compose the email and hand it to a sender.

A sender is anything with a ``name`` and ``send(msg)``; built-ins are ``smtp`` (settings:
:class:`SmtpSettings`) and ``console`` (settings: the text stream to write to, or ``None`` for
stdout). Third-party senders register under the ``podsift.senders`` entry-point group.
:func:`send_due` is the stage: it sends each stored digest once, through a send ledger.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import ClassVar, Protocol, TextIO

from podsift.deliver.console import ConsoleSender
from podsift.deliver.schedule import compose_day, local_slot, retry_at, send_action
from podsift.deliver.smtp import (
    SendError,
    SmtpSender,
    SmtpSettings,
    compose_email,
    message_id_for,
    redact_url,
    subject_for,
)
from podsift.deliver.stage import Pacer, SendReport, message_for, send_due, unsubscribe_url
from podsift.deliver.tick import ComposeDueReport, compose_due
from podsift.deliver.tokens import TokenError, Tokens
from podsift.plugins import Registry


class Sender(Protocol):
    """Hands one composed message off; raises :class:`SendError` when it was not accepted."""

    name: ClassVar[str]

    def send(self, msg: EmailMessage) -> None:
        """Send ``msg`` to the recipients in its headers."""


senders: Registry[Sender] = Registry("sender", group="podsift.senders")


@senders.register("smtp")
def _smtp(settings: SmtpSettings) -> Sender:
    return SmtpSender(settings)


@senders.register("console")
def _console(settings: TextIO | None) -> Sender:
    return ConsoleSender(settings)


__all__ = [
    "ComposeDueReport",
    "ConsoleSender",
    "Pacer",
    "SendError",
    "SendReport",
    "Sender",
    "SmtpSender",
    "SmtpSettings",
    "TokenError",
    "Tokens",
    "compose_day",
    "compose_due",
    "compose_email",
    "local_slot",
    "message_for",
    "message_id_for",
    "redact_url",
    "retry_at",
    "send_action",
    "send_due",
    "senders",
    "subject_for",
    "unsubscribe_url",
]
