"""Fetching cookies from live servers on 127.0.0.1: a real Flask app is the oracle for
what was sent, raw sockets play the servers that misbehave."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, Response, jsonify, make_response, redirect, request, session
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Response as BaseResponse

from cookietool.errors import CapError, InputError
from cookietool.fetch import (
    BadHeaderError,
    BadURLError,
    ConnectError,
    FetchError,
    FetchResult,
    FetchTimeoutError,
    NotHTTPError,
    RedirectError,
    ResolveError,
    ResponseTooLargeError,
    TLSError,
    TooManyRedirectsError,
    fetch_cookies,
    parse_header,
)

SECRET = "tok-5ecret-value"


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a test that would resolve, and so reach, any host but this machine."""
    resolve = socket.getaddrinfo

    def guarded(host: object, *args: Any, **kwargs: Any) -> Any:
        assert host in LOOPBACK, f"a test tried to resolve {host!r}"
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


class RecordingFlask(Flask):
    """A Flask app that records the Set-Cookie headers of each response it sends.

    Recorded after ``process_response``, so the session cookie Flask adds after every
    ``after_request`` hook is among them.
    """

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.sent: list[tuple[str, list[bytes]]] = []
        self.seen: list[dict[str, str | None]] = []

    def process_response(self, response: Response) -> Response:
        response = super().process_response(response)
        # WSGI header values are Latin-1 text: encoding them gives the bytes on the wire.
        lines = [line.encode("latin-1") for line in response.headers.getlist("Set-Cookie")]
        self.sent.append((request.path, lines))
        return response


