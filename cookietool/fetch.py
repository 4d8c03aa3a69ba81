"""Fetching a URL from a running server and keeping the cookies it sets, as a browser would.

Only ``http`` and ``https`` are ever fetched, redirects included: ``urllib`` would also
open ``file:``, ``ftp:`` and ``data:`` URLs, so the connection is made with
``http.client`` and every redirect is followed here. Cookies are kept by
``http.cookiejar`` across the redirect chain. Each request is bounded in time (a
watchdog cuts a server that trickles) and each body is drained, never stored, up to a
cap. Errors are one line each and never repeat a header value, which may be a secret.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import ipaddress
import json
import math
import re
import socket
import ssl
import threading
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from cookietool import __version__
from cookietool.cookieinput import SetCookie, cookie_pairs, parse_set_cookie
from cookietool.errors import CapError, InputError

#: Largest response body drained; the body itself is never kept. A page this size is
#: not a login flow, and a server streaming forever must not keep us reading.
MAX_RESPONSE_BYTES = 8 << 20
#: The statuses browsers follow (Fetch standard, "redirect status").
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Set here from the request itself; a user's copy could desynchronise the framing.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "te"})
#: Credentials browsers and curl do not carry to another origin on a redirect.
ORIGIN_BOUND_HEADERS = frozenset({"authorization", "proxy-authorization", "host"})

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
#: HTAB, visible ASCII and obs-text (RFC 9110 section 5.5); CR, LF, NUL and other
#: controls would let a value start a header or a request of its own.
_FIELD_VALUE = re.compile(r"[\t\x20-\x7e\x80-\U0010ffff]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REG_NAME = re.compile(r"[A-Za-z0-9._-]+")
#: Everything printable in ASCII but the space stays as given in a path or query
#: (``%`` too, so existing escapes are kept); the rest is percent-encoded as browsers do.
_URL_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))


class FetchError(InputError):
    """A URL that could not be fetched; the message is one line and holds no header value."""


class BadURLError(FetchError):
    """A URL that is not an ``http`` or ``https`` URL cookietool can fetch."""


class BadHeaderError(FetchError):
    """A request header that is not ``Name: value`` or whose value could inject lines."""


class ConnectError(FetchError):
    """No connection: refused, unreachable, or closed before the exchange ended."""


class ResolveError(FetchError):
    """A host name that does not resolve."""


class FetchTimeoutError(FetchError):
    """A server that did not finish answering within the timeout."""


class TLSError(FetchError):
    """A TLS handshake that failed, a certificate not trusted among them."""


class NotHTTPError(FetchError):
    """A server that answered something other than HTTP, or HTTP past the parser's limits."""


class RedirectError(FetchError):
    """A redirect that cannot be followed (to a scheme other than http or https)."""


class TooManyRedirectsError(RedirectError):
    """More redirects than allowed; ``responses`` holds the chain up to the last one."""

    def __init__(self, message: str, responses: tuple[FetchedResponse, ...]) -> None:
        super().__init__(message)
        self.responses = responses


class ResponseTooLargeError(FetchError, CapError):
    """A response body over ``max_response_bytes``; ``limit`` is that cap."""

    def __init__(self, message: str, limit: int) -> None:
        CapError.__init__(self, message, "response-bytes")
        self.limit = limit


@dataclass(frozen=True)
class FetchedResponse:
    """One response of the redirect chain, with its Set-Cookie header values as sent."""

    method: str
    url: str
    status: int
    reason: str
    #: The Location header (UTF-8, undecodable bytes kept as surrogates), if any.
    location: str | None
    #: Each Set-Cookie header value, in the order sent, as the bytes on the wire.
    set_cookie_raw: tuple[bytes, ...]
    #: Bytes of body drained (and thrown away).
    body_bytes: int
    #: Bytes of the response head as received: status line, header lines, blank line.
    head_bytes: int = 0

    @property
    def set_cookie(self) -> tuple[str, ...]:
        """The Set-Cookie values as text, UTF-8 with undecodable bytes kept as surrogates."""
        return tuple(_text(raw) for raw in self.set_cookie_raw)

    @property
    def set_cookies(self) -> tuple[SetCookie, ...]:
        """The Set-Cookie values split into name, value and attributes."""
        return tuple(parse_set_cookie(line) for line in self.set_cookie)


