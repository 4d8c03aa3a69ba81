"""JSON Web Tokens signed with an app's shared secret (HS256, HS384, HS512), as a cookie format.

A token is the compact serialization of RFC 7515: ``HEADER.PAYLOAD.SIGNATURE``, each part
base64url without padding. HEADER is a JSON object naming the algorithm (``alg``), PAYLOAD
the claims (the "session" here), SIGNATURE an HMAC over ``HEADER.PAYLOAD`` keyed with the
raw secret: no salt and no derivation (``Scheme(salt="", digest, "none")``).
Flask-JWT-Extended signs with ``JWT_SECRET_KEY``, falling back to the app's ``SECRET_KEY``,
with HS256 unless ``JWT_ALGORITHM`` says otherwise, and keeps the access token in the
cookie ``access_token_cookie`` (``JWTManager._set_default_configuration_options``).

Read in PyJWT 2.15's own source: ``jwt/api_jws.py`` (``encode``: the header
``{"typ": "JWT", "alg": ...}`` written with ``separators=(",", ":")`` and
``sort_keys=True``; ``_load``: ``rsplit(b".", 1)`` for the signature, then ``split(b".",
1)`` for header and payload), ``jwt/api_jwt.py`` (``encode``: datetimes in ``exp``,
``iat`` and ``nbf`` become ``timegm(utctimetuple())``, a non-str ``iss`` is refused, the
claims written with ``json.dumps(separators=(",", ":"))``; ``_validate_nbf`` and
``_validate_exp``), ``jwt/utils.py`` (``base64url_encode`` strips padding,
``base64url_decode`` pads and calls ``urlsafe_b64decode``) and ``jwt/algorithms.py``
(``HMACAlgorithm`` signs with ``hmac.new(key, msg, hash)``). PyJWT is never imported here.

A JWT has no timestamp segment: its timestamp, for ``--max-age``, is the ``iat`` claim.
Whether a token has expired is its ``exp``, ``nbf`` and ``iat`` claims' business:
see :func:`check_claims`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from cookietool import formats, signer
from cookietool.errors import CookieFormatError, InputError, MissingTimestampError, PayloadError
from cookietool.formats import Envelope, Payload, Session
from cookietool.signer import Scheme

if TYPE_CHECKING:
    from cookietool.caps import Caps
    from cookietool.keys import SecretKey

#: The HMAC algorithms of RFC 7518 section 3.2 and the digest each uses.
HMAC_DIGESTS = {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}
ALGORITHMS = tuple(HMAC_DIGESTS)
#: JWT HMAC keys the signature with the secret as it is: no salt, no derivation.
SCHEMES = {alg: Scheme("", digest, "none") for alg, digest in HMAC_DIGESTS.items()}
SCHEME = SCHEMES["HS256"]
#: Algorithms a shared secret cannot check: public-key signatures (RFC 7518, RFC 8037).
ASYMMETRIC_ALGORITHMS = (
    *(f"{family}{bits}" for family in ("RS", "ES", "PS") for bits in (256, 384, 512)),
    "ES256K",
    "EdDSA",
    "Ed25519",
    "Ed448",
)
#: Flask-JWT-Extended's JWT_ACCESS_COOKIE_NAME default.
COOKIE_NAME = "access_token_cookie"

#: The registered claims (RFC 7519 section 4.1) and those Flask-JWT-Extended adds.
KNOWN_CLAIMS = {
    "exp": "expiry: the token is refused from this time on (Unix seconds, UTC)",
    "iat": "issued at: when the token was made (Unix seconds, UTC)",
    "nbf": "not before: the token is refused until this time (Unix seconds, UTC)",
    "sub": "subject: whom the token is about; Flask-JWT-Extended puts the identity here",
    "jti": "JWT ID: a unique id, which revocation (blocklist) checks look up",
    "iss": "issuer: who made the token",
    "aud": "audience: whom the token is meant for",
    "fresh": "Flask-JWT-Extended: whether the token came from a login just now (fresh), "
    "or False, or until when it stays fresh (Unix seconds)",
    "type": "Flask-JWT-Extended: the token's kind, 'access' or 'refresh'",
    "csrf": "Flask-JWT-Extended: the double-submit CSRF value for tokens kept in cookies",
}


class JwtEnvelope(Envelope):
    """A JWT split into its parts; a JWT is never compressed and has no timestamp segment."""

    __slots__ = ()

    @property
    def compressed(self) -> bool:
        """Always False: an empty header, not compression, is what a leading dot means here."""
        return False

    @property
    def header_segment(self) -> bytes:
        """The base64url header, the part of the signed part before the first dot."""
        return self.signed_part.split(b".", 1)[0]


def envelope(value: str) -> Envelope:
    """Split a token as PyJWT does: the signature from the right, then header from the left.

    formats.split_from_right does not fit: it would take the last two dotted parts of the
    signed part, and it drops a leading dot, which here is an empty header.
    """
    if not value:
        raise CookieFormatError("the cookie value is empty")
    raw = value.encode("utf-8", "surrogateescape")
    if raw.count(b".") < 2:
        raise CookieFormatError("not a JWT: expected HEADER.PAYLOAD.SIGNATURE (two dots)")
    signed_part, signature_segment = raw.rsplit(b".", 1)
    payload_segment = signed_part.split(b".", 1)[1]
    return JwtEnvelope(value, signed_part, payload_segment, b"", signature_segment)


def _segment_json(segment: bytes, what: str, caps: Caps | None = None) -> Any:
    """One base64url segment read as PyJWT reads it: base64url_decode, then json.loads."""
    from cookietool import jsontext

    data = signer.b64decode(segment, what)
    # json.loads reads bytes as UTF-8, -16 or -32, guessing from the first bytes.
    encoding = json.detect_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CookieFormatError(f"the {what} is not {encoding.upper()} text") from e
    if caps is None:
        return jsontext.load_json(text)
    return jsontext.load_json(text, caps.json_depth, caps.int_digits)


def read_header(value: str) -> dict[str, Any]:
    """The token's header, a JSON object, or CookieFormatError saying why it is not one."""
    env = envelope(value)
    header = _segment_json(env.signed_part.split(b".", 1)[0], "JWT header")
    if not isinstance(header, dict):
        raise CookieFormatError("the JWT header is not a JSON object")
    return header


