"""Inspecting a session cookie: signature first, then timestamp, expiry and payload.

The order is itsdangerous' own (``TimestampSigner.unsign``, then ``load_payload``): with
keys, the signature over the raw signed part is checked before anything is read, so a
damaged or tampered cookie is a bad signature, not unreadable input. What can still be
read is read afterwards and reported as unverified.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cookietool import formats, signer
from cookietool.caps import DEFAULT as DEFAULT_CAPS
from cookietool.caps import Caps
from cookietool.errors import CookieFormatError, InputError, MissingTimestampError
from cookietool.formats import Envelope, Payload
from cookietool.signer import DIGEST_SIZES, Scheme

if TYPE_CHECKING:
    from cookietool.formats import CookieFormat
    from cookietool.keys import SecretKey

EPOCHS = ("auto", "unix", "legacy")

#: Verdicts of ``decode``, most serious first; all but the first two fail the check.
VERDICTS = ("valid", "unchecked", "invalid", "damaged", "expired", "not-a-session")


class SignatureCheck(NamedTuple):
    """The verdict on a cookie's signature for the keys given (oldest first).

    ``status`` is ``valid``, ``invalid`` (keys were given and none verifies, or the
    signature cannot be decoded), ``damaged`` (no key was given, and the signature
    segment cannot be a signature of any digest) or ``unchecked``.
    """

    status: str
    keys_tried: int
    key_index: int | None = None
    key_label: str | None = None
    reason: str | None = None
    size: int | None = None

    @property
    def matched_newest(self) -> bool:
        """True when the current key (the last) matched rather than a fallback."""
        return self.key_index is not None and self.key_index == self.keys_tried - 1


class Problem(NamedTuple):
    """One reason the cookie is not one Flask would accept: a code and a sentence."""

    code: str
    message: str


# A NamedTuple, not a dataclass: making a dataclass costs decode's start-up a millisecond.
class Inspection(NamedTuple):
    """Everything ``decode`` learns about one cookie, verdict first."""

    envelope: Envelope
    name: str | None
    scheme: Scheme
    signature: SignatureCheck
    format: CookieFormat
    timestamp_raw: int | None
    timestamp_error: str | None
    legacy_epoch: bool
    timestamp: int | None
    now: int
    max_age: int | None
    expired: bool | None
    payload: Payload | None
    payload_error: str | None
    data: Any
    session: Any
    session_error: str | None
    notes: tuple[str, ...] = ()
    #: Where the keys came from, in words, for the report (never the keys).
    key_source: str = ""
    #: Why this format was read (auto-detection's reason, or the option).
    format_reason: str = ""
    #: Times the value states itself (a JWT's iat, nbf and exp), as Unix seconds.
    claim_times: tuple[tuple[str, int], ...] = ()
    #: Why the framework refuses the value over those times (a code and a sentence).
    claim_problem: Problem | None = None

    @property
    def value(self) -> str:
        """The cookie value as given."""
        return self.envelope.value

    @property
    def compressed(self) -> bool:
        """True when the payload is marked as zlib-compressed."""
        return self.envelope.compressed

    @property
    def age(self) -> int | None:
        """Seconds since signing (negative when signed in the future)."""
        return None if self.timestamp is None else self.now - self.timestamp

    @property
    def verified(self) -> bool:
        """True when a key given verifies the signature."""
        return self.signature.status == "valid"

    @property
    def is_session(self) -> bool:
        """True when the payload reads as a session object Flask can load."""
        return self.session_error is None and isinstance(self.session, dict)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every reason Flask would refuse this cookie that could be established."""
        found = []
        check = self.signature
        if check.status == "invalid":
            found.append(Problem("invalid", check.reason or "the signature does not verify"))
        elif check.status == "damaged":
            found.append(Problem("damaged", check.reason or "the signature is damaged"))
        if self.timestamp_error is not None:
            found.append(Problem("damaged", self.timestamp_error))
        if self.expired and self.age_expired:
            found.append(Problem("expired", self.expiry_message))
        if self.claim_problem is not None:
            found.append(self.claim_problem)
        if self.payload_error is not None:
            found.append(Problem("not-a-session", self.payload_error))
        elif self.session_error is not None:
            found.append(Problem("not-a-session", self.session_error))
        elif not isinstance(self.session, dict):
            found.append(
                Problem(
                    "not-a-session",
                    f"the payload is a JSON {json_type(self.data)}, not an object: it "
                    "cannot be loaded as a session",
                )
            )
        return tuple(found)

    @property
    def age_expired(self) -> bool:
        """True when ``max_age`` was given and the signing time is outside it."""
        if self.max_age is None or self.age is None:
            return False
        # itsdangerous TimestampSigner.unsign: too old, or signed in the future.
        return self.age > self.max_age or self.age < 0

    @property
    def expiry_message(self) -> str:
        """Why the cookie is expired by its age, in words (empty when it is not)."""
        if not self.age_expired or self.age is None:
            return ""
        if self.age < 0:
            return "signed in the future, which itsdangerous rejects"
        return f"{self.age} seconds old, max age {self.max_age}"

    @property
    def verdict(self) -> str:
        """One word for the outcome: the most serious problem, or valid or unchecked."""
        codes = {problem.code for problem in self.problems}
        for verdict in VERDICTS[2:]:
            if verdict in codes:
                return verdict
        return "valid" if self.verified else "unchecked"

    @property
    def ok(self) -> bool:
        """False when a check failed: the exit code is 1 exactly then."""
        return not self.problems


