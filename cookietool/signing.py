"""Signing a session with Flask's own session interface, so the cookie is Flask's to the byte."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cookietool.appsettings import CookieSettings
from cookietool.caps import DEFAULT as DEFAULT_CAPS
from cookietool.caps import Caps
from cookietool.errors import InputError, PayloadError, TagError
from cookietool.flaskcookie import LEGACY_EPOCH, SCHEME
from cookietool.jsontext import check_json_depth
from cookietool.keys import SecretKey
from cookietool.signer import Scheme

if TYPE_CHECKING:
    from flask import Flask


@dataclass(frozen=True)
class SignedCookie:
    """A cookie Flask would set for a session, and what Flask said while setting it."""

    value: str
    set_cookie: str | None
    timestamp: int
    legacy_epoch: bool
    warnings: tuple[str, ...]

    @property
    def compressed(self) -> bool:
        """True when itsdangerous compressed the payload (the value starts with a dot)."""
        return self.value.startswith(".")


def parse_payload(text: str, caps: Caps = DEFAULT_CAPS) -> dict[str, Any]:
    """The session a JSON object describes, Flask's tags (``{" t": [...]}``...) read back."""
    check_json_depth(text, caps.json_depth, "the payload")
    try:
        obj = json.loads(text)
    except RecursionError as e:
        raise PayloadError("the payload JSON is nested too deeply") from e
    except ValueError as e:
        hint = ""
        if "'" in text or "True" in text or "None" in text or "b'" in text:
            hint = "; if it is a Python literal such as {'logged_in': True}, add --python"
        raise PayloadError(f"the payload is not valid JSON ({e}){hint}") from e
    if not isinstance(obj, dict):
        raise PayloadError(
            f"the payload must be a JSON object (a session is a dict), not {type(obj).__name__}"
        )
    from cookietool.tagged import untag

    try:
        session = untag(obj)
    except TagError as e:
        raise PayloadError(f"a Flask-tagged value in the payload is invalid ({e})") from e
    if not isinstance(session, dict):
        raise PayloadError("the payload is a tagged value, not a session object")
    return session


def parse_python_payload(text: str, caps: Caps = DEFAULT_CAPS) -> dict[str, Any]:
    """A session written as a Python literal (``{'logged_in': True}``), as Flask-Unsign
    users have them: read with ``ast.literal_eval``, which evaluates nothing."""
    import ast

    check_json_depth(text, caps.json_depth, "the payload")
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
        raise PayloadError(
            "the payload is not a Python literal (strings, numbers, True/False/None, bytes, "
            "lists, tuples, dicts and sets only; nothing is evaluated)"
        ) from e
    if not isinstance(value, dict):
        raise PayloadError(f"the payload must be a dict (a session), not {type(value).__name__}")
    return value


def edit_session(
    session: dict[str, Any],
    sets: Sequence[tuple[str, str]] = (),
    unsets: Sequence[str] = (),
    caps: Caps = DEFAULT_CAPS,
) -> dict[str, Any]:
    """``session`` with ``PATH=JSON`` values set and ``PATH`` keys removed.

    A path is dict keys joined by dots (``user.name``); the value is JSON, Flask's tags
    read (``{" t": [1, 2]}`` is a tuple). Dicts on the way to a set path are created.
    """
    import copy

    from cookietool.tagged import untag

    edited = copy.deepcopy(session)
    for path, text in sets:
        parts = _path(path)
        check_json_depth(text, caps.json_depth, f"the value of --set {path}")
        try:
            value = untag(json.loads(text))
        except (ValueError, RecursionError, TagError) as e:
            raise PayloadError(
                f"--set {path}: the value is not JSON (quote text: --set '{path}=\"text\"')"
            ) from e
        _parent(edited, parts, create=True, path=path)[parts[-1]] = value
    for path in unsets:
        parts = _path(path)
        parent = _parent(edited, parts, create=False, path=path)
        if parts[-1] not in parent:
            raise PayloadError(f"--unset {path}: the session has no such key")
        del parent[parts[-1]]
    return edited


def _path(path: str) -> list[str]:
    parts = path.split(".")
    if not all(parts):
        raise PayloadError(f"{path!r} is not a path of session keys joined by dots")
    return parts