def scheme_for(value: str) -> Scheme:
    """The scheme that checks ``value``, from its header's ``alg``; only HS256/384/512 have one."""
    alg = read_header(value).get("alg")
    if isinstance(alg, str) and alg in SCHEMES:
        return SCHEMES[alg]
    if isinstance(alg, str) and alg.lower() == "none":
        raise CookieFormatError(
            "the JWT says alg 'none': it is unsigned, and cookietool never calls "
            "such a token verified"
        )
    if alg in ASYMMETRIC_ALGORITHMS:
        raise CookieFormatError(
            f"the JWT is signed with {alg}, a public-key algorithm a shared secret cannot "
            "check, and cookietool never calls such a token verified"
        )
    if alg is None:
        raise CookieFormatError("the JWT header has no alg")
    raise CookieFormatError(
        f"the JWT's alg is not one of {', '.join(ALGORITHMS)}, so cookietool cannot check it "
        "and never calls such a token verified"
    )


def read_signature(env: Envelope) -> bytes:
    """The raw signature bytes, decoded as PyJWT's base64url_decode does."""
    return signer.b64decode(env.signature_segment, "signature")


def read_claims(env: Envelope) -> Any:
    """The claims as JSON reads them (an object, for any token PyJWT accepts)."""
    return _segment_json(env.payload_segment, "JWT payload")


def read_timestamp(env: Envelope) -> int:
    """The ``iat`` claim, read as PyJWT's ``_validate_iat`` reads it: ``int(iat)``.

    A JWT has no timestamp segment; ``iat`` (issued at) is what means the same. A token
    without one raises CookieFormatError.
    """
    claims = read_claims(env)
    if not isinstance(claims, dict) or "iat" not in claims:
        raise MissingTimestampError("the JWT has no iat claim")
    try:
        return int(claims["iat"])
    except (TypeError, ValueError, OverflowError) as e:
        raise CookieFormatError("the JWT's iat claim is not an integer") from e