def json_type(value: Any) -> str:
    """The JSON name of a loaded value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def check_signature(
    env: Envelope, keys: Sequence[SecretKey], scheme: Scheme, fmt: CookieFormat
) -> SignatureCheck:
    """Verify the signature over the raw signed part, trying fallback keys as Flask does."""
    try:
        signature: bytes | None = fmt.read_signature(env)
    except CookieFormatError:
        signature = None
    if not keys:
        if signature is None:
            return SignatureCheck("damaged", 0, reason="the signature segment is not base64")
        if len(signature) not in DIGEST_SIZES.values():
            return SignatureCheck(
                "damaged",
                0,
                reason=f"the signature is {len(signature)} bytes, which no HMAC digest makes "
                f"({scheme.digest} makes {scheme.signature_size})",
                size=len(signature),
            )
        return SignatureCheck("unchecked", 0, size=len(signature))
    if signature is None:
        return SignatureCheck(
            "invalid",
            len(keys),
            reason="the signature segment is not base64, so no key can match",
        )
    index = signer.find_key(env.signed_part, signature, [key.value for key in keys], scheme)
    if index is None:
        if len(signature) not in DIGEST_SIZES.values():
            reason = (
                f"the signature is {len(signature)} bytes, which no HMAC digest makes: "
                "the cookie is damaged or truncated"
            )
        else:
            tried = "the key" if len(keys) == 1 else f"any of the {len(keys)} keys"
            reason = (
                f"not signed with {tried}: signature invalid for {fmt.name} (salt "
                f"{scheme.salt!r}, {scheme.digest}, {scheme.key_derivation} key derivation)"
            )
        return SignatureCheck("invalid", len(keys), reason=reason, size=len(signature))
    return SignatureCheck("valid", len(keys), index, keys[index].label, size=len(signature))


def inspect_cookie(
    value: str,
    keys: Sequence[SecretKey] = (),
    *,
    name: str | None = None,
    scheme: Scheme | None = None,
    fmt: CookieFormat | None = None,
    max_age: int | None = None,
    epoch: str = "auto",
    now: int | None = None,
    inflate_limit: int | None = None,
    caps: Caps = DEFAULT_CAPS,
    key_source: str = "",
    format_reason: str = "",
) -> Inspection:
    """Check a session cookie against ``keys`` and ``max_age``, then read what it holds.

    ``inflate_limit`` (decode's option) overrides the cap of the same meaning.
    """
    if epoch not in EPOCHS:
        raise InputError(f"unknown epoch {epoch!r}; choose one of {', '.join(EPOCHS)}")
    if max_age is not None and max_age < 0:
        raise InputError("--max-age must not be negative")
    fmt = fmt or formats.get()
    scheme = scheme or fmt.default_scheme
    env = fmt.envelope(value)
    signature = check_signature(env, keys, scheme, fmt)
    now = int(time.time()) if now is None else now

    timestamp_raw: int | None = None
    timestamp: int | None = None
    timestamp_error = None
    legacy = False
    try:
        timestamp_raw = fmt.read_timestamp(env)
        timestamp, legacy = fmt.to_unix(timestamp_raw, epoch)
    except MissingTimestampError:
        pass  # the format allows a value without a signing time
    except CookieFormatError as e:
        timestamp_error = str(e)
    payload: Payload | None = None
    payload_error = None
    data: Any = None
    session: Any = None
    session_error = None
    limit = caps.inflate_bytes if inflate_limit is None else inflate_limit
    try:
        payload = fmt.read_payload(env, limit)
        loaded = fmt.load_session(payload.json_text, caps)
        data, session, session_error = loaded.data, loaded.session, loaded.error
    except InputError as e:
        # A cap is ours, not the framework's: a cookie that may be genuine is not judged
        # on it; it is refused as input, unless its signature has already failed.
        if e.cap is not None and signature.status not in ("invalid", "damaged"):
            raise
        payload_error = str(e)
    expired = None
    if max_age is not None and timestamp is not None:
        # itsdangerous TimestampSigner.unsign: too old, or signed in the future.
        expired = not 0 <= now - timestamp <= max_age
    claim_times: tuple[tuple[str, int], ...] = ()
    claim_problem = None
    check_claims = getattr(fmt, "check_claims", None)
    if check_claims is not None and isinstance(session, dict):
        claims = check_claims(session, now)
        claim_times = claims.times
        if claims.code is not None:
            claim_problem = Problem(claims.code, claims.message or claims.code)
        if any(name == "exp" for name, _ in claim_times) or claims.code == "expired":
            expired = bool(expired) or claims.code == "expired"
    return Inspection(
        envelope=env,
        name=name,
        scheme=scheme,
        signature=signature,
        format=fmt,
        timestamp_raw=timestamp_raw,
        timestamp_error=timestamp_error,
        legacy_epoch=legacy,
        timestamp=timestamp,
        now=now,
        max_age=max_age,
        expired=expired,
        payload=payload,
        payload_error=payload_error,
        data=data,
        session=session,
        session_error=session_error,
        notes=_notes(signature, scheme),
        key_source=key_source,
        format_reason=format_reason,
        claim_times=claim_times,
        claim_problem=claim_problem,
    )


def _notes(check: SignatureCheck, scheme: Scheme) -> tuple[str, ...]:
    """Hints that help and decide nothing: a signature size that fits another digest."""
    if check.status in ("unchecked", "invalid") and check.size not in (None, scheme.signature_size):
        others = [name for name, size in DIGEST_SIZES.items() if size == check.size]
        if others:
            return (
                f"the signature is {check.size} bytes, the size of {others[0]}: is the app "
                f"signing with --digest {others[0]}?",
            )
    return ()


def choose_format(
    value: str,
    name: str = "auto",
    keys: Sequence[SecretKey] = (),
    scheme: Scheme | None = None,
) -> tuple[CookieFormat, Scheme, str]:
    """The format to read ``value`` as, the scheme to check it with, and why, in words.

    ``auto`` tells the format from the value's shape; when several fit and keys are
    given, the one whose signature verifies is taken. ``scheme`` None means each
    format's own default.
    """
    if name != "auto":
        fmt = formats.get(name)
        return fmt, scheme or _scheme_of(fmt, value), f"--format {name}"
    found = formats.candidates(value)
    if not found:
        fmt = formats.get()
        fmt.envelope(value)  # says, as the default format, why this is no cookie
        return fmt, scheme or fmt.default_scheme, "the default format"
    if len(found) > 1 and keys:
        for fmt, reason in found:
            try:
                candidate = scheme or _scheme_of(fmt, value)
                env = fmt.envelope(value)
            except CookieFormatError:
                continue
            if check_signature(env, keys, candidate, fmt).status == "valid":
                return fmt, candidate, f"{reason}; the signature verifies as {fmt.name}"
    fmt, reason = found[0]
    if len(found) > 1:
        others = ", ".join(other.name for other, _ in found[1:])
        reason += f"; it could also be {others} (give --format to choose)"
    return fmt, scheme or _scheme_of(fmt, value), reason


def _scheme_of(fmt: CookieFormat, value: str) -> Scheme:
    """A format's scheme for this value: its own method (a JWT names its alg), else default."""
    scheme_of = getattr(fmt, "scheme_of", None)
    if scheme_of is None:
        return fmt.default_scheme
    found: Scheme = scheme_of(value)
    return found