def make_cookie_app() -> RecordingFlask:
    app = RecordingFlask(__name__)
    app.secret_key = "fetch-test-key"

    @app.post("/login")
    def login() -> BaseResponse | tuple[str, int]:
        if (request.form.get("user"), request.form.get("password")) != ("ada", "pw"):
            return "no", 403
        session["user"] = "ada"
        return redirect("/home", 302)

    @app.get("/home")
    def home() -> Response:
        response = make_response(f"hello {session.get('user')}")
        response.set_cookie("seen", "yes")
        return response

    @app.post("/api")
    def api() -> Response:
        body = request.get_json()
        response = jsonify({"got": body})
        response.set_cookie("api", str(body["n"]), httponly=True, samesite="Strict")
        return response

    @app.get("/two")
    def two() -> Response:
        response = Response("two")
        response.set_cookie("first", "1", max_age=60)
        # UTF-8 bytes on the wire, as cookie_server.py sends them.
        response.headers.add("Set-Cookie", "zweite=grün; Path=/".encode().decode("latin-1"))
        return response

    @app.get("/loop")
    def loop() -> BaseResponse:
        response = redirect("/loop")
        response.set_cookie("hops", str(int(request.cookies.get("hops", "0")) + 1))
        return response

    @app.route("/hop", methods=["GET", "POST"])
    def hop() -> BaseResponse:
        return redirect(request.args["to"], int(request.args.get("code", "302")))

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo() -> str:
        app.seen.append(
            {
                "method": request.method,
                "cookie": request.headers.get("Cookie"),
                "authorization": request.headers.get("Authorization"),
                "x-test": request.headers.get("X-Test"),
                "body": request.get_data(as_text=True),
            }
        )
        return "echo"

    @app.get("/big")
    def big() -> Response:
        size = int(request.args["n"])
        if request.args.get("stream"):  # no Content-Length: sent chunked
            return Response(b"x" * 1000 for _ in range(size // 1000))
        return Response(b"x" * size)

    @app.get("/many")
    def many() -> Response:
        response = Response("many")
        for number in range(150):
            response.set_cookie(f"c{number}", "1")
        return response

    @app.get("/to-file")
    def to_file() -> BaseResponse:
        return redirect("file:///etc/passwd")

    return app


def serve(app: Flask, **options: object) -> Iterator[tuple[BaseWSGIServer, str]]:
    httpd = make_server("127.0.0.1", 0, app, threaded=True, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd, f"127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[RecordingFlask, str]]:
    app = make_cookie_app()
    for _, where in serve(app):
        yield app, f"http://{where}"


@pytest.fixture
def server(live: tuple[RecordingFlask, str]) -> tuple[RecordingFlask, str]:
    app, base = live
    app.sent.clear()
    app.seen.clear()
    return app, base


def sent_by_app(app: RecordingFlask) -> list[tuple[str, list[bytes]]]:
    return list(app.sent)


def received(result: FetchResult) -> list[tuple[str, list[bytes]]]:
    return [
        (r.url.split("://", 1)[1].split("/", 1)[1].split("?")[0], list(r.set_cookie_raw))
        for r in result.responses
    ]


def jar(result: FetchResult) -> dict[str, str]:
    return {cookie.name: cookie.value for cookie in result.jar}


@pytest.mark.parametrize("form", [[("user", "ada"), ("password", "pw")], "user=ada&password=pw"])
def test_login_post_redirects_and_cookies_carry(
    server: tuple[RecordingFlask, str], form: str | list[tuple[str, str]]
) -> None:
    app, base = server
    result = fetch_cookies(f"{base}/login", data=form)
    assert [(r.method, r.status) for r in result.responses] == [("POST", 302), ("GET", 200)]
    assert result.url == f"{base}/home"
    assert result.responses[0].location == "/home"
    # Byte for byte what the app sent, response by response.
    assert [(f"/{path}", lines) for path, lines in received(result)] == sent_by_app(app)
    assert [len(lines) for _, lines in app.sent] == [1, 1]
    assert result.set_cookie[0].startswith("session=")
    assert result.final.set_cookies[0].name == "seen"
    # The session cookie went along to /home: the app greeted the user it set.
    assert result.final.body_bytes == len("hello ada")
    cookies = {c.name: c for c in result.jar}
    assert set(cookies) == {"session", "seen"}
    assert cookies["session"].value == result.responses[0].set_cookies[0].value
    assert (cookies["seen"].domain, cookies["seen"].path, cookies["seen"].host_only) == (
        "127.0.0.1",
        "/",
        True,
    )
    assert result.cookies_named("seen") == (cookies["seen"],)


def test_json_endpoint(server: tuple[RecordingFlask, str]) -> None:
    app, base = server
    result = fetch_cookies(f"{base}/api", json_body={"n": 5, "name": "é"})
    assert [(r.method, r.status) for r in result.responses] == [("POST", 200)]
    assert [(f"/{p}", lines) for p, lines in received(result)] == sent_by_app(app)
    attributes = dict(result.final.set_cookies[0].attributes)
    assert "HttpOnly" in attributes and attributes["SameSite"] == "Strict"
    assert jar(result) == {"api": "5"}


def test_two_set_cookie_headers_in_one_response_byte_for_byte(
    server: tuple[RecordingFlask, str],
) -> None:
    app, base = server
    result = fetch_cookies(f"{base}/two")
    ((_, lines),) = sent_by_app(app)
    assert len(lines) == 2
    assert list(result.final.set_cookie_raw) == lines
    assert result.final.set_cookie_raw[1] == "zweite=grün; Path=/".encode()
    assert result.final.set_cookie[1] == "zweite=grün; Path=/"
    assert jar(result) == {"first": "1", "zweite": "grün"}
    first = result.cookies_named("first")[0]
    assert first.expires is not None and abs(first.expires - time.time() - 60) < 10


def test_localhost_cookies_are_filed_under_localhost(server: tuple[RecordingFlask, str]) -> None:
    _, base = server
    result = fetch_cookies(base.replace("127.0.0.1", "localhost") + "/two")
    assert {c.domain for c in result.jar} == {"localhost"}


def test_a_redirect_loop_stops_with_the_chain(server: tuple[RecordingFlask, str]) -> None:
    app, base = server
    with pytest.raises(TooManyRedirectsError) as caught:
        fetch_cookies(f"{base}/loop", max_redirects=3)
    assert str(caught.value) == f"more than 3 redirects, the last from {base}/loop; stopped"
    chain = caught.value.responses
    assert len(chain) == 4
    assert [list(r.set_cookie_raw) for r in chain] == [lines for _, lines in app.sent]
    # Each hop sent back the cookie of the one before, as a browser would.
    assert [r.set_cookies[0].value for r in chain] == ["1", "2", "3", "4"]


def test_redirects_not_followed_on_request(server: tuple[RecordingFlask, str]) -> None:
    _, base = server
    result = fetch_cookies(f"{base}/loop", follow_redirects=False)
    assert [r.status for r in result.responses] == [302]
    assert result.final.location == "/loop"
    assert jar(result) == {"hops": "1"}


@pytest.mark.parametrize(
    ("code", "method", "body"), [(303, "GET", ""), (302, "GET", ""), (307, "POST", "a=1")]
)
def test_method_after_a_redirect(
    server: tuple[RecordingFlask, str], code: int, method: str, body: str
) -> None:
    app, base = server
    result = fetch_cookies(f"{base}/hop?code={code}&to=/echo", data="a=1")
    assert [r.method for r in result.responses] == ["POST", method]
    assert [(s["method"], s["body"]) for s in app.seen] == [(method, body)]


def test_a_given_cookie_header_is_sent_with_the_jar(server: tuple[RecordingFlask, str]) -> None:
    app, base = server
    result = fetch_cookies(f"{base}/hop?to=/echo", headers=["Cookie: a=1; b=x%20y", "X-Test: kept"])
    assert [(s["cookie"], s["x-test"]) for s in app.seen] == [("a=1; b=x%20y", "kept")]
    assert jar(result) == {"a": "1", "b": "x%20y"}


def test_credentials_do_not_follow_a_redirect_to_another_origin(
    server: tuple[RecordingFlask, str],
) -> None:
    app, base = server
    other = make_cookie_app()
    for _, where in serve(other):
        headers = [f"Authorization: Bearer {SECRET}", f"Cookie: session={SECRET}"]
        fetch_cookies(f"{base}/hop?to=/echo", headers=headers)
        fetch_cookies(f"{base}/hop?to=http://{where}/echo", headers=headers)
        elsewhere = where.replace("127.0.0.1", "localhost")
        fetch_cookies(f"{base}/hop?to=http://{elsewhere}/echo", headers=headers)
    assert [(s["authorization"], s["cookie"]) for s in app.seen] == [
        (f"Bearer {SECRET}", f"session={SECRET}")
    ]
    # Another port is another origin, but cookies ignore ports (RFC 6265 section 8.5),
    # so only the Authorization header stays behind; another host gets neither.
    assert [(s["authorization"], s["cookie"]) for s in other.seen] == [
        (None, f"session={SECRET}"),
        (None, None),
    ]


def test_a_redirect_to_another_scheme_is_refused(server: tuple[RecordingFlask, str]) -> None:
    _, base = server
    with pytest.raises(RedirectError, match="cannot be fetched: only http:// and https://"):
        fetch_cookies(f"{base}/to-file")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "ftp://127.0.0.1/x",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "127.0.0.1:5000/login",
        "//127.0.0.1/login",
        "",
    ],
)
def test_only_http_and_https_urls(url: str) -> None:
    with pytest.raises(BadURLError, match=r"^only http:// and https:// URLs can be fetched"):
        fetch_cookies(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (f"http://admin:{SECRET}@127.0.0.1/", "holds a user name or password"),
        ("http://127.0.0.1:99999/", "host or port is not valid"),
        ("http://127.0.0.1:0/", "port is not valid"),
        ("http:///path", "has no host"),
        ("http://exa!mple.com:80/", "not a valid host name"),
        ("http://exa mple.com/", "not a valid host name"),
        # Python 3.11+ urllib refuses the brackets itself; 3.10 leaves it to the IPv6 check.
        ("http://[::zz]/", "host or port is not valid|not a valid IPv6 address"),
        ("http://127.0.0.1\n.evil.example/", "line break or control character"),
        ("http://127.0.0.1/\r\nX-Evil: 1", "line break or control character"),
    ],
)
def test_bad_urls(url: str, message: str) -> None:
    with pytest.raises(BadURLError, match=message) as caught:
        fetch_cookies(url)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "header",
    [
        f"Authorization: Bearer {SECRET}\r\nX-Evil: 1",
        f"Authorization: Bearer {SECRET}\nX-Evil: 1",
        f"Cookie: session={SECRET}\rX",
        f"Cookie: session={SECRET}\x00",
        f"X-Token: {SECRET}\x1b[2J",
    ],
)
def test_header_injection_is_refused_without_echoing_the_value(header: str) -> None:
    with pytest.raises(BadHeaderError, match="line break or control character") as caught:
        fetch_cookies("http://127.0.0.1:9/", headers=[header])
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "header", [f"Authorization Bearer {SECRET}", f"X {SECRET}: 1", f": {SECRET}", "\r\nX: 1"]
)
def test_malformed_headers_are_not_repeated(header: str) -> None:
    with pytest.raises(BadHeaderError, match="Name: value") as caught:
        fetch_cookies("http://127.0.0.1:9/", headers=[header])
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("header", ["Content-Length: 5", "transfer-encoding: chunked"])
def test_framing_headers_are_refused(header: str) -> None:
    with pytest.raises(BadHeaderError, match="set by cookietool itself"):
        fetch_cookies("http://127.0.0.1:9/", headers=[header])


