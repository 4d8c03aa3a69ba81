"""Reading the cookies of a browser HAR export (HAR 1.2), grouped by host."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cookietool.errors import InputError


@dataclass(frozen=True)
class HarCookies:
    """The Set-Cookie lines and Cookie headers of one HAR entry."""

    index: int
    host: str
    set_cookies: tuple[str, ...]
    cookie_headers: tuple[str, ...]


def read_har(text: str) -> list[HarCookies]:
    """Every entry of a HAR document that sets or sends cookies, in order."""
    try:
        document = json.loads(text)
        entries = document["log"]["entries"]
    except (ValueError, KeyError, TypeError) as e:
        raise InputError("not a HAR file: expected JSON with log.entries") from e
    if not isinstance(entries, list):
        raise InputError("not a HAR file: log.entries is not a list")
    found = []
    for index, entry in enumerate(entries, start=1):
        try:
            host = urlsplit(entry["request"]["url"]).hostname or ""
            sent = _headers(entry["request"], "cookie")
            received = _headers(entry.get("response") or {}, "set-cookie")
        except (KeyError, TypeError, AttributeError) as e:
            raise InputError(f"HAR entry {index} has no request URL or malformed headers") from e
        # Firefox joins several Set-Cookie headers of one response with newlines.
        lines = tuple(line for value in received for line in value.split("\n") if line.strip())
        if lines or sent:
            found.append(HarCookies(index, host, lines, tuple(sent)))
    return found


def _headers(message: dict[str, Any], name: str) -> list[str]:
    return [
        str(header["value"])
        for header in message.get("headers", [])
        if str(header["name"]).lower() == name
    ]
