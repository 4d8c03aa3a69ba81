"""The Starlette (and FastAPI) session cookie format: SessionMiddleware's, read and checked.

As Starlette 1.10 ``starlette/middleware/sessions.py`` writes it, a cookie is
``PAYLOAD.TIMESTAMP.SIGNATURE``: ``PAYLOAD`` is ``base64.b64encode(json.dumps(session))``,
standard base64 with ``+``, ``/`` and ``=`` padding, of plain JSON (no tags, no
compression); it is signed by ``itsdangerous.TimestampSigner(str(secret_key))``, whose
defaults (itsdangerous 2.2 ``signer.py``, ``timed.py``) are the salt
``itsdangerous.Signer``, the ``django-concat`` key derivation and SHA-1, with a
base64url timestamp and signature. It is read back with
``json.loads(b64decode(signer.unsign(value, max_age=max_age)))``, ``max_age`` being 14
days unless configured, under the cookie name ``session``. FastAPI apps use the same
middleware. Starlette itself is never imported here.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cookietool import formats, signer
from cookietool.errors import CookieFormatError, InputError, PayloadError
from cookietool.formats import Envelope, Payload, Session
from cookietool.signer import Scheme

if TYPE_CHECKING:
    from cookietool.caps import Caps
    from cookietool.keys import SecretKey

#: The scheme of ``TimestampSigner(secret_key)`` with nothing else given.
SCHEME = Scheme("itsdangerous.Signer", "sha1", "django-concat")
#: SessionMiddleware's default ``max_age``: 14 days, in seconds.
DEFAULT_MAX_AGE = 14 * 24 * 60 * 60
DEFAULT_COOKIE_NAME = "session"
_STANDARD_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class StarletteEnvelope(Envelope):
    """An envelope whose payload is never compressed, whatever its first byte."""

    __slots__ = ()

    @property
    def compressed(self) -> bool:
        """Always False: Starlette never compresses, and its decoder drops a leading dot."""
        return False


def envelope(value: str) -> Envelope:
    """Split a cookie value as TimestampSigner.unsign does, or say why it is not shaped so."""
    if not value:
        raise CookieFormatError("the cookie value is empty")
    # SessionMiddleware encodes the cookie's text as UTF-8 before unsigning it.
    raw = value.encode("utf-8", "surrogateescape")
    if raw.count(b".") < 2:
        raise CookieFormatError(
            "not a session cookie: expected PAYLOAD.TIMESTAMP.SIGNATURE (two dots at least)"
        )
    signed_part, signature_segment = raw.rsplit(b".", 1)
    # Everything before the timestamp is the payload, dots included: b64decode drops them.
    payload_segment, timestamp_segment = signed_part.rsplit(b".", 1)
    return StarletteEnvelope(
        value, signed_part, payload_segment, timestamp_segment, signature_segment
    )


def read_signature(env: Envelope) -> bytes:
    """The raw signature bytes, read with itsdangerous' lenient base64url."""
    return signer.b64decode(env.signature_segment, "signature")


def read_timestamp(env: Envelope) -> int:
    """The timestamp integer as stored, read as itsdangerous' ``bytes_to_int`` reads it."""
    data = signer.b64decode(env.timestamp_segment, "timestamp")
    if len(data) > 8:
        # bytes_to_int unpacks a big-endian unsigned 64-bit integer: longer is malformed.
        raise CookieFormatError(f"the timestamp is {len(data)} bytes; at most 8 are allowed")
    return int.from_bytes(data, "big")


def read_payload(env: Envelope) -> Payload:
    """The payload's JSON text, decoded as ``json.loads(b64decode(data))`` decodes it."""
    import json

    # The very call Starlette makes: non-strict, so bytes outside the standard alphabet
    # are dropped, but padding is required.
    try:
        data = base64.b64decode(env.payload_segment)
    except (binascii.Error, ValueError) as e:
        raise CookieFormatError(f"the payload is not valid standard base64 ({e})") from e
    # json.loads reads bytes as UTF-8, -16 or -32, guessing from the first bytes.
    encoding = json.detect_encoding(data)
    try:
        json_text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CookieFormatError(f"the payload is not {encoding.upper()} text") from e
    return Payload(json_text, len(data), False)


def load_session(json_text: str, caps: Caps) -> Session:
    """The JSON and the session Starlette makes of it with ``Session(json.loads(...))``."""
    from cookietool import jsontext

    data = jsontext.load_json(json_text, caps.json_depth, caps.int_digits)
    if isinstance(data, dict):
        return Session(data, data, None)
    # Starlette's Session is a dict subclass built from whatever json.loads returned, so
    # an array of pairs (or "" or []) is a session to it; anything else makes dict() fail,
    # and as that is not BadSignature the request fails instead of starting a new session.
    try:
        return Session(data, dict(data), None)
    except (TypeError, ValueError):
        from cookietool.session import json_type

        return Session(
            data,
            None,
            f"the payload is a JSON {json_type(data)} that Starlette cannot make a session "
            "of (dict() fails, and the request fails with it)",
        )


