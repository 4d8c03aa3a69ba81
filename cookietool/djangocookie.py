"""The Django session cookie format: the ``signed_cookies`` backend, read and checked.

A cookie is ``[.]PAYLOAD:TIMESTAMP:SIGNATURE``. PAYLOAD is base64url without padding of
the compact JSON that ``JSONSerializer`` writes (``separators=(",", ":")``, ASCII), zlib
compressed and marked with a leading dot when that is shorter by two bytes at least;
TIMESTAMP is ``int(time.time())`` in base62 (digits, then A-Z, then a-z); SIGNATURE is
base64url without padding of an HMAC over ``[.]PAYLOAD:TIMESTAMP``, whose key is
``digest(salt + "signer" + secret)`` (``salted_hmac``), with the salt
``django.contrib.sessions.backends.signed_cookies``. Django 3.1 and later sign with
SHA-256 (``Signer``'s default ``algorithm``); ``salted_hmac`` and ``base64_hmac`` still
default to SHA-1, the digest of older releases, which ``Signer(algorithm="sha1")``
writes. SECRET_KEY signs; SECRET_KEY_FALLBACKS also verify. Sessions live
SESSION_COOKIE_AGE (two weeks) in the cookie SESSION_COOKIE_NAME (``sessionid``).

Read in Django 5.2's own source: ``django/core/signing.py`` (``b62_encode``,
``b62_decode``, ``b64_encode``, ``b64_decode``, ``base64_hmac``, ``JSONSerializer``,
``dumps``, ``Signer``, ``TimestampSigner``), ``django/utils/crypto.py``
(``salted_hmac``), ``django/contrib/sessions/backends/signed_cookies.py`` (the salt,
``compress=True``), ``django/contrib/sessions/serializers.py`` (the session serializer
is ``signing.JSONSerializer``), ``django/conf/global_settings.py`` (the defaults) and,
for the keys explained, ``django/contrib/auth/__init__.py``, ``auth/views.py``,
``sessions/backends/base.py``, ``messages/storage/session.py``, ``middleware/csrf.py``.
Django itself is never imported here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cookietool import formats, signer
from cookietool.errors import CookieFormatError, InputError, PayloadError
from cookietool.formats import Envelope, Payload, Session
from cookietool.signer import Scheme

if TYPE_CHECKING:
    from cookietool.caps import Caps
    from cookietool.keys import SecretKey

#: The salt of SessionStore in django.contrib.sessions.backends.signed_cookies.
SALT = "django.contrib.sessions.backends.signed_cookies"
#: Django 3.1 and later: Signer's default algorithm, with salted_hmac's derivation,
#: which is itsdangerous' "django-concat": digest(salt + b"signer" + secret).
SCHEME = Scheme(SALT, "sha256", "django-concat")
#: Django before 3.1 signed with salted_hmac's default digest, SHA-1.
LEGACY_SCHEME = Scheme(SALT, "sha1", "django-concat")
#: The schemes a caller can pick by digest; ``auto`` tries them in this order.
SCHEMES = {"sha256": SCHEME, "sha1": LEGACY_SCHEME}
ALGORITHMS = ("auto", *SCHEMES)
#: SESSION_COOKIE_NAME and SESSION_COOKIE_AGE in django/conf/global_settings.py.
COOKIE_NAME = "sessionid"
COOKIE_AGE = 60 * 60 * 24 * 7 * 2
#: django.core.signing.BASE62_ALPHABET.
BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62_VALUE = {digit: value for value, digit in enumerate(BASE62_ALPHABET)}
#: 62**11 exceeds 2**64: more significant digits than this are no time at all, and
#: decoding them costs quadratic time, so they are refused rather than read.
MAX_TIMESTAMP_DIGITS = 11
#: What TimestampSigner writes; the payload and signature are base64url.
_SHAPE = re.compile(r"\.?[A-Za-z0-9_-]+:[0-9A-Za-z]{1,11}:[A-Za-z0-9_-]+")
_TIMESTAMP = re.compile(rb"-?[0-9A-Za-z]*")

#: Session keys Django itself writes, and what they hold.
KNOWN_KEYS = {
    "_auth_user_id": "the logged-in user's primary key (django.contrib.auth SESSION_KEY)",
    "_auth_user_backend": "the dotted path of the authentication backend that logged "
    "the user in (BACKEND_SESSION_KEY)",
    "_auth_user_hash": "an HMAC of the user's password hash, so changing the password "
    "ends other sessions (HASH_SESSION_KEY)",
    "_session_expiry": "an expiry set with session.set_expiry(): seconds, or an ISO date",
    "_messages": "django.contrib.messages waiting to be shown (SessionStorage), "
    "themselves signed with their own salt",
    "_csrftoken": "the CSRF secret, when CSRF_USE_SESSIONS is on",
    "_password_reset_token": "a password reset token between the emailed link and the "
    "new-password form (auth.views INTERNAL_RESET_SESSION_TOKEN)",
    "testcookie": "set by session.set_test_cookie() to see if the browser keeps cookies",
}


def scheme(salt: str = SALT, digest: str = "sha256") -> Scheme:
    """A scheme with Django's derivation, and its defaults for what is not given."""
    return Scheme(salt, digest, "django-concat")


