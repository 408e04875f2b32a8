"""Deliver a rendered digest: compose the email and hand it to a sender.

A sender is anything with a ``name`` and ``send(msg)`` (``base.py``); built-ins are ``smtp``
(settings: :class:`SmtpSettings`) and ``console`` (settings: the text stream to write to, or
``None`` for stdout). Third-party senders register under the ``podsift.senders`` entry-point group.
:func:`run` is the stage: it sends each stored digest once, through a send ledger.
"""

from __future__ import annotations

from podsift.deliver.base import Sender, senders
from podsift.deliver.claims import is_alive, reconcile, this_process
from podsift.deliver.console import ConsoleSender
from podsift.deliver.schedule import retry_at, send_action
from podsift.deliver.smtp import (
    SendError,
    SmtpSender,
    SmtpSettings,
    compose_email,
    message_id_for,
    redact_url,
    subject_for,
)
from podsift.deliver.stage import Pacer, SendReport, message_for, run, unsubscribe_url
from podsift.deliver.tokens import TokenError, Tokens, Vote

__all__ = [
    "ConsoleSender",
    "Pacer",
    "SendError",
    "SendReport",
    "Sender",
    "SmtpSender",
    "SmtpSettings",
    "TokenError",
    "Tokens",
    "Vote",
    "compose_email",
    "is_alive",
    "message_for",
    "message_id_for",
    "reconcile",
    "redact_url",
    "retry_at",
    "run",
    "send_action",
    "senders",
    "subject_for",
    "this_process",
    "unsubscribe_url",
]
