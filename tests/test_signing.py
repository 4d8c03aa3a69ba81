"""sign against Flask: the same bytes Flask emits, and cookies Flask accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from cookietool import render
from cookietool.appsettings import CookieSettings
from cookietool.errors import CapError, InputError, PayloadError
from cookietool.flaskcookie import LEGACY_EPOCH
from cookietool.flaskcookie import scheme as flask_scheme
from cookietool.keys import SecretKey, text_key
from cookietool.session import inspect_cookie
from cookietool.signer import Scheme
from cookietool.signing import parse_payload, sign_session
from tests.conftest import FROZEN, expires_after, flask_cookie, flask_dumps, flask_reads, make_app
from tests.strategies import sessions
from tests.test_session import EVERY_TAG


def ring(*values: str | bytes) -> list[SecretKey]:
    return [SecretKey(v, "k") if isinstance(v, bytes) else text_key(v, "k") for v in values]


@pytest.mark.parametrize(
    ("app_kwargs", "keys", "scheme"),
    [
        ({}, ring("dev"), flask_scheme()),
        ({"secret_key": b"\x00\xffbin"}, ring(b"\x00\xffbin"), flask_scheme()),
        ({"secret_key": "new", "fallbacks": ["old"]}, ring("old", "new"), flask_scheme()),
        ({"salt": "custom"}, ring("dev"), flask_scheme(salt="custom")),
        ({"digest": "sha256"}, ring("dev"), flask_scheme(digest="sha256")),
        (
            {"digest": "sha512", "key_derivation": "django-concat"},
            ring("dev"),
            flask_scheme(digest="sha512", key_derivation="django-concat"),
        ),
    ],
)
def test_sign_is_byte_identical_to_flask(
    frozen_time: int, app_kwargs: dict[str, Any], keys: list[SecretKey], scheme: Scheme
) -> None:
    app = make_app(**app_kwargs)
    value, header = flask_cookie(app, EVERY_TAG)
    signed = sign_session(EVERY_TAG, keys, scheme=scheme, timestamp=FROZEN, set_cookie=True)
    assert signed.value == value
    assert signed.set_cookie == header
    assert flask_reads(app, signed.value) == flask_dumps(EVERY_TAG)


def test_cookie_settings_and_permanent_expires_match_flask(frozen_time: int) -> None:
    app = make_app(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PARTITIONED=True,
        PERMANENT_SESSION_LIFETIME=3600,
    )
    header = flask_cookie(app, {"user": "ann"}, permanent=True)[1]
    settings_ = CookieSettings(
        name="sid",
        domain="example.test",
        path="/app",
        secure=True,
        samesite="Lax",
        partitioned=True,
        lifetime=3600,
    )
    signed = sign_session(
        {"user": "ann"},
        ring("dev"),
        timestamp=FROZEN,
        settings=settings_,
        set_cookie=True,
        permanent=True,
    )
    assert signed.set_cookie == header
    assert f"Expires={expires_after(3600)}" in header
    assert inspect_cookie(signed.value).session == {"_permanent": True, "user": "ann"}


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=sessions)
def test_generated_sessions_sign_like_flask(frozen_time: int, data: dict[str, Any]) -> None:
    app = make_app()
    value, _ = flask_cookie(app, data)
    assert sign_session(data, ring("dev"), timestamp=FROZEN).value == value


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=sessions)
def test_decode_json_payload_signs_back_to_the_same_cookie(data: dict[str, Any]) -> None:
    original = sign_session(data, ring("dev"), timestamp=FROZEN).value
    document = render.decode_document(inspect_cookie(original, ring("dev")))
    again = sign_session(
        parse_payload(json.dumps(document["payload"])), ring("dev"), timestamp=document["timestamp"]
    )
    assert again.value == original


def test_compression_follows_itsdangerous(frozen_time: int) -> None:
    app = make_app()
    for data in ({"k": "x" * 5}, {"k": "x" * 50}, {"k": "abcdefgh" * 40}):
        value, _ = flask_cookie(app, data)
        signed = sign_session(data, ring("dev"), timestamp=FROZEN)
        assert signed.value == value
        assert signed.compressed == value.startswith(".")
    assert sign_session({"k": "x" * 50}, ring("dev"), timestamp=FROZEN).compressed


def test_legacy_signing_counts_from_2011() -> None:
    signed = sign_session({"a": 1}, ring("dev"), timestamp=FROZEN, legacy=True)
    result = inspect_cookie(signed.value, ring("dev"))
    assert result.timestamp_raw == FROZEN - LEGACY_EPOCH
    assert (result.legacy_epoch, result.timestamp, result.ok) == (True, FROZEN, True)
    with pytest.raises(InputError, match="2011-01-01"):
        sign_session({"a": 1}, ring("dev"), timestamp=LEGACY_EPOCH - 1, legacy=True)


def test_oversized_cookie_carries_werkzeugs_warning() -> None:
    import secrets

    data = {"blob": secrets.token_hex(3000)}
    signed = sign_session(data, ring("dev"), set_cookie=True)
    assert len(signed.warnings) == 1
    assert "too large" in signed.warnings[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"just a string"', "must be a JSON object"),
        ("[1, 2]", "must be a JSON object"),
        ("{'a': 1}", "not valid JSON"),
        ("", "not valid JSON"),
        ('{"a": {" b": 5}}', "Flask-tagged value in the payload is invalid"),
        ('{" t": [1, 2]}', "a tagged value, not a session object"),
        ("[" * 100_000, "nested more than 512 levels deep"),
    ],
)
def test_bad_payloads(text: str, message: str) -> None:
    with pytest.raises((PayloadError, CapError), match=message):
        parse_payload(text)


def test_tagged_payload_is_read_with_flasks_tags() -> None:
    session = parse_payload('{"t": {" t": [1, {" b": "AAE="}]}, " di": 1}')
    assert session == {"t": (1, b"\x00\x01"), " di": 1}


def test_empty_session_has_no_set_cookie_and_keys_are_required() -> None:
    assert sign_session({}, ring("dev")).value.startswith("e30.")
    with pytest.raises(PayloadError, match="deletes the cookie"):
        sign_session({}, ring("dev"), set_cookie=True)
    with pytest.raises(InputError, match="needs a key"):
        sign_session({"a": 1}, [])
    with pytest.raises(InputError, match="SameSite"):
        CookieSettings(samesite="lax")
