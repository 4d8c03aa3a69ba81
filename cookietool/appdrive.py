"""Driving an app through requests with its test client, to see the cookies it sets.

For ``size-check --app IMPORT --request 'METHOD PATH [DATA]' ...``: the requests run in
order on one Flask test client, which carries cookies from one to the next as a browser
would; DATA is a JSON body when it starts with ``{`` or ``[``, else form data
(``user=ann&password=x``). Every Set-Cookie header of every response is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from cookietool.errors import InputError

if TYPE_CHECKING:
    from flask import Flask

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


class Request(NamedTuple):
    """One request to make: method, path and an optional body."""

    method: str
    path: str
    data: str | None


class SetCookieSeen(NamedTuple):
    """A Set-Cookie header value the app sent, and the request it answered."""

    label: str
    status: int
    header: str


def parse_request(text: str) -> Request:
    """``METHOD PATH [DATA]`` as --request takes it."""
    parts = text.strip().split(None, 2)
    if len(parts) < 2 or parts[0].upper() not in METHODS or not parts[1].startswith("/"):
        raise InputError(
            f"--request takes 'METHOD /path [DATA]' with METHOD one of {', '.join(METHODS)}"
        )
    return Request(parts[0].upper(), parts[1], parts[2] if len(parts) == 3 else None)


def drive(app: Flask, requests: Sequence[Request]) -> list[SetCookieSeen]:
    """Make the requests in order on one test client; the Set-Cookie headers answered."""
    import json
    from urllib.parse import parse_qsl

    client = app.test_client()
    seen: list[SetCookieSeen] = []
    for number, request in enumerate(requests, start=1):
        kwargs: dict[str, object] = {}
        if request.data is not None:
            if request.data.lstrip().startswith(("{", "[")):
                try:
                    kwargs["json"] = json.loads(request.data)
                except ValueError as e:
                    raise InputError(f"--request {number}: the JSON body is not JSON ({e})") from e
            else:
                kwargs["data"] = dict(parse_qsl(request.data, keep_blank_values=True))
        try:
            response = client.open(request.path, method=request.method, **kwargs)  # type: ignore[arg-type]
        except Exception as e:  # the app's own view failed
            raise InputError(
                f"--request {number} ({request.method} {request.path}): the app raised "
                f"{type(e).__name__}: {e}"
            ) from e
        if response.status_code >= 400:
            # A failed login would set no session: the size check would pass on nothing.
            raise InputError(
                f"--request {number} ({request.method} {request.path}) answered "
                f"{response.status_code}; size-check needs the responses of requests that work"
            )
        label = f"request {number} ({request.method} {request.path}, {response.status_code})"
        seen += [
            SetCookieSeen(label, response.status_code, header)
            for header in response.headers.getlist("Set-Cookie")
        ]
    return seen
