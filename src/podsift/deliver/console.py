"""A sender that writes each message to a text stream instead of sending it (dry runs)."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from typing import ClassVar, TextIO

SEPARATOR = "-" * 78


class ConsoleSender:
    """Write each message, headers and MIME parts, as it would go on the wire (``\\n`` lines)."""

    name: ClassVar[str] = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, msg: EmailMessage) -> None:
        """Write ``msg`` followed by a separator line to the stream (default: stdout)."""
        out = self.stream if self.stream is not None else sys.stdout
        out.write(msg.as_string(policy=msg.policy.clone(linesep="\n")))
        out.write(f"\n{SEPARATOR}\n")
        out.flush()
