"""The Starlette cookie format against a real Starlette app with SessionMiddleware."""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
import time
import warnings
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the Starlette oracle needs starlette (a dev dependency)")
if importlib.util.find_spec("httpx2") is None:
    # Starlette's TestClient needs httpx2; before 1.10 it took httpx, and still falls back to it.
    pytest.importorskip("httpx", reason="Starlette's TestClient needs httpx2 (a dev dependency)")

from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

with warnings.catch_warnings():
    # Starlette 1.10 warns when its TestClient falls back from httpx2 to httpx.
    warnings.filterwarnings("ignore", message=".*install `httpx2` instead")
    from starlette.testclient import TestClient

from cookietool import signer, starlettecookie
from cookietool.caps import DEFAULT as DEFAULT_CAPS
from cookietool.errors import CookieFormatError, InputError, PayloadError
from cookietool.keys import SecretKey, text_key
from cookietool.session import inspect_cookie
from cookietool.starlettecookie import DEFAULT_MAX_AGE, FORMAT, sign
from tests.conftest import FROZEN

#: Every JSON type, non-ASCII text (and emoji outside the BMP), lists and nested objects.
SESSION: dict[str, Any] = {
    "user": "Zoë 🍪 日本",
    "id": 42,
    "big": 2**70,
    "ratio": 0.25,
    "admin": False,
    "nothing": None,
    "tags": ["a", "b+/c", 3, [True, None]],
    "nested": {"deep": {"list": [1, [2, {"x": "ÿ"}]], "empty": {}}},
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
sessions = st.dictionaries(st.text(max_size=12), json_values, max_size=6)


def keys(*values: str) -> list[SecretKey]:
    return [text_key(value, f"k{i}") for i, value in enumerate(values)]


def make_app(secret_key: str = "dev", max_age: int | None = DEFAULT_MAX_AGE) -> Starlette:
    """An app whose POST /put stores its JSON body in the session and GET /read shows it."""

    async def put(request: Request) -> JSONResponse:
        request.session.update(await request.json())
        return JSONResponse({})

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.session))

    return Starlette(
        routes=[Route("/put", put, methods=["POST"]), Route("/read", read)],
        middleware=[Middleware(SessionMiddleware, secret_key=secret_key, max_age=max_age)],
    )


def starlette_cookie(data: dict[str, Any], secret_key: str = "dev") -> str:
    """The session cookie value Starlette sets for ``data``, from its Set-Cookie header."""
    response = TestClient(make_app(secret_key)).post("/put", json=data)
    name, _, rest = response.headers["set-cookie"].partition("=")
    assert name == "session"
    return rest.split(";", 1)[0]


def starlette_reads(value: str, secret_key: str = "dev") -> Any:
    """The session Starlette reads from a cookie value."""
    client = TestClient(make_app(secret_key))
    return client.get("/read", headers={"Cookie": f"session={value}"}).json()


def test_cookies_starlette_sets_decode_and_verify() -> None:
    value = starlette_cookie(SESSION)
    result = inspect_cookie(value, keys("dev"), fmt=FORMAT, max_age=DEFAULT_MAX_AGE)
    assert result.verdict == "valid"
    assert result.session == result.data == SESSION
    assert abs(time.time() - (result.timestamp or 0)) < 60
    assert result.payload is not None
    assert not result.compressed
    assert not result.payload.compressed


def test_sign_is_starlette_to_the_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: FROZEN)
    assert sign(SESSION, keys("dev"), FROZEN) == starlette_cookie(SESSION)


def test_starlette_accepts_what_sign_makes() -> None:
    assert starlette_reads(sign(SESSION, keys("dev"))) == SESSION
    # itsdangerous signs with the last key, the newest in cookietool's order.
    assert starlette_reads(sign(SESSION, keys("old", "dev"))) == SESSION
    assert starlette_reads(sign(SESSION, keys("other"))) == {}


def test_wrong_key_is_invalid() -> None:
    value = starlette_cookie(SESSION)
    result = inspect_cookie(value, keys("other"), fmt=FORMAT)
    assert result.verdict == "invalid"
    # What can be read is still read, unverified.
    assert result.session == SESSION
    assert inspect_cookie(value, keys("other", "dev"), fmt=FORMAT).signature.key_index == 1
    assert inspect_cookie(value, fmt=FORMAT).verdict == "unchecked"


