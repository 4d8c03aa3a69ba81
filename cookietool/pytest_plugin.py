"""A pytest plugin for Flask projects: read, set and size-check the session cookie in tests.

Registered under the ``pytest11`` entry point, so pytest loads it in every project where
cookietool is installed: at import it loads nothing but this module and pytest (already
loaded). Flask, Werkzeug and cookietool's core are imported inside the helpers, which are a
thin layer over ``session.inspect_cookie``, ``signing.sign_session`` and ``sizes.check``,
with the keys, signing scheme and cookie settings read from the app itself.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest

from cookietool.defaults import WARN_AT
from cookietool.errors import InputError
from cookietool.flaskapp import ServerSideSessionError

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient
    from werkzeug.wrappers import Response

    from cookietool.appsettings import AppSettings
    from cookietool.session import Inspection
    from cookietool.signing import SignedCookie
    from cookietool.sizes import CookieCheck, SizeReport

__all__ = [
    "CookieSizeWarning",
    "NoSessionCookieError",
    "ServerSideSessionError",
    "SessionCookies",
    "app_settings",
    "assert_cookies_fit",
    "flask_session_cookie",
    "read_session",
    "set_session",
]


class NoSessionCookieError(InputError):
    """The client or response holds no session cookie to read."""


class CookieSizeWarning(UserWarning):
    """A cookie close to a limit (at ``warn_at`` percent of it or more), but not over it."""


def app_settings(app: Flask) -> AppSettings:
    """The keys, signing scheme and cookie settings of a Flask app, read from the app itself.

    The same reading as ``--app`` on the command line (cookietool.flaskapp).
    """
    from flask import Flask

    from cookietool import flaskapp
    from cookietool.appsettings import AppSettings

    if not isinstance(app, Flask):
        raise InputError(f"expected a Flask app, not {type(app).__name__}")
    facts = flaskapp.facts(app)
    if not app.secret_key:
        raise InputError("the app has no SECRET_KEY: Flask can neither sign nor read a session")
    return AppSettings(
        keys=facts.keys,
        scheme=facts.scheme,
        cookie=facts.cookie,
        key_source=f"the app {facts.name!r}",
        lifetime=facts.lifetime,
        app_name=facts.name,
    )


def read_session(source: FlaskClient | Response | str, app: Flask | None = None) -> Inspection:
    """The app's verdict on the session cookie a test client holds or a response sets.

    ``source`` is a test client (its app is used when ``app`` is not given), a response
    (``app`` needed) or cookie text in any form ``cookietool decode`` takes.
    """
    from werkzeug.test import Client

    from cookietool import cookieinput
    from cookietool.session import inspect_cookie

    if isinstance(source, Client):
        app = app or source.application
    if app is None:
        raise InputError("read_session needs the Flask app for a response or a cookie value")
    settings = app_settings(app)
    name = settings.cookie.name
    if isinstance(source, Client):
        value = _client_cookie(source, app, name)
    elif isinstance(source, str):
        value = cookieinput.extract(source, name).value
    else:
        value = _response_cookie(source, name)
    # Flask checks every session cookie against PERMANENT_SESSION_LIFETIME (open_session),
    # at the time its signer reads: so does the verdict here.
    return inspect_cookie(
        value,
        settings.keys,
        name=name,
        scheme=settings.scheme,
        max_age=settings.cookie.lifetime,
        now=_app_now(app),
    )


def set_session(
    client: FlaskClient,
    session: Mapping[str, Any],
    app: Flask | None = None,
    *,
    permanent: bool = False,
    key: str | bytes | None = None,
    timestamp: int | None = None,
) -> SignedCookie:
    """Sign ``session`` as the app would and store the cookie in the test client.

    ``key`` signs with another key than SECRET_KEY (an old one, to test rotation, or a
    wrong one); ``timestamp`` signs at another time (to test expiry).
    """
    from cookietool.keys import SecretKey
    from cookietool.signing import sign_session

    if client._cookies is None:
        raise InputError("the test client keeps no cookies (use_cookies=False)")
    app = app or client.application
    settings = app_settings(app)
    keys = settings.keys
    if key is not None:
        raw = key.encode("utf-8") if isinstance(key, str) else key
        keys = (SecretKey(raw, "the key given"),)
    signed = sign_session(
        dict(session),
        keys,
        scheme=settings.scheme,
        timestamp=_app_now(app) if timestamp is None else timestamp,
        settings=settings.cookie,
        set_cookie=True,
        permanent=permanent,
    )
    for message in signed.warnings:
        # What Werkzeug says when the app itself sets such a cookie (one too large, say).
        warnings.warn(message, UserWarning, stacklevel=2)
    assert signed.set_cookie is not None  # set_cookie=True always gives the line
    # Stored as Flask's own session_transaction stores a session: the Set-Cookie line,
    # as the client would take it from a response to a request for the app's root.
    request = app.test_request_context().request
    host, path = request.host.partition(":")[0], request.path
    client._update_cookies_from_response(host, path, [signed.set_cookie])
    return signed


def assert_cookies_fit(
    response: Response,
    budget: int | None = None,
    *,
    warn_at: int = WARN_AT,
    fail_on: str = "error",
) -> SizeReport:
    """Fail when a cookie the response sets is over a browser limit or ``budget`` bytes.

    Sizes within ``warn_at`` percent of a limit warn (CookieSizeWarning), or fail under
    ``fail_on="warning"``. Messages give names and sizes, never cookie values.
    """
    __tracebackhide__ = True
    from cookietool import cookieinput, sizes

    if fail_on not in ("error", "warning"):
        raise InputError("fail_on is 'error' or 'warning'")
    specs = []
    for number, line in enumerate(response.headers.getlist("Set-Cookie"), start=1):
        cookie = cookieinput.parse_set_cookie(line)
        specs.append(
            sizes.CookieSpec(f"Set-Cookie {number}", cookie.name, cookie.value, None, cookie)
        )
    report = sizes.check(specs, warn_at=warn_at, budget=budget)
    if report.failed(fail_on):
        raise AssertionError(_size_message(report, "cookies do not fit"))
    if report.count("warning"):
        warnings.warn(
            CookieSizeWarning(_size_message(report, "cookies are close to a limit")), stacklevel=2
        )
    return report


def _size_message(report: SizeReport, title: str) -> str:
    """Each cookie's name and sizes against its limits, then every finding; no values."""
    from cookietool.escape import for_humans

    errors, warned = report.count("error"), report.count("warning")
    settings = f"warn at {report.warn_at}%"
    if report.budget is not None:
        settings = f"budget {report.budget} bytes, {settings}"
    counts = f"{_count(errors, 'error')}, {_count(warned, 'warning')}"
    lines = [f"{title}: {counts} ({settings})"]
    lines += [f"  {_cookie_sizes(check, report.budget)}" for check in report.cookies]
    lines += [
        f"  {finding.level.upper()}: {for_humans(finding.message)}"
        for finding in report.all_findings
    ]
    return "\n".join(lines)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _cookie_sizes(check: CookieCheck, budget: int | None) -> str:
    from cookietool.escape import for_humans

    name = for_humans(check.spec.name) if check.spec.name else "(nameless)"
    limit = f"limit {check.name_value_limit}" + ("" if budget is None else f", budget {budget}")
    text = f"{name}: name+value {check.name_value_bytes} bytes ({limit})"
    if check.set_cookie_bytes is not None:
        text += f", Set-Cookie {check.set_cookie_bytes} bytes (limit {check.set_cookie_limit})"
    return text


