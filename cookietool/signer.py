"""Signing that does not depend on the framework: key derivation, HMAC, base64, zlib.

Cut as itsdangerous cuts its own (``signer.py`` for derivation and HMAC, ``encoding.py``
for base64): every cookie format signs with these, and only says which salt, digest and
key derivation it uses and how its parts are laid out (cookietool.formats).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import NamedTuple

from cookietool.errors import CookieFormatError, InputError, PayloadTooLargeError

#: Bytes of an HMAC signature for each digest hashlib offers.
DIGEST_SIZES = {"sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64}
DIGESTS = tuple(DIGEST_SIZES)
#: itsdangerous' four key derivations (Signer.derive_key).
KEY_DERIVATIONS = ("hmac", "concat", "django-concat", "none")
#: How far a compressed payload may inflate by default (the inflate-bytes cap).
DEFAULT_INFLATE_LIMIT = 1 << 20


class _SchemeFields(NamedTuple):
    salt: str
    digest: str
    key_derivation: str


# A NamedTuple (checked as it is made), not a dataclass: every command loads this module,
# and making a dataclass costs start-up time (tests/test_startup.py).
class Scheme(_SchemeFields):
    """How a framework signs: salt, digest and key derivation, as itsdangerous names them.

    There are no defaults here: each cookie format says what its framework uses.
    """

    __slots__ = ()

    def __new__(cls, salt: str, digest: str, key_derivation: str) -> Scheme:
        try:
            salt.encode("utf-8")
        except UnicodeEncodeError as e:
            raise InputError("the salt is not UTF-8 text, which no app can have") from e
        if digest not in DIGESTS:
            raise InputError(f"unknown digest {digest!r}; choose one of {', '.join(DIGESTS)}")
        if key_derivation not in KEY_DERIVATIONS:
            raise InputError(
                f"unknown key derivation {key_derivation!r}; "
                f"choose one of {', '.join(KEY_DERIVATIONS)}"
            )
        return super().__new__(cls, salt, digest, key_derivation)

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
        """The raw HMAC signature over ``signed_part`` with an already derived key."""
        import hmac

        return hmac.digest(derived_key, signed_part, self.digest)


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


def find_key(
    signed_part: bytes, signature: bytes, keys: Sequence[bytes], scheme: Scheme
) -> int | None:
    """Index of the key that signed ``signed_part``, trying the newest (last) first.

    This is how itsdangerous walks a list of keys, and so how Flask's
    SECRET_KEY_FALLBACKS (and Django's) are tried.
    """
    import hmac

    for index in range(len(keys) - 1, -1, -1):
        expected = scheme.signature(scheme.derive_key(keys[index]), signed_part)
        if hmac.compare_digest(expected, signature):
            return index
    return None