def b62encode(number: int) -> str:
    """Write an integer as django.core.signing.b62_encode does."""
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    number = abs(number)
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62_ALPHABET[remainder])
    return sign + "".join(reversed(digits))


def envelope(value: str) -> Envelope:
    """Split a cookie value as Signer.unsign and TimestampSigner.unsign do (from the right)."""
    return formats.split_from_right(value, b":", "a Django signed cookie")


def read_signature(env: Envelope) -> bytes:
    """The raw signature bytes, from the only spelling Django accepts.

    Django never decodes a signature: it compares the text with the one it computes
    (``constant_time_compare``), so padding or a non-canonical spelling matches no key.
    """
    segment = env.signature_segment
    decoded = signer.b64decode(segment, "signature")
    if signer.b64encode(decoded) != segment:
        raise CookieFormatError(
            "the signature is not the unpadded base64url Django writes, so no key can match"
        )
    return decoded


def read_timestamp(env: Envelope) -> int:
    """The timestamp as django.core.signing.b62_decode reads it (a leading '-' included)."""
    segment = env.timestamp_segment
    if not segment or not _TIMESTAMP.fullmatch(segment):
        raise CookieFormatError("the timestamp is not base62")
    negative = segment.startswith(b"-")
    digits = segment[1:] if negative else segment
    if len(digits.lstrip(b"0")) > MAX_TIMESTAMP_DIGITS:
        raise CookieFormatError(
            f"the timestamp has more than {MAX_TIMESTAMP_DIGITS} base62 digits, "
            "more than any 64-bit time"
        )
    number = 0
    for digit in digits.decode("ascii"):
        number = number * 62 + _BASE62_VALUE[digit]
    return -number if negative else number


def read_payload(env: Envelope, inflate_limit: int = signer.DEFAULT_INFLATE_LIMIT) -> Payload:
    """The payload's JSON text, read as Signer.unsign_object and JSONSerializer.loads do."""
    # signer.b64decode is django.core.signing.b64_decode: pad, then urlsafe_b64decode.
    data = signer.b64decode(env.payload_segment, "payload")
    stored_bytes = len(data)
    if env.compressed:
        data = signer.inflate(data, inflate_limit)
    # JSONSerializer.loads decodes Latin-1, so any bytes are text; what Django writes is
    # ASCII, so for its own cookies this is the same as UTF-8.
    return Payload(data.decode("latin-1"), stored_bytes, env.compressed)


