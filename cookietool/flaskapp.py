"""The app's own settings: load a Flask app as the ``flask`` command does, and read them.

Loading uses Flask's own loader (``flask.cli.ScriptInfo``: ``module``, ``module:app``,
``module:create_app()``, a path to a file), so ``--app`` means what ``flask --app`` means.
What is read: SECRET_KEY and SECRET_KEY_FALLBACKS, the session interface's salt, digest
and key derivation (a subclass that changes them just works), SESSION_COOKIE_NAME,
DOMAIN, PATH, SECURE, HTTPONLY, SAMESITE and PARTITIONED, PERMANENT_SESSION_LIFETIME and
MAX_COOKIE_SIZE. An app whose session interface keeps sessions on the server (the cookie
holds only an id, as with Flask-Session) is recognised and said plainly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from cookietool.errors import InputError

if TYPE_CHECKING:
    from flask import Flask

    from cookietool.appsettings import CookieSettings
    from cookietool.keys import SecretKey
    from cookietool.signer import Scheme


class ServerSideSessionError(InputError):
    """The app's sessions live on the server: its cookie holds an id, nothing to decode."""


class AppFacts(NamedTuple):
    """What cookietool takes from a loaded Flask app."""

    name: str
    keys: tuple[SecretKey, ...]
    scheme: Scheme
    cookie: CookieSettings
    #: PERMANENT_SESSION_LIFETIME in seconds: the max age Flask checks on every request.
    lifetime: int
    #: MAX_COOKIE_SIZE: Werkzeug warns above it (0 turns the warning off).
    max_cookie_size: int


def load_app(import_path: str) -> Flask:
    """The app ``import_path`` names, found and created as ``flask --app`` would."""
    from flask.cli import NoAppException, ScriptInfo

    info = ScriptInfo(app_import_path=import_path, set_debug_flag=False)
    try:
        return info.load_app()
    except NoAppException as e:
        raise InputError(f"--app {import_path}: {e.format_message()}") from e
    except Exception as e:  # the app's own code failed while being imported or created
        raise InputError(
            f"--app {import_path}: loading the app raised {type(e).__name__}: {e}"
        ) from e


def facts(app: Flask) -> AppFacts:
    """The keys, signing scheme and cookie settings of a loaded app."""
    from flask.sessions import SecureCookieSessionInterface

    from cookietool.appsettings import CookieSettings
    from cookietool.keys import SecretKey
    from cookietool.signer import Scheme

    interface = app.session_interface
    if not isinstance(interface, SecureCookieSessionInterface):
        raise ServerSideSessionError(
            f"the app {app.name!r} uses {type(interface).__name__}, which keeps sessions on "
            "the server: its cookie holds only a session id, and there is nothing signed to "
            "decode or sign"
        )
    from flask.json.tag import TaggedJSONSerializer

    if not isinstance(interface.serializer, TaggedJSONSerializer):
        raise InputError(
            f"the app's session serializer is {type(interface.serializer).__name__}, not "
            "Flask's tagged JSON, which is the only one cookietool reads"
        )
    config = app.config
    secret = app.secret_key
    keys: list[SecretKey] = []
    for number, key in enumerate(config.get("SECRET_KEY_FALLBACKS") or ()):
        keys.append(SecretKey(_key_bytes(key), f"SECRET_KEY_FALLBACKS[{number}]"))
    if secret:
        keys.append(SecretKey(_key_bytes(secret), "SECRET_KEY"))
    scheme = Scheme(
        str(interface.salt),
        _digest_name(interface.digest_method),
        str(interface.key_derivation),
    )
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    samesite = interface.get_cookie_samesite(app)
    cookie = CookieSettings(
        name=interface.get_cookie_name(app),
        domain=interface.get_cookie_domain(app),
        path=interface.get_cookie_path(app),
        secure=interface.get_cookie_secure(app),
        httponly=interface.get_cookie_httponly(app),
        # Werkzeug accepts any case ("lax") and writes it title-cased.
        samesite=samesite.title() if isinstance(samesite, str) else None,
        partitioned=bool(interface.get_cookie_partitioned(app)),
        lifetime=lifetime,
    )
    return AppFacts(
        app.name,
        tuple(keys),
        scheme,
        cookie,
        lifetime,
        int(config.get("MAX_COOKIE_SIZE", 4093) or 0),
    )


def _key_bytes(key: Any) -> bytes:
    """A key as itsdangerous uses it: str as UTF-8, bytes as they are."""
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
    if isinstance(key, str):
        return key.encode("utf-8")
    raise InputError(f"the app has a secret key of type {type(key).__name__}, not str or bytes")


def _digest_name(method: Any) -> str:
    """The hashlib name of a session interface's digest_method (hashlib.sha1 and the like)."""
    from cookietool.signer import DIGESTS

    try:
        name = str(method().name)
    except Exception as e:
        raise InputError(
            "the app's session interface has a digest_method cookietool cannot call"
        ) from e
    if name not in DIGESTS:
        raise InputError(f"the app signs with {name}, which cookietool does not support")
    return name
