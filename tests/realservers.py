"""Real HTTP servers for tests, and requests to them whose every byte is known.

Each ``start_*`` runs one server at its defaults on 127.0.0.1 at a free port, in a process
group and a temp dir of its own, and yields a :class:`Server` once it answers; leaving the
``with`` block kills that group (and only it) and removes the dir. A program or package
that is not installed skips the test, saying how to get it. Requests go over raw sockets
because http.client would add and reorder headers, and the limits are about bytes.

Standard library and pytest only; the Flask app imports Flask when a server loads it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from flask import Flask

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
#: How to get the Python servers: they are dev dependencies (pyproject.toml).
DEV_INSTALL = "pip install -e '.[dev]'"
#: Bytes of ``Cookie: `` and the CRLF around a Cookie header's value.
COOKIE_LINE_EXTRA = len(b"Cookie: \r\n")


def wsgi_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """200 and an empty body for any request: only the server's own limits refuse one."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return [b""]


def make_flask_app() -> Flask:
    """A Flask app left at Flask's defaults whose ``GET /set?n=N`` sets ``c=`` + N bytes."""
    from flask import Flask, Response, request

    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        return ""

    @app.get("/set")
    def set_cookie() -> Response:
        response = app.make_response("")
        response.headers["Set-Cookie"] = "c=" + "a" * request.args.get("n", 0, type=int)
        return response

    return app


# Raw HTTP


def plain_request(path: str = "/", version: str = "HTTP/1.1") -> bytes:
    """``GET path`` with ``Host`` and ``Connection: close``; HTTP/1.0 is what nginx sends
    its upstream."""
    return f"GET {path} {version}\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()


@dataclass(frozen=True)
class CookieRequest:
    """A request head carrying one Cookie header, last before the blank line."""

    raw: bytes
    #: The Cookie header's value as sent.
    cookie: str

    @property
    def header(self) -> str:
        """The Cookie header as a browser sends it, the way size-check reads one."""
        return f"Cookie: {self.cookie}"

    @property
    def cookie_line_bytes(self) -> int:
        """Bytes of the Cookie line, ``Cookie: `` and CRLF included."""
        return COOKIE_LINE_EXTRA + len(self.cookie)

    @property
    def rest_bytes(self) -> int:
        """Bytes of the head besides the Cookie line (request line, other headers, blank
        line): what size-check's --head-bytes stands for."""
        return len(self.raw) - self.cookie_line_bytes


def cookie_value(size: int, piece: int = 3000) -> str:
    """A Cookie header value of exactly ``size`` bytes: ``c0=aa…; c1=aa…`` with no pair
    over ``piece`` bytes, so that no browser limit on one cookie comes into play."""
    count = -(-(size + 2) // (piece + 2))  # each pair after the first brings '; '
    room = size - 2 * (count - 1)
    pairs = []
    for number in range(count):
        name = f"c{number}="
        width = room // count + (1 if number < room % count else 0)
        if width <= len(name):
            raise ValueError(f"no Cookie header of {size} bytes in pieces of {piece}")
        pairs.append(name + "a" * (width - len(name)))
    value = "; ".join(pairs)
    assert len(value) == size
    return value


def cookie_request(*, line: int | None = None, head: int | None = None) -> CookieRequest:
    """``GET /`` whose Cookie line (CRLF included) is ``line`` bytes, or whose whole head
    (request line to blank line) is ``head`` bytes."""
    start = plain_request()[:-2]
    if line is None:
        if head is None:
            raise TypeError("give line or head")
        line = head - len(start) - 2
    value = cookie_value(line - COOKIE_LINE_EXTRA)
    return CookieRequest(start + f"Cookie: {value}\r\n\r\n".encode(), value)


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send ``data`` as it is and return all the server answers until it closes.

    A server refusing a large head may answer and close before reading all of it, so the
    connection is reset: what arrived before the reset is kept.
    """
    received = bytearray()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            received += chunk
    return bytes(received)


def status_of(response: bytes) -> int | None:
    """The status code of a response, or None when it does not start with a status line."""
    parts = response.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return None
    return int(parts[1])


def head_of(response: bytes) -> bytes:
    """A response's head: status line, header lines and the blank line."""
    end = response.find(b"\r\n\r\n")
    assert end >= 0, f"no end of head in {response[:200]!r}"
    return response[: end + 4]


def largest_passing(low: int, high: int, passes: Callable[[int], bool]) -> int:
    """The largest n in [low, high) that passes, for a test passing up to a point only."""
    assert passes(low), f"{low} does not pass"
    assert not passes(high), f"{high} passes"
    while high - low > 1:
        middle = (low + high) // 2
        if passes(middle):
            low = middle
        else:
            high = middle
    return low


# Servers


@dataclass(frozen=True)
class Server:
    """A server started for a test: where it listens and where it logs."""

    name: str
    port: int
    logs: tuple[Path, ...]

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return "".join(p.read_text(errors="replace") for p in self.logs if p.exists())


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on (free when asked, as all such are)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def require_module(module: str) -> None:
    """Skip the test unless this Python can import ``module``."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed: {DEV_INSTALL}")


def find_nginx() -> str | None:
    """nginx's path: on PATH, or in /usr/sbin, which is not on a user's PATH on Debian."""
    for found in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if found and os.access(found, os.X_OK):
            return found
    return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End the process group started for ``proc``: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
    proc.wait()


@contextlib.contextmanager
def _serve(
    name: str, argv: list[str], port: int, folder: Path, logs: tuple[Path, ...] = ()
) -> Iterator[Server]:
    """Run ``argv`` in its own process group and yield once it answers HTTP on ``port``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    output = folder / f"{name}.log"
    server = Server(name, port, (output, *logs))
    with output.open("wb") as log:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 20
            while status_of(_probe(port)) is None:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{name} did not start (exit code {proc.poll()}):\n{server.log_text()}"
                    )
                time.sleep(0.02)
            yield server
        finally:
            _stop(proc)


