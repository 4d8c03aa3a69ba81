"""Header dumps and cookie jars, checked against real curl output and Python's MozillaCookieJar."""

from __future__ import annotations

import http.cookiejar
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeAlias

import pytest
from flask import Flask, redirect, request
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.http import parse_cookie
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from cookietool.cookiefiles import (
    MAX_COOKIES,
    MAX_LINE_LENGTH,
    CookieFileError,
    DumpedSetCookie,
    JarCookie,
    read_cookie_jar,
    read_header_dump,
    sniff,
    status_code,
)
from cookietool.errors import InputError

CURL = shutil.which("curl")
needs_curl = pytest.mark.skipif(CURL is None, reason="curl is not installed")
#: 2040-01-01 00:00:00 UTC, the Expires the live app gives its persistent cookie.
EXPIRES_2040 = 2208988800
#: The key MozillaCookieJar keeps the HttpOnly flag under (http.cookiejar.HTTPONLY_ATTR).
HTTPONLY_ATTR = "HTTPOnly"
SECRET = "s3cr3t-session-token"


# --- the live server: what curl really writes -------------------------------------------------


def _app() -> Flask:
    app = Flask(__name__)
    app.config["SENT"] = {}

    @app.route("/start", methods=["GET", "POST"])
    def start() -> Response:
        response = redirect("/done")
        response.set_cookie(
            "alpha", "1", httponly=True, expires=datetime(2040, 1, 1, tzinfo=timezone.utc)
        )
        # Werkzeug quotes and escapes this one: the raw value differs from the one set.
        response.set_cookie("beta", 'two words; "q"')
        return response

    @app.route("/done", methods=["GET", "POST"])
    def done() -> str:
        # A body holding a head: curl -i puts it after the last head, where it is not read.
        return "done\n\nHTTP/1.1 200 OK\nSet-Cookie: fake=1\n"

    @app.after_request
    def record(response: Response) -> Response:
        app.config["SENT"][request.path] = response.headers.getlist("Set-Cookie")
        return response

    return app


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[str, Flask]]:
    app = _app()
    # threaded=True makes Werkzeug speak HTTP/1.1, which 100 Continue needs.
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", app
    finally:
        httpd.shutdown()
        thread.join(5)


def curl(*args: str) -> str:
    assert CURL is not None
    done = subprocess.run([CURL, *args], capture_output=True, check=True, timeout=30)
    return done.stdout.decode("latin-1")


def _line(text: str, number: int) -> str:
    return text.split("\n")[number - 1].rstrip("\r")


@needs_curl
@pytest.mark.parametrize(
    ("args", "responses"),
    [
        pytest.param(["-s", "-D", "-", "-o", "/dev/null", "-L"], 2, id="dump-follow"),
        pytest.param(["-sIL"], 2, id="head-follow"),
        pytest.param(["-si"], 1, id="include"),
        pytest.param(["-siL"], 2, id="include-follow"),
    ],
)
def test_curl_dumps_give_what_the_app_set(
    live: tuple[str, Flask], args: list[str], responses: int
) -> None:
    url, app = live
    text = curl(*args, f"{url}/start")
    assert text.count("HTTP/1.1 ") >= responses
    found = read_header_dump(text)
    sent = app.config["SENT"]["/start"]
    assert len(sent) == 2
    assert [cookie.value for cookie in found] == sent
    assert {(cookie.response, cookie.status) for cookie in found} == {(1, 302)}
    for cookie in found:
        assert _line(text, cookie.line) == f"Set-Cookie: {cookie.value}"
    assert sniff(text) == "header-dump"


@needs_curl
def test_a_live_100_continue_is_a_response_of_its_own(live: tuple[str, Flask]) -> None:
    url, app = live
    text = curl("-si", "-H", "Expect: 100-continue", "--data", "x=1", f"{url}/start")
    assert text.startswith("HTTP/1.1 100 Continue\r\n\r\n")
    found = read_header_dump(text)
    assert [cookie.value for cookie in found] == app.config["SENT"]["/start"]
    before = text[: text.index("Set-Cookie:")]
    assert {cookie.response for cookie in found} == {before.count("HTTP/1.1 ")}
    assert {cookie.status for cookie in found} == {302}


