"""aiohttp behind the SSRF guard: the resolver and the socket factory the bulk fetcher uses.

Every address is checked with :meth:`NetworkPolicy.refusal` twice: by the resolver (refused
addresses are never returned) and at connect time by the socket factory, which sees the
exact address the socket is about to connect to (this also covers URLs whose host is an IP
literal, which aiohttp never resolves). Proxies from the environment are ignored.
"""

from __future__ import annotations

import socket

import aiohttp
from aiohappyeyeballs import AddrInfoType, SocketFactoryType
from aiohttp.abc import AbstractResolver, ResolveResult

from podsift.net.fetch import USER_AGENT
from podsift.net.guard import NetworkPolicy

_ALLOW_HINT = "allow it with [feeds] allow_networks"


class GuardRefused(OSError):
    """An address refused by the SSRF guard (an ``OSError`` so aiohttp passes it through)."""


def guard_refusal(exc: BaseException) -> str | None:
    """The guard's refusal somewhere in ``exc``'s chain, if that is what failed."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, GuardRefused):
            return str(seen)
        os_error = getattr(seen, "os_error", None)
        if isinstance(os_error, GuardRefused):
            return str(os_error)
        seen = seen.__cause__ or seen.__context__
    return None


class GuardedResolver(AbstractResolver):
    """aiohttp's threaded resolver, returning only the addresses the policy allows."""

    def __init__(self, policy: NetworkPolicy) -> None:
        self.policy = policy
        self.inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host``; raise :class:`GuardRefused` when every address is refused."""
        found = await self.inner.resolve(host, port, family)
        allowed: list[ResolveResult] = []
        reasons: list[str] = []
        for info in found:
            why = self.policy.refusal(info["host"])
            if why is None:
                allowed.append(info)
            else:
                reasons.append(f"{info['host']} is {why}")
        if not allowed:
            detail = "; ".join(dict.fromkeys(reasons)) or "no address"
            raise GuardRefused(f"{host}: refused ({detail}; {_ALLOW_HINT})")
        return allowed

    async def close(self) -> None:
        """Release the inner resolver."""
        await self.inner.close()


def guarded_socket_factory(policy: NetworkPolicy) -> SocketFactoryType:
    """A socket factory for aiohttp's connector that refuses addresses the policy refuses.

    It sees the exact address the socket will connect to, after any resolution.
    """

    def factory(addr_info: AddrInfoType) -> socket.socket:
        family, type_, proto, _, sockaddr = addr_info
        address = str(sockaddr[0])
        why = policy.refusal(address)
        if why is not None:
            raise GuardRefused(f"refused ({address} is {why}; {_ALLOW_HINT})")
        return socket.socket(family=family, type=type_, proto=proto)

    return factory


def guarded_session(
    policy: NetworkPolicy, concurrency: int, per_host: int, connect_timeout: float, timeout: float
) -> aiohttp.ClientSession:
    """An aiohttp session whose every connection passes the guard; no proxies, no cookies."""
    connector = aiohttp.TCPConnector(
        limit=concurrency,
        limit_per_host=per_host,
        resolver=GuardedResolver(policy),
        socket_factory=guarded_socket_factory(policy),
        ttl_dns_cache=300,
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=connect_timeout, sock_read=timeout),
        headers={"User-Agent": USER_AGENT},
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
    )
