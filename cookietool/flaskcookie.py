"""The Flask session cookie format: itsdangerous' URL-safe timed serializer, read and checked.

A cookie is ``[.]PAYLOAD.TIMESTAMP.SIGNATURE``: a leading dot marks a zlib-compressed
payload, every part is base64url without padding, the timestamp is a big-endian
integer without leading zero bytes, and the signature is an HMAC over
``[.]PAYLOAD.TIMESTAMP`` with a key derived from the secret key and the salt
(itsdangerous 2.2 ``signer.py``, ``timed.py``, ``url_safe.py``; Flask 3.1 ``sessions.py``).
Quart uses the very same format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cookietool import formats, signer
from cookietool.errors import CookieFormatError, TagError
from cookietool.formats import Envelope, Payload, Session
from cookietool.signer import Scheme

if TYPE_CHECKING:
    from cookietool.caps import Caps

#: itsdangerous before 1.0 counted timestamps from 2011-01-01 00:00:00 UTC.
LEGACY_EPOCH = 1293840000
#: Flask's session salt (SecureCookieSessionInterface.salt).
DEFAULT_SALT = "cookie-session"
#: The scheme of a Flask app that changed nothing: SecureCookieSessionInterface's.
SCHEME = Scheme(DEFAULT_SALT, "sha1", "hmac")
EPOCHS = ("auto", "unix", "legacy")


def scheme(salt: str = DEFAULT_SALT, digest: str = "sha1", key_derivation: str = "hmac") -> Scheme:
    """A scheme with Flask's defaults for whatever is not given."""
    return Scheme(salt, digest, key_derivation)


def envelope(value: str) -> Envelope:
    """Split a cookie value as itsdangerous does, or say why it is not shaped like one."""
    return formats.split_from_right(value, b".", "a session cookie")


def read_signature(env: Envelope) -> bytes:
    """The raw signature bytes; a segment that cannot be decoded matches no key."""
    return signer.b64decode(env.signature_segment, "signature")


def read_timestamp(env: Envelope) -> int:
    """The timestamp integer as stored, read as itsdangerous' ``bytes_to_int`` reads it."""
    data = signer.b64decode(env.timestamp_segment, "timestamp")
    if len(data) > 8:
        # bytes_to_int unpacks a big-endian unsigned 64-bit integer: longer is malformed.
        raise CookieFormatError(f"the timestamp is {len(data)} bytes; at most 8 are allowed")
    return int.from_bytes(data, "big")


def read_payload(env: Envelope, inflate_limit: int = signer.DEFAULT_INFLATE_LIMIT) -> Payload:
    """The payload's JSON text, read as itsdangerous' URL-safe serializer reads it."""
    data = signer.b64decode(env.payload_segment, "payload")
    stored_bytes = len(data)
    if env.compressed:
        data = signer.inflate(data, inflate_limit)
    try:
        json_text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CookieFormatError("the payload is not UTF-8 text") from e
    return Payload(json_text, stored_bytes, env.compressed)


def signed_parts(value: str, scheme: Scheme) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match.

    Any value decode accepts is accepted here; the timestamp and payload are not read.
    """
    return formats.searchable_parts(envelope(value), read_signature, scheme)


def to_unix(timestamp_raw: int, legacy: bool) -> int:
    """Unix seconds of a cookie timestamp counted from the Unix or the legacy epoch."""
    return timestamp_raw + LEGACY_EPOCH if legacy else timestamp_raw


def looks_legacy(timestamp_raw: int) -> bool:
    """True for timestamps that only itsdangerous < 1.0 writes.

    Read as Unix time they fall before 2011-01-01, when itsdangerous did not exist yet,
    so no current itsdangerous can have written them; the legacy epoch puts them in
    2011-2051, when it did.
    """
    return timestamp_raw < LEGACY_EPOCH


class FlaskFormat:
    """Flask's (and Quart's) session cookie, for cookietool.formats."""

    def __init__(self, name: str = "flask", framework: str = "Flask") -> None:
        self.name = name
        self.framework = framework
        self.title = f"{framework} session cookie"

    default_cookie_name = "session"
    default_scheme = SCHEME
    # Flask's SecureCookieSessionInterface loads every session with this max_age.
    lifetime_setting = "PERMANENT_SESSION_LIFETIME"
    default_max_age: int | None = 31 * 24 * 60 * 60

    def recognise(self, value: str) -> str | None:
        """Why ``value`` looks like a Flask cookie: three dotted base64url parts."""
        try:
            env = envelope(value)
        except CookieFormatError:
            return None
        if any(char in env.signed_part for char in b"+/="):
            return None  # standard base64: itsdangerous' URL-safe serializer never writes it
        return "three dot-separated parts, as itsdangerous' URL-safe timed serializer writes"

    def envelope(self, value: str) -> Envelope:
        """Split a cookie value as itsdangerous does."""
        return envelope(value)

    def read_signature(self, env: Envelope) -> bytes:
        """The raw signature bytes."""
        return read_signature(env)

    def read_timestamp(self, env: Envelope) -> int:
        """The timestamp integer as stored."""
        return read_timestamp(env)

    def to_unix(self, raw: int, epoch: str) -> tuple[int, bool]:
        """Unix seconds, counting from 2011 for itsdangerous < 1.0 (``epoch`` auto detects)."""
        legacy = looks_legacy(raw) if epoch == "auto" else epoch == "legacy"
        return to_unix(raw, legacy), legacy

    def read_payload(self, env: Envelope, inflate_limit: int) -> Payload:
        """The payload's JSON text."""
        return read_payload(env, inflate_limit)

    def load_session(self, json_text: str, caps: Caps) -> Session:
        """The JSON and the session Flask's tagged JSON makes of it."""
        from cookietool import jsontext, tagged

        data = jsontext.load_json(json_text, caps.json_depth, caps.int_digits)
        try:
            return Session(data, tagged.untag(data), None)
        except TagError as e:
            return Session(data, None, str(e))

    def explain(self, key: str) -> str | None:
        """What Flask and its common extensions keep under a session key."""
        from cookietool.sessionkeys import explain

        return explain(key)

    def signed_parts(self, value: str, scheme: Scheme) -> tuple[bytes, bytes]:
        """What a key search needs."""
        return signed_parts(value, scheme)


FORMAT = FlaskFormat()
#: Quart signs its session exactly as Flask does (quart/sessions.py mirrors flask/sessions.py:
#: SecureCookieSessionInterface with salt "cookie-session", hmac derivation, SHA-1, tagged
#: JSON and SECRET_KEY_FALLBACKS), so it is the same format under its own name.
QUART = FlaskFormat("quart", "Quart")
