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
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cookietool.errors import CapError, CookieFormatError, InputError, PayloadTooLargeError

#: itsdangerous before 1.0 counted timestamps from 2011-01-01 00:00:00 UTC.
LEGACY_EPOCH = 1293840000
#: Flask's session salt (SecureCookieSessionInterface.salt).
DEFAULT_SALT = "cookie-session"
#: Bytes of an HMAC signature for each digest hashlib offers.
DIGEST_SIZES = {"sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64}
DIGESTS = tuple(DIGEST_SIZES)
KEY_DERIVATIONS = ("hmac", "concat", "django-concat", "none")
#: How far a compressed payload may inflate by default (cookietool.caps).
DEFAULT_INFLATE_LIMIT = 1 << 20
DEFAULT_JSON_DEPTH = 512
DEFAULT_INT_DIGITS = 4300


@dataclass(frozen=True)
class Scheme:
    """How an app signs its session: salt, digest and key derivation (Flask's defaults)."""

    salt: str = DEFAULT_SALT
    digest: str = "sha1"
    key_derivation: str = "hmac"

    def __post_init__(self) -> None:
        try:
            self.salt.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InputError("the salt is not UTF-8 text, which no Flask app can have") from e
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

    @property
    def signature_size(self) -> int:
        """Bytes of a signature made with this scheme's digest."""
        return DIGEST_SIZES[self.digest]

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
class Envelope:
    """A value shaped like a session cookie, ``[.]PAYLOAD.TIMESTAMP.SIGNATURE``, parts unread.

    This is the one notion of "a cookie" that decode, audit, sign and size-check share:
    the shape itsdangerous' ``TimestampSigner.unsign`` splits. Whether each part can be
    read is asked part by part, after the signature has been checked.
    """

    value: str
    signed_part: bytes
    payload_segment: bytes
    timestamp_segment: bytes
    signature_segment: bytes

    @property
    def compressed(self) -> bool:
        """True when the payload is marked zlib-compressed (a leading dot)."""
        return self.signed_part.startswith(b".")


def envelope(value: str) -> Envelope:
    """Split a cookie value as itsdangerous does, or say why it is not shaped like one."""
    if not value:
        raise CookieFormatError("the cookie value is empty")
    # itsdangerous encodes a str cookie as UTF-8 before splitting and signing it.
    raw = value.encode("utf-8", "surrogateescape")
    if raw.count(b".") < 2:
        raise CookieFormatError(
            "not a session cookie: expected PAYLOAD.TIMESTAMP.SIGNATURE (two dots at least)"
        )
    signed_part, signature_segment = raw.rsplit(b".", 1)
    payload_segment, timestamp_segment = signed_part.rsplit(b".", 1)
    if payload_segment.startswith(b"."):
        payload_segment = payload_segment[1:]
    return Envelope(value, signed_part, payload_segment, timestamp_segment, signature_segment)


def b64decode(segment: bytes, what: str) -> bytes:
    """Decode one part exactly as itsdangerous.encoding.base64_decode does.

    That is lenient: bytes outside the base64 alphabets are dropped and padding is added
    from the length, so a cookie Flask accepts always reads here too. The tests hold it
    equal to itsdangerous on arbitrary bytes.
    """
    padded = segment + b"=" * (-len(segment) % 4)
    try:
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError) as e:
        raise CookieFormatError(f"the {what} is not valid base64") from e


def b64encode(data: bytes) -> bytes:
    """Encode as base64url without padding, like itsdangerous.encoding.base64_encode."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def inflate(data: bytes, limit: int) -> bytes:
    """Inflate zlib data, refusing output larger than ``limit`` bytes without building it."""
    import zlib

    if not 0 < limit < 1 << 40:
        raise InputError("the inflate limit must be from 1 byte to 1 TiB")
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


def read_signature(env: Envelope) -> bytes:
    """The raw signature bytes; a segment that cannot be decoded matches no key."""
    return b64decode(env.signature_segment, "signature")


def read_timestamp(env: Envelope) -> int:
    """The timestamp integer as stored, read as itsdangerous' ``bytes_to_int`` reads it."""
    data = b64decode(env.timestamp_segment, "timestamp")
    if len(data) > 8:
        # bytes_to_int unpacks a big-endian unsigned 64-bit integer: longer is malformed.
        raise CookieFormatError(f"the timestamp is {len(data)} bytes; at most 8 are allowed")
    return int.from_bytes(data, "big")


@dataclass(frozen=True)
class Payload:
    """The session JSON of a cookie as stored: its text and its size before inflating."""

    json_text: str
    stored_bytes: int
    compressed: bool

    @property
    def json_bytes(self) -> int:
        """Size of the session JSON as stored (after inflating)."""
        return len(self.json_text.encode("utf-8"))


def read_payload(env: Envelope, inflate_limit: int = DEFAULT_INFLATE_LIMIT) -> Payload:
    """The payload's JSON text, read as itsdangerous' URL-safe serializer reads it."""
    data = b64decode(env.payload_segment, "payload")
    stored_bytes = len(data)
    if env.compressed:
        data = inflate(data, inflate_limit)
    try:
        json_text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CookieFormatError("the payload is not UTF-8 text") from e
    return Payload(json_text, stored_bytes, env.compressed)


#: JSON strings, which may hold brackets, and the brackets that nest.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_NESTING = re.compile(r"[\[\]{}]")


def check_json_depth(text: str, max_depth: int, what: str = "the payload JSON") -> None:
    """Refuse JSON nested deeper than ``max_depth``, in linear time, before parsing it.

    Python's parser would stop at its recursion limit, which depends on the version and
    on how deep the caller already is; a cap of our own answers the same everywhere.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    for bracket in _JSON_NESTING.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise CapError(f"{what} is nested more than {max_depth} levels deep", "json-depth")


def load_json(
    text: str, max_depth: int = DEFAULT_JSON_DEPTH, max_digits: int = DEFAULT_INT_DIGITS
) -> Any:
    """Parse session JSON as Flask's default JSON provider does, within the caps."""

    def parse_int(digits: str) -> int:
        if len(digits) - digits.startswith("-") > max_digits:
            raise CapError(
                f"the payload JSON has an integer of more than {max_digits} digits", "int-digits"
            )
        return int(digits)

    check_json_depth(text, max_depth)
    try:
        return json.loads(text, parse_int=parse_int)
    except RecursionError as e:
        raise CookieFormatError("the payload JSON is nested too deeply") from e
    except ValueError as e:
        raise CookieFormatError(f"the payload is not JSON ({e})") from e


def signed_parts(value: str, scheme: Scheme) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match.

    Any value decode accepts is accepted here; the timestamp and payload are not read.
    """
    env = envelope(value)
    try:
        signature = read_signature(env)
    except CookieFormatError as e:
        raise CookieFormatError(f"{e}, so no key can match this cookie") from e
    if len(signature) != scheme.signature_size:
        raise CookieFormatError(
            f"the signature is {len(signature)} bytes and {scheme.digest} signatures are "
            f"{scheme.signature_size}, so no key can match (damaged, or pass the app's --digest)"
        )
    return env.signed_part, signature


def find_key(
    signed_part: bytes, signature: bytes, keys: Sequence[bytes], scheme: Scheme
) -> int | None:
    """Index of the key that signed the cookie, trying the newest (last) first as Flask does."""
    import hmac

    for index in range(len(keys) - 1, -1, -1):
        expected = scheme.signature(scheme.derive_key(keys[index]), signed_part)
        if hmac.compare_digest(expected, signature):
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
