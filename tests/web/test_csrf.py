"""CSRF tokens: bound to the cookie and the key, checked in constant time; one exemption."""

from __future__ import annotations

import pytest

from podsift.web.csrf import CsrfKeys, FormGuard, is_one_click

COOKIE = "c" * 43


def test_a_token_matches_only_its_cookie_and_keys() -> None:
    keys = CsrfKeys("k1")
    token = keys.token_for(COOKIE)
    assert keys.matches(COOKIE, token)
    assert not keys.matches("d" * 43, token)  # another browser's cookie
    assert not CsrfKeys("k2").matches(COOKIE, token)  # another site's key
    assert not keys.matches(COOKIE, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not keys.matches(None, token) and not keys.matches(COOKIE, None)
    assert not keys.matches("short", keys.token_for("short"))  # not a cookie podsift made


def test_a_rotated_key_keeps_open_forms_valid() -> None:
    token = CsrfKeys("old").token_for(COOKIE)
    assert CsrfKeys("new,old").matches(COOKIE, token)
    assert CsrfKeys("new,old").token_for(COOKIE) != token  # new forms use the new key


def test_no_key_is_an_error() -> None:
    with pytest.raises(ValueError, match="no secret key"):
        CsrfKeys(" , ")


def test_a_guard_makes_a_cookie_only_when_a_form_needs_one() -> None:
    keys = CsrfKeys("k")
    fresh = FormGuard(keys, None)
    assert fresh.new_cookie is None and not fresh.used
    token = fresh.token()
    assert fresh.new_cookie and fresh.used and keys.matches(fresh.new_cookie, token)
    assert fresh.accepts({"csrf": [token]})
    assert not fresh.accepts({"csrf": [token, token]})  # one field, not two
    kept = FormGuard(keys, COOKIE)
    assert kept.token() == keys.token_for(COOKIE) and kept.new_cookie is None
    assert not FormGuard(keys, "bad cookie").accepts({"csrf": [keys.token_for("bad cookie")]})


def test_only_the_one_click_unsubscribe_is_exempt() -> None:
    one_click = {"List-Unsubscribe": ["One-Click"]}
    assert is_one_click("/unsubscribe", one_click)
    assert not is_one_click("/unsubscribe", {"List-Unsubscribe": ["One-Click", "x"]})
    assert not is_one_click("/unsubscribe", {"List-Unsubscribe": ["one-click"]})
    assert not is_one_click("/unsubscribe", {})
    for path in ("/preferences", "/confirm", "/feedback", "/subscribe", "/unsubscribe/"):
        assert not is_one_click(path, one_click)
