"""Find cookies in what users paste: a bare value, ``name=value``, a ``Set-Cookie`` line
or a ``Cookie`` request header."""

from __future__ import annotations

import re
from typing import NamedTuple

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
#: The forms ``detect`` tells apart.
FORMS = ("value", "pair", "set-cookie", "cookie-header")


class CookieInput(NamedTuple):
    """A cookie value found in user input, with the name it came with, if any."""

    name: str | None
    value: str
    form: str


class SetCookie(NamedTuple):
    """A Set-Cookie header value split as RFC 6265bis section 5.6 splits it."""

    header: str
    name: str
    value: str
    attributes: tuple[tuple[str, str], ...]

    @property
    def name_value_bytes(self) -> int:
        """What browsers limit: UTF-8 bytes of name and value, without ``=`` or attributes."""
        return utf8_len(self.name) + utf8_len(self.value)

    @property
    def header_bytes(self) -> int:
        """UTF-8 bytes of the whole header value, attributes included (Werkzeug's count)."""
        return utf8_len(self.header)

    def attribute(self, name: str) -> str | None:
        """The last value of attribute ``name`` (case-insensitive), as user agents use it."""
        found = None
        for key, value in self.attributes:
            if key.lower() == name.lower():
                found = value
        return found


def utf8_len(text: str) -> int:
    """Bytes of ``text`` in UTF-8; bytes that were not UTF-8 on input count as themselves."""
    try:
        return len(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a lone surrogate that came from a JSON escape
        return len(text.encode("utf-8", "surrogatepass"))


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


def detect(text: str) -> tuple[str, str]:
    """The form of pasted cookie text and the text without its header name, if it had one."""
    text = strip_quotes(text)
    if not text:
        raise InputError("the cookie is empty")
    lowered = text.lower()
    if lowered.startswith("set-cookie:"):
        return "set-cookie", text[len("set-cookie:") :].strip()
    if lowered.startswith("cookie:"):
        return "cookie-header", text[len("cookie:") :].strip()
    if "=" not in text:
        return "value", text
    if ";" not in text:
        # Standard base64's padding puts "=" inside a bare Starlette value; a name=value
        # pair never has the shape of one (its "=" is followed by the value, not a dot).
        if "=." in text and _is_padded_value(text):
            return "value", text
        return "pair", text
    attributes = [split_pair(part)[0].lower() for part in text.split(";")[1:] if part.strip()]
    if all(attr in SET_COOKIE_ATTRIBUTES for attr in attributes):
        return "set-cookie", text
    return "cookie-header", text


def _is_padded_value(text: str) -> bool:
    """True when ``text`` is a whole session value whose payload ends in base64 padding."""
    from cookietool import formats

    # Starlette's is the one format that pads: the others write base64url without "=".
    return formats.get("starlette").recognise(text) is not None


def parse_set_cookie(line: str) -> SetCookie:
    """Split a Set-Cookie header value into name, value and attributes (RFC 6265bis 5.6)."""
    pair, _, rest = line.partition(";")
    name, value = split_pair(pair)
    attributes = []
    for part in rest.split(";") if rest else ():
        if part.strip(" \t"):
            attributes.append(split_pair(part) if "=" in part else (part.strip(" \t"), ""))
    return SetCookie(line.strip(), name, value, tuple(attributes))


def cookie_pairs(header: str) -> list[tuple[str, str]]:
    """The ``name=value`` pairs of a Cookie header as sent, in order, values as raw text."""
    return [split_pair(part) for part in header.split(";") if part.strip(" \t")]


def extract(text: str, name: str = "session") -> CookieInput:
    """The cookie value in ``text``; from a Cookie header, the one called ``name``."""
    form, body = detect(text)
    if form == "value":
        return CookieInput(None, body, form)
    if form == "pair":
        found_name, value = split_pair(body)
        return CookieInput(found_name, strip_quotes(value), form)
    if form == "set-cookie":
        cookie = parse_set_cookie(body)
        if not cookie.value:
            raise InputError("the Set-Cookie line has no cookie value")
        return CookieInput(cookie.name, strip_quotes(cookie.value), form)
    cookies = parse_cookie_header(body)
    for found_name, value in cookies:
        if found_name == name:
            return CookieInput(name, value, form)  # the first, as Flask reads it
    names = ", ".join(sorted({found for found, _ in cookies})) or "none"
    raise InputError(f"no cookie named {name!r} in the Cookie header (found: {names})")


#: One cookie of a Cookie header as Werkzeug reads it (werkzeug/sansio/http.py,
#: parse_cookie): optional blanks, a name of anything but blanks, '=', '"' and ';', then
#: optionally '=' and a value, double-quoted with backslash escapes or a run of anything
#: but blanks, '"' and ';', then blanks and ';' or the end. Loading Werkzeug cost decode
#: 100 ms and more; tests/test_cookieinput.py holds this equal to Werkzeug's parser.
_COOKIE = re.compile(
    r'[ \t]*([^ \t=";]+)(?:[ \t]*=[ \t]*("(?:[^\\"]|\\.)*"|[^ \t";]*))?[ \t]*(?:;|\Z)'
)
_QUOTED_ESCAPE = re.compile(rb"\\([0-3][0-7]{2}|.)")


def _unescape(match: re.Match[bytes]) -> bytes:
    escaped = match.group(1)
    return escaped if len(escaped) == 1 else bytes([int(escaped, 8)])


def parse_cookie_header(header: str) -> list[tuple[str, str]]:
    """The cookies of a Cookie header, in order, read as Flask (Werkzeug) reads them.

    What does not parse is skipped up to the next ';'. A quoted value loses its quotes
    and backslash escapes (octal ones included), as Werkzeug's do.
    """
    found: list[tuple[str, str]] = []
    position = 0
    while header:
        match = _COOKIE.match(header, position)
        if match is None:
            position = header.find(";", position) + 1
            if position == 0:
                break
            continue
        name, value = match.group(1), match.group(2) or ""
        position = match.end()
        if value.startswith('"') and value.endswith('"'):
            # Bytes, as Werkzeug: an escape may stand for one byte of a UTF-8 character.
            raw = _QUOTED_ESCAPE.sub(_unescape, value[1:-1].encode())
            value = raw.decode(errors="replace")
        found.append((name, value))
    return found
