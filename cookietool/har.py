"""Reading the cookies of a browser HAR export (HAR 1.2), grouped by host.

A HAR file comes from anyone: every field is checked for its type before use, and every
problem is an InputError whose message names the entry, never a cookie's value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cookietool.errors import InputError

#: Largest HAR file read. Browsers export a busy page in a few MiB; parsed, 64 MiB of
#: JSON already takes several hundred MiB of memory.
MAX_HAR_BYTES = 64 * 1024 * 1024

#: A lone surrogate (a JSON ``\ud800`` escape) cannot be encoded, so cannot be counted.
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class HarCookies:
    """The Set-Cookie lines and Cookie headers of one HAR entry."""

    index: int
    host: str
    set_cookies: tuple[str, ...]
    cookie_headers: tuple[str, ...]


def read_har_file(path: str, *, max_bytes: int = MAX_HAR_BYTES) -> list[HarCookies]:
    """Every cookie-carrying entry of the HAR file at ``path`` (``-``: standard input).

    At most ``max_bytes`` are read, so a file that never ends (``/dev/zero``) is refused
    rather than filling memory; the file must be UTF-8, as HAR 1.2 requires.
    """
    from cookietool.readfile import read_limited

    label = "standard input" if path == "-" else f"HAR file {path}"
    data = read_limited(path, max_bytes, label, "har-bytes")
    try:
        # utf-8-sig: a byte order mark, which some tools write, is not an error.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{label} is not UTF-8 (invalid byte at offset {e.start})") from e
    return read_har(text)


def read_har(text: str) -> list[HarCookies]:
    """Every entry of a HAR document that sets or sends cookies, in order."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not a HAR file: invalid JSON at line {e.lineno} column {e.colno}") from e
    except RecursionError as e:
        raise InputError("not a HAR file: JSON nested too deeply") from e
    except ValueError as e:
        # Python refuses, for one, integers of more than 4,300 digits.
        raise InputError("not a HAR file: JSON that Python cannot read (a huge number?)") from e
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if entries is None:
        raise InputError("not a HAR file: expected JSON with log.entries")
    if not isinstance(entries, list):
        raise InputError("not a HAR file: log.entries is not a list")
    found = []
    for index, entry in enumerate(entries, start=1):
        host, sent, received = _read_entry(entry, index)
        # Firefox joins several Set-Cookie headers of one response with newlines.
        lines = tuple(line for value in received for line in value.split("\n") if line.strip())
        if lines or sent:
            found.append(HarCookies(index, host, lines, tuple(sent)))
    return found


def _read_entry(entry: object, index: int) -> tuple[str, list[str], list[str]]:
    """Host, Cookie headers and Set-Cookie values of one entry, every type checked."""
    where = f"HAR entry {index}"
    if not isinstance(entry, dict):
        raise InputError(f"{where} is not an object")
    request = entry.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("url"), str):
        raise InputError(f"{where} has no request URL")
    try:
        host = urlsplit(request["url"]).hostname or ""
    except ValueError as e:
        # urllib refuses, for one, an unclosed IPv6 bracket: "http://[::1/".
        raise InputError(f"{where} has an invalid request URL") from e
    _check_text(host, f"{where}: the request URL's host")
    response = entry.get("response")
    if response is None:
        response = {}
    elif not isinstance(response, dict):
        raise InputError(f"{where}: response is not an object")
    sent = _headers(request, "cookie", f"{where}: request")
    received = _headers(response, "set-cookie", f"{where}: response")
    return host, sent, received


def _headers(message: dict[str, Any], name: str, where: str) -> list[str]:
    """The values of the headers called ``name`` (any case) in a request or response."""
    headers = message.get("headers")
    if headers is None:
        return []
    if not isinstance(headers, list):
        raise InputError(f"{where} headers are not a list")
    values = []
    for number, header in enumerate(headers, start=1):
        if (
            not isinstance(header, dict)
            or not isinstance(header.get("name"), str)
            or not isinstance(header.get("value"), str)
        ):
            raise InputError(f"{where} header {number} is not a name and value as text")
        if header["name"].lower() == name:
            _check_text(header["value"], f"{where} header {number}")
            values.append(header["value"])
    return values


def _check_text(text: str, what: str) -> None:
    if _SURROGATE.search(text):
        raise InputError(f"{what} holds a lone surrogate (\\ud800-\\udfff), not text")