def test_expiry_after_max_age() -> None:
    value = sign(SESSION, keys("dev"), FROZEN)
    at = inspect_cookie(
        value, keys("dev"), fmt=FORMAT, max_age=DEFAULT_MAX_AGE, now=FROZEN + DEFAULT_MAX_AGE
    )
    assert (at.timestamp, at.verdict) == (FROZEN, "valid")
    late = inspect_cookie(
        value, keys("dev"), fmt=FORMAT, max_age=DEFAULT_MAX_AGE, now=FROZEN + DEFAULT_MAX_AGE + 1
    )
    assert late.verdict == "expired"
    assert f"max age {DEFAULT_MAX_AGE}" in late.expiry_message


def test_starlette_expires_as_cookietool_does() -> None:
    now = int(time.time())
    fresh = sign(SESSION, keys("dev"), now - DEFAULT_MAX_AGE + 60)
    stale = sign(SESSION, keys("dev"), now - DEFAULT_MAX_AGE - 60)
    assert starlette_reads(fresh) == SESSION
    assert starlette_reads(stale) == {}
    for value, verdict in ((fresh, "valid"), (stale, "expired")):
        result = inspect_cookie(value, keys("dev"), fmt=FORMAT, max_age=DEFAULT_MAX_AGE, now=now)
        assert result.verdict == verdict


def test_tampered_cookie_is_invalid() -> None:
    value = starlette_cookie({"admin": False})
    forged_payload = base64.b64encode(json.dumps({"admin": True}).encode()).decode()
    forged = forged_payload + "." + value.split(".", 1)[1]
    result = inspect_cookie(forged, keys("dev"), fmt=FORMAT)
    assert result.verdict == "invalid"
    assert result.session == {"admin": True}
    assert starlette_reads(forged) == {}


@given(sessions)
def test_sign_and_inspect_round_trip(data: dict[str, Any]) -> None:
    value = sign(data, keys("dev"), FROZEN)
    result = inspect_cookie(value, keys("dev"), fmt=FORMAT, now=FROZEN, max_age=DEFAULT_MAX_AGE)
    assert result.verdict == "valid"
    assert result.session == data
    assert result.timestamp == FROZEN


@settings(max_examples=25)
@given(sessions.filter(bool))
def test_starlette_reads_what_sign_makes(data: dict[str, Any]) -> None:
    assert starlette_reads(sign(data, keys("dev"))) == data


def test_recognise_a_starlette_value() -> None:
    for data in ({"a": 1}, {"k": "?>?"}):
        value = starlette_cookie(data)
        reason = FORMAT.recognise(value)
        assert reason is not None
        assert "standard base64" in reason
    assert "=" in starlette_cookie({"a": 1}).split(".")[0]
    assert "+" in starlette_cookie({"k": "?>?"}).split(".")[0]


def test_recognise_a_flask_value() -> None:
    serializer = URLSafeTimedSerializer(b"dev", salt="cookie-session")
    # Base64url without padding: Starlette's b64decode refuses it (9 bytes make 12 chars,
    # which standard base64 reads too).
    assert FORMAT.recognise(serializer.dumps({"a": 1})) is None
    assert FORMAT.recognise(serializer.dumps({"k": "?>?"})) is None  # '-' or '_' in it
    assert FORMAT.recognise("." + serializer.dumps({"a": 1})) is None  # compressed
    ambiguous = serializer.dumps({"abc": 1})
    reason = FORMAT.recognise(ambiguous)
    assert reason is not None
    assert "ambiguous" in reason
    assert FORMAT.recognise("no dots") is None


def test_starlette_makes_a_session_of_an_array_of_pairs() -> None:
    # Starlette builds Session(json.loads(...)): dict() of an array of pairs works.
    value = TimestampSigner("dev").sign(base64.b64encode(b'[["a", 1], ["b", [2]]]')).decode()
    assert starlette_reads(value) == {"a": 1, "b": [2]}
    result = inspect_cookie(value, keys("dev"), fmt=FORMAT)
    assert (result.verdict, result.session) == ("valid", {"a": 1, "b": [2]})