def read_payload(env: Envelope) -> Payload:
    """The claims' JSON text: base64url, never compressed."""
    data = signer.b64decode(env.payload_segment, "JWT payload")
    encoding = json.detect_encoding(data)
    try:
        json_text = data.decode(encoding)
    except UnicodeDecodeError as e:
        raise CookieFormatError(f"the JWT payload is not {encoding.upper()} text") from e
    return Payload(json_text, len(data), False)


def load_session(json_text: str, caps: Caps) -> Session:
    """The claims and, when they are a JSON object, the session they are."""
    from cookietool import jsontext

    data = jsontext.load_json(json_text, caps.json_depth, caps.int_digits)
    if not isinstance(data, dict):
        # PyJWT's decode refuses it: "Invalid payload string: must be a json object".
        return Session(data, None, "the JWT's claims are not a JSON object: PyJWT refuses it")
    return Session(data, data, None)


class ClaimCheck(NamedTuple):
    """A token's time claims, and the first reason PyJWT would refuse it over them.

    ``code`` is ``expired`` (``exp`` passed, or ``nbf`` or ``iat`` still ahead) or
    ``not-a-session`` (a time claim that is not an integer), None when nothing is wrong.
    """

    times: tuple[tuple[str, int], ...]
    code: str | None = None
    message: str | None = None


#: The time claims PyJWT checks, in the order it checks them (``_validate_claims``).
TIME_CLAIMS = ("iat", "nbf", "exp")


def check_claims(claims: Mapping[str, Any], now: float) -> ClaimCheck:
    """The time claims of ``claims``, judged as PyJWT's ``decode`` judges them at ``now``.

    PyJWT (``jwt/api_jwt.py``, ``_validate_iat``, ``_validate_nbf``, ``_validate_exp``;
    Flask-JWT-Extended's default leeway is 0) reads each claim as ``int(...)``, refuses a
    token issued (``iat``) or valid (``nbf``) only after ``now``, and one whose ``exp`` is
    ``now`` or earlier: a token is expired at its ``exp`` second itself.
    """
    times: list[tuple[str, int]] = []
    problem: tuple[str, str] | None = None
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        try:
            moment = int(claims[name])
        except (TypeError, ValueError, OverflowError):
            problem = problem or (
                "not-a-session",
                f"the {name} claim is not an integer: PyJWT refuses the token",
            )
            continue
        times.append((name, moment))
        if problem is not None:
            continue
        if name == "exp" and moment <= now:
            problem = ("expired", f"the token expired at its exp claim, {_ago(now - moment)}")
        elif name != "exp" and moment > now:
            problem = ("expired", f"not valid yet: its {name} claim is {_ago(now - moment)}")
    if problem is None:
        return ClaimCheck(tuple(times))
    return ClaimCheck(tuple(times), *problem)


def _ago(seconds: float) -> str:
    """``"5 seconds ago"`` or ``"in 5 seconds"``."""
    count = int(abs(seconds))
    words = f"{count} second{'s' if count != 1 else ''}"
    return f"{words} ago" if seconds >= 0 else f"in {words}"


def signed_parts(value: str, scheme: Scheme) -> tuple[bytes, bytes]:
    """The signed part and signature a key search needs, refusing what no key can match."""
    return formats.searchable_parts(envelope(value), read_signature, scheme)


def recognise(value: str) -> str | None:
    """Why ``value`` looks like a JWT: a JSON header with ``alg`` and a JSON object of claims."""
    try:
        env = envelope(value)
        header = _segment_json(env.signed_part.split(b".", 1)[0], "JWT header")
        if not isinstance(header, dict) or not isinstance(header.get("alg"), str):
            return None
        # Flask's and Starlette's second part is a timestamp, never a JSON object: this
        # keeps a session that happens to hold an "alg" key from passing for a JWT.
        if not isinstance(read_claims(env), dict):
            return None
    except InputError:
        return None
    alg = header["alg"]
    # The header is untrusted: only a name from the registry is repeated in the reason.
    known = alg in (*ALGORITHMS, *ASYMMETRIC_ALGORITHMS, "none")
    return f"a JWT header (alg {alg})" if known else "a JWT header (an unknown alg)"


def _header(alg: str) -> bytes:
    """The header PyJWT writes: sorted keys, compact separators."""
    return json.dumps({"typ": "JWT", "alg": alg}, separators=(",", ":"), sort_keys=True).encode()


