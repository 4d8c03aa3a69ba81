"""Reading the files users pipe in: curl header dumps and Netscape (curl, wget) cookie jars.

Both readers walk the text one line at a time, without regular expressions, so hostile input
costs time linear in its size and extra memory bounded by the caps: ``max_line_length``
characters per line and ``max_cookies`` cookies per file. Lines end in LF or CRLF; other
Unicode line breaks stay inside a line, as curl and wget see them.

``sniff`` decides with these rules, in order:

1. blank lines (whitespace only) are skipped;
2. if the first non-blank line is an HTTP status line (``HTTP/<d>[.<d>] <3 digits>``, then
   the end of the line or a space or tab; see ``status_code``), the text is a "header-dump";
3. if that line starts with a jar header (``JAR_HEADERS``), the text is a "cookie-jar";
4. lines starting with ``#`` (after any spaces or tabs) are skipped as comments, except
   lines starting with ``#HttpOnly_``, which are cookie lines;
5. the first line left decides: "cookie-jar" if it has exactly 7 TAB-separated fields (after
   removing a ``#HttpOnly_`` prefix), "lines" otherwise; with no line left, "lines".

So a one-line-per-cookie paste is "lines" unless it looks exactly like a jar line, which a
cookie cannot: cookie names and values hold no TAB.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from cookietool.errors import InputError

#: Default cap on the cookies one file may yield; real jars and dumps hold far fewer.
MAX_COOKIES = 10_000
#: Default cap on one line, in characters (64 KiB); curl refuses header lines over 100 KB
#: and servers refuse headers far shorter, so no real line comes close.
MAX_LINE_LENGTH = 65_536
#: What ``sniff`` can answer.
Kind = Literal["header-dump", "cookie-jar", "lines"]
KINDS: tuple[Kind, ...] = ("header-dump", "cookie-jar", "lines")
#: The prefix curl and Python's MozillaCookieJar put before the domain of an HttpOnly cookie.
HTTPONLY_PREFIX = "#HttpOnly_"
#: First-line comments that Python's MozillaCookieJar accepts as a jar's header.
JAR_HEADERS = ("# Netscape HTTP Cookie File", "# HTTP Cookie File")
#: The fields of a jar line, in order, as error messages name them.
JAR_FIELDS = (
    "domain",
    "include subdomains",
    "path",
    "secure",
    "expiry",
    "name",
    "value",
)
# Expiry is a 64-bit time_t in curl; longer digit strings are not times (and int() of a
# very long digit string is slow or refused by Python).
_MAX_EXPIRY = 2**63 - 1
_MAX_EXPIRY_DIGITS = len(str(_MAX_EXPIRY))


class CookieFileError(InputError):
    """A header dump or cookie jar that cannot be read; ``line`` is 1-based, or None."""

    def __init__(self, message: str, line: int | None = None, cap: str | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.line = line
        self.cap = cap


@dataclass(frozen=True)
class DumpedSetCookie:
    """One Set-Cookie header value of a header dump, with where it was found."""

    value: str
    response: int
    status: int
    line: int


@dataclass(frozen=True)
class JarCookie:
    """One cookie of a Netscape cookie jar, fields as the file holds them."""

    domain: str
    http_only: bool
    include_subdomains: bool
    path: str
    secure: bool
    expires: int | None
    name: str
    value: str
    line: int


def _lines(text: str, max_line_length: int) -> Iterator[tuple[int, str | None]]:
    """Number and content of each line, without its LF or CRLF; None for an over-long line."""
    # str.splitlines would also split on VT, FF, NEL, U+2028..., which curl does not; and a
    # list of every line would double the memory the input takes.
    start, number, size = 0, 0, len(text)
    while start < size:
        number += 1
        end = text.find("\n", start)
        following = size if end == -1 else end + 1
        if end == -1:
            end = size
        if end > start and text[end - 1] == "\r":
            end -= 1
        # Checked before slicing, so an over-long line is never copied. The caller decides:
        # the body after a head may have long lines, as it is never read.
        yield number, (text[start:end] if end - start <= max_line_length else None)
        start = following


def _too_long(number: int, max_line_length: int) -> CookieFileError:
    return CookieFileError(
        f"longer than {max_line_length} characters; refused", number, cap="line-bytes"
    )


def _blank(line: str) -> bool:
    return not line.strip()


def status_code(line: str) -> int | None:
    """The status code of an HTTP status line (``HTTP/1.1 200 OK``, ``HTTP/2 200``), else None."""
    if not line.startswith("HTTP/"):
        return None
    version, space, rest = line[5:].partition(" ")
    major, dot, minor = version.partition(".")
    # RFC 9112 writes DIGIT "." DIGIT; curl writes HTTP/2 and HTTP/3 with no minor digit.
    if not space or not _one_digit(major) or (dot and not _one_digit(minor)):
        return None
    code = rest[:3]
    if len(code) != 3 or not (code.isascii() and code.isdigit()):
        return None
    if len(rest) > 3 and rest[3] not in " \t":
        return None
    return int(code)


def _one_digit(text: str) -> bool:
    return len(text) == 1 and "0" <= text <= "9"


def sniff(text: str, *, max_line_length: int = MAX_LINE_LENGTH) -> Kind:
    """Whether ``text`` is a header dump, a cookie jar or one cookie per line."""
    # The rules are spelt out in the module docstring; they must match read_cookie_jar's.
    first = True
    for number, line in _lines(text, max_line_length):
        if line is None:
            raise _too_long(number, max_line_length)
        if _blank(line):
            continue
        if first:
            if status_code(line) is not None:
                return "header-dump"
            if line.startswith(JAR_HEADERS):
                return "cookie-jar"
            first = False
        if line.startswith(HTTPONLY_PREFIX):
            line = line[len(HTTPONLY_PREFIX) :]
        elif line.lstrip(" \t").startswith("#"):
            continue
        return "cookie-jar" if line.count("\t") == 6 else "lines"
    return "lines"


def read_header_dump(
    text: str, *, max_cookies: int = MAX_COOKIES, max_line_length: int = MAX_LINE_LENGTH
) -> list[DumpedSetCookie]:
    """Every Set-Cookie value of the responses in a curl ``-D -``, ``-i`` or ``-I`` dump."""
    found: list[DumpedSetCookie] = []
    responses = 0
    status = 0
    # "before" the first status line, in a "head", or just "after" the blank line ending one.
    state = "before"
    # A Set-Cookie field whose value may go on in obs-fold lines: line number, parts, length.
    pending: tuple[int, list[str], int] | None = None

    def flush() -> None:
        nonlocal pending
        if pending is None:
            return
        number, parts, _ = pending
        pending = None
        if len(found) >= max_cookies:
            raise CookieFileError(
                f"more than {max_cookies} Set-Cookie headers; refused", number, cap="cookies"
            )
        # RFC 9112 section 5.2: a user agent replaces each obs-fold with a space.
        value = " ".join(parts).strip(" \t")
        found.append(DumpedSetCookie(value, responses, status, number))

    for number, line in _lines(text, max_line_length):
        if line is None:
            if state == "after":
                break  # the first line of a body, as no status line is that long
            raise _too_long(number, max_line_length)
        if state == "before":
            if _blank(line):
                continue
            code = status_code(line)
            if code is None:
                raise CookieFileError(
                    "expected an HTTP status line such as HTTP/1.1 200 OK", number
                )
            responses, status, state = 1, code, "head"
            continue
        if state == "after":
            code = status_code(line)
            if code is None:
                # The body (curl -i): it runs to the end and may hold anything, so it is not read.
                break
            responses, status, state = responses + 1, code, "head"
            continue
        if _blank(line):
            # Whitespace-only counts as blank: pasted text often keeps trailing spaces.
            flush()
            state = "after"
            continue
        if line[0] in " \t":
            # obs-fold: it continues the field above, so it can never start a cookie.
            if pending is not None:
                first_line, parts, length = pending
                part = line.strip(" \t")
                length += 1 + len(part)
                if length > max_line_length:
                    raise CookieFileError(
                        f"folded header longer than {max_line_length} characters; refused",
                        first_line,
                    )
                parts.append(part)
                pending = (first_line, parts, length)
            continue
        flush()
        code = status_code(line)
        if code is not None:
            # A status line cannot be a header field: a new response whose blank line was lost.
            responses, status = responses + 1, code
            continue
        name, colon, value = line.partition(":")
        # Field names allow no whitespace before the colon (RFC 9112 section 5.1).
        if colon and name.lower() == "set-cookie":
            value = value.strip(" \t")
            pending = (number, [value], len(value))
    flush()
    if responses == 0:
        raise CookieFileError("no HTTP status line: not a header dump")
    if not found:
        if responses == 1:
            raise CookieFileError("the response set no cookies")
        raise CookieFileError(f"none of the {responses} responses set a cookie")
    return found


def read_cookie_jar(
    text: str, *, max_cookies: int = MAX_COOKIES, max_line_length: int = MAX_LINE_LENGTH
) -> list[JarCookie]:
    """Every cookie of a Netscape cookie jar (curl ``-c``, wget, MozillaCookieJar), in order."""
    found: list[JarCookie] = []
    for number, line in _lines(text, max_line_length):
        if line is None:
            raise _too_long(number, max_line_length)
        http_only = line.startswith(HTTPONLY_PREFIX)
        if http_only:
            line = line[len(HTTPONLY_PREFIX) :]
        elif _blank(line) or line.lstrip(" \t").startswith("#"):
            continue
        if len(found) >= max_cookies:
            raise CookieFileError(
                f"more than {max_cookies} cookies; refused", number, cap="cookies"
            )
        found.append(_jar_cookie(line, http_only, number))
    if not found:
        raise CookieFileError("the cookie jar holds no cookies")
    return found


def _jar_cookie(line: str, http_only: bool, number: int) -> JarCookie:
    # Messages name the field, never its content: a jar line holds a live session.
    fields = line.split("\t", 7)
    if len(fields) != 7:
        count = line.count("\t") + 1
        raise CookieFileError(f"expected 7 tab-separated fields, found {count}", number)
    domain, subdomains, path, secure, expiry, name, value = fields
    if not domain or any(char.isspace() for char in domain):
        raise CookieFileError("field 1 (domain) is empty or holds whitespace", number)
    if not path:
        raise CookieFileError("field 3 (path) is empty", number)
    return JarCookie(
        domain=domain,
        http_only=http_only,
        include_subdomains=_flag(subdomains, 2, number),
        path=path,
        secure=_flag(secure, 4, number),
        expires=_expiry(expiry, number),
        name=name,
        value=value,
        line=number,
    )


def _flag(field: str, index: int, number: int) -> bool:
    # curl compares without case; Python writes upper case. isascii first, because
    # str.upper maps some non-ASCII letters to ASCII ones ("\u017f" to "S").
    upper = field.upper()
    if not field.isascii() or upper not in ("TRUE", "FALSE"):
        raise CookieFileError(
            f"field {index} ({JAR_FIELDS[index - 1]}) is not TRUE or FALSE", number
        )
    return upper == "TRUE"


def _expiry(field: str, number: int) -> int | None:
    # curl writes 0 for a session cookie, Python's MozillaCookieJar an empty field.
    if field == "":
        return None
    if not (len(field) <= _MAX_EXPIRY_DIGITS and field.isascii() and field.isdigit()):
        raise CookieFileError("field 5 (expiry) is not a whole number of seconds", number)
    seconds = int(field)
    if seconds > _MAX_EXPIRY:
        raise CookieFileError("field 5 (expiry) is out of range", number)
    return seconds or None
