"""Post a form the way a browser does: load its page first, then send its CSRF field back."""

from __future__ import annotations

import re
from typing import Any

from starlette.testclient import TestClient

CSRF_FIELD = re.compile(r'<input type="hidden" name="csrf" value="([^"]+)">')


def csrf_of(html: str) -> str:
    """The CSRF field of the (first) form on a page."""
    found = CSRF_FIELD.search(html)
    assert found is not None, "the page has no form with a CSRF field"
    return found.group(1)


def submit(client: TestClient, page: str, action: str, data: dict[str, str], **params: Any) -> Any:
    """GET ``page`` (which sets the cookie), then POST ``data`` and its CSRF field to ``action``."""
    token = csrf_of(client.get(page, params=params or None).text)
    return client.post(action, data={**data, "csrf": token})