def test_json_starlette_cannot_make_a_session_of() -> None:
    value = TimestampSigner("dev").sign(base64.b64encode(b"7")).decode()
    # dict(7) raises TypeError, which is not BadSignature: the request fails.
    with pytest.raises(TypeError):
        starlette_reads(value)
    result = inspect_cookie(value, keys("dev"), fmt=FORMAT)
    assert result.verdict == "not-a-session"
    assert "JSON number" in result.problems[0].message


@pytest.mark.parametrize(
    ("value", "part", "message"),
    [
        ("eyJhIjoxfQ.AAAA.c2ln", "payload", "not valid standard base64"),
        ("/w==.AAAA.c2ln", "payload", "not UTF-8 text"),
        ("e30=.AAAAAAAAAAAAAAAA.c2ln", "timestamp", "at most 8"),
        ("e30=.A.c2ln", "timestamp", "not valid base64"),
        ("e30=.AAAA.c", "signature", "not valid base64"),
    ],
)
def test_each_part_says_why_it_cannot_be_read(value: str, part: str, message: str) -> None:
    env = starlettecookie.envelope(value)
    readers = {
        "timestamp": starlettecookie.read_timestamp,
        "signature": starlettecookie.read_signature,
        "payload": starlettecookie.read_payload,
    }
    with pytest.raises(CookieFormatError, match=message):
        readers[part](env)


def test_payload_is_decoded_as_starlette_decodes_it() -> None:
    # b64decode drops bytes outside the standard alphabet (dots and "-" included), and
    # json.loads reads UTF-16 as well as UTF-8.
    env = starlettecookie.envelope(".e3-0=.AAAA.c2ln")
    assert not env.compressed
    assert starlettecookie.read_payload(env).json_text == "{}"
    utf16 = base64.b64encode('{"é": 1}'.encode("utf-16")).decode()
    payload = starlettecookie.read_payload(starlettecookie.envelope(utf16 + ".AAAA.c2ln"))
    assert json.loads(payload.json_text) == {"é": 1}
    assert starlettecookie.load_session('""', DEFAULT_CAPS).session == {}


def test_signed_parts_feed_a_key_search() -> None:
    value = sign(SESSION, keys("dev"), FROZEN)
    signed_part, signature = FORMAT.signed_parts(value, FORMAT.default_scheme)
    assert signer.find_key(signed_part, signature, [b"x", b"dev"], FORMAT.default_scheme) == 1
    with pytest.raises(CookieFormatError, match="no key can match"):
        FORMAT.signed_parts("e30=.AAAA.c2ln", FORMAT.default_scheme)


def test_sign_refuses_what_starlette_cannot_store() -> None:
    with pytest.raises(PayloadError, match="cannot be stored as JSON"):
        sign({"b": b"bytes"}, keys("dev"))
    with pytest.raises(InputError, match="a key is needed"):
        sign({"a": 1}, [])
    with pytest.raises(InputError, match="timestamp"):
        sign({"a": 1}, keys("dev"), -1)


def test_format_attributes() -> None:
    assert (FORMAT.name, FORMAT.title, FORMAT.framework) == (
        "starlette",
        "Starlette session cookie",
        "Starlette",
    )
    assert FORMAT.default_cookie_name == "session"
    assert FORMAT.default_scheme == signer.Scheme("itsdangerous.Signer", "sha1", "django-concat")
    assert FORMAT.to_unix(FROZEN, "legacy") == (FROZEN, False)
    assert FORMAT.explain("_user_id") is None


def test_decoding_never_imports_starlette() -> None:
    probe = (
        "import sys\n"
        "from cookietool.session import inspect_cookie\n"
        "from cookietool.keys import text_key\n"
        "from cookietool.starlettecookie import FORMAT, sign\n"
        "value = sign({'a': 1}, [text_key('dev', 'k')])\n"
        "assert inspect_cookie(value, [text_key('dev', 'k')], fmt=FORMAT).verdict == 'valid'\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('starlette', 'fastapi')]\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