@needs_curl
def test_a_curl_cookie_jar_holds_what_the_app_set(live: tuple[str, Flask], tmp_path: Path) -> None:
    url, _ = live
    jar = tmp_path / "jar.txt"
    curl("-s", "-c", str(jar), "-L", "-o", "/dev/null", f"{url}/start")
    text = jar.read_text("utf-8")
    assert sniff(text) == "cookie-jar"
    found = {cookie.name: cookie for cookie in read_cookie_jar(text)}
    # Werkzeug reads back from the raw jar values exactly what the app set.
    assert {name: parse_cookie(f"{name}={c.value}")[name] for name, c in found.items()} == {
        "alpha": "1",
        "beta": 'two words; "q"',
    }
    assert found["alpha"] == JarCookie(
        domain="127.0.0.1",
        http_only=True,
        include_subdomains=False,
        path="/",
        secure=False,
        expires=EXPIRES_2040,
        name="alpha",
        value="1",
        line=found["alpha"].line,
    )
    assert (found["beta"].http_only, found["beta"].expires) == (False, None)
    assert _line(text, found["alpha"].line).startswith("#HttpOnly_127.0.0.1\t")
    assert _fields(read_cookie_jar(text)) == _oracle_fields(jar)


# --- MozillaCookieJar as the oracle -----------------------------------------------------------

_ascii = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
_domains = st.from_regex(r"\A\.?[a-z0-9][a-z0-9.-]{0,20}\Z")
_jar_cookies = st.lists(
    st.tuples(
        _domains,
        st.from_regex(r"\A/[!-~]{0,12}\Z"),
        st.text(_ascii, min_size=1, max_size=12),
        st.text(_ascii, max_size=20),
        st.booleans(),
        st.booleans(),
        st.none() | st.integers(1, 2**40),
    ),
    max_size=8,
    unique_by=lambda c: (c[0], c[1], c[2]),
)
JarSpec: TypeAlias = tuple[str, str, str, str, bool, bool, int | None]
Fields: TypeAlias = tuple[str, bool, bool, str, bool, int | None, str, str]


def _fields(cookies: list[JarCookie]) -> list[Fields]:
    return sorted(
        (c.domain, c.http_only, c.include_subdomains, c.path, c.secure, c.expires, c.name, c.value)
        for c in cookies
    )


def _oracle_fields(path: Path) -> list[Fields]:
    jar = http.cookiejar.MozillaCookieJar(str(path))
    jar.load(ignore_discard=True, ignore_expires=True)
    return sorted(
        (
            c.domain,
            c.has_nonstandard_attr(HTTPONLY_ATTR),
            c.domain_specified,
            c.path,
            c.secure,
            c.expires or None,
            c.name,
            c.value or "",
        )
        for c in jar
    )


def _cookie(spec: JarSpec) -> http.cookiejar.Cookie:
    domain, path, name, value, secure, http_only, expires = spec
    dot = domain.startswith(".")
    return http.cookiejar.Cookie(
        0, name, value, None, False, domain, dot, dot, path, True, secure, expires,
        expires is None, None, None, {HTTPONLY_ATTR: ""} if http_only else {},
    )  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Hypothesis runs many examples per test: one directory for all of them, not tmp_path.
    return tmp_path_factory.mktemp("jars")


@given(specs=_jar_cookies)
def test_reads_what_mozillacookiejar_saves(scratch: Path, specs: list[JarSpec]) -> None:
    jar = http.cookiejar.MozillaCookieJar()
    for spec in specs:
        jar.set_cookie(_cookie(spec))
    saved = list(jar)
    path = scratch / "saved.txt"
    jar.save(str(path), ignore_discard=True, ignore_expires=True)
    text = path.read_text("utf-8")
    if not saved:
        with pytest.raises(CookieFileError, match="holds no cookies"):
            read_cookie_jar(text)
        return
    assert sniff(text) == "cookie-jar"
    found = read_cookie_jar(text)
    assert [
        (c.domain, c.http_only, c.include_subdomains, c.path, c.secure, c.expires, c.name, c.value)
        for c in found
    ] == [
        (
            c.domain,
            c.has_nonstandard_attr(HTTPONLY_ATTR),
            c.domain.startswith("."),
            c.path,
            c.secure,
            c.expires,
            c.name,
            c.value,
        )
        for c in saved
    ]
    # MozillaCookieJar writes a four-line header, then one line a cookie.
    assert [c.line for c in found] == list(range(5, 5 + len(saved)))