def _client_cookie(client: FlaskClient, app: Flask, name: str) -> str:
    """The session cookie the client would send with its next request to the app's root."""
    if client._cookies is None:
        raise InputError("the test client keeps no cookies (use_cookies=False)")
    # Flask's own session_transaction picks the cookie so: by host, path and name. The
    # context is not pushed: pushing opens the session, which reads the cookies too early.
    request = app.test_request_context().request
    client._add_cookies_to_wsgi(request.environ)
    value = request.cookies.get(name)
    where = request.url
    if not value:
        raise NoSessionCookieError(
            f"the test client holds no {name!r} cookie for {where}: no response has set "
            "one, or the session was emptied"
        )
    return value


def _response_cookie(response: Response, name: str) -> str:
    """The value of the response's Set-Cookie line for the session cookie."""
    from cookietool.cookieinput import parse_set_cookie

    found = [
        cookie
        for cookie in map(parse_set_cookie, response.headers.getlist("Set-Cookie"))
        if cookie.name == name
    ]
    if not found:
        raise NoSessionCookieError(
            f"the response sets no {name!r} cookie: Flask sends one only when the session "
            "was modified (or SESSION_REFRESH_EACH_REQUEST applies to a permanent one)"
        )
    # The last line wins in a browser, as it does in the test client.
    value = found[-1].value
    if not value:
        raise NoSessionCookieError(
            f"the response deletes the {name!r} cookie: the session is empty"
        )
    return value


def _app_now(app: Flask) -> int:
    """Now, as the app's signer counts it: a test that froze itsdangerous' clock froze this."""
    # app_settings has checked that it is a SecureCookieSessionInterface with a key.
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    now: int = serializer.make_signer().get_timestamp()
    return now


class SessionCookies:
    """The helpers bound to one app: what the ``flask_session_cookie`` fixture gives."""

    def __init__(self, app: Flask | None) -> None:
        self.app = app

    def read(self, source: FlaskClient | Response | str) -> Inspection:
        """The app's verdict on the session cookie of a client, a response or a text."""
        from werkzeug.test import Client

        # A client knows its own app for certain; the app fixture may be another one.
        return read_session(source, None if isinstance(source, Client) else self.app)

    def set(
        self,
        client: FlaskClient,
        session: Mapping[str, Any],
        *,
        permanent: bool = False,
        key: str | bytes | None = None,
        timestamp: int | None = None,
    ) -> SignedCookie:
        """Sign ``session`` as the app would and store the cookie in the test client."""
        return set_session(client, session, permanent=permanent, key=key, timestamp=timestamp)


@pytest.fixture
def flask_session_cookie(request: pytest.FixtureRequest) -> SessionCookies:
    """Read and set session cookies: a client's with its own app, others with ``app``'s."""
    try:
        app = request.getfixturevalue("app")
    except pytest.FixtureLookupError:
        # Without an app fixture, a test client still names its app.
        app = None
    return SessionCookies(app)
