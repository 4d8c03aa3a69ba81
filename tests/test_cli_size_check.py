"""The size-check command: inputs, formats, exit codes, and --payload against Flask."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from tests.conftest import flask_cookie, make_app
from tests.test_cli import assert_one_line_error, run

HAR = str(Path(__file__).parent / "fixtures" / "cookies.har")
BIG = "big=" + "v" * 4097
SMALL = "small=1"


def doc(*args: str, input: str | None = None) -> dict[str, object]:
    result = run("size-check", *args, "--format", "json", input=input)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_exit_codes_and_fail_on() -> None:
    assert run("size-check", SMALL).exit_code == ExitCode.OK
    assert run("size-check", BIG).exit_code == ExitCode.CHECK_FAILED
    near = "near=" + "v" * 3800  # over 90% of 4096: a warning only
    assert run("size-check", near).exit_code == ExitCode.OK
    assert run("size-check", near, "--fail-on", "warning").exit_code == ExitCode.CHECK_FAILED
    assert run("size-check", near, "--warn-at", "95").exit_code == ExitCode.OK
    assert run("size-check", near, "--warn-at", "95", "--fail-on", "warning").exit_code == 0
    assert run("size-check", SMALL, "--budget", "6").exit_code == ExitCode.OK  # 6 bytes: at it
    assert run("size-check", SMALL, "--budget", "5").exit_code == ExitCode.CHECK_FAILED


def test_json_document() -> None:
    result = doc(BIG, "Set-Cookie: s=1; Max-Age=99999999", "--server", "nginx")
    assert (result["cookietool"], result["command"], result["ok"]) == (1, "size-check", False)
    # The big cookie is over the browsers' 4096, and its response over nginx's 4k buffer.
    assert (result["errors"], result["warnings"]) == (2, 1)
    cookies = result["cookies"]
    assert isinstance(cookies, list)
    assert cookies[0]["name_value_bytes"] == 4100 and cookies[0]["headroom_bytes"] == -4
    assert cookies[0]["findings"][0]["who"][:2] == ["Chromium", "Firefox"]
    assert cookies[1]["set_cookie_bytes"] == len("s=1; Max-Age=99999999")
    assert result["settings"] == {
        "servers": ["nginx"],
        "warn_at": 90,
        "budget": None,
        "head_bytes": 600,
        "response_head_bytes": 400,
        "fail_on": "error",
    }
    responses = result["responses"]
    assert isinstance(responses, list) and len(responses) == 2
    assert responses[0]["findings"][0]["limits"] == ["nginx-proxy-buffer"]
    assert responses[0]["rebuilt_set_cookie_lines"] == 1  # a pair: Flask's attributes added
    assert responses[1]["sizes"] == {
        "set_cookie_line": len("Set-Cookie: s=1; Max-Age=99999999"),
        "response_head": len("Set-Cookie: s=1; Max-Age=99999999\r\n") + 400,
    }
    requests = result["requests"]
    assert isinstance(requests, list)
    assert requests[0]["sizes"]["cookie_value"] == len("s=1")


def test_bare_value_is_named_after_name_and_stdin_lines() -> None:
    result = doc("-", "--name", "sid", input="a.b.c\n\nSet-Cookie: x=1; Path=/\n")
    cookies = result["cookies"]
    assert isinstance(cookies, list)
    assert [(c["label"], c["name"]) for c in cookies] == [
        ("standard input line 1", "sid"),
        ("standard input line 3", "x"),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "fragment"),
    [
        (["jar"], None, "argument 1 is not a cookie"),
        (["-"], "hello world\n", "standard input line 1 is not a cookie"),
        (["-"], "\n\n", "holds no cookie"),
        (["-"], "HTTP/1.1 200 OK\r\nServer: x\r\nDate: y\r\n\r\n", "set no cookies"),
        (["-"], "# Netscape HTTP Cookie File\nexample.com\tFALSE\n", "line 2: expected 7"),
    ],
)
def test_input_that_is_not_a_cookie_is_refused(
    args: list[str], stdin: str | None, fragment: str
) -> None:
    assert_one_line_error(run("size-check", *args, input=stdin), ExitCode.USAGE, fragment)


def test_curl_header_dump_gives_its_set_cookie_lines_only() -> None:
    dump = (
        "HTTP/1.1 302 FOUND\r\nServer: Werkzeug/3.1\r\nDate: Fri, 27 Nov 2026 04:00:00 GMT\r\n"
        "Location: /home\r\nSet-Cookie: session=a.b.c; HttpOnly; Path=/\r\n\r\n"
        "HTTP/1.1 200 OK\r\nSet-Cookie: big=" + "v" * 4097 + "; Path=/\r\n\r\n<html>body</html>\n"
    )
    result = run("size-check", "-", "--format", "json", input=dump)
    assert result.exit_code == ExitCode.CHECK_FAILED  # the second cookie is over 4096
    cookies = json.loads(result.stdout)["cookies"]
    assert [(c["name"], c["label"]) for c in cookies] == [
        ("session", "standard input response 1 line 5"),
        ("big", "standard input response 2 line 8"),
    ]
    assert cookies[0]["set_cookie_bytes"] == len("session=a.b.c; HttpOnly; Path=/")


def test_netscape_cookie_jar_gives_its_cookies_by_domain() -> None:
    jar = (
        "# Netscape HTTP Cookie File\n"
        "#HttpOnly_app.example\tFALSE\t/\tFALSE\t0\tsession\ta.b.c\n"
        ".example\tTRUE\t/\tTRUE\t1900000000\ttheme\tdark\n"
    )
    cookies = doc("-", input=jar)["cookies"]
    assert isinstance(cookies, list)
    assert [(c["host"], c["name"], c["name_value_bytes"]) for c in cookies] == [
        ("app.example", "session", len("session") + len("a.b.c")),
        ("example", "theme", len("theme") + len("dark")),
    ]


def test_servers_refuse_and_all() -> None:
    # Three cookies a browser keeps, sent as one Cookie line of 8191 bytes with CRLF:
    # one byte over gunicorn's count, one under Apache's (which leaves out the CRLF).
    cookies = ["a=" + "v" * 2724, "b=" + "v" * 2724, "c=" + "v" * 2723]
    assert len("Cookie: " + "; ".join(cookies) + "\r\n") == 8191
    assert run("size-check", *cookies, "--server", "gunicorn").exit_code == ExitCode.CHECK_FAILED
    assert run("size-check", *cookies, "--server", "apache,iis").exit_code == ExitCode.OK
    everything = doc(*cookies, "--server", "all")
    findings = everything["requests"][0]["findings"]  # type: ignore[index]
    failing = {lim for f in findings if f["level"] == "error" for lim in f["limits"]}
    assert failing == {"gunicorn", "uwsgi", "tomcat"}
    warned = {lim for f in findings if f["level"] == "warning" for lim in f["limits"]}
    assert {"apache", "nginx", "heroku-request", "nginx-h2-field-old"} <= warned


def test_payload_sizes_equal_the_set_cookie_flask_sends(frozen_time: int) -> None:
    session = {"user_id": 7, "roles": ("admin",), "note": "x" * 300}
    app = make_app(
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_DOMAIN="example.test",
    )
    value, header = flask_cookie(app, session, permanent=True)
    result = doc(
        "--payload",
        '{"user_id": 7, "roles": {" t": ["admin"]}, "note": "' + "x" * 300 + '"}',
        "--key",
        "dev",
        "--samesite",
        "Lax",
        "--secure",
        "--domain",
        "example.test",
        "--permanent",
    )
    cookie = result["cookies"][0]  # type: ignore[index]
    assert cookie["set_cookie_bytes"] == len(header.encode())
    assert cookie["name_value_bytes"] == len("session") + len(value)
    assert cookie["flask_session"]["compressed"] == value.startswith(".")


def test_har_input_and_text_output() -> None:
    result = run("size-check", "--har", HAR, "--server", "nginx")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "domain example.test: cookie count is 66 cookies, over 50 cookies" in result.stdout
    assert "HAR entry 3: the response head (estimated) is" in result.stdout
    assert "static.example.test" in result.stdout


def test_github_annotations_are_escaped() -> None:
    result = run("size-check", "Cookie: a%b=" + "v" * 4100, "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error title=cookietool size-check%3A name_value::cookie 'a%25b'")
    assert lines[-1] == "cookietool size-check: 1 cookies, 1 errors, 0 warnings"
    assert result.exit_code == 1


def test_junit_xml() -> None:
    result = run("size-check", BIG, SMALL, "Cookie: c=\x01ctl", "--format", "junit")
    root = ET.fromstring(result.stdout)
    suite = root.find("testsuite")
    assert suite is not None
    # Three cookies, one domain, three responses (one each), one Cookie header.
    assert (suite.get("tests"), suite.get("failures")) == ("8", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and "4100 bytes" in (failure.get("message") or "")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert "c from argument 3" in names


def test_list_limits() -> None:
    text = run("size-check", "--list-limits", env={"COLUMNS": "400"})
    assert text.exit_code == 0 and "kMaxCookieNamePlusValueSize" in text.stdout
    assert "Safari/WebKit  unconfirmed" in text.stdout
    assert "nginx (proxy_pass)  --server nginx" in text.stdout
    assert "response side: response_head over 4096 is error, answered 502" in text.stdout
    data = json.loads(run("size-check", "--list-limits", "--format", "json").stdout)
    assert data["command"] == "limits" and len(data["limits"]) > 60
    buffer = next(lim for lim in data["limits"] if lim["id"] == "nginx-proxy-buffer")
    assert (buffer["side"], buffer["status"], buffer["limit"]) == ("response", 502, 4096)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ([SMALL, "--server", "varnish"], "unknown server varnish"),
        (["--har", __file__], "not a HAR file"),
        (["--payload", "[1]", "--key", "k"], "must be a JSON object"),
        (["--payload", "{}", "--key", "k"], "deletes the cookie"),
        (["--payload", '{"a": 1}'], "signing needs a key"),
    ],
)
def test_bad_input(args: list[str], fragment: str) -> None:
    assert_one_line_error(run("size-check", *args), 2, fragment)


def test_usage_errors() -> None:
    assert run("size-check").exit_code == 2
    assert run("size-check", "-", "--payload", "-", "--key", "k").exit_code == 2
    twice = run("size-check", "-", "-", input="a=1\n")
    assert twice.exit_code == 2 and "'-' is given for INPUT (2 times)" in twice.stderr
    assert run("size-check", SMALL, "--warn-at", "0").exit_code == 2