@given(
    specs=_jar_cookies.filter(bool),
    newline=st.sampled_from(["\n", "\r\n"]),
    comments=st.booleans(),
    session=st.sampled_from(["0", ""]),
)
def test_agrees_with_mozillacookiejar_load(
    scratch: Path, specs: list[JarSpec], newline: str, comments: bool, session: str
) -> None:
    lines = ["# Netscape HTTP Cookie File"]
    for domain, path, name, value, secure, http_only, expires in specs:
        if comments:
            lines += ["", "# a comment", "   # an indented comment"]
        flags = ["TRUE" if domain.startswith(".") else "FALSE", path, "TRUE" if secure else "FALSE"]
        when = session if expires is None else str(expires)
        prefix = "#HttpOnly_" if http_only else ""
        lines.append("\t".join([prefix + domain, *flags, when, name, value]))
    text = newline.join(lines) + newline
    file = scratch / "written.txt"
    file.write_bytes(text.encode("utf-8"))
    assert sniff(text) == "cookie-jar"
    assert _fields(read_cookie_jar(text)) == _oracle_fields(file)


# --- header dumps by hand ---------------------------------------------------------------------


def dump(*lines: str, newline: str = "\r\n") -> str:
    return newline.join(lines) + newline


@pytest.fixture(params=["\r\n", "\n"], ids=["crlf", "lf"])
def newline(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_redirect_chain(newline: str) -> None:
    text = dump(
        "HTTP/1.1 302 FOUND",
        "Server: Werkzeug/3.1",
        "Location: /next",
        "Set-Cookie: a=1; Path=/",
        "",
        "HTTP/2 200 ",
        "date: Fri, 27 Nov 2026 04:35:59 GMT",
        "set-cookie: b=2; HttpOnly",
        "SET-COOKIE:c=3",
        "",
        newline=newline,
    )
    assert read_header_dump(text) == [
        DumpedSetCookie("a=1; Path=/", 1, 302, 4),
        DumpedSetCookie("b=2; HttpOnly", 2, 200, 8),
        DumpedSetCookie("c=3", 2, 200, 9),
    ]


def test_100_continue_then_a_response(newline: str) -> None:
    text = dump("HTTP/1.1 100 Continue", "", "HTTP/1.0 200 OK", "Set-Cookie: a=1", newline=newline)
    assert read_header_dump(text) == [DumpedSetCookie("a=1", 2, 200, 4)]


def test_the_body_after_a_head_is_not_read(newline: str) -> None:
    text = dump(
        "HTTP/1.1 200 OK",
        "Set-Cookie: a=1",
        "",
        "<p>hello</p>",
        "",
        "HTTP/1.1 200 OK",
        "Set-Cookie: body=not-a-cookie",
        newline=newline,
    )
    assert [c.value for c in read_header_dump(text)] == ["a=1"]
    # Only the line just after the blank line can start a new response.
    text = dump("HTTP/1.1 200 OK", "Set-Cookie: a=1", "", "", "HTTP/1.1 200 OK", "Set-Cookie: b=2")
    assert [c.value for c in read_header_dump(text)] == ["a=1"]


def test_a_body_that_starts_with_a_status_line_reads_as_a_response() -> None:
    # The known ambiguity of curl -i: nothing tells such a body from the next response's head.
    text = dump("HTTP/1.1 200 OK", "Set-Cookie: a=1", "", "HTTP/1.1 200 OK", "Set-Cookie: b=2")
    assert [(c.value, c.response) for c in read_header_dump(text)] == [("a=1", 1), ("b=2", 2)]


def test_folded_lines_never_make_a_cookie(newline: str) -> None:
    text = dump(
        "HTTP/1.1 200 OK",
        " Set-Cookie: before=any-field",
        "X-Note: first",
        " Set-Cookie: evil=1",
        "\tSet-Cookie: evil=2",
        "Set-Cookie: a=1;",
        "  Path=/;",
        "\tHttpOnly",
        "Set-Cookie: b=2",
        newline=newline,
    )
    # RFC 9112 section 5.2: each obs-fold becomes one space in the field it continues.
    assert read_header_dump(text) == [
        DumpedSetCookie("a=1; Path=/; HttpOnly", 1, 200, 6),
        DumpedSetCookie("b=2", 1, 200, 9),
    ]


def test_a_status_line_inside_a_head_starts_a_response() -> None:
    text = dump("HTTP/1.1 301 Moved", "Set-Cookie: a=1", "HTTP/1.1 200 OK", "Set-Cookie: b=2")
    assert [(c.response, c.status) for c in read_header_dump(text)] == [(1, 301), (2, 200)]


def test_leading_blank_lines_and_other_headers() -> None:
    text = dump("", "  ", "HTTP/1.1 204 No Content", "Set-Cookie : spaced=1", "Cookie: x=1")
    with pytest.raises(CookieFileError, match=r"^the response set no cookies$"):
        read_header_dump(text)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "no HTTP status line: not a header dump", None),
        ("\n \r\n", "no HTTP status line: not a header dump", None),
        ("HTTP/1.1 200 OK\r\n\r\n", "the response set no cookies", None),
        (
            "HTTP/1.1 302 Found\r\n\r\nHTTP/1.1 200 OK\r\n",
            "none of the 2 responses set a cookie",
            None,
        ),
        (f"\n* Trying 127.0.0.1\nSet-Cookie: {SECRET}\n", "line 2: expected an HTTP status", 2),
        ("HTTP/1.1 2000 OK\nSet-Cookie: a=1\n", "line 1: expected an HTTP status", 1),
    ],
)
def test_dump_errors(text: str, message: str, line: int | None) -> None:
    with pytest.raises(CookieFileError) as caught:
        read_header_dump(text)
    assert str(caught.value).startswith(message)
    assert SECRET not in str(caught.value)
    assert caught.value.line == line
    assert isinstance(caught.value, InputError)


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("HTTP/1.1 200 OK", 200),
        ("HTTP/1.0 404 Not Found", 404),
        ("HTTP/2 200 ", 200),
        ("HTTP/3 302", 302),
        ("HTTP/1.1 100\tContinue", 100),
        ("HTTP/1.1 200OK", None),
        ("HTTP/1.1  200 OK", None),
        ("HTTP/11 200 OK", None),
        ("HTTP/1. 200 OK", None),
        ("HTTP/2 20", None),
        ("HTTP/2 2\u0662\u0660", None),
        ("http/1.1 200 OK", None),
        (" HTTP/1.1 200 OK", None),
        ("HTTP/1.1", None),
    ],
)
def test_status_code(line: str, code: int | None) -> None:
    assert status_code(line) == code


