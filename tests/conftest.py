"""Shared fixtures: real Flask apps are the oracle every test compares against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from hypothesis import settings
from itsdangerous import TimestampSigner

# Examples that build Flask apps can take longer than Hypothesis' 200 ms default on a
# busy CI machine; a slow example is not a failure here.
settings.register_profile("cookietool", deadline=None)
settings.load_profile("cookietool")

#: A fixed signing time for byte-for-byte comparisons: 2026-01-02 03:04:05 UTC.
FROZEN = 1767323045


@pytest.fixture(autouse=True)
def _plain_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Output assertions need no colours and a known width; caches stay out of $HOME.
    monkeypatch.setenv("COOKIETOOL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def make_app(
    secret_key: str | bytes = "dev",
    fallbacks: list[str | bytes] | None = None,
    salt: str = "cookie-session",
    digest: str = "sha1",
    key_derivation: str = "hmac",
    **config: Any,
) -> Flask:
    """A Flask app whose ``/put`` stores ``app.config["NEXT"]`` in the session.

    ``/read`` answers with the session as Flask's own tagged JSON, so a test can see
    exactly what the app read from a cookie.
    """

    class Interface(SecureCookieSessionInterface):
        pass

    Interface.salt = salt
    Interface.key_derivation = key_derivation
    Interface.digest_method = staticmethod(getattr(hashlib, digest))

    app = Flask(__name__)
    app.secret_key = secret_key
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []
    app.config.update(config)
    app.session_interface = Interface()

    @app.route("/put")
    def put() -> str:
        session.clear()
        session.update(app.config["NEXT"])
        if app.config.get("MAKE_PERMANENT"):
            session.permanent = True
        return "stored"

    @app.route("/read")
    def read() -> str:
        serializer = app.session_interface.serializer  # type: ignore[attr-defined]
        return str(serializer.dumps(dict(session)))

    return app


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _FrozenDatetime:
        moment = datetime.fromtimestamp(FROZEN, timezone.utc)
        return cls.fromtimestamp(moment.timestamp(), tz)


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Make itsdangerous sign at FROZEN and Flask compute Expires from FROZEN."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: FROZEN)
    monkeypatch.setattr("flask.sessions.datetime", _FrozenDatetime)
    yield FROZEN


def flask_cookie(app: Flask, data: dict[str, Any], permanent: bool = False) -> tuple[str, str]:
    """The session cookie value and Set-Cookie line the app itself sends for ``data``."""
    app.config["NEXT"] = data
    app.config["MAKE_PERMANENT"] = permanent
    response = app.test_client().get("/put")
    header = response.headers["Set-Cookie"]
    name = app.config["SESSION_COOKIE_NAME"]
    value = header.split(";", 1)[0].removeprefix(f"{name}=")
    return value, header


def flask_reads(app: Flask, value: str) -> str:
    """The session (as Flask's tagged JSON) that the app reads from cookie ``value``."""
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return client.get("/read").get_data(as_text=True)


def flask_dumps(value: Any) -> str:
    """Flask's tagged JSON for ``value`` inside an app, as save_session writes it."""
    app = Flask(__name__)
    with app.app_context():
        serializer = app.session_interface.serializer  # type: ignore[attr-defined]
        return str(serializer.dumps(value))


def expires_after(seconds: int) -> str:
    """The Expires attribute Flask writes for a session signed at FROZEN."""
    moment = datetime.fromtimestamp(FROZEN, timezone.utc) + timedelta(seconds=seconds)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