def signed_parts(value: str, scheme: Scheme) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match.

    Any value decode accepts is accepted here; the timestamp and payload are not read.
    """
    return formats.searchable_parts(envelope(value), read_signature, scheme)


def recognise(value: str) -> str | None:
    """Why ``value`` looks like a Starlette cookie, or None when Starlette cannot read it."""
    try:
        env = envelope(value)
    except CookieFormatError:
        return None
    segment = env.payload_segment
    body = segment.rstrip(b"=")
    if (
        not segment
        or len(segment) % 4
        or len(segment) - len(body) > 2
        or body.translate(None, _STANDARD_ALPHABET)
    ):
        # Not base64 as b64encode writes it: base64url (Flask's "-" and "_"), a leading
        # dot (Flask's compression), or padding missing, which b64decode refuses.
        return None
    if len(body) != len(segment) or b"+" in body or b"/" in body:
        return (
            "three dotted parts; the payload is standard base64 with '+', '/' or '=' "
            "padding, which Starlette writes and itsdangerous' URL-safe base64 never does"
        )
    return (
        "three dotted parts; the payload is valid base64 as Starlette writes it, and as "
        "Flask writes it too: ambiguous, only a key (the signing scheme) can tell"
    )


def sign(data: dict[str, Any], keys: Sequence[SecretKey], timestamp: int | None = None) -> str:
    """The cookie value SessionMiddleware sets for ``data``, signed with the newest key.

    ``timestamp`` (Unix seconds) defaults to now. Starlette signs ``str(secret_key)``
    as UTF-8: give the key as that text (a bytes secret key signs as its repr, ``b'...'``).
    """
    import json
    import time

    from itsdangerous import TimestampSigner

    if not keys:
        raise InputError("a key is needed to sign a cookie")
    stamp = int(time.time()) if timestamp is None else timestamp
    if not 0 <= stamp < 1 << 64:
        raise InputError("the timestamp must be from 0 to 2**64 - 1 seconds")
    try:
        # json.dumps with its defaults, as Starlette calls it (ASCII only, ", " and ": ").
        text = json.dumps(data)
    except (TypeError, ValueError, RecursionError) as e:
        raise PayloadError(f"the session cannot be stored as JSON ({e})") from e

    class FixedTimeSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    # itsdangerous signs with the last of a list of keys: the newest, as cookietool orders them.
    signed = FixedTimeSigner([key.value for key in keys]).sign(base64.b64encode(text.encode()))
    return signed.decode("ascii")


class StarletteFormat:
    """Starlette's (and FastAPI's) SessionMiddleware cookie, for cookietool.formats."""

    name = "starlette"
    title = "Starlette session cookie"
    framework = "Starlette"
    default_cookie_name = DEFAULT_COOKIE_NAME
    default_scheme = SCHEME
    lifetime_setting = "SessionMiddleware(max_age=...)"
    default_max_age: int | None = DEFAULT_MAX_AGE

    def recognise(self, value: str) -> str | None:
        """Why ``value`` looks like a Starlette cookie: a standard-base64 payload."""
        return recognise(value)

    def envelope(self, value: str) -> Envelope:
        """Split a cookie value as TimestampSigner does."""
        return envelope(value)

    def read_signature(self, env: Envelope) -> bytes:
        """The raw signature bytes."""
        return read_signature(env)

    def read_timestamp(self, env: Envelope) -> int:
        """The timestamp integer as stored."""
        return read_timestamp(env)

    def to_unix(self, raw: int, epoch: str) -> tuple[int, bool]:
        """Unix seconds; ``epoch`` is ignored: itsdangerous counts from 1970 since 1.0 (2018)."""
        return raw, False

    def read_payload(self, env: Envelope, inflate_limit: int) -> Payload:
        """The payload's JSON text; Starlette never compresses, so nothing is inflated."""
        return read_payload(env)

    def load_session(self, json_text: str, caps: Caps) -> Session:
        """The JSON and the session Starlette makes of it."""
        return load_session(json_text, caps)

    def explain(self, key: str) -> str | None:
        """Nothing: Starlette itself keeps no well-known session keys."""
        return None

    def signed_parts(self, value: str, scheme: Scheme) -> tuple[bytes, bytes]:
        """What a key search needs."""
        return signed_parts(value, scheme)


FORMAT = StarletteFormat()
