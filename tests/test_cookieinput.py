"""Every form a user may paste a cookie in."""

from __future__ import annotations

import pytest

from cookietool.cookieinput import CookieInput, extract
from cookietool.errors import InputError

V = "eyJhIjoxfQ.aVd4Mw.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (V, CookieInput(None, V, "value")),
        (f"  '{V}'\n", CookieInput(None, V, "value")),
        (f'"{V}"', CookieInput(None, V, "value")),
        (f"session={V}", CookieInput("session", V, "pair")),
        (f'session="{V}"', CookieInput("session", V, "pair")),
        (f"Set-Cookie: session={V}; HttpOnly; Path=/", CookieInput("session", V, "set-cookie")),
        (f"set-cookie:sid={V}; Secure", CookieInput("sid", V, "set-cookie")),
        (
            f"sid={V}; Expires=Thu, 01 Jan 2037 00:00:00 GMT; Path=/",
            CookieInput("sid", V, "set-cookie"),
        ),
        (f"Cookie: theme=dark; session={V}; lang=en", CookieInput("session", V, "cookie-header")),
        (f"theme=dark; session={V}", CookieInput("session", V, "cookie-header")),
        (f"COOKIE: session={V}", CookieInput("session", V, "cookie-header")),
    ],
)
def test_forms(text: str, expected: CookieInput) -> None:
    assert extract(text) == expected


def test_cookie_header_picks_named_cookie_and_lists_names_when_missing() -> None:
    assert extract(f"Cookie: a=1; sid={V}", name="sid").value == V
    with pytest.raises(InputError, match=r"no cookie named 'session'.*found: a, sid"):
        extract(f"Cookie: a=1; sid={V}")


def test_duplicate_cookie_names_take_the_first_as_flask_does() -> None:
    assert extract(f"Cookie: session={V}; session=other").value == V


@pytest.mark.parametrize("text", ["", "   ", "''", "Set-Cookie: session=; Path=/"])
def test_empty_inputs(text: str) -> None:
    with pytest.raises(InputError):
        extract(text)