# --- cookie jars by hand ----------------------------------------------------------------------


def jar(*lines: str, newline: str = "\n") -> str:
    return newline.join(lines) + newline


def test_jar_lines(newline: str) -> None:
    text = jar(
        "# Netscape HTTP Cookie File",
        "# https://curl.se/docs/http-cookies.html",
        "",
        ".example.com\tTRUE\t/\tFALSE\t0\tsession\tabc",
        "#HttpOnly_www.example.com\tfalse\t/app\ttrue\t1767323045\tid\t",
        "  # indented comment",
        "example.org\tFALSE\t/\tFALSE\t\tempty-expiry\tx y",
        newline=newline,
    )
    assert read_cookie_jar(text) == [
        JarCookie(".example.com", False, True, "/", False, None, "session", "abc", 4),
        JarCookie("www.example.com", True, False, "/app", True, 1767323045, "id", "", 5),
        JarCookie("example.org", False, False, "/", False, None, "empty-expiry", "x y", 7),
    ]


def test_a_jar_needs_no_header() -> None:
    text = jar("example.com\tFALSE\t/\tFALSE\t0\ta\t1")
    assert sniff(text) == "cookie-jar"
    assert [c.name for c in read_cookie_jar(text)] == ["a"]


def _bad(fields: list[str]) -> str:
    return "\t".join(fields)


