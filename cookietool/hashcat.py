"""Exporting a cookie or token for hashcat, or saying why no hashcat mode takes it.

Flask and Quart session cookies go to mode 29100, "Flask Session Cookie
($salt.$salt.$pass)". Its parser (hashcat src/modules/module_29100.c, checked at commit
1259ea0) takes the cookie as it is, split on dots into three base64url tokens: payload
0-56 characters, timestamp 1-6, signature 20-27 decoding to 20 bytes; its kernel
computes HMAC-SHA1 with the key derived from the salt ``cookie-session``.

JWTs signed with HS256, HS384 or HS512 go to mode 16500, "JWT (JSON Web Token)". Its
parser (src/modules/module_16500.c, checked at commit 101096a) takes the token as it is:
header and claims 1-2047 base64url characters each, together at most 4096 with the dot,
and a signature of 43, 64 or 86 characters, which chooses HS256, HS384 or HS512; the key
is used as it is, as JWT does.

No hashcat mode computes Starlette's signer (itsdangerous' default salt and derivation)
or Django's (salted_hmac with the session backend's salt): cookietool's own audit is
the engine for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from cookietool.flaskcookie import DEFAULT_SALT, envelope, read_signature
from cookietool.signer import DIGEST_SIZES, Scheme

MODE = 29100
PAYLOAD_MAX = 56
TIMESTAMP_MAX = 6
JWT_MODE = 16500
JWT_PART_MAX = 2047
JWT_SIGNED_MAX = 4096
JWT_SIGNATURE_LENGTHS = {"sha256": 43, "sha384": 64, "sha512": 86}
#: Why no mode fits a format hashcat has no kernel for.
NO_MODE = {
    "starlette": "no hashcat mode computes Starlette's signer (itsdangerous' default salt "
    "'itsdangerous.Signer' with its django-concat key derivation); mode 29100 has Flask's "
    "salt and derivation built in",
    "django": "no hashcat mode computes Django's signed cookies (salted_hmac with the salt "
    "'django.contrib.sessions.backends.signed_cookies'); hashcat's Django modes crack "
    "password hashes, not SECRET_KEY",
}
#: What to do when hashcat cannot take a value.
INSTEAD = "run 'cookietool audit' on it instead (it searches with every CPU core)"


@dataclass(frozen=True)
class HashcatExport:
    """A hashcat line for a cookie and the mode that takes it, or the reasons none does."""

    line: str | None
    reasons: tuple[str, ...]
    mode: int | None = MODE
    format: str = "flask"

    @property
    def ok(self) -> bool:
        """True when hashcat can take the cookie."""
        return self.line is not None


def export(value: str, scheme: Scheme, format_name: str = "flask") -> HashcatExport:
    """The line hashcat takes for ``value`` read as ``format_name``, or why it cannot."""
    if format_name == "jwt":
        return _export_jwt(value, scheme)
    if format_name in NO_MODE:
        return HashcatExport(None, (NO_MODE[format_name],), None, format_name)
    flask = _export_flask(value, scheme)
    return HashcatExport(flask.line, flask.reasons, MODE, format_name)


def _export_jwt(value: str, scheme: Scheme) -> HashcatExport:
    """Mode 16500's line for an HS256/384/512 token, or why the mode's parser refuses it."""
    from cookietool import jwtcookie

    jwtcookie.read_signature(jwtcookie.envelope(value))  # bad input is refused, not exported
    reasons = []
    parts = value.split(".")
    if len(parts) != 3:
        reasons.append("not a token of three dot-separated parts")
    else:
        header, claims, signature = parts
        for what, part in (("header is", header), ("claims are", claims)):
            if not 1 <= len(part) <= JWT_PART_MAX:
                reasons.append(
                    f"the {what} {len(part)} base64url characters; mode {JWT_MODE} takes "
                    f"1 to {JWT_PART_MAX}"
                )
        if len(header) + 1 + len(claims) > JWT_SIGNED_MAX:
            reasons.append(
                f"header and claims are {len(header) + 1 + len(claims)} characters; mode "
                f"{JWT_MODE} takes at most {JWT_SIGNED_MAX}"
            )
        expected = JWT_SIGNATURE_LENGTHS.get(scheme.digest)
        if expected is None or len(signature) != expected:
            reasons.append(
                f"the signature is {len(signature)} characters; mode {JWT_MODE} takes 43, 64 "
                "or 86 (HS256, HS384, HS512, unpadded)"
            )
        if any(c in value for c in "=+/"):
            reasons.append(f"padding or standard base64: mode {JWT_MODE} takes base64url only")
    if reasons:
        return HashcatExport(None, tuple(reasons), JWT_MODE, "jwt")
    return HashcatExport(value, (), JWT_MODE, "jwt")


def _export_flask(value: str, scheme: Scheme) -> HashcatExport:
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


def command(
    hash_file: str = "cookie.hash", wordlist: str = "wordlist.txt", mode: int = MODE
) -> str:
    """The hashcat command line for a file of exported cookies."""
    return f"hashcat -m {mode} -a 0 {hash_file} {wordlist}"
