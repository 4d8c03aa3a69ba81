"""Find the cookie value in what users paste: a bare value, ``name=value``, a
``Set-Cookie`` line or a ``Cookie`` request header."""

from __future__ import annotations

from dataclasses import dataclass

from cookietool.errors import InputError

#: Attribute names a Set-Cookie line may carry (RFC 6265bis section 5.6, plus Partitioned
#: and Priority, which Chromium reads); used to tell a Set-Cookie line from a Cookie header.
SET_COOKIE_ATTRIBUTES = frozenset(
    {
        "expires",
        "max-age",
        "domain",
        "path",
        "secure",
        "httponly",
        "samesite",
        "partitioned",
        "priority",
    }
)


@dataclass(frozen=True)
class CookieInput:
    """A cookie value found in user input, with the name it came with, if any."""

    name: str | None
    value: str
    form: str


def strip_quotes(text: str) -> str:
    """Remove surrounding whitespace and one pair of matching surrounding quotes."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def split_pair(pair: str) -> tuple[str, str]:
    """Name and value of ``name=value`` as RFC 6265bis 5.6 splits it (no ``=``: no name)."""
    if "=" not in pair:
        return "", pair.strip(" \t")
    name, value = pair.split("=", 1)
    return name.strip(" \t"), value.strip(" \t")


def extract(text: str, name: str = "session") -> CookieInput:
    """The cookie value in ``text``; from a Cookie header, the one called ``name``."""
    text = strip_quotes(text)
    if not text:
        raise InputError("the cookie is empty")
    lowered = text.lower()
    if lowered.startswith("set-cookie:"):
        return _from_set_cookie(text[len("set-cookie:") :])
    if lowered.startswith("cookie:"):
        return _from_cookie_header(text[len("cookie:") :], name)
    if "=" not in text:
        return CookieInput(None, text, "value")
    if ";" not in text:
        found_name, value = split_pair(text)
        return CookieInput(found_name, strip_quotes(value), "pair")
    attributes = [split_pair(part)[0].lower() for part in text.split(";")[1:] if part.strip()]
    if all(attr in SET_COOKIE_ATTRIBUTES for attr in attributes):
        return _from_set_cookie(text)
    return _from_cookie_header(text, name)


def _from_set_cookie(line: str) -> CookieInput:
    found_name, value = split_pair(line.split(";", 1)[0])
    if not value:
        raise InputError("the Set-Cookie line has no cookie value")
    return CookieInput(found_name, strip_quotes(value), "set-cookie")


def _from_cookie_header(header: str, name: str) -> CookieInput:
    # Werkzeug's parser is the one Flask reads request cookies with.
    from werkzeug.http import parse_cookie

    cookies = parse_cookie(header.strip())
    if name not in cookies:
        names = ", ".join(sorted(set(cookies))) or "none"
        raise InputError(f"no cookie named {name!r} in the Cookie header (found: {names})")
    return CookieInput(name, cookies[name], "cookie-header")