def _probe(port: int) -> bytes:
    try:
        return exchange(port, plain_request(), timeout=2)
    except OSError:
        return b""


def _temp_dir(name: str) -> contextlib.AbstractContextManager[str]:
    return tempfile.TemporaryDirectory(prefix=f"cookietool-{name}-")


@contextlib.contextmanager
def start_gunicorn(app: str) -> Iterator[Server]:
    """gunicorn, one sync worker, serving ``app`` (``module:name`` or ``module:factory()``)."""
    require_module("gunicorn")
    port = free_port()
    with _temp_dir("gunicorn") as folder:
        argv = [
            sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}", "--workers", "1",
            "--graceful-timeout", "1", "--worker-tmp-dir", folder, app,
        ]  # fmt: skip
        with _serve("gunicorn", argv, port, Path(folder)) as server:
            yield server


@contextlib.contextmanager
def start_waitress(app: str) -> Iterator[Server]:
    """waitress serving ``app`` (``module:name``)."""
    require_module("waitress")
    port = free_port()
    with _temp_dir("waitress") as folder:
        argv = [sys.executable, "-m", "waitress", f"--listen={HOST}:{port}", app]
        with _serve("waitress", argv, port, Path(folder)) as server:
            yield server


_WERKZEUG_MAIN = """\
import sys
from werkzeug.serving import run_simple
from tests.realservers import wsgi_app
run_simple(sys.argv[1], int(sys.argv[2]), wsgi_app)
"""


@contextlib.contextmanager
def start_werkzeug() -> Iterator[Server]:
    """Werkzeug's development server (``run_simple``, what ``flask run`` uses) on wsgi_app."""
    require_module("werkzeug")
    port = free_port()
    with _temp_dir("werkzeug") as folder:
        argv = [sys.executable, "-c", _WERKZEUG_MAIN, HOST, str(port)]
        with _serve("werkzeug", argv, port, Path(folder)) as server:
            yield server


#: Every path nginx writes to is in the temp dir; all the size settings are the defaults.
NGINX_CONF = """\
{user}worker_processes 1;
error_log {folder}/error.log error;
pid {folder}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen {host}:{port};
        location / {{ {location} }}
    }}
}}
"""


@contextlib.contextmanager
def start_nginx(upstream_port: int | None = None) -> Iterator[Server]:
    """nginx in the foreground, proxying to 127.0.0.1:``upstream_port``, or answering 200
    itself when there is no upstream."""
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx is not installed: apt-get install nginx-light")
    port = free_port()
    with _temp_dir("nginx") as folder:
        location = (
            'return 200 "nginx answered\\n";'
            if upstream_port is None
            else f"proxy_pass http://{HOST}:{upstream_port};"
        )
        conf = Path(folder, "nginx.conf")
        conf.write_text(
            NGINX_CONF.format(
                # Only root may name a user; root's workers would otherwise run as nobody.
                user="user root;\n" if os.geteuid() == 0 else "",
                folder=folder,
                host=HOST,
                port=port,
                location=location,
            )
        )
        error_log = Path(folder, "error.log")
        argv = [nginx, "-p", folder, "-e", str(error_log), "-c", str(conf), "-g", "daemon off;"]
        with _serve("nginx", argv, port, Path(folder), (error_log,)) as server:
            yield server