def _parent(
    session: dict[str, Any], parts: list[str], *, create: bool, path: str
) -> dict[str, Any]:
    node = session
    for part in parts[:-1]:
        child = node.get(part)
        if child is None and create:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise PayloadError(f"{path}: {part!r} is not a dict in the session")
        node = child
    return node


def sign_session(
    session: dict[str, Any],
    keys: Sequence[SecretKey],
    *,
    scheme: Scheme | None = None,
    timestamp: int | None = None,
    legacy: bool = False,
    settings: CookieSettings | None = None,
    set_cookie: bool = False,
    permanent: bool = False,
) -> SignedCookie:
    """Sign ``session`` as Flask's SecureCookieSessionInterface does at ``timestamp``.

    The newest key (the last) signs; the others become SECRET_KEY_FALLBACKS.
    ``permanent`` does what ``session.permanent = True`` does in a view.
    """
    if not keys:
        raise InputError(
            "signing needs a key: give a key option, --app (an app with a SECRET_KEY), "
            "--dotenv, or $FLASK_SECRET_KEY"
        )
    scheme = scheme or SCHEME
    settings = settings or CookieSettings()
    timestamp = int(time.time()) if timestamp is None else timestamp
    stamp = timestamp - LEGACY_EPOCH if legacy else timestamp
    if not 0 <= stamp < 1 << 64:
        raise InputError(
            "the timestamp must be from 2011-01-01 on with --legacy"
            if legacy
            else "the timestamp must be a Unix time from 0 to 2**64 - 1"
        )
    if set_cookie and permanent:
        from datetime import datetime, timedelta, timezone

        try:
            datetime.fromtimestamp(timestamp, timezone.utc) + timedelta(seconds=settings.lifetime)
        except (OverflowError, ValueError, OSError) as e:
            raise InputError(
                "the timestamp and lifetime put Expires past what a date can hold (year 9999)"
            ) from e
    app = _flask_app(keys, scheme, settings, timestamp, stamp)
    from flask.sessions import SecureCookieSession

    data = SecureCookieSession(session)
    if permanent:
        data.permanent = True
    with warnings.catch_warnings(record=True) as caught, app.app_context():
        warnings.simplefilter("always")
        interface = app.session_interface
        serializer = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        try:
            value: str = serializer.dumps(dict(data))
        except RecursionError as e:
            raise PayloadError(
                "the session is nested too deeply for Flask to serialize (Flask itself fails on it)"
            ) from e
        header = None
        if set_cookie:
            if not data:
                raise PayloadError(
                    "Flask sends no session cookie for an empty session: it deletes the cookie"
                )
            data.modified = True
            response = app.response_class()
            interface.save_session(app, data, response)
            header = response.headers["Set-Cookie"]
    return SignedCookie(
        value=value,
        set_cookie=header,
        timestamp=timestamp,
        legacy_epoch=legacy,
        warnings=tuple(str(w.message) for w in caught),
    )


def _flask_app(
    keys: Sequence[SecretKey], scheme: Scheme, settings: CookieSettings, timestamp: int, stamp: int
) -> Flask:
    # Flask is imported here only: it costs more start-up time than decode may take.
    import hashlib
    from datetime import datetime, timedelta, timezone

    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface, SessionMixin
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class FrozenSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    class Interface(SecureCookieSessionInterface):
        salt = scheme.salt
        key_derivation = scheme.key_derivation
        digest_method = staticmethod(getattr(hashlib, scheme.digest))

        def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer.signer = FrozenSigner
            return serializer

        def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
            if session.permanent:
                signed = datetime.fromtimestamp(timestamp, timezone.utc)
                return signed + app.permanent_session_lifetime
            return None

    app = Flask("cookietool")
    app.config.update(
        SECRET_KEY=keys[-1].value,
        SECRET_KEY_FALLBACKS=[key.value for key in keys[:-1]],
        SESSION_COOKIE_NAME=settings.name,
        SESSION_COOKIE_DOMAIN=settings.domain,
        SESSION_COOKIE_PATH=settings.path,
        SESSION_COOKIE_SECURE=settings.secure,
        SESSION_COOKIE_HTTPONLY=settings.httponly,
        SESSION_COOKIE_SAMESITE=settings.samesite,
        SESSION_COOKIE_PARTITIONED=settings.partitioned,
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=settings.lifetime),
    )
    app.session_interface = Interface()
    return app
