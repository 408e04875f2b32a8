"""The SSRF guard as an httpx transport: httpcore's connection pool on the guarded backend.

httpx has no public hook for the connect step, but httpcore's ``ConnectionPool`` takes a
``network_backend``: :class:`GuardedTransport` builds that pool on
:class:`~podsift.net.guard.GuardedBackend` and maps requests, responses and errors between
httpx and httpcore as httpx's own ``HTTPTransport`` does. Every connection the client opens
(the first request and each redirect hop, followed by httpx or by podsift) is checked.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

import httpcore
import httpx

from podsift.net.guard import GuardedBackend, NetworkPolicy

# httpcore's errors and the httpx errors they become, as in httpx's HTTPTransport
_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}

# httpx's defaults (httpx.HTTPTransport's ``limits``)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """Re-raise an httpcore error as the most specific httpx error, chained to it.

    The chain keeps the cause, so :func:`~podsift.net.guard.refused_by_guard` still finds
    the guard's :class:`~podsift.net.guard.AddressRefused` behind an ``httpx.ConnectError``.
    """
    try:
        yield
    except Exception as exc:
        mapped = next((_ERRORS[c] for c in type(exc).__mro__ if c in _ERRORS), None)
        if mapped is None:
            raise
        raise mapped(str(exc)) from exc


class _ResponseStream(httpx.SyncByteStream):
    """httpcore's response body as an httpx stream, with its errors mapped."""

    def __init__(self, stream: Iterable[bytes]) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self.stream

    def close(self) -> None:
        """Release the connection back to the pool."""
        close = getattr(self.stream, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport that connects only to addresses ``policy`` allows; no proxies.

    >>> import httpx
    >>> with httpx.Client(transport=GuardedTransport(NetworkPolicy())) as client:
    ...     client.get("http://127.0.0.1:9/")
    Traceback (most recent call last):
    ...
    httpx.ConnectError: 127.0.0.1: refused (127.0.0.1 is a loopback address; ...)
    """

    def __init__(
        self,
        policy: NetworkPolicy,
        *,
        ssl_context: ssl.SSLContext | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        self.policy = policy
        self.pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            retries=0,
            network_backend=GuardedBackend(policy),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the guarded pool; the body streams on demand."""
        if not isinstance(request.stream, httpx.SyncByteStream):
            raise TypeError("GuardedTransport sends requests of a sync httpx.Client only")
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = self.pool.handle_request(core)
        if not isinstance(response.stream, Iterable):
            raise TypeError("httpcore answered a sync request with an async stream")
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool.close()

    def __enter__(self) -> Self:
        self.pool.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        with _httpx_errors():
            self.pool.__exit__(exc_type, exc_value, traceback)
