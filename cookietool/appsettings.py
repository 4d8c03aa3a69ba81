"""What a command knows of the app: keys, signing scheme, cookie settings, format.

Every command that needs keys, a scheme or the session cookie's settings receives one
frozen :class:`AppSettings`, resolved in one place (``cookietool.cli.options``) from the
command line, and later from the app itself, the environment and ``.env`` files. The
core never looks at options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from cookietool.errors import InputError

if TYPE_CHECKING:
    from cookietool.keys import SecretKey
    from cookietool.signer import Scheme

#: Flask's PERMANENT_SESSION_LIFETIME default: 31 days.
DEFAULT_LIFETIME = 31 * 24 * 3600
#: Longer lifetimes only overflow the date arithmetic of Flask and Werkzeug.
MAX_LIFETIME = 1000 * 365 * 24 * 3600
SAMESITE_VALUES = ("Strict", "Lax", "None")
#: RFC 6265 section 4.1.1: a cookie name is a token (RFC 2616 section 2.2).
_TOKEN_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '()<>@,;:\\"/[]?={}')


class _CookieFields(NamedTuple):
    name: str = "session"
    domain: str | None = None
    path: str = "/"
    secure: bool = False
    httponly: bool = True
    samesite: str | None = None
    partitioned: bool = False
    lifetime: int = DEFAULT_LIFETIME


# A NamedTuple (checked as it is made), not a dataclass: every command builds one, and
# making a dataclass costs start-up time (tests/test_startup.py).
class CookieSettings(_CookieFields):
    """Flask's SESSION_COOKIE_* settings and PERMANENT_SESSION_LIFETIME, defaults included."""

    __slots__ = ()

    def __new__(
        cls,
        name: str = "session",
        domain: str | None = None,
        path: str = "/",
        secure: bool = False,
        httponly: bool = True,
        samesite: str | None = None,
        partitioned: bool = False,
        lifetime: int = DEFAULT_LIFETIME,
    ) -> CookieSettings:
        if not name or not set(name) <= _TOKEN_CHARS:
            raise InputError(
                "the cookie name must be an RFC 6265 token: printable ASCII without spaces "
                'or any of ()<>@,;:\\"/[]?={}'
            )
        if domain is not None:
            try:
                domain.partition(":")[0].lstrip(".").encode("idna")
            except UnicodeError as e:
                raise InputError("--domain is not a valid domain name") from e
            if not domain.isprintable() or ";" in domain:
                raise InputError("--domain is not a valid domain name")
        if not path.isprintable() or ";" in path:
            raise InputError("--path must be printable and hold no ';'")
        if samesite is not None and samesite not in SAMESITE_VALUES:
            raise InputError(f"SameSite must be one of {', '.join(SAMESITE_VALUES)}")
        if lifetime < 0:
            raise InputError("the session lifetime must not be negative")
        if lifetime > MAX_LIFETIME:
            raise InputError(
                f"the session lifetime is at most {MAX_LIFETIME} seconds (about 1000 years)"
            )
        return super().__new__(
            cls, name, domain, path, secure, httponly, samesite, partitioned, lifetime
        )


class AppSettings(NamedTuple):
    """The app as cookietool sees it; keys oldest first, the last is SECRET_KEY.

    A named tuple rather than a dataclass: it is built on every run of every command,
    and a frozen dataclass costs a millisecond of start-up to define.
    """

    keys: tuple[SecretKey, ...]
    scheme: Scheme
    cookie: CookieSettings
    #: Where the keys came from, in words ("the key options", "$FLASK_SECRET_KEY"); never
    #: the keys themselves.
    key_source: str = ""
    #: The app's PERMANENT_SESSION_LIFETIME in seconds, when an app was loaded: the max
    #: age Flask checks on every request, and so decode's default --max-age.
    lifetime: int | None = None
    #: The loaded app's name, for reports.
    app_name: str | None = None
    #: The loaded app's MAX_COOKIE_SIZE, the size above which Werkzeug warns.
    max_cookie_size: int | None = None
    #: The cookie format (cookietool.formats), or "auto" to tell it from the value.
    format: str = "flask"
    #: True when the scheme was given (an option, or the app's): otherwise each format's
    #: own default scheme applies.
    scheme_given: bool = True
