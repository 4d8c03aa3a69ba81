"""Exporting a cookie or token for hashcat, version by version, or saying why it cannot go.

Flask and Quart session cookies go to mode 29100, "Flask Session Cookie
($salt.$salt.$pass)": the cookie as it is, split on dots into three base64url tokens, an
HMAC-SHA1 with the key derived from the salt ``cookie-session``. What its parser takes
changed between releases (``src/modules/module_29100.c``; run against the real programs
in tests/test_hashcat_real.py):

- before 6.2.6 the mode does not exist (``docs/changes.txt`` lists it under
  "v6.2.5 -> v6.2.6");
- 6.2.6 (Debian 12's, the most installed) takes a payload of at most 27 characters
  (``token.len_max[0] = 27`` at the v6.2.6 tag, commit c13451d; hashcat issue #3440):
  ``{"username":"admin"}`` and little more. Longer payloads get "Token length exception";
- development builds after it took 56 (PR #3441, commit 1259ea0), then 120 (PR #3873:
  "128 - 1 - 6 - 1"), which 7.0.0 takes; no release ever had 56;
- every version takes a timestamp of 1 to 6 characters and a signature of 27 (20 bytes),
  and no version cracks a compressed cookie: the leading dot breaks the split, and
  without it the kernel signs the wrong message.

JWTs signed with HS256, HS384 or HS512 go to mode 16500, "JWT (JSON Web Token)"
(``src/modules/module_16500.c``, checked at commit 101096a and against 6.2.6): header and
claims of 1 to 2047 base64url characters each, together at most 4096 with the dot, and a
signature of 43, 64 or 86 characters, which chooses HS256, HS384 or HS512.

No hashcat mode computes Starlette's signer (itsdangerous' default salt and derivation)
or Django's (salted_hmac with the session backend's salt): cookietool's own audit is
the engine for them, as it is for the many real sessions no release of mode 29100 takes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import NamedTuple

from cookietool.flaskcookie import DEFAULT_SALT, envelope, read_signature
from cookietool.signer import DIGEST_SIZES, Scheme

MODE = 29100
TIMESTAMP_MAX = 6


class Release(NamedTuple):
    """A hashcat release from which mode 29100 takes payloads up to ``payload_max``."""

    version: tuple[int, int, int]
    payload_max: int
    source: str

    @property
    def name(self) -> str:
        """The version as hashcat prints it, without its 'v'."""
        return ".".join(map(str, self.version))


#: Mode 29100's payload limit from each release on, oldest first.
RELEASES = (
    Release(
        (6, 2, 6),
        27,
        "module_29100.c at the v6.2.6 tag (commit c13451d): token.len_max[0] = 27; "
        "hashcat issue #3440",
    ),
    Release(
        (7, 0, 0),
        120,
        "module_29100.c after PR #3873 (2023): 128 - 1 - 6 - 1 = 120; run against 7.0.0",
    ),
)
#: The first release with mode 16500: v4.1.0, as its release notes are cited (hashcat forum
#: thread 7317; not read here). Its limits were checked in the module's source (commit
#: 101096a) and against 6.2.6; older releases are taken to have the same.
JWT_FIRST = (4, 1, 0)
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
INSTEAD = (
    "run 'cookietool audit' on it instead (every CPU core; --shard I/N over many machines; "
    "hashcat's rules as 'hashcat --stdout -r RULES WORDLIST | cookietool audit COOKIE "
    "--wordlist -')"
)


@dataclass(frozen=True)
class HashcatExport:
    """A hashcat line for a cookie and the mode that takes it, or the reasons none does.

    ``reasons`` hold for every version; ``payload_chars`` is what mode 29100's
    version-dependent limit is checked against (None for other modes).
    """

    line: str | None
    reasons: tuple[str, ...]
    mode: int | None = MODE
    format: str = "flask"
    payload_chars: int | None = None

    @property
    def ok(self) -> bool:
        """True when the newest release takes the cookie."""
        return self.judge(None).ok

    def judge(self, version: tuple[int, int, int] | None) -> Judgement:
        """Whether hashcat ``version`` (None: the newest release known) takes the line."""
        if self.line is None or self.mode is None:
            return Judgement(False, "; ".join(self.reasons))
        if self.mode == JWT_MODE:
            if version is not None and version < JWT_FIRST:
                return Judgement(False, f"hashcat {_name(version)} has no mode {JWT_MODE}")
            return Judgement(True, f"mode {JWT_MODE} takes it")
        release = release_for(version)
        if release is None:
            return Judgement(False, f"hashcat {_name(version)} has no mode {MODE} (from 6.2.6)")
        assert self.payload_chars is not None
        if self.payload_chars > release.payload_max:
            return Judgement(
                False,
                f"the payload is {self.payload_chars} characters and hashcat "
                f"{_name(version) if version else release.name} takes at most "
                f"{release.payload_max} in mode {MODE} ({release.source})",
            )
        return Judgement(True, f"mode {MODE} takes a payload of {self.payload_chars} characters")

    def releases(self) -> list[tuple[str, bool]]:
        """Each release of the limits table, and whether it takes the line."""
        return [(r.name + "+", self.judge(r.version).ok) for r in RELEASES]


class Judgement(NamedTuple):
    """Whether a hashcat version takes an exported line, and why."""

    ok: bool
    reason: str


def _name(version: tuple[int, int, int] | None) -> str:
    return "?" if version is None else ".".join(map(str, version))


def release_for(version: tuple[int, int, int] | None) -> Release | None:
    """The limits of ``version`` (None: the newest release), None before mode 29100."""
    if version is None:
        return RELEASES[-1]
    found = None
    for release in RELEASES:
        if version >= release.version:
            found = release
    return found


#: "v6.2.6", "v7.0.0", or a development build "v6.2.6-851-g6716447df".
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)(-\d+-g[0-9a-f]+)?")


def parse_version(text: str) -> tuple[int, int, int]:
    """hashcat's version as numbers; a development build counts as the release it follows.

    A build between 6.2.6 and 7.0.0 may take 27, 56 or 120 characters depending on its
    commit; judging it as 6.2.6 errs on the side of "does not fit".
    """
    from cookietool.errors import InputError

    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise InputError(f"not a hashcat version: {text.strip()[:40]!r} (such as 6.2.6)")
    major, minor, patch = (int(match.group(i)) for i in (1, 2, 3))
    return major, minor, patch


def installed_version(
    program: str = "hashcat", timeout: float = 20.0
) -> tuple[int, int, int] | None:
    """The version of the hashcat on PATH (``hashcat --version``), None when there is none.

    ``--version`` loads no OpenCL and answers at once; a hashcat that does not answer in
    ``timeout`` seconds, or answers nonsense, is taken as absent.
    """
    path = shutil.which(program)
    if path is None:
        return None
    try:
        answer = subprocess.run(
            [path, "--version"],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return parse_version(answer.stdout.strip().splitlines()[0])
    except (OSError, subprocess.SubprocessError, IndexError, ValueError):
        return None


def export(value: str, scheme: Scheme, format_name: str = "flask") -> HashcatExport:
    """The line hashcat takes for ``value`` read as ``format_name``, or why it cannot."""
    if format_name == "jwt":
        return _export_jwt(value, scheme)
    if format_name in NO_MODE:
        return HashcatExport(None, (NO_MODE[format_name],), None, format_name)
    flask = _export_flask(value, scheme)
    return HashcatExport(flask.line, flask.reasons, MODE, format_name, flask.payload_chars)


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
    payload_chars = None
    if value.startswith("."):
        reasons.append(
            "the payload is zlib-compressed (the leading dot): no version of mode 29100 "
            "cracks it (the dot breaks its three-part split, and without it the kernel signs "
            "the wrong message)"
        )
    elif len(parts) != 3:
        reasons.append("not a cookie of three dot-separated parts")
    else:
        payload, timestamp, _ = parts
        payload_chars = len(payload)
        if any(c in payload for c in "+/"):
            reasons.append("standard base64 in the payload: mode 29100 takes base64url only")
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
    return HashcatExport(value, (), payload_chars=payload_chars)


def command(
    hash_file: str = "cookie.hash", wordlist: str = "wordlist.txt", mode: int = MODE
) -> str:
    """The hashcat command line for a file of exported cookies."""
    return f"hashcat -m {mode} -a 0 {hash_file} {wordlist}"
