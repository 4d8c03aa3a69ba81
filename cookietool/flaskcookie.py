"""The Flask session cookie format: itsdangerous' URL-safe timed serializer, read and checked.

A cookie is ``[.]PAYLOAD.TIMESTAMP.SIGNATURE``: a leading dot marks a zlib-compressed
payload, every part is base64url without padding, the timestamp is a big-endian
integer without leading zero bytes, and the signature is an HMAC over
``[.]PAYLOAD.TIMESTAMP`` with a key derived from the secret key and the salt
(itsdangerous 2.2 ``signer.py``, ``timed.py``, ``url_safe.py``; Flask 3.1 ``sessions.py``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cookietool.errors import CookieFormatError, InputError, PayloadTooLargeError

#: itsdangerous before 1.0 counted timestamps from 2011-01-01 00:00:00 UTC.
LEGACY_EPOCH = 1293840000
#: Flask's session salt (SecureCookieSessionInterface.salt).
DEFAULT_SALT = "cookie-session"
DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")
KEY_DERIVATIONS = ("hmac", "concat", "django-concat", "none")
#: How far a compressed payload may inflate by default.
DEFAULT_INFLATE_LIMIT = 1 << 20

_B64URL_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass(frozen=True)
class Scheme:
    """How an app signs its session: salt, digest and key derivation (Flask's defaults)."""

    salt: str = DEFAULT_SALT
    digest: str = "sha1"
    key_derivation: str = "hmac"

    def __post_init__(self) -> None:
        if self.digest not in DIGESTS:
            raise InputError(f"unknown digest {self.digest!r}; choose one of {', '.join(DIGESTS)}")
        if self.key_derivation not in KEY_DERIVATIONS:
            raise InputError(
                f"unknown key derivation {self.key_derivation!r}; "
                f"choose one of {', '.join(KEY_DERIVATIONS)}"
            )

    @property
    def is_flask_default(self) -> bool:
        """True when this is the scheme of an unmodified Flask app."""
        return self == Scheme()

    def derive_key(self, secret_key: bytes) -> bytes:
        """The signing key itsdangerous' Signer.derive_key makes from a secret key."""
        # hashlib and hmac load OpenSSL: imported only once a key is to be checked.
        import hashlib
        import hmac

        salt = self.salt.encode("utf-8")
        if self.key_derivation == "hmac":
            return hmac.digest(secret_key, salt, self.digest)
        if self.key_derivation == "concat":
            return hashlib.new(self.digest, salt + secret_key).digest()
        if self.key_derivation == "django-concat":
            return hashlib.new(self.digest, salt + b"signer" + secret_key).digest()
        return secret_key

    def signature(self, derived_key: bytes, signed_part: bytes) -> bytes:
        """The raw signature over ``[.]PAYLOAD.TIMESTAMP`` with an already derived key."""
        import hmac

        return hmac.digest(derived_key, signed_part, self.digest)


@dataclass(frozen=True)
class ParsedCookie:
    """The parts of a Flask session cookie, before any key is tried."""

    value: str
    signed_part: bytes
    signature: bytes
    compressed: bool
    stored_bytes: int
    json_text: str
    timestamp_raw: int

    @property
    def json_bytes(self) -> int:
        """Size of the session JSON as stored (after inflating)."""
        return len(self.json_text.encode("utf-8"))


def b64decode(segment: bytes, what: str) -> bytes:
    """Decode unpadded base64url strictly, as a cookie part named ``what``."""
    if segment.translate(None, _B64URL_ALPHABET):
        raise CookieFormatError(f"the {what} is not base64url")
    try:
        return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as e:
        raise CookieFormatError(f"the {what} is not valid base64url") from e


def b64encode(data: bytes) -> bytes:
    """Encode as base64url without padding, like itsdangerous.encoding.base64_encode."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def inflate(data: bytes, limit: int) -> bytes:
    """Inflate zlib data, refusing output larger than ``limit`` bytes without building it."""
    import zlib

    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as e:
        raise CookieFormatError("the compressed payload is not valid zlib data") from e
    if len(out) > limit or inflater.unconsumed_tail:
        raise PayloadTooLargeError(limit)
    if not inflater.eof:
        raise CookieFormatError("the compressed payload is truncated")
    return out


@dataclass(frozen=True)
class SignedParts:
    """What a signature check needs: the signed part and the raw signature."""

    signed_part: bytes
    signature: bytes


def _segments(value: str) -> tuple[bytes, bytes]:
    """The signed part ``[.]PAYLOAD.TIMESTAMP`` and the signature segment of a cookie."""
    try:
        raw = value.encode("ascii")
    except UnicodeEncodeError as e:
        raise CookieFormatError("a Flask session cookie is ASCII; this value is not") from e
    if raw.count(b".") < 2:
        raise CookieFormatError("not a Flask session cookie: expected PAYLOAD.TIMESTAMP.SIGNATURE")
    signed_part, sig_segment = raw.rsplit(b".", 1)
    if not sig_segment:
        raise CookieFormatError("not a Flask session cookie: a part is empty")
    return signed_part, sig_segment


def split(value: str) -> SignedParts:
    """The signed part and signature of a cookie, without decoding the payload."""
    signed_part, sig_segment = _segments(value)
    return SignedParts(signed_part, b64decode(sig_segment, "signature"))


def parse(value: str, inflate_limit: int = DEFAULT_INFLATE_LIMIT) -> ParsedCookie:
    """Split a cookie value into its parts and read payload and timestamp."""
    signed_part, sig_segment = _segments(value)
    payload_segment, ts_segment = signed_part.rsplit(b".", 1)
    compressed = payload_segment.startswith(b".")
    if compressed:
        payload_segment = payload_segment[1:]
    if not payload_segment or not ts_segment:
        raise CookieFormatError("not a Flask session cookie: a part is empty")
    data = b64decode(payload_segment, "payload")
    stored_bytes = len(data)
    if compressed:
        data = inflate(data, inflate_limit)
    try:
        json_text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CookieFormatError("the payload is not UTF-8 text") from e
    timestamp = b64decode(ts_segment, "timestamp")
    if len(timestamp) > 8:
        # itsdangerous reads the timestamp as a 64-bit integer and rejects longer ones.
        raise CookieFormatError("the timestamp is longer than 8 bytes")
    return ParsedCookie(
        value=value,
        signed_part=signed_part,
        signature=b64decode(sig_segment, "signature"),
        compressed=compressed,
        stored_bytes=stored_bytes,
        json_text=json_text,
        timestamp_raw=int.from_bytes(timestamp, "big"),
    )


def load_json(text: str) -> Any:
    """Parse session JSON as Flask's default JSON provider does, with clear errors."""
    try:
        return json.loads(text)
    except RecursionError as e:
        raise CookieFormatError("the payload JSON is nested too deeply") from e
    except ValueError as e:
        raise CookieFormatError(f"the payload is not JSON ({e})") from e


def find_key(cookie: ParsedCookie, keys: Sequence[bytes], scheme: Scheme) -> int | None:
    """Index of the key that signed the cookie, trying the newest (last) first as Flask does."""
    import hmac

    for index in range(len(keys) - 1, -1, -1):
        expected = scheme.signature(scheme.derive_key(keys[index]), cookie.signed_part)
        if hmac.compare_digest(expected, cookie.signature):
            return index
    return None


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
