"""Every form a user may paste a cookie in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cookietool.cookieinput import CookieInput, extract, parse_cookie_header
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


#: Headers made of the pieces the grammar turns on, octal escapes included.
_HEADER_TEXT = st.lists(
    st.sampled_from([*'ab=;" \t\\\n0123é😀', "\\303", "\\0", "\\7"]), max_size=60
).map("".join)


@given(header=_HEADER_TEXT | st.text(max_size=40))
@settings(max_examples=2000, deadline=None)
def test_cookie_headers_parse_as_werkzeug_parses_them(header: str) -> None:
    # Werkzeug's parser is the one Flask reads request cookies with, and the oracle here:
    # cookieinput's own parser replaces it only to spare decode Werkzeug's import time.
    from werkzeug.sansio.http import parse_cookie

    ours = parse_cookie_header(header)
    theirs = parse_cookie(header)
    # A MultiDict keeps each name's values in order (which is all Werkzeug keeps).
    assert [(name, [v for n, v in ours if n == name]) for name in dict(ours)] == [
        (name, theirs.getlist(name)) for name in theirs
    ]


def test_a_cookie_header_gives_the_first_cookie_of_the_name_as_flask_does() -> None:
    from flask import Flask, request

    app = Flask(__name__)
    header = 'theme=dark; session="a\\"b"; session=second; other=1'
    with app.test_request_context(headers={"Cookie": header}):
        flask_reads = request.cookies["session"]
    assert extract(f"Cookie: {header}").value == flask_reads == 'a"b'
