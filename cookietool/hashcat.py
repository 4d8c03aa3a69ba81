"""Exporting a cookie for hashcat's mode 29100, "Flask Session Cookie ($salt.$salt.$pass)".

The mode's parser (hashcat src/modules/module_29100.c, checked at commit 1259ea0) takes
the cookie as it is, split on dots into three base64url tokens: payload 0-56 characters,
timestamp 1-6, signature 20-27 decoding to 20 bytes; its kernel computes HMAC-SHA1 with
the key derived from the salt ``cookie-session``. Anything else is outside the mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from cookietool.flaskcookie import DEFAULT_SALT, envelope, read_signature
from cookietool.signer import DIGEST_SIZES, Scheme

MODE = 29100
PAYLOAD_MAX = 56
TIMESTAMP_MAX = 6


@dataclass(frozen=True)
class HashcatExport:
    """A hashcat line for a cookie, or the reasons it is outside mode 29100."""

    line: str | None
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when hashcat can take the cookie."""
        return self.line is not None


def export(value: str, scheme: Scheme) -> HashcatExport:
    """The line hashcat's mode 29100 takes for ``value``, or why it cannot."""
    # A cookie whose signature cannot be read is bad input, not something to export.
    signature = read_signature(envelope(value))
    reasons = []
    if len(signature) != DIGEST_SIZES["sha1"]:
        reasons.append(f"the signature is {len(signature)} bytes; mode 29100 checks HMAC-SHA1's 20")
    parts = value.split(".")
    if value.startswith("."):
        reasons.append(
            "the payload is zlib-compressed (the leading dot): mode 29100 splits on dots and "
            "takes exactly three parts"
        )
    elif len(parts) != 3:
        reasons.append("not a cookie of three dot-separated parts")
    else:
        payload, timestamp, _ = parts
        if len(payload) > PAYLOAD_MAX:
            reasons.append(
                f"the payload is {len(payload)} base64 characters; mode 29100 takes at most "
                f"{PAYLOAD_MAX}"
            )
        if not 1 <= len(timestamp) <= TIMESTAMP_MAX:
            reasons.append(f"the timestamp is not 1 to {TIMESTAMP_MAX} base64 characters")
    if scheme.salt != DEFAULT_SALT:
        reasons.append(f"the salt is {scheme.salt!r}; mode 29100 has {DEFAULT_SALT!r} built in")
    if scheme.digest != "sha1":
        reasons.append(f"the digest is {scheme.digest}; mode 29100 computes HMAC-SHA1 only")
    if scheme.key_derivation != "hmac":
        reasons.append(
            f"the key derivation is {scheme.key_derivation}; mode 29100 uses Flask's hmac"
        )
    if reasons:
        return HashcatExport(None, tuple(reasons))
    return HashcatExport(value, ())


def command(hash_file: str = "cookie.hash", wordlist: str = "wordlist.txt") -> str:
    """The hashcat command line for a file of exported cookies."""
    return f"hashcat -m {MODE} -a 0 {hash_file} {wordlist}"
