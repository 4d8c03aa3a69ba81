"""Real servers as the oracle of size-check's server limits, to the byte.

Each server runs at its defaults on 127.0.0.1 (tests/realservers.py). At the largest size
it accepts and one byte more, its answer and size-check's verdict on the same bytes must
agree: no error where the server answers, an error naming the limit's id where it refuses.
Runs when nginx is installed (``.ci/run`` installs it) and the dev dependencies are;
a test whose server is missing is skipped, saying how to get it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cookietool.cli import ExitCode
from cookietool.sizes import load_limits
from tests import realservers
from tests.realservers import Server, cookie_request, exchange, status_of
from tests.test_cli import run

LIMITS = {limit.id: limit for limit in load_limits()}


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[Server]:
    with realservers.start_gunicorn("tests.realservers:make_flask_app()") as server:
        yield server


@pytest.fixture(scope="module")
def nginx() -> Iterator[Server]:
    """nginx answering by itself, so that only its own request limits decide."""
    with realservers.start_nginx() as server:
        yield server


@pytest.fixture(scope="module")
def nginx_proxy(gunicorn: Server) -> Iterator[Server]:
    with realservers.start_nginx(gunicorn.port) as server:
        yield server


@pytest.fixture(scope="module")
def waitress() -> Iterator[Server]:
    with realservers.start_waitress("tests.realservers:wsgi_app") as server:
        yield server


@pytest.fixture(scope="module")
def werkzeug() -> Iterator[Server]:
    with realservers.start_werkzeug() as server:
        yield server


def size_check(*args: str) -> tuple[int, dict[str, Any]]:
    """size-check's exit code and JSON document; only sizes over a limit are findings."""
    result = run("size-check", *args, "--warn-at", "100", "--json")
    assert result.exit_code in (ExitCode.OK, ExitCode.CHECK_FAILED), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, doc


def error_limits(checks: list[dict[str, Any]]) -> set[str]:
    """The ids of the limits that the findings at level error name."""
    return {
        limit_id
        for check in checks
        for finding in check["findings"]
        if finding["level"] == "error"
        for limit_id in finding["limits"]
    }


@dataclass(frozen=True)
class Boundary:
    """The largest request a server accepts at its defaults, as measured on it."""

    #: The server's fixture and its --server name.
    server: str
    limit_id: str
    #: "line": the Cookie line, CRLF included; "head": the whole request head.
    counts: str
    largest: int
    #: The status one byte more gets, and words of the refusal.
    status: int
    refusal: bytes

    def __str__(self) -> str:
        return self.limit_id


BOUNDARIES = [
    Boundary("nginx", "nginx", "line", 8192, 400, b"Request Header Or Cookie Too Large"),
    Boundary("gunicorn", "gunicorn", "line", 8190, 431, b"Request Header Fields Too Large"),
    Boundary("waitress", "waitress", "head", 262143, 431, b"exceeds max_header of 262144"),
    Boundary("werkzeug", "werkzeug-dev", "line", 65536, 431, b"Line too long"),
]


@pytest.mark.parametrize("over", [0, 1], ids=["largest", "one-more"])
@pytest.mark.parametrize("case", BOUNDARIES, ids=str)
def test_size_check_refuses_a_cookie_header_exactly_where_the_server_does(
    request: pytest.FixtureRequest, case: Boundary, over: int
) -> None:
    server: Server = request.getfixturevalue(case.server)
    size = case.largest + over
    sent = cookie_request(line=size) if case.counts == "line" else cookie_request(head=size)
    answer = exchange(server.port, sent.raw)
    if over:
        assert status_of(answer) == case.status == LIMITS[case.limit_id].status, answer[:300]
        assert case.refusal in answer
    else:
        assert status_of(answer) == 200, answer[:300]
    # The same Cookie header, as a browser sent it, with the rest of the head measured.
    code, doc = size_check(
        sent.header, "--server", case.server, "--head-bytes", str(sent.rest_bytes)
    )
    [checked] = doc["requests"]
    assert checked["observed"] is True
    assert checked["sizes"]["cookie_line_crlf"] == sent.cookie_line_bytes
    assert checked["sizes"]["request_head"] == len(sent.raw)
    assert error_limits(doc["requests"]) == ({case.limit_id} if over else set())
    assert code == (ExitCode.CHECK_FAILED if over else ExitCode.OK), doc


def test_nginx_502s_exactly_where_size_check_says_the_upstream_head_is_too_big(
    gunicorn: Server, nginx_proxy: Server
) -> None:
    """nginx proxies an upstream's response only when its head fits proxy_buffer_size."""

    def through_nginx(n: int) -> int | None:
        status = status_of(exchange(nginx_proxy.port, realservers.plain_request(f"/set?n={n}")))
        assert status in (200, 502), status
        return status

    page = os.sysconf("SC_PAGESIZE")  # nginx's default proxy_buffer_size: one page
    largest = realservers.largest_passing(0, page, lambda n: through_nginx(n) == 200)
    for n, over in ((largest, False), (largest + 1, True)):
        logged = len(nginx_proxy.log_text())
        assert through_nginx(n) == (502 if over else 200)
        complaint = "upstream sent too big header" in nginx_proxy.log_text()[logged:]
        assert complaint is over
        # The head gunicorn sends nginx (HTTP/1.0, as nginx asks), byte for byte.
        upstream = realservers.plain_request(f"/set?n={n}", version="HTTP/1.0")
        head = realservers.head_of(exchange(gunicorn.port, upstream))
        assert len(head) == page + over
        # size-check fetches the same URL from gunicorn itself and measures the head.
        code, doc = size_check(
            "--url", f"http://{realservers.HOST}:{gunicorn.port}/set?n={n}", "--server", "nginx"
        )
        [response] = [r for r in doc["responses"] if r["head_measured"]]
        assert response["sizes"]["response_head"] == len(head)
        assert error_limits(doc["responses"]) == ({"nginx-proxy-buffer"} if over else set())
        assert code == (ExitCode.CHECK_FAILED if over else ExitCode.OK), doc
    assert LIMITS["nginx-proxy-buffer"].status == 502