@dataclass(frozen=True)
class JarCookie:
    """A cookie in the jar once the chain ended (text is UTF-8, as in ``set_cookie``)."""

    name: str
    value: str
    domain: str
    path: str
    secure: bool
    #: Seconds since the epoch; None for a session cookie.
    expires: int | None
    #: Set without a Domain attribute, so sent to ``domain`` only, not its subdomains.
    host_only: bool


@dataclass(frozen=True)
class FetchResult:
    """The final URL, every response of the redirect chain and the cookie jar at the end."""

    url: str
    responses: tuple[FetchedResponse, ...]
    jar: tuple[JarCookie, ...]

    @property
    def final(self) -> FetchedResponse:
        """The last response, the one that was not (or not allowed to be) a redirect."""
        return self.responses[-1]

    @property
    def set_cookie(self) -> tuple[str, ...]:
        """Every Set-Cookie value of the chain, in the order received."""
        return tuple(line for response in self.responses for line in response.set_cookie)

    def cookies_named(self, name: str) -> tuple[JarCookie, ...]:
        """The cookies in the jar called ``name`` (several if domains or paths differ)."""
        return tuple(cookie for cookie in self.jar if cookie.name == name)


@dataclass(frozen=True)
class _Target:
    """A URL checked and normalised: what to connect to and what to ask for."""

    url: str
    scheme: str
    host: str
    port: int
    selector: str

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def where(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class _Request:
    """What one hop sends; headers keep the user's order and duplicates."""

    method: str
    headers: tuple[tuple[str, bytes], ...]
    body: bytes | None


def fetch_cookies(
    url: str,
    *,
    method: str | None = None,
    headers: Iterable[str] = (),
    data: str | Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
    json_body: Any = None,
    follow_redirects: bool = True,
    max_redirects: int = 10,
    timeout: float = 10.0,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
    verify: bool = True,
) -> FetchResult:
    """Fetch ``url`` following redirects as a browser does; the cookies each response set.

    ``method`` defaults to GET, or POST when there is a body: ``data`` (form fields, or
    an already encoded ``a=1&b=2``) or ``json_body`` (any value ``json.dumps`` takes).
    ``headers`` are ``"Name: value"`` strings; a ``Cookie`` header seeds the jar for the
    URL's host, and ``Authorization`` and ``Host`` are not carried to another origin.
    After a 303, or a 301 or 302 to a POST, the method becomes GET and the body is
    dropped; 307 and 308 repeat both. ``timeout`` bounds each request, from connecting to
    the last byte; ``verify=False`` accepts any TLS certificate.
    """
    if isinstance(timeout, bool) or not (math.isfinite(timeout) and timeout > 0):
        raise InputError("the timeout must be a positive number of seconds")
    if isinstance(max_redirects, bool) or max_redirects < 0:
        raise InputError("max_redirects must be a whole number from 0 up")
    if isinstance(max_response_bytes, bool) or max_response_bytes < 0:
        raise InputError("max_response_bytes must be a whole number from 0 up")
    target = _parse_url(url)
    request_headers, seeded = _parse_headers((headers,) if isinstance(headers, str) else headers)
    body = _body(data, json_body, request_headers)
    if method is None:
        method = "GET" if body is None else "POST"
    request = _Request(_check_method(method), tuple(request_headers), body)
    jar = http.cookiejar.CookieJar()
    _seed(jar, target, request.headers, seeded)
    context: ssl.SSLContext | None = None
    responses: list[FetchedResponse] = []
    dotless_hosts: set[str] = set()
    while True:
        if "." not in target.host:
            dotless_hosts.add(target.host)
        if target.scheme == "https" and context is None:
            context = _tls_context(verify)
        response = _exchange(target, request, jar, context, timeout, max_response_bytes)
        responses.append(response)
        if not follow_redirects or response.status not in REDIRECT_STATUSES:
            break
        if response.location is None:
            break  # a redirect status without a Location is a page like any other
        if len(responses) > max_redirects:
            raise TooManyRedirectsError(
                f"more than {max_redirects} redirects, the last from {_shown(target)}; stopped",
                tuple(responses),
            )
        following = _redirect_target(target, response.location)
        request = _redirected(request, response.status, same=following.origin == target.origin)
        target = following
    return FetchResult(target.url, tuple(responses), _jar_state(jar, dotless_hosts))


def parse_header(line: str) -> tuple[str, str]:
    """Name and value of a ``"Name: value"`` request header, refused if it could inject."""
    name, sep, value = line.partition(":")
    name = name.strip(" \t")
    if not sep or not _TOKEN.fullmatch(name):
        # Nothing of the line is repeated: it may be a credential typed without its colon.
        raise BadHeaderError(
            "a header must be 'Name: value' with a name of letters, digits and "
            "!#$%&'*+-.^_`|~ (the header is not repeated, in case it holds a secret)"
        )
    value = value.strip(" \t")
    if not _FIELD_VALUE.fullmatch(value):
        raise BadHeaderError(
            f"the value of header {name} holds a line break or control character; refused"
        )
    return name, value


def _parse_headers(lines: Iterable[str]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The headers to send as bytes, and the Cookie header values kept apart for the jar."""
    headers: list[tuple[str, bytes]] = []
    cookies: list[str] = []
    for line in lines:
        name, value = parse_header(line)
        lowered = name.lower()
        if lowered in FRAMING_HEADERS:
            raise BadHeaderError(f"header {name} is set by cookietool itself; refused")
        if lowered == "cookie":
            cookies.append(value)
            continue
        if lowered == "host" and any(n.lower() == "host" for n, _ in headers):
            raise BadHeaderError("header Host given twice; refused")
        # Arguments arrive as text; what was not UTF-8 on the command line goes out as it came.
        headers.append((name, value.encode("utf-8", "surrogateescape")))
    names = {name.lower() for name, _ in headers}
    if "user-agent" not in names:
        headers.append(("User-Agent", f"cookietool/{__version__}".encode()))
    if "accept" not in names:
        headers.append(("Accept", b"*/*"))
    return headers, cookies


def _check_method(method: str) -> str:
    if not _TOKEN.fullmatch(method):
        raise InputError("the method must be a single word such as GET or POST")
    return method


def _body(
    data: str | Sequence[tuple[str, str]] | Mapping[str, str] | None,
    json_body: Any,
    headers: list[tuple[str, bytes]],
) -> bytes | None:
    """The request body, adding its Content-Type unless the user gave one."""
    if data is not None and json_body is not None:
        raise InputError("give form data or a JSON body, not both")
    if data is None and json_body is None:
        return None
    if data is not None:
        kind = b"application/x-www-form-urlencoded"
        if isinstance(data, str):
            body = data.encode("utf-8", "surrogateescape")
        else:
            try:
                body = urlencode(data, encoding="utf-8", errors="surrogateescape").encode()
            except (TypeError, ValueError) as e:
                raise InputError("form data must be name and value pairs of text") from e
    else:
        kind = b"application/json"
        try:
            body = json.dumps(json_body, ensure_ascii=False, allow_nan=False).encode(
                "utf-8", "surrogateescape"
            )
        except (TypeError, ValueError) as e:
            raise InputError("the JSON body cannot be written as JSON") from e
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", kind))
    return body


def _parse_url(url: str) -> _Target:
    """The target of ``url``, refused unless it is an http or https URL with a host."""
    text = url.strip()
    if _CONTROL.search(text):
        # urlsplit would quietly drop tabs and line breaks and fetch another host.
        raise BadURLError("the URL holds a line break or control character; refused")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise BadURLError("the URL's host or port is not valid") from e
    scheme = parts.scheme.lower()
    if "://" not in text or scheme not in ("http", "https"):
        shown = f" (not {scheme}:)" if scheme and scheme.isascii() and scheme.isalnum() else ""
        raise BadURLError(f"only http:// and https:// URLs can be fetched{shown}")
    if parts.username is not None or parts.password is not None:
        raise BadURLError(
            "the URL holds a user name or password; give an Authorization header instead"
        )
    host = _check_host(parts.hostname or "")
    if port == 0:
        raise BadURLError("the URL's port is not valid")
    default = 443 if scheme == "https" else 80
    port = default if port is None else port
    path = quote(parts.path or "/", safe=_URL_SAFE, errors="surrogateescape")
    query = quote(parts.query, safe=_URL_SAFE, errors="surrogateescape")
    selector = f"{path}?{query}" if query else path
    shown_host = f"[{host}]" if ":" in host else host
    netloc = shown_host if port == default else f"{shown_host}:{port}"
    return _Target(f"{scheme}://{netloc}{selector}", scheme, host, port, selector)


def _check_host(host: str) -> str:
    if not host:
        raise BadURLError("the URL has no host")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError as e:
            raise BadURLError("the URL's host is not a valid IPv6 address") from e
        return host
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as e:
            raise BadURLError("the URL's host is not a valid host name") from e
    if not _REG_NAME.fullmatch(host):
        raise BadURLError("the URL's host is not a valid host name")
    return host


def _redirect_target(current: _Target, location: str) -> _Target:
    try:
        return _parse_url(urljoin(current.url, location))
    except BadURLError as e:
        raise RedirectError(
            f"{_shown(current)} redirected to a URL that cannot be fetched: {e}"
        ) from e


def _redirected(request: _Request, status: int, *, same: bool) -> _Request:
    """The request a browser sends next (Fetch standard, "HTTP-redirect fetch")."""
    method, body, headers = request.method, request.body, request.headers
    if (status in (301, 302) and method == "POST") or (status == 303 and method != "HEAD"):
        method, body = "GET", None
        headers = tuple((n, v) for n, v in headers if n.lower() != "content-type")
    if not same:
        headers = tuple((n, v) for n, v in headers if n.lower() not in ORIGIN_BOUND_HEADERS)
    return _Request(method, headers, body)


def _seed(
    jar: http.cookiejar.CookieJar,
    target: _Target,
    headers: Sequence[tuple[str, bytes]],
    cookie_headers: list[str],
) -> None:
    """Put the user's Cookie header in the jar as host-only cookies of the URL's host.

    In the jar they are sent with the server's own cookies, replaced when the server
    sets the same name, and not sent to another host, as a browser holding them would.
    """
    if not cookie_headers:
        return
    domain = _host_only_domain(_jar_request(target, "GET", headers))
    for header in cookie_headers:
        for name, value in cookie_pairs(header):
            # The jar holds what http.client reads: one character a byte (Latin-1). It
            # keeps a nameless cookie as a name without a value, sent alone.
            jar_name, jar_value = (_wire(name), _wire(value)) if name else (_wire(value), None)
            jar.set_cookie(
                http.cookiejar.Cookie(
                    version=0,
                    name=jar_name,
                    value=jar_value,
                    port=None,
                    port_specified=False,
                    domain=domain,
                    domain_specified=False,
                    domain_initial_dot=False,
                    path="/",
                    path_specified=False,
                    secure=False,
                    expires=None,
                    discard=True,
                    comment=None,
                    comment_url=None,
                    rest={},
                )
            )


def _host_only_domain(request: urllib.request.Request) -> str:
    """The domain http.cookiejar files a cookie set without Domain under.

    That is the request's host (from its Host header if any) without the port, and a
    dotless host gets ".local" (RFC 2965's effective host name): ``localhost.local``.
    """
    host = request.get_header("Host") or urlsplit(request.full_url).netloc
    host = re.sub(r":\d+$", "", host).lower()
    return host if "." in host else f"{host}.local"


def _jar_request(
    target: _Target, method: str, headers: Sequence[tuple[str, bytes]]
) -> urllib.request.Request:
    """The urllib Request the cookie jar reads the host, path and scheme from."""
    request = urllib.request.Request(target.url, method=method)
    for name, value in headers:
        if name.lower() == "host":  # the jar files cookies under the Host asked for
            request.add_header("Host", value.decode("latin-1"))
    return request


class _Watchdog:
    """Cuts the connection when a request runs past its time, however slowly it trickles.

    The socket timeout alone bounds each read, not the whole answer: a server sending a
    byte a second would never time out.
    """

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        #: The connected socket; http.client lets go of it once a response will close it.
        self.sock: socket.socket | None = None
        self._connection = connection
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        self.fired = True
        # Before the socket is handed over, connecting is bounded by the socket timeout.
        sock = self.sock or self._connection.sock
        if sock is not None:
            # socket.socket's own shutdown: SSLSocket's would tear down the TLS state
            # under the reading thread; this only makes its read end.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _exchange(
    target: _Target,
    request: _Request,
    jar: http.cookiejar.CookieJar,
    context: ssl.SSLContext | None,
    timeout: float,
    max_bytes: int,
) -> FetchedResponse:
    """Send one request and drain its response; the jar takes the cookies it sets."""
    jar_request = _jar_request(target, request.method, request.headers)
    jar.add_cookie_header(jar_request)
    cookie = jar_request.get_header("Cookie")
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    watchdog = _Watchdog(connection, timeout)
    response: http.client.HTTPResponse | None = None
    try:
        with watchdog:
            connection.connect()
            watchdog.sock = connection.sock
            response = _send(connection, target, request, cookie)
            if watchdog.fired:  # headers cut short by the watchdog parse as complete
                raise TimeoutError
            drained = _drain(response, target, max_bytes)
            if watchdog.fired:
                raise TimeoutError
    except TimeoutError as e:
        raise FetchTimeoutError(
            f"no complete answer from {target.where} within {timeout:g} seconds"
        ) from e
    except (OSError, http.client.HTTPException) as e:
        if watchdog.fired:
            raise FetchTimeoutError(
                f"no complete answer from {target.where} within {timeout:g} seconds"
            ) from e
        raise _network_error(e, target) from e
    finally:
        # The response holds the socket once http.client knows it will close.
        if response is not None:
            response.close()
        connection.close()
    jar.extract_cookies(response, jar_request)
    location = response.msg.get("Location")
    return FetchedResponse(
        method=request.method,
        url=target.url,
        status=response.status,
        reason=response.reason,
        location=None if location is None else _text(location.encode("latin-1")),
        set_cookie_raw=tuple(
            # http.client reads headers as Latin-1: encoding back gives the wire bytes.
            value.encode("latin-1")
            for value in response.msg.get_all("Set-Cookie") or ()
        ),
        body_bytes=drained,
        head_bytes=_head_bytes(response),
    )


def _head_bytes(response: http.client.HTTPResponse) -> int:
    """The response head's size on the wire, rebuilt from what http.client read.

    http.client keeps each header as Latin-1 text without its ``: `` and CRLF; servers
    write one space after the colon, so the rebuilt size is the size sent.
    """
    version = "HTTP/1.0" if response.version == 10 else "HTTP/1.1"
    size = len(f"{version} {response.status} {response.reason}\r\n".encode("latin-1", "replace"))
    for name, value in response.msg.items():
        size += len(name) + 2 + len(value.encode("latin-1", "replace")) + 2
    return size + 2


def _send(
    connection: http.client.HTTPConnection,
    target: _Target,
    request: _Request,
    cookie: str | None,
) -> http.client.HTTPResponse:
    """Write the request with headers in the user's order, duplicates kept."""
    names = {name.lower() for name, _ in request.headers}
    connection.putrequest(request.method, target.selector, skip_host="host" in names)
    for name, value in request.headers:
        connection.putheader(name, value)
    if cookie:
        connection.putheader("Cookie", cookie)
    if request.body is not None:
        connection.putheader("Content-Length", str(len(request.body)))
    connection.putheader("Connection", "close")
    connection.endheaders(request.body)
    return connection.getresponse()


def _drain(response: http.client.HTTPResponse, target: _Target, max_bytes: int) -> int:
    """Read and discard the body, refusing it past ``max_bytes`` (read at most one more)."""
    declared = response.length
    if declared is not None and declared > max_bytes:
        raise ResponseTooLargeError(
            f"the response from {target.where} declares {declared} bytes, over the "
            f"{max_bytes}-byte limit; refused",
            max_bytes,
        )
    total = 0
    while True:
        chunk = response.read(min(1 << 16, max_bytes + 1 - total))
        if not chunk:
            return total
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLargeError(
                f"the response from {target.where} is over the {max_bytes}-byte limit; refused",
                max_bytes,
            )


def _network_error(error: OSError | http.client.HTTPException, target: _Target) -> FetchError:
    """One line saying what went wrong, in words, without the error's own text."""
    where = target.where
    if isinstance(error, socket.gaierror):
        reason = error.strerror or "no such host"
        return ResolveError(f"cannot resolve host {target.host}: {reason}")
    if isinstance(error, ssl.SSLCertVerificationError):
        detail = error.verify_message or "not trusted"
        return TLSError(
            f"TLS problem with {where}: its certificate was refused ({detail}); "
            "verification can be turned off for a test server"
        )
    if isinstance(error, ssl.SSLError):
        # Handshakes with a server that speaks plain HTTP fail as WRONG_VERSION_NUMBER.
        detail = (error.reason or type(error).__name__).replace("_", " ").lower()
        return TLSError(
            f"TLS problem with {where}: the handshake failed ({detail}); is it an https server?"
        )
    if isinstance(error, http.client.RemoteDisconnected):
        return NotHTTPError(f"{where} closed the connection without an HTTP response")
    if isinstance(error, http.client.LineTooLong):
        return NotHTTPError(f"{where} sent a header line over 65536 bytes; refused")
    if isinstance(error, http.client.BadStatusLine):
        return NotHTTPError(f"{where} did not answer in HTTP (is it an HTTP server?)")
    if isinstance(error, http.client.IncompleteRead):
        return ConnectError(f"{where} closed the connection in the middle of the response")
    if isinstance(error, http.client.HTTPException):
        if "headers" in str(error):  # http.client stops past 100 header lines
            return NotHTTPError(f"{where} sent more than 100 header lines; refused")
        return NotHTTPError(f"{where} sent a response that is not valid HTTP")
    if isinstance(error, ConnectionRefusedError):
        return ConnectError(f"cannot connect to {where}: connection refused")
    if isinstance(error, ConnectionResetError):
        return ConnectError(f"{where} reset the connection")
    if isinstance(error, (BrokenPipeError, ConnectionAbortedError)):
        return ConnectError(f"{where} closed the connection while the request was sent")
    reason = (error.strerror or type(error).__name__).lower()
    return ConnectError(f"cannot connect to {where}: {reason}")


def _tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _jar_state(jar: http.cookiejar.CookieJar, dotless_hosts: set[str]) -> tuple[JarCookie, ...]:
    cookies = []
    for cookie in jar:
        name, value = cookie.name, cookie.value
        if value is None:  # the jar's form of a nameless cookie; browsers call it ""
            name, value = "", name
        domain = cookie.domain
        # The jar files a dotless host (localhost) under "localhost.local" (RFC 2965).
        if domain.endswith(".local") and domain[: -len(".local")] in dotless_hosts:
            domain = domain[: -len(".local")]
        cookies.append(
            JarCookie(
                name=_text(name.encode("latin-1")),
                value=_text(value.encode("latin-1")),
                domain=domain,
                path=cookie.path,
                secure=cookie.secure,
                expires=cookie.expires,
                host_only=not cookie.domain_specified,
            )
        )
    return tuple(cookies)


def _wire(text: str) -> str:
    """Text as the Latin-1 string whose characters are its UTF-8 bytes, as http.client sends."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _shown(target: _Target) -> str:
    """A URL for a message: the query is left out, as it may carry a token."""
    return target.url.split("?", 1)[0]