def test_parse_header() -> None:
    assert parse_header("X-A:  b c \t") == ("X-A", "b c")
    assert parse_header("Cookie: a=1; b=é") == ("Cookie", "a=1; b=é")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_closed_port_is_refused_in_one_line() -> None:
    port = free_port()
    with pytest.raises(ConnectError) as caught:
        fetch_cookies(
            f"http://127.0.0.1:{port}/?token={SECRET}",
            headers=[f"Authorization: Bearer {SECRET}", f"Cookie: session={SECRET}"],
        )
    assert str(caught.value) == f"cannot connect to 127.0.0.1:{port}: connection refused"


def raw_server(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that hands each connection to ``handle``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection, contextlib.suppress(OSError):
                handle(connection)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        with contextlib.suppress(OSError):  # wakes the accept() of the server thread
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(5)


def read_request(connection: socket.socket) -> None:
    """Read the request head, so that closing sends a clean FIN rather than a reset."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return
        data += chunk


def wait_for_close(connection: socket.socket) -> None:
    while connection.recv(4096):
        pass


def garbage(connection: socket.socket) -> None:
    read_request(connection)
    connection.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    wait_for_close(connection)


def hang_up(connection: socket.socket) -> None:
    read_request(connection)


def long_line(connection: socket.socket) -> None:
    read_request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n")
    wait_for_close(connection)


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        (garbage, "127.0.0.1:{port} did not answer in HTTP (is it an HTTP server?)"),
        (hang_up, "127.0.0.1:{port} closed the connection without an HTTP response"),
        (long_line, "127.0.0.1:{port} sent a header line over 65536 bytes; refused"),
    ],
)
def test_a_server_that_does_not_speak_http(
    handle: Callable[[socket.socket], None], message: str
) -> None:
    for port in raw_server(handle):
        with pytest.raises(NotHTTPError) as caught:
            fetch_cookies(f"http://127.0.0.1:{port}/", headers=[f"Cookie: s={SECRET}"])
        assert str(caught.value) == message.format(port=port)


def test_more_than_100_headers(server: tuple[RecordingFlask, str]) -> None:
    _, base = server
    with pytest.raises(NotHTTPError, match="more than 100 header lines"):
        fetch_cookies(f"{base}/many")


def test_a_server_that_never_answers_times_out() -> None:
    # Listening without accepting: the kernel completes the connection, nobody answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError) as caught:
            fetch_cookies(f"http://127.0.0.1:{port}/", timeout=0.3)
    assert time.monotonic() - started < 5
    assert str(caught.value) == f"no complete answer from 127.0.0.1:{port} within 0.3 seconds"


def trickle_head(connection: socket.socket) -> None:
    read_request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-Slow: ")
    for _ in range(200):  # a byte every 50 ms: no single read ever waits long
        connection.sendall(b"z")
        time.sleep(0.05)


def trickle_body(connection: socket.socket) -> None:
    read_request(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nConnection: close\r\n\r\n")
    for _ in range(200):
        connection.sendall(b"z")
        time.sleep(0.05)


@pytest.mark.parametrize("handle", [trickle_head, trickle_body])
def test_a_server_that_trickles_times_out_as_a_whole(
    handle: Callable[[socket.socket], None],
) -> None:
    for port in raw_server(handle):
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match=r"within 0\.5 seconds"):
            fetch_cookies(f"http://127.0.0.1:{port}/", timeout=0.5)
        assert time.monotonic() - started < 3


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # No query leaves the machine: the resolver itself is replaced.
    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ResolveError) as caught:
        fetch_cookies("http://no-such-host.invalid/")
    assert (
        str(caught.value) == "cannot resolve host no-such-host.invalid: Name or service not known"
    )


@pytest.mark.parametrize("stream", [False, True])
def test_the_body_is_drained_within_the_cap(
    server: tuple[RecordingFlask, str], stream: bool
) -> None:
    _, base = server
    flag = "&stream=1" if stream else ""
    result = fetch_cookies(f"{base}/big?n=100000{flag}", max_response_bytes=100_000)
    assert result.final.body_bytes == 100_000
    with pytest.raises(ResponseTooLargeError) as caught:
        fetch_cookies(f"{base}/big?n=4000000{flag}", max_response_bytes=100_000)
    assert isinstance(caught.value, CapError) and caught.value.cap == "response-bytes"
    assert caught.value.limit == 100_000
    assert "over the 100000-byte limit" in str(caught.value)


def test_https_to_a_plain_http_server_is_a_tls_problem(
    server: tuple[RecordingFlask, str],
) -> None:
    _, base = server
    where = base.removeprefix("http://")
    with pytest.raises(TLSError, match=rf"^TLS problem with {where}: the handshake failed"):
        fetch_cookies(f"https://{where}/two")


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_an_untrusted_certificate_is_a_tls_problem(self_signed: tuple[str, str]) -> None:
    app = make_cookie_app()
    for _, where in serve(app, ssl_context=self_signed):
        with pytest.raises(TLSError) as caught:
            fetch_cookies(f"https://{where}/two")
        assert str(caught.value).startswith(
            f"TLS problem with {where}: its certificate was refused (self-signed certificate)"
        )
        assert app.sent == []
        result = fetch_cookies(f"https://{where}/two", verify=False)
    assert list(result.final.set_cookie_raw) == app.sent[0][1]
    assert result.url == f"https://{where}/two"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"data": "a=1", "json_body": {}}, "not both"),
        ({"json_body": float("nan")}, "cannot be written as JSON"),
        ({"timeout": 0}, "timeout must be"),
        ({"max_redirects": -1}, "max_redirects"),
        ({"method": "GET /x"}, "single word"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        fetch_cookies("http://127.0.0.1:9/", **options)  # type: ignore[arg-type]


def test_every_error_is_one_input_error_line() -> None:
    port = free_port()
    cases = [f"http://127.0.0.1:{port}/", "file:///x", "http://127.0.0.1:9/a\nb"]
    for url in cases:
        with pytest.raises(FetchError) as caught:
            fetch_cookies(url, headers=[f"Authorization: {SECRET}"])
        assert isinstance(caught.value, InputError)
        assert "\n" not in str(caught.value) and SECRET not in str(caught.value)
