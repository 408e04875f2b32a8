"""CSRF protection for every form, with no script and no session store.

A browser that is shown a form gets a random cookie (``podsift_csrf``: HttpOnly, SameSite=Lax,
Secure over https), and the form carries ``HMAC(secret key, cookie)`` in the hidden field
``csrf``. :class:`CsrfProtection` checks every POST (and any other unsafe method) before a
route sees it: a field that does not match the cookie gets a 403 page and changes nothing.
Another site can make a browser send the cookie, but it can read neither the cookie nor the
field (and SameSite=Lax keeps the cookie off cross-site POSTs to begin with).

One exception, exactly: the RFC 8058 one-click unsubscribe, a POST to ``/unsubscribe`` whose
body is ``List-Unsubscribe=One-Click``. A mail client sends it with no cookie; the link's signed
token is its proof. The unsubscribe page's own form carries the field like every other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from podsift.web.render import page

COOKIE = "podsift_csrf"
FIELD = "csrf"
COOKIE_SECONDS = 30 * 24 * 3600
MAX_FORM_BYTES = 64 * 1024
"""The largest body an unsafe request may have: podsift's forms are a few short fields."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ONE_CLICK = ("/unsubscribe", "List-Unsubscribe", "One-Click")
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
_SCOPE_KEY = "podsift.csrf"


class CsrfKeys:
    """Form tokens bound to a cookie value, under the comma-separated keys (newest first).

    >>> keys = CsrfKeys("new,old")
    >>> cookie = "a" * 43
    >>> keys.matches(cookie, keys.token_for(cookie)), keys.matches("b" * 43, keys.token_for(cookie))
    (True, False)
    >>> CsrfKeys("newer,new").matches(cookie, keys.token_for(cookie))  # rotated: still valid
    True
    """

    def __init__(self, secret_key: str) -> None:
        self._keys = [k.strip().encode() for k in secret_key.split(",") if k.strip()]
        if not self._keys:
            raise ValueError("no secret key for CSRF tokens")

    def token_for(self, cookie: str) -> str:
        """The form token of ``cookie``, made with the newest key."""
        return _mac(self._keys[0], cookie)

    def matches(self, cookie: str | None, token: str | None) -> bool:
        """Whether ``token`` was made for ``cookie`` with any of the keys (constant time)."""
        if not cookie or not token or not _COOKIE_VALUE.fullmatch(cookie):
            return False
        found = [hmac.compare_digest(_mac(key, cookie), token) for key in self._keys]
        return any(found)


def _mac(key: bytes, cookie: str) -> str:
    digest = hmac.new(key, b"podsift.csrf:" + cookie.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_one_click(path: str, fields: Mapping[str, Sequence[str]]) -> bool:
    """Whether a POST is the RFC 8058 one-click unsubscribe (the one exempt from the check).

    >>> is_one_click("/unsubscribe", {"List-Unsubscribe": ["One-Click"]})
    True
    >>> is_one_click("/preferences", {"List-Unsubscribe": ["One-Click"]})
    False
    """
    route, name, value = ONE_CLICK
    return path == route and list(fields.get(name, ())) == [value]


class FormGuard:
    """One request's CSRF state: the browser's cookie, and a new one if a form needed it."""

    def __init__(self, keys: CsrfKeys, cookie: str | None) -> None:
        self.keys = keys
        self.cookie = cookie if cookie and _COOKIE_VALUE.fullmatch(cookie) else None
        self.new_cookie: str | None = None
        self.used = False

    def token(self) -> str:
        """The token for this response's forms, making a cookie when the browser has none."""
        if self.cookie is None:
            self.cookie = self.new_cookie = secrets.token_urlsafe(32)
        self.used = True
        return self.keys.token_for(self.cookie)

    def accepts(self, fields: Mapping[str, Sequence[str]]) -> bool:
        """Whether the form's ``csrf`` field matches the cookie."""
        sent = fields.get(FIELD, ())
        return len(sent) == 1 and self.keys.matches(self.cookie, sent[0])


def csrf_token(request: Request) -> str:
    """The hidden ``csrf`` value for the forms of the page answering ``request``."""
    guard: FormGuard = request.scope[_SCOPE_KEY]
    return guard.token()


class CsrfProtection:
    """ASGI middleware: refuse unsafe requests whose form token does not match the cookie.

    The body is read here (at most :data:`MAX_FORM_BYTES`) and handed on unchanged to the route.
    Responses that rendered a token get ``Vary: Cookie``, a private Cache-Control, and the
    cookie when it is new.
    """

    def __init__(self, app: ASGIApp, keys: CsrfKeys, *, secure: bool = False) -> None:
        self.app = app
        self.keys = keys
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guard = FormGuard(self.keys, HTTPConnection(scope).cookies.get(COOKIE))
        scope[_SCOPE_KEY] = guard
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive, MAX_FORM_BYTES)
            if body is None:
                await _refuse(413, "The form was too large.", scope, receive, send)
                return
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            if not (is_one_click(scope["path"], fields) or guard.accepts(fields)):
                why = ("The form was not accepted: it did not come from this site's page, or "
                       "your browser did not keep its cookie. Go back, reload the page and try "
                       "again.")  # fmt: skip
                await _refuse(403, why, scope, receive, send)
                return
            receive = _replay(body, receive)
        secure = self.secure or scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and guard.used:
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Cookie")
                # the token is this browser's: never for a shared cache
                cache = headers.get("Cache-Control", "private, no-cache")
                headers["Cache-Control"] = cache.replace("public", "private")
                if guard.new_cookie:
                    headers.append("Set-Cookie", _set_cookie(guard.new_cookie, secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _set_cookie(value: str, secure: bool) -> str:
    """The Set-Cookie value of a new CSRF cookie.

    >>> _set_cookie("v", secure=True)
    'podsift_csrf=v; Path=/; Max-Age=2592000; HttpOnly; SameSite=Lax; Secure'
    """
    attrs = f"{COOKIE}={value}; Path=/; Max-Age={COOKIE_SECONDS}; HttpOnly; SameSite=Lax"
    return attrs + ("; Secure" if secure else "")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away: hand on what came
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the real one."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


async def _refuse(status: int, why: str, scope: Scope, receive: Receive, send: Send) -> None:
    title = "Form too large" if status == 413 else "Form not accepted"
    await page(title, message=why, status=status)(scope, receive, send)
