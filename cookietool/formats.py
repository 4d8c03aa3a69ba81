"""The seam between cookietool and the cookie formats of the frameworks it reads.

A format says what a framework's session cookie looks like: its parts, its default
signing scheme and cookie name, its timestamp's epoch, how its payload becomes a session,
and which well-known session keys it can explain. ``session``, ``sizes``, ``audit`` and
the renderers ask a format through this module and never import one by name; a new
format is one module implementing :class:`CookieFormat`, registered in ``FORMATS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from typing import Protocol

    from cookietool.caps import Caps
    from cookietool.signer import Scheme

    # The protocol exists for the type checker only: importing typing.Protocol's machinery
    # costs start-up time that decode cannot spare.
    class CookieFormat(Protocol):
        """What cookietool needs to know of one framework's session cookie."""

        #: The --format name, such as "flask".
        name: str
        #: How reports introduce a cookie of this format, such as "Flask session cookie".
        title: str
        #: The framework's name in sentences, such as "Flask".
        framework: str
        #: The cookie name the framework uses unless configured otherwise.
        default_cookie_name: str
        #: The signing scheme of an app that changed nothing.
        default_scheme: Scheme
        #: The setting that bounds a session's age, and its default, for the report
        #: (decode checks an age only when asked); None when the format has none.
        lifetime_setting: str
        default_max_age: int | None

        def recognise(self, value: str) -> str | None:
            """Why ``value`` looks like this format, or None when it does not."""
            ...

        def envelope(self, value: str) -> Envelope:
            """Split a value into its parts, or raise CookieFormatError if it is not shaped so."""
            ...

        def read_signature(self, env: Envelope) -> bytes:
            """The raw signature bytes."""
            ...

        def read_timestamp(self, env: Envelope) -> int:
            """The timestamp integer as stored."""
            ...

        def to_unix(self, raw: int, epoch: str) -> tuple[int, bool]:
            """Unix seconds of a stored timestamp, and whether a legacy epoch was used."""
            ...

        def read_payload(self, env: Envelope, inflate_limit: int) -> Payload:
            """The payload's JSON text, inflated when it is compressed."""
            ...

        def load_session(self, json_text: str, caps: Caps) -> Session:
            """The JSON and the session the framework makes of it."""
            ...

        def explain(self, key: str) -> str | None:
            """What a well-known session key means, for the human report."""
            ...

        def signed_parts(self, value: str, scheme: Scheme) -> tuple[bytes, bytes]:
            """What a key search needs, refusing a value whose signature no key can match."""
            ...


class Envelope(NamedTuple):
    """A value split into what a signature covers and its parts, none of them read yet.

    This is the neutral parsed form: the one notion of "a cookie" that decode, audit,
    sign and size-check share. Whether each part can be read is asked part by part, after
    the signature has been checked.
    """

    value: str
    signed_part: bytes
    payload_segment: bytes
    timestamp_segment: bytes
    signature_segment: bytes

    @property
    def compressed(self) -> bool:
        """True when the payload is marked zlib-compressed (a leading dot, in itsdangerous)."""
        return self.signed_part.startswith(b".")


class Payload(NamedTuple):
    """The session JSON of a cookie as stored: its text and its size before inflating."""

    json_text: str
    stored_bytes: int
    compressed: bool

    @property
    def json_bytes(self) -> int:
        """Size of the session JSON as stored (after inflating)."""
        return len(self.json_text.encode("utf-8"))


class Session(NamedTuple):
    """What a payload's JSON holds once the framework has read it."""

    data: Any
    session: Any
    error: str | None


def searchable_parts(
    env: Envelope, signature_of: Callable[[Envelope], bytes], scheme: Scheme
) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match.

    Shared by every format: a signature that cannot be read, or whose size no key of
    ``scheme`` can make, would only make a search report "no key found" falsely.
    """
    from cookietool.errors import CookieFormatError

    try:
        signature = signature_of(env)
    except CookieFormatError as e:
        raise CookieFormatError(f"{e}, so no key can match this cookie") from e
    if len(signature) != scheme.signature_size:
        raise CookieFormatError(
            f"the signature is {len(signature)} bytes and {scheme.digest} signatures are "
            f"{scheme.signature_size}, so no key can match (damaged, or pass the app's --digest)"
        )
    return env.signed_part, signature


def split_from_right(value: str, sep: bytes, what: str) -> Envelope:
    """``[.]PAYLOAD{sep}TIMESTAMP{sep}SIGNATURE`` split from the right, as the signers do.

    The value is taken as UTF-8 (the signers sign the UTF-8 bytes of a str), so splitting
    the bytes splits where they split the text.
    """
    from cookietool.errors import CookieFormatError

    if not value:
        raise CookieFormatError("the cookie value is empty")
    raw = value.encode("utf-8", "surrogateescape")
    if raw.count(sep) < 2:
        shape = sep.decode().join(("PAYLOAD", "TIMESTAMP", "SIGNATURE"))
        raise CookieFormatError(f"not {what}: expected {shape} (two {sep.decode()!r} at least)")
    signed_part, signature_segment = raw.rsplit(sep, 1)
    payload_segment, timestamp_segment = signed_part.rsplit(sep, 1)
    if payload_segment.startswith(b"."):
        payload_segment = payload_segment[1:]
    return Envelope(value, signed_part, payload_segment, timestamp_segment, signature_segment)


#: Every format, by name: the module that holds it and the attribute naming its object.
FORMATS = {
    "flask": ("cookietool.flaskcookie", "FORMAT"),
    "quart": ("cookietool.flaskcookie", "QUART"),
    "starlette": ("cookietool.starlettecookie", "FORMAT"),
    "django": ("cookietool.djangocookie", "FORMAT"),
    "jwt": ("cookietool.jwtcookie", "FORMAT"),
}
DEFAULT = "flask"
#: The formats auto-detection considers, in order of preference when several fit; Quart
#: is Flask's format under another name, so detection never needs to tell them apart.
DETECTED = ("jwt", "flask", "starlette", "django")


def detect(value: str) -> tuple[CookieFormat, str] | None:
    """The first format ``value`` looks like, with the reason; None if it looks like none."""
    for name in DETECTED:
        fmt = get(name)
        reason = fmt.recognise(value)
        if reason is not None:
            return fmt, reason
    return None


def get(name: str = DEFAULT) -> CookieFormat:
    """The format called ``name``; its module is imported only when asked for."""
    from cookietool.errors import InputError

    if name not in FORMATS:
        raise InputError(f"unknown cookie format {name!r}; choose one of {', '.join(FORMATS)}")
    module, attribute = FORMATS[name]
    found: CookieFormat = getattr(importlib.import_module(module), attribute)
    return found


def candidates(value: str) -> list[tuple[CookieFormat, str]]:
    """Every format ``value`` looks like, in order of preference, each with its reason."""
    found = []
    for name in DETECTED:
        fmt = get(name)
        reason = fmt.recognise(value)
        if reason is not None:
            found.append((fmt, reason))
    return found