_GOOD = ["example.com", "FALSE", "/", "FALSE", "0", "session", SECRET]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_bad(_GOOD[:6]), "expected 7 tab-separated fields, found 6"),
        (_bad([*_GOOD, "extra"]), "expected 7 tab-separated fields, found 8"),
        (
            f"example.com FALSE / FALSE 0 session {SECRET}",
            "expected 7 tab-separated fields, found 1",
        ),
        (f"#HttpOnly_{SECRET}", "expected 7 tab-separated fields, found 1"),
        (_bad(["", *_GOOD[1:]]), "field 1 (domain) is empty or holds whitespace"),
        (_bad([" example.com", *_GOOD[1:]]), "field 1 (domain) is empty or holds whitespace"),
        (
            _bad([*_GOOD[:1], "yes", *_GOOD[2:]]),
            "field 2 (include subdomains) is not TRUE or FALSE",
        ),
        (_bad([*_GOOD[:1], "FAL\u017fE", *_GOOD[2:]]), "field 2 (include subdomains) is not TRUE"),
        (_bad([*_GOOD[:2], "", *_GOOD[3:]]), "field 3 (path) is empty"),
        (_bad([*_GOOD[:3], "1", *_GOOD[4:]]), "field 4 (secure) is not TRUE or FALSE"),
        (_bad([*_GOOD[:4], "-1", *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
        (_bad([*_GOOD[:4], "1.5", *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
        (_bad([*_GOOD[:4], "1_000", *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
        (_bad([*_GOOD[:4], "\u0661\u0662", *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
        (_bad([*_GOOD[:4], "9" * 20, *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
        (_bad([*_GOOD[:4], "9" * 19, *_GOOD[5:]]), "field 5 (expiry) is out of range"),
        (_bad([*_GOOD[:4], "9" * 5000, *_GOOD[5:]]), "field 5 (expiry) is not a whole number"),
    ],
)
def test_malformed_jar_lines_name_the_line_not_the_content(line: str, message: str) -> None:
    text = jar("# Netscape HTTP Cookie File", "", _bad(_GOOD), line, _bad(_GOOD))
    with pytest.raises(CookieFileError) as caught:
        read_cookie_jar(text)
    assert str(caught.value).startswith(f"line 4: {message}")
    assert caught.value.line == 4
    assert SECRET not in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# Netscape HTTP Cookie File\n", "# Netscape HTTP Cookie File\n# only\n"]
)
def test_a_jar_without_cookies(text: str) -> None:
    with pytest.raises(CookieFileError, match=r"^the cookie jar holds no cookies$"):
        read_cookie_jar(text)


# --- sniffing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\n", "header-dump"),
        ("\n\r\n  \nHTTP/2 302 \r\n", "header-dump"),
        ("# Netscape HTTP Cookie File\n", "cookie-jar"),
        ("# HTTP Cookie File\nanything at all\n", "cookie-jar"),
        ("# a comment\n\n#HttpOnly_a.com\tFALSE\t/\tFALSE\t0\tn\tv\n", "cookie-jar"),
        ("a.com\tFALSE\t/\tFALSE\t0\tn\tv", "cookie-jar"),
        ("# a comment\na.com\tFALSE\t/\tFALSE\t0\tn\n", "lines"),
        ("session=abc\nother=def\n", "lines"),
        ("Set-Cookie: session=abc; HttpOnly\n", "lines"),
        ("eyJ1c2VyIjo0Mn0.aXYz.c2ln\n", "lines"),
        ("# only comments\n# here\n", "lines"),
        ("", "lines"),
        ("   \n", "lines"),
        ("Cookie: a=1\nHTTP/1.1 200 OK\n", "lines"),
        (" HTTP/1.1 200 OK\n", "lines"),
        ("#HttpOnly_a.com\tb\n", "lines"),
    ],
)
def test_sniff(text: str, kind: str) -> None:
    assert sniff(text) == kind


# --- caps -------------------------------------------------------------------------------------


def test_defaults() -> None:
    assert (MAX_COOKIES, MAX_LINE_LENGTH) == (10_000, 65_536)


def test_cookie_cap_on_dumps() -> None:
    text = dump("HTTP/1.1 200 OK", *[f"Set-Cookie: c{n}=1" for n in range(3)])
    assert len(read_header_dump(text, max_cookies=3)) == 3
    with pytest.raises(CookieFileError, match=r"^line 4: more than 2 Set-Cookie headers; refused$"):
        read_header_dump(text, max_cookies=2)


def test_cookie_cap_on_jars() -> None:
    text = jar(*[f"a.com\tFALSE\t/\tFALSE\t0\tc{n}\t1" for n in range(3)])
    assert len(read_cookie_jar(text, max_cookies=3)) == 3
    with pytest.raises(CookieFileError, match=r"^line 3: more than 2 cookies; refused$"):
        read_cookie_jar(text, max_cookies=2)


def test_default_cookie_cap() -> None:
    text = "HTTP/1.1 200 OK\n" + "Set-Cookie: a=1\n" * (MAX_COOKIES + 1)
    with pytest.raises(CookieFileError, match=f"line {MAX_COOKIES + 2}: more than {MAX_COOKIES}"):
        read_header_dump(text)


@pytest.mark.parametrize("newline", ["\n", "\r\n", ""])
def test_line_cap_counts_characters_without_the_line_end(newline: str) -> None:
    value = "v" * 100
    text = f"HTTP/1.1 200 OK\nSet-Cookie: {value}{newline}"
    cap = len(f"Set-Cookie: {value}")
    assert read_header_dump(text, max_line_length=cap)[0].value == value
    with pytest.raises(CookieFileError, match=rf"^line 2: longer than {cap - 1} characters"):
        read_header_dump(text, max_line_length=cap - 1)


@pytest.mark.parametrize("reader", [read_header_dump, read_cookie_jar, sniff])
def test_default_line_cap(reader: Callable[..., Any]) -> None:
    text = "\n" + "#" * (MAX_LINE_LENGTH + 1) + "\n"
    with pytest.raises(CookieFileError, match=rf"^line 2: longer than {MAX_LINE_LENGTH}"):
        reader(text)
    # Exactly at the cap is fine (and a comment line in a jar).
    try:
        reader("\n" + "#" * MAX_LINE_LENGTH + "\n")
    except CookieFileError as e:
        assert "longer than" not in str(e)


def test_a_folded_header_is_capped_as_a_whole() -> None:
    text = dump("HTTP/1.1 200 OK", "Set-Cookie: a=" + "v" * 40, *[" " + "w" * 40] * 3)
    assert len(read_header_dump(text, max_line_length=200)[0].value) == 2 + 40 + 3 * 41
    with pytest.raises(CookieFileError, match=r"^line 2: folded header longer than 100 characters"):
        read_header_dump(text, max_line_length=100)


def test_huge_input_is_refused_or_read_in_one_pass() -> None:
    # Far past the caps: each answer needs one pass over the text, never a copy per line.
    huge = "HTTP/1.1 200 OK\t" * 1_000_000
    for reader in (read_header_dump, read_cookie_jar, sniff):
        with pytest.raises(CookieFileError, match=r"^line 1: longer than"):
            reader(huge)
    # The body after a head is never read, so its lines may be longer than the cap.
    for body in ("x" * 20_000_000, "short\n" + "x" * 20_000_000):
        text = "HTTP/1.1 200 OK\nSet-Cookie: a=1\n\n" + body
        assert [c.value for c in read_header_dump(text)] == ["a=1"]


# --- nothing but InputError, whatever the text ------------------------------------------------

_fragments = st.sampled_from(
    [
        "HTTP/1.1 200 OK",
        "HTTP/2 302 ",
        "HTTP/1.1 100 Continue",
        "Set-Cookie: a=1",
        "set-cookie:",
        " folded",
        "\t",
        "\r\n",
        "\n",
        "\r",
        "#HttpOnly_",
        "# Netscape HTTP Cookie File",
        "TRUE",
        "FALSE",
        "0",
        "99999999999999999999",
        "/",
        ".example.com",
        "#",
        ":",
        " ",
        "\u2028",
        "\ud800",
    ]
)
_texts = st.text() | st.lists(_fragments | st.text(max_size=3)).map("".join)


@given(_texts, st.integers(0, 40), st.integers(0, 5))
def test_every_reader_returns_or_raises_input_error(
    text: str, max_line_length: int, max_cookies: int
) -> None:
    small = {"max_line_length": max_line_length, "max_cookies": max_cookies}
    runs: list[dict[str, int]] = [{}, small]
    for kwargs in runs:
        for reader in (read_header_dump, read_cookie_jar):
            try:
                found = reader(text, **kwargs)
            except InputError:
                continue
            assert 0 < len(found) <= kwargs.get("max_cookies", MAX_COOKIES)
        try:
            kind = sniff(text, max_line_length=kwargs.get("max_line_length", MAX_LINE_LENGTH))
        except InputError:
            continue
        assert kind in ("header-dump", "cookie-jar", "lines")


@given(_texts)
def test_sniff_agrees_with_the_readers(text: str) -> None:
    kind = sniff(text)
    if kind == "header-dump":
        with pytest.raises(CookieFileError) as caught:
            read_cookie_jar(text)
        assert caught.value.line is not None
    # A jar sniffed from a cookie line (not its header) reads at least up to that line.
    if kind == "cookie-jar" and not text.lstrip().startswith("#"):
        try:
            read_cookie_jar(text)
        except CookieFileError as e:
            assert "holds no cookies" not in str(e)
