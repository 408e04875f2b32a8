"""The sender Protocol and the registry of senders by name.

A sender is anything with a ``name`` and ``send(msg)``; built-ins are ``smtp`` (settings:
:class:`SmtpSettings`) and ``console`` (settings: the text stream to write to, or ``None`` for
stdout). Third-party senders register under the ``podsift.senders`` entry-point group.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import ClassVar, Protocol, TextIO

from podsift.deliver.console import ConsoleSender
from podsift.deliver.smtp import SmtpSender, SmtpSettings
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