def signed_parts(value: str, scheme: Scheme) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match.

    Any value decode accepts is accepted here; the timestamp and payload are not read.
    """
    return formats.searchable_parts(envelope(value), read_signature, scheme)


def find_scheme(
    value: str,
    keys: Sequence[SecretKey],
    algorithm: str = "auto",
    salt: str = SALT,
) -> tuple[Scheme, int] | None:
    """The scheme and index of the key that signed ``value``, or None if none did.

    ``auto`` tries SHA-256 (Django 3.1 and later), then SHA-1 (older releases); the
    scheme returned says which matched. Keys are tried newest (last) first.
    """
    if algorithm not in ALGORITHMS:
        raise InputError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    env = envelope(value)
    try:
        signature = read_signature(env)
    except CookieFormatError:
        return None
    digests = tuple(SCHEMES) if algorithm == "auto" else (algorithm,)
    for digest in digests:
        candidate = scheme(salt, digest)
        if len(signature) != candidate.signature_size:
            continue
        index = signer.find_key(env.signed_part, signature, [k.value for k in keys], candidate)
        if index is not None:
            return candidate, index
    return None


def dumps(data: Any, compress: bool = True) -> str:
    """The ``[.]PAYLOAD`` part Signer.sign_object writes with JSONSerializer."""
    import json
    import zlib

    try:
        serialized = json.dumps(data, separators=(",", ":")).encode("latin-1")
    except (TypeError, ValueError) as e:
        raise PayloadError(f"the session cannot be written as JSON ({e})") from e
    prefix = ""
    if compress:
        # sign_object compresses only when that saves two bytes at least.
        compressed = zlib.compress(serialized)
        if len(compressed) < len(serialized) - 1:
            serialized, prefix = compressed, "."
    return prefix + signer.b64encode(serialized).decode("ascii")


def sign(
    data: dict[str, Any],
    keys: Sequence[SecretKey],
    timestamp: int | None = None,
    compress: bool = True,
    *,
    scheme: Scheme = SCHEME,
) -> str:
    """Sign ``data`` as the signed_cookies SessionStore does at ``timestamp``.

    The result equals ``signing.dumps(data, salt=SALT, compress=True)``; the newest key
    (the last) signs, as SECRET_KEY does, the others being SECRET_KEY_FALLBACKS.
    """
    import time

    if not isinstance(data, dict):
        raise PayloadError("a Django session is a JSON object")
    if not keys:
        raise InputError("signing needs a key: pass --key, --key-hex, --key-file or --key-env")
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed_part = f"{dumps(data, compress)}:{b62encode(timestamp)}".encode("ascii")
    signature = scheme.signature(scheme.derive_key(keys[-1].value), signed_part)
    return f"{signed_part.decode('ascii')}:{signer.b64encode(signature).decode('ascii')}"


class DjangoFormat:
    """Django's signed_cookies session cookie, for cookietool.formats."""

    name = "django"
    title = "Django signed-cookie session"
    framework = "Django"
    default_cookie_name = COOKIE_NAME
    default_scheme = SCHEME
    lifetime_setting = "SESSION_COOKIE_AGE"
    default_max_age: int | None = 14 * 24 * 60 * 60

    def recognise(self, value: str) -> str | None:
        """Why ``value`` looks like a Django cookie: a base64url payload, base62 time, MAC."""
        # The base62 middle part is what sets TimestampSigner's output apart from any
        # other colon-separated text; nothing but base64url surrounds it.
        if not _SHAPE.fullmatch(value):
            return None
        return (
            "three colon-separated parts with a base62 timestamp in the middle, "
            "as Django's TimestampSigner writes"
        )

    def envelope(self, value: str) -> Envelope:
        """Split a cookie value as Django's TimestampSigner does."""
        return envelope(value)

    def read_signature(self, env: Envelope) -> bytes:
        """The raw signature bytes."""
        return read_signature(env)

    def read_timestamp(self, env: Envelope) -> int:
        """The timestamp integer as stored."""
        return read_timestamp(env)

    def to_unix(self, raw: int, epoch: str) -> tuple[int, bool]:
        """Unix seconds: Django has always counted from the Unix epoch."""
        if epoch == "legacy":
            raise InputError("Django has no legacy epoch: its timestamps are Unix time")
        return raw, False

    def read_payload(self, env: Envelope, inflate_limit: int) -> Payload:
        """The payload's JSON text."""
        return read_payload(env, inflate_limit)

    def load_session(self, json_text: str, caps: Caps) -> Session:
        """The JSON, and the session when it is an object (JSONSerializer adds no tags)."""
        from cookietool import jsontext

        data = jsontext.load_json(json_text, caps.json_depth, caps.int_digits)
        if not isinstance(data, dict):
            # SessionStore.load would hand it on, and the first session lookup would fail.
            return Session(data, None, "the payload JSON is not an object: Django cannot use it")
        return Session(data, data, None)

    def explain(self, key: str) -> str | None:
        """What Django keeps under one of its own session keys."""
        return KNOWN_KEYS.get(key)

    def signed_parts(self, value: str, scheme: Scheme) -> tuple[bytes, bytes]:
        """What a key search needs."""
        return signed_parts(value, scheme)


FORMAT = DjangoFormat()
