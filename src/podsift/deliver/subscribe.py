"""Subscribing, confirming (double opt-in), preferences and unsubscribing: checks and emails.

Each function validates its input and raises a :class:`SubscribeError` with a one-line
message naming the input, so the CLI and the web pages say the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from podsift.config import Settings
from podsift.deliver.smtp import DEFAULT_LIST_ID
from podsift.deliver.tokens import Tokens
from podsift.exceptions import PodsiftError
from podsift.store import Store

# one @, no spaces, a dot in the domain: strict enough to catch typos, loose enough for real ones
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}$")


class SubscribeError(PodsiftError, ValueError):
    """Bad subscriber input: address, time zone, hour or shows."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a subscriber can change; None leaves a value as it is."""

    tz: str | None = None
    send_hour: int | None = None
    topics: str | None = None
    shows: tuple[str, ...] | None = None


def check_email(address: str) -> str:
    """Return the address trimmed, or raise SubscribeError.

    >>> check_email(" ann@example.org ")
    'ann@example.org'
    """
    address = address.strip()
    if not _EMAIL.match(address) or len(address) > 320:
        raise SubscribeError(f"{address or '(empty)'}: not an email address")
    return address


def check_tz(tz: str) -> str:
    """Return ``tz`` when it is a known IANA time zone, else raise SubscribeError."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise SubscribeError(f"{tz}: unknown time zone (e.g. Europe/Berlin)") from None
    return tz


def check_hour(hour: int) -> int:
    """Return ``hour`` when it is 0–23, else raise SubscribeError."""
    if not 0 <= hour <= 23:
        raise SubscribeError(f"{hour}: the send hour must be 0 to 23")
    return hour


def resolve_shows(store: Store, names: Sequence[str]) -> list[int]:
    """Turn show titles or feed URLs into ids; raise SubscribeError naming an unknown one."""
    found = store.show_ids_named(names)
    missing = [name for name, show_id in found.items() if show_id is None]
    if missing:
        raise SubscribeError(f"{missing[0]}: no such show (add it with `podsift add URL`)")
    return [show_id for show_id in found.values() if show_id is not None]


def subscribe(
    store: Store,
    address: str,
    now: datetime,
    prefs: Preferences,
    *,
    confirmed: bool,
) -> int:
    """Add a subscriber, ``pending`` until confirmed unless ``confirmed``; return the id."""
    address = check_email(address)
    tz = check_tz(prefs.tz or "UTC")
    hour = check_hour(7 if prefs.send_hour is None else prefs.send_hour)
    show_ids = resolve_shows(store, prefs.shows) if prefs.shows else None
    sub_id = store.add_subscriber(
        address, now, tz=tz, send_hour=hour, status="active" if confirmed else "pending",
        topics=prefs.topics,
    )  # fmt: skip
    if show_ids is not None:
        store.set_preferences(sub_id, show_ids=show_ids)
    return sub_id


def change_preferences(store: Store, address: str, prefs: Preferences) -> None:
    """Change an existing subscriber's preferences; raise SubscribeError when unknown."""
    sub = store.subscriber(address)
    if sub is None:
        raise SubscribeError(f"{address}: not a subscriber")
    store.set_preferences(
        sub.id,
        tz=check_tz(prefs.tz) if prefs.tz is not None else None,
        send_hour=check_hour(prefs.send_hour) if prefs.send_hour is not None else None,
        topics=prefs.topics,
        show_ids=resolve_shows(store, prefs.shows) if prefs.shows is not None else None,
    )


def confirmation_email(
    settings: Settings, tokens: Tokens, address: str, now: datetime
) -> EmailMessage:
    """The double opt-in email: one link to a page with a confirm button."""
    link = tokens.url(settings.email.base_url, "confirm", address)
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = "podsift: confirm your daily digest"
    msg["From"] = settings.email.sender
    msg["To"] = address
    msg["Date"] = format_datetime(now)
    domain = settings.email.sender.rpartition("@")[2].strip(" >") or "podsift"
    msg["Message-ID"] = make_msgid("confirm", domain=domain)
    msg["List-Id"] = DEFAULT_LIST_ID
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        "Someone (hopefully you) asked podsift for a daily digest of podcast stories\n"
        f"at {address}.\n\nTo start it, open this link and press Confirm:\n{link}\n\n"
        "If it wasn't you, ignore this email: nothing will be sent.\n"
    )
    return msg
