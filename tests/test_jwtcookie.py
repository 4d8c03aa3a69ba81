"""The JWT cookie format against PyJWT, the library Flask-JWT-Extended signs with."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone
from typing import Any

import pytest

pytest.importorskip("jwt", reason="the JWT oracle needs PyJWT")

import jwt
from hypothesis import given, settings
from hypothesis import strategies as st

from cookietool import djangocookie, jwtcookie, starlettecookie
from cookietool.caps import DEFAULT as DEFAULT_CAPS
from cookietool.errors import CookieFormatError, InputError, PayloadError
from cookietool.keys import SecretKey, text_key
from cookietool.session import inspect_cookie
from cookietool.signing import sign_session
from tests.conftest import FROZEN

#: 64 bytes: PyJWT warns about HMAC keys shorter than the digest, and warnings fail tests.
SECRET = "k" * 64
OTHER = "o" * 64
ALGS = ("HS256", "HS384", "HS512")
#: What Flask-JWT-Extended puts in an access token, and non-ASCII text.
CLAIMS: dict[str, Any] = {
    "fresh": False,
    "iat": FROZEN,
    "jti": "0d6b1c4e-8e1c-4a4e-9d7e-3f2b9a6c1d2e",
    "type": "access",
    "sub": "Zoë 🍪",
    "nbf": FROZEN,
    "csrf": "5b7d2b8e-3c1a-4f0e-8a9d-2e6f1c3b4a5d",
    "exp": FROZEN + 900,
    "roles": ["admin", 3, None, 0.25, {"deep": [True]}],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
#: PyJWT's decode validates these registered claims; the others are free-form.
_VALIDATED = {"exp", "iat", "nbf", "iss", "aud", "sub", "jti"}
claim_sets = st.dictionaries(
    st.text(max_size=12).filter(lambda k: k not in _VALIDATED), json_values, max_size=6
)


def keys(*values: str) -> list[SecretKey]:
    return [text_key(value, f"k{i}") for i, value in enumerate(values)]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token_with_header(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """A token with any header and a made-up signature."""
    parts = (json.dumps(header).encode(), json.dumps(claims).encode(), b"\x00" * 32)
    return ".".join(b64(part) for part in parts)


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_tokens_decode_and_verify(alg: str) -> None:
    value = jwt.encode(CLAIMS, SECRET, algorithm=alg)
    scheme = jwtcookie.scheme_for(value)
    assert scheme == jwtcookie.SCHEMES[alg]
    result = inspect_cookie(
        value, keys(OTHER, SECRET), fmt=jwtcookie.FORMAT, scheme=scheme, now=FROZEN + 60
    )
    assert result.verdict == "valid"
    assert result.signature.key_index == 1
    assert result.session == result.data == CLAIMS
    assert result.timestamp == FROZEN
    assert not result.compressed


@pytest.mark.parametrize("alg", ALGS)
def test_a_wrong_key_is_invalid(alg: str) -> None:
    value = jwt.encode(CLAIMS, SECRET, algorithm=alg)
    scheme = jwtcookie.scheme_for(value)
    result = inspect_cookie(value, keys(OTHER), fmt=jwtcookie.FORMAT, scheme=scheme)
    assert result.verdict == "invalid"
    # What could be read is still read, unverified.
    assert result.session == CLAIMS


def test_without_keys_a_token_is_unchecked() -> None:
    value = jwt.encode(CLAIMS, SECRET, algorithm="HS256")
    result = inspect_cookie(value, fmt=jwtcookie.FORMAT, now=FROZEN + 60)
    assert result.verdict == "unchecked"


def test_a_tampered_payload_is_invalid() -> None:
    header, _, signature = jwt.encode(CLAIMS, SECRET, algorithm="HS256").split(".")
    forged = f"{header}.{b64(json.dumps({**CLAIMS, 'sub': 'admin'}).encode())}.{signature}"
    result = inspect_cookie(forged, keys(SECRET), fmt=jwtcookie.FORMAT)
    assert result.verdict == "invalid"


@pytest.mark.parametrize("alg", ALGS)
def test_sign_is_pyjwt_to_the_byte(alg: str) -> None:
    assert jwtcookie.sign(CLAIMS, keys(SECRET), alg) == jwt.encode(CLAIMS, SECRET, algorithm=alg)


@given(claims=claim_sets, alg=st.sampled_from(ALGS))
def test_sign_is_pyjwt_for_any_claims(claims: dict[str, Any], alg: str) -> None:
    value = jwtcookie.sign(claims, keys(SECRET), alg)
    assert value == jwt.encode(claims, SECRET, algorithm=alg)
    assert jwt.decode(value, SECRET, algorithms=[alg]) == claims
    result = inspect_cookie(
        value, keys(SECRET), fmt=jwtcookie.FORMAT, scheme=jwtcookie.scheme_for(value)
    )
    assert result.signature.status == "valid"
    assert result.session == claims


def test_sign_writes_datetimes_as_pyjwt_does() -> None:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    claims = {"exp": when, "iat": when, "nbf": when, "sub": "x"}
    value = jwtcookie.sign(claims, keys(SECRET))
    assert value == jwt.encode(claims, SECRET, algorithm="HS256")
    result = inspect_cookie(value, keys(SECRET), fmt=jwtcookie.FORMAT)
    assert result.session["exp"] == FROZEN


def test_sign_signs_with_the_newest_key() -> None:
    assert jwtcookie.sign(CLAIMS, keys(OTHER, SECRET)) == jwt.encode(CLAIMS, SECRET)


def test_sign_refuses_what_pyjwt_refuses() -> None:
    with pytest.raises(PayloadError, match="iss"):
        jwtcookie.sign({"iss": 1}, keys(SECRET))
    with pytest.raises(PayloadError, match="JSON"):
        jwtcookie.sign({"x": object()}, keys(SECRET))
    with pytest.raises(InputError, match="HS256"):
        jwtcookie.sign(CLAIMS, keys(SECRET), "RS256")
    with pytest.raises(InputError, match="key"):
        jwtcookie.sign(CLAIMS, [])


def test_alg_none_is_refused() -> None:
    value = jwt.encode(CLAIMS, None, algorithm="none")
    assert jwtcookie.recognise(value) == "a JWT header (alg none)"
    with pytest.raises(CookieFormatError, match=r"unsigned.*never calls such a token verified"):
        jwtcookie.scheme_for(value)


@pytest.mark.parametrize("alg", ["RS256", "ES384", "PS512", "EdDSA"])
def test_public_key_algorithms_are_refused(alg: str) -> None:
    value = token_with_header({"alg": alg, "typ": "JWT"}, CLAIMS)
    assert jwtcookie.recognise(value) == f"a JWT header (alg {alg})"
    with pytest.raises(CookieFormatError, match=rf"{alg}.*never calls such a token verified"):
        jwtcookie.scheme_for(value)


def test_an_unknown_alg_is_refused_and_not_repeated() -> None:
    value = token_with_header({"alg": "[red]HS1[/red]"}, CLAIMS)
    assert jwtcookie.recognise(value) == "a JWT header (an unknown alg)"
    with pytest.raises(CookieFormatError, match="never calls such a token verified") as caught:
        jwtcookie.scheme_for(value)
    assert "[red]" not in str(caught.value)


def test_recognise_pyjwt_tokens() -> None:
    for alg in ALGS:
        value = jwt.encode(CLAIMS, SECRET, algorithm=alg)
        assert jwtcookie.FORMAT.recognise(value) == f"a JWT header (alg {alg})"


def test_other_formats_are_not_recognised() -> None:
    # A session holding "alg" makes a first part that is a JSON object with "alg".
    for session in ({"user": "a"}, {"alg": "HS256", "typ": "JWT"}, {"x": "y" * 200}):
        values = [
            sign_session(session, keys(SECRET)).value,
            starlettecookie.sign(session, keys(SECRET), FROZEN),
            djangocookie.sign(session, keys(SECRET), FROZEN),
            djangocookie.sign(session, keys(SECRET), FROZEN, compress=False),
        ]
        for value in values:
            assert jwtcookie.recognise(value) is None, value


@pytest.mark.parametrize("value", ["", "a.b", "...", "e30.e30", "eyJ9.e30.x", "e30.e30.x"])
def test_what_is_not_a_jwt_is_not_recognised(value: str) -> None:
    # "e30" is "{}": a header without alg.
    assert jwtcookie.recognise(value) is None


def test_envelope_splits_as_pyjwt_does() -> None:
    env = jwtcookie.envelope("h.p1.p2.s")
    assert env.signed_part == b"h.p1.p2"
    assert env.payload_segment == b"p1.p2"
    assert env.signature_segment == b"s"
    assert env.timestamp_segment == b""
    with pytest.raises(CookieFormatError, match=r"HEADER\.PAYLOAD\.SIGNATURE"):
        jwtcookie.envelope("h.p")


def test_a_token_without_iat_has_no_timestamp() -> None:
    claims = {"sub": "x"}
    value = jwt.encode(claims, SECRET)
    result = inspect_cookie(value, keys(SECRET), fmt=jwtcookie.FORMAT)
    assert result.timestamp is None
    # A JWT may carry no signing time: that is no damage, and the token is valid.
    assert result.timestamp_error is None
    assert (result.signature.status, result.verdict) == ("valid", "valid")
    assert result.session == claims


def test_claims_that_are_not_an_object_are_not_a_session() -> None:
    value = jwt.api_jws.encode(b"[1, 2]", SECRET, algorithm="HS256")
    result = inspect_cookie(value, keys(SECRET), fmt=jwtcookie.FORMAT)
    assert result.signature.status == "valid"
    assert "not-a-session" in {problem.code for problem in result.problems}
    assert result.session is None
    assert result.data == [1, 2]


def test_read_payload_is_the_claims_json() -> None:
    value = jwt.encode(CLAIMS, SECRET)
    payload = jwtcookie.FORMAT.read_payload(jwtcookie.envelope(value), 1)
    assert json.loads(payload.json_text) == CLAIMS
    assert not payload.compressed
    session = jwtcookie.FORMAT.load_session(payload.json_text, DEFAULT_CAPS)
    assert session.session == CLAIMS


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({}, None),
        ({"exp": 1001}, None),
        ({"exp": 1000}, "expired"),
        ({"exp": 999}, "expired"),
        ({"nbf": 1000}, None),
        ({"nbf": 1001}, "expired"),
        ({"iat": 1000}, None),
        ({"iat": 1001}, "expired"),
        ({"nbf": 1001, "exp": 999}, "expired"),
        ({"exp": "1000"}, "expired"),
        ({"exp": "soon"}, "not-a-session"),
        ({"iat": 9.5e2, "exp": 2000}, None),
    ],
)
def test_check_claims_at_the_boundaries(claims: dict[str, Any], expected: str | None) -> None:
    assert jwtcookie.check_claims(claims, 1000).code == expected


def test_check_claims_says_which_claim_and_keeps_the_times() -> None:
    check = jwtcookie.check_claims({"iat": 900, "nbf": 1001, "exp": 999}, 1000)
    # PyJWT checks iat, then nbf, then exp: nbf is the reason it gives.
    assert check.message == "not valid yet: its nbf claim is in 1 second"
    assert check.times == (("iat", 900), ("nbf", 1001), ("exp", 999))
    assert jwtcookie.check_claims({"exp": 990}, 1000).message == (
        "the token expired at its exp claim, 10 seconds ago"
    )
    bad = jwtcookie.check_claims({"exp": "soon", "iat": 5}, 1000)
    assert bad.message == "the exp claim is not an integer: PyJWT refuses the token"
    assert bad.times == (("iat", 5),)


_TIME_VALUE = st.one_of(
    st.integers(-(10**6), -5) | st.integers(5, 10**6),
    st.sampled_from(["soon", "", "12x", None, [1]]),
)


@given(claims=st.dictionaries(st.sampled_from(jwtcookie.TIME_CLAIMS), _TIME_VALUE, max_size=3))
@settings(max_examples=200, deadline=None)
def test_check_claims_agrees_with_pyjwt(claims: dict[str, Any]) -> None:
    now = int(time.time())
    # Offsets from now of five seconds at least, so the clock moving cannot flip a case.
    token_claims = {k: now + v if isinstance(v, int) else v for k, v in claims.items()}
    token = jwt.encode(token_claims, SECRET)
    try:
        jwt.decode(token, SECRET, algorithms=["HS256"])
        pyjwt = None
    except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError):
        pyjwt = "expired"
    except (jwt.DecodeError, jwt.InvalidIssuedAtError):
        pyjwt = "not-a-session"
    assert jwtcookie.check_claims(token_claims, now).code == pyjwt


def test_format_attributes_and_explain() -> None:
    fmt = jwtcookie.FORMAT
    assert (fmt.name, fmt.title, fmt.framework) == ("jwt", "JSON Web Token", "JWT")
    assert fmt.default_cookie_name == "access_token_cookie"
    assert fmt.default_scheme == jwtcookie.SCHEMES["HS256"]
    assert fmt.default_scheme.key_derivation == "none"
    for claim in ("exp", "iat", "nbf"):
        assert "Unix seconds" in (fmt.explain(claim) or "")
    for claim in ("sub", "jti", "iss", "aud", "fresh", "type", "csrf"):
        assert fmt.explain(claim)
    assert fmt.explain("user") is None
    assert fmt.to_unix(FROZEN, "auto") == (FROZEN, False)
    with pytest.raises(InputError):
        fmt.to_unix(FROZEN, "legacy")


def test_signed_parts_for_a_key_search() -> None:
    value = jwt.encode(CLAIMS, SECRET, algorithm="HS512")
    signed, signature = jwtcookie.FORMAT.signed_parts(value, jwtcookie.SCHEMES["HS512"])
    assert signed == value.rsplit(".", 1)[0].encode()
    assert len(signature) == 64
    with pytest.raises(CookieFormatError, match="no key can match"):
        jwtcookie.FORMAT.signed_parts(value, jwtcookie.SCHEME)
