"""The SSRF guard: which addresses podsift may connect to, checked at connect time.

Every connection the HTTP client opens (the first request and each redirect hop) resolves
the host, checks every resolved address against a :class:`NetworkPolicy` and connects to an
address that passed, never re-resolving the name, so DNS rebinding cannot slip a private
address in between the check and the connect. Loopback, private, link-local (which holds the
cloud metadata address 169.254.169.254), CGNAT, multicast and reserved addresses are
refused unless a network listed in ``[feeds] allow_networks`` contains them.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


class AddressRefused(httpcore.ConnectError):
    """A connection refused by the SSRF guard (httpx reports it as a ``ConnectError``)."""


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """Networks that may be reached although they are not public (tests, demo, intranets)."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_text(cls, text: str) -> NetworkPolicy:
        """Build a policy from comma-separated CIDRs, e.g. ``"127.0.0.0/8, ::1/128"``.

        >>> NetworkPolicy.from_text("127.0.0.0/8").refusal("127.0.0.1") is None
        True

        Raises:
            ValueError: an entry is not a network.
        """
        nets = (ipaddress.ip_network(p.strip(), strict=False) for p in text.split(","))
        return cls(tuple(n for n in nets if n is not None) if text.strip() else ())

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be contacted, or ``None`` when it may.

        >>> NetworkPolicy().refusal("10.1.2.3"), NetworkPolicy().refusal("93.184.215.14")
        ('a private address', None)
        """
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in net for net in self.allowed):
            return None
        return _kind(ip)


def _kind(ip: IPAddress) -> str | None:
    checks: tuple[tuple[bool, str], ...] = (
        (ip in _METADATA, "a cloud metadata address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "a carrier-grade nat address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved or not ip.is_global, "a reserved address"),
    )
    return next((why for hit, why in checks if hit), None)


def resolve_allowed(host: str, port: int, policy: NetworkPolicy) -> str:
    """Resolve ``host`` and return an address the policy allows.

    Raises:
        AddressRefused: the host does not resolve, or every address is refused.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"{host}: cannot resolve ({exc})") from exc
    reasons: list[str] = []
    for address in _addresses(infos):
        why = policy.refusal(address)
        if why is None:
            return address
        reasons.append(f"{address} is {why}")
    detail = "; ".join(reasons) or "no address"
    raise AddressRefused(f"{host}: refused ({detail}; allow it with [feeds] allow_networks)")


def _addresses(infos: Iterable[tuple[Any, ...]]) -> list[str]:
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str) -> str | None:
    """Why ``url`` cannot be fetched at all (scheme, host), or ``None``.

    >>> check_url("file:///etc/passwd")
    "not an http(s) url (scheme 'file')"
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "not a valid url"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) url (scheme '{parts.scheme}')"
    if not parts.hostname:
        return "no host in the url"
    return None


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, connecting only to addresses the policy allows.

    Plugged into httpcore's ``ConnectionPool(network_backend=...)`` by
    :class:`~podsift.net.transport.GuardedTransport`.
    """

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to a checked address of ``host`` (TLS still verifies ``host``)."""
        address = resolve_allowed(host, port, self.policy)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


def refused_by_guard(exc: BaseException) -> str | None:
    """The guard's message when ``exc`` (or what caused it) is an :class:`AddressRefused`."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AddressRefused):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return None