def sign(claims: dict[str, Any], keys: Sequence[SecretKey], alg: str = "HS256") -> str:
    """The token ``jwt.encode(claims, key, algorithm=alg)`` makes with the newest (last) key."""
    import base64
    from calendar import timegm
    from datetime import datetime

    if alg not in SCHEMES:
        raise InputError(f"cookietool signs with {', '.join(ALGORITHMS)} only, not {alg!r}")
    if not isinstance(claims, dict):
        raise PayloadError("JWT claims are a JSON object")
    if not keys or not keys[-1].value:
        raise InputError("signing needs a key, and an HMAC key must not be empty")
    claims = claims.copy()
    for name in ("exp", "iat", "nbf"):
        # PyJWT writes datetimes in these claims as Unix seconds.
        if isinstance(claims.get(name), datetime):
            claims[name] = timegm(claims[name].utctimetuple())
    if "iss" in claims and not isinstance(claims["iss"], str):
        raise PayloadError("the iss claim must be a string, as PyJWT requires")
    try:
        payload = json.dumps(claims, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as e:
        raise PayloadError(f"the claims cannot be written as JSON ({e})") from e

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).replace(b"=", b"")

    signing_input = b64(_header(alg)) + b"." + b64(payload)
    scheme = SCHEMES[alg]
    signature = scheme.signature(scheme.derive_key(keys[-1].value), signing_input)
    return (signing_input + b"." + b64(signature)).decode("ascii")


class JwtFormat:
    """A JWT signed with a shared secret (Flask-JWT-Extended's default), for cookietool.formats."""

    name = "jwt"
    title = "JSON Web Token"
    framework = "JWT"
    default_cookie_name = COOKIE_NAME
    default_scheme = SCHEME
    # A token carries its own lifetime (exp); Flask-JWT-Extended writes access tokens
    # that expire after JWT_ACCESS_TOKEN_EXPIRES, 15 minutes by default.
    lifetime_setting = "JWT_ACCESS_TOKEN_EXPIRES (Flask-JWT-Extended), written as exp"
    default_max_age: int | None = 15 * 60

    # A JWT says its own algorithm: cookietool.session asks each format for the scheme of
    # a value through this method when the format has it.
    def scheme_of(self, value: str) -> Scheme:
        """The HMAC scheme the token's header names; refuses none and asymmetric algs."""
        return scheme_for(value)

    def recognise(self, value: str) -> str | None:
        """Why ``value`` looks like a JWT: a JSON header naming an alg."""
        return recognise(value)

    def envelope(self, value: str) -> Envelope:
        """Split a token as PyJWT does."""
        return envelope(value)

    def read_signature(self, env: Envelope) -> bytes:
        """The raw signature bytes."""
        return read_signature(env)

    def read_timestamp(self, env: Envelope) -> int:
        """The ``iat`` claim; CookieFormatError when there is none."""
        return read_timestamp(env)

    def to_unix(self, raw: int, epoch: str) -> tuple[int, bool]:
        """Unix seconds: JWT times (RFC 7519 NumericDate) always are."""
        if epoch == "legacy":
            raise InputError("a JWT has no legacy epoch: its times are Unix seconds")
        return raw, False

    def read_payload(self, env: Envelope, inflate_limit: int) -> Payload:
        """The claims' JSON text; nothing is inflated."""
        return read_payload(env)

    def load_session(self, json_text: str, caps: Caps) -> Session:
        """The claims, a session when they are a JSON object."""
        return load_session(json_text, caps)

    def explain(self, key: str) -> str | None:
        """What a registered or Flask-JWT-Extended claim means."""
        return KNOWN_CLAIMS.get(key)

    def signed_parts(self, value: str, scheme: Scheme) -> tuple[bytes, bytes]:
        """What a key search needs."""
        return signed_parts(value, scheme)

    # A token states its own validity period: cookietool.session asks a format for this
    # check when the format has it.
    def check_claims(self, claims: Mapping[str, Any], now: float) -> ClaimCheck:
        """The time claims, and whether PyJWT would refuse the token over them now."""
        return check_claims(claims, now)


FORMAT = JwtFormat()
