"""Who holds a send's claim, whether that process still lives, and settling sends in doubt.

A claim records the claiming process (host name and pid). A send in doubt (``unknown``) whose
claimer still runs on this host is not in doubt at all: it is in the middle of its SMTP
conversation, and resending it would send it twice. On another host liveness cannot be
checked; the operator is told whose claim it is.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime

from podsift.exceptions import DeliveryError
from podsift.store import Claimer, Store

DECISIONS = ("sent", "resend", "failed")


def this_process() -> Claimer:
    """The claimer identity of the running process."""
    return Claimer(socket.gethostname(), os.getpid())


def is_alive(claimer: Claimer, here: Claimer) -> bool | None:
    """Whether ``claimer`` still runs: None when it is on another host than ``here``.

    >>> me = this_process()
    >>> is_alive(me, me)
    True
    >>> is_alive(Claimer("elsewhere.example", 1), me) is None
    True
    """
    if claimer.host != here.host:
        return None
    if claimer.pid == here.pid:
        return True
    try:
        os.kill(claimer.pid, 0)  # signal 0: checks only that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def reconcile(
    store: Store, digest_id: int, decision: str, now: datetime, here: Claimer | None = None
) -> None:
    """Settle the send in doubt of ``digest_id``: ``sent``, ``resend`` or ``failed``.

    Raises:
        DeliveryError: no such digest, its send is not in doubt, or (``resend``) the process
            that claimed it is still running on this host.
    """
    if decision not in DECISIONS:
        raise DeliveryError(f"{decision}: unknown decision (choose {', '.join(DECISIONS)})")
    row = store.ledger_row(digest_id)
    if row is None:
        if not store.digest_exists(digest_id):
            raise DeliveryError(
                f"digest {digest_id}: no such digest (see `podsift digests reconcile`)"
            )
        raise DeliveryError(f"digest {digest_id}: not sent yet, nothing to settle")
    if row.status != "unknown":
        raise DeliveryError(f"digest {digest_id}: no unknown send to settle (it is {row.status})")
    if decision == "resend" and row.claimer is not None:
        alive = is_alive(row.claimer, here or this_process())
        if alive:
            raise DeliveryError(
                f"digest {digest_id}: process {row.claimer.pid} on {row.claimer.host}, which "
                "claimed this send, is still running: wait for it to finish, then look again"
            )
    if not store.reconcile(digest_id, decision, now):
        raise DeliveryError(f"digest {digest_id}: no unknown send to settle (it changed meanwhile)")
