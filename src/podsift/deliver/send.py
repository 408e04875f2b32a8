"""The delivery stage: send each stored, unsent digest exactly once.

The ledger makes it once: a delivery row is claimed before the SMTP conversation (a unique
row per digest), then marked sent or failed. A crash between the server's 250 and the
commit leaves the row ``claimed``: it is never sent again automatically.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from podsift.context import RunContext
from podsift.digest import digest_from_json, local_date, render_html, render_text
from podsift.exceptions import DeliveryError

from .smtp import SendError, compose_email

if TYPE_CHECKING:
    from . import Sender

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SendReport:
    """What the delivery stage did."""

    sent: int
    skipped: int
    failed: int


def send_due(ctx: RunContext, sender: Sender) -> SendReport:
    """Send today's stored digest to each active subscriber who has not received it."""
    sent = skipped = failed = 0
    email = ctx.settings.email
    for sub in ctx.store.subscribers(active_only=True):
        day = local_date(ctx.now, sub.tz)
        stored = ctx.store.digest_row(sub.email, day)
        if stored is None or not ctx.store.claim_delivery(stored[0], ctx.now):
            skipped += 1
            continue
        digest = digest_from_json(stored[1], recipient=sub.email)
        unsubscribe = unsubscribe_url(email.base_url, sub.email, email.secret_key)
        msg = compose_email(
            digest,
            sender=email.sender,
            recipient=sub.email,
            html=render_html(digest, unsubscribe_url=unsubscribe),
            text=render_text(digest, unsubscribe_url=unsubscribe),
            unsubscribe_url=unsubscribe,
            now=ctx.now,
        )
        try:
            sender.send(msg)
        except DeliveryError as e:
            failed += 1
            log.warning("send failed: %s", e)
            # a temporary failure (4xx, connection) may be claimed again by a later run
            permanent = isinstance(e, SendError) and e.permanent
            status = "failed" if permanent else "retry"
            ctx.store.finish_delivery(stored[0], status, ctx.now, error=str(e))
            continue
        ctx.store.finish_delivery(stored[0], "sent", ctx.now, message_id=str(msg["Message-ID"]))
        sent += 1
        ctx.progress(f"sent digest to {sub.email}")
    return SendReport(sent, skipped, failed)


def unsubscribe_url(base_url: str, address: str, secret_key: str) -> str:
    """The one-click unsubscribe link of ``address``, signed with the first secret key."""
    key = (secret_key.split(",")[0] or "podsift-unsigned").encode()
    token = hmac.new(key, address.lower().encode(), hashlib.sha256).hexdigest()[:32]
    return f"{base_url.rstrip('/')}/unsubscribe?{urlencode({'email': address, 'token': token})}"
