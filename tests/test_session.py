"""decode's core against cookies made by real Flask apps (test client)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from markupsafe import Markup

from cookietool.errors import InputError
from cookietool.flaskcookie import LEGACY_EPOCH
from cookietool.flaskcookie import scheme as flask_scheme
from cookietool.keys import SecretKey, text_key
from cookietool.session import inspect_cookie
from tests.conftest import FROZEN, flask_cookie, flask_dumps, flask_reads, make_app
from tests.strategies import sessions

EVERY_TAG: dict[str, Any] = {
    "tuple": (1, "two", (3,)),
    "bytes": b"\x00\xffbinary",
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "markup": Markup("<b>bold</b>"),
    "when": datetime(2030, 5, 17, 8, 30, tzinfo=timezone.utc),
    "collide": {" t": "a dict whose key is a tag"},
    "nested": [{" di": {"deep": (b"x",)}}],
    "text": "Grüße, 日本, emoji \U0001f36a",
    "number": 1.5,
    "none": None,
}


def keys(*values: str | bytes) -> list[SecretKey]:
    return [
        SecretKey(v, f"k{i}") if isinstance(v, bytes) else text_key(v, f"k{i}")
        for i, v in enumerate(values)
    ]


def test_every_tag_decodes_as_the_app_reads_it() -> None:
    app = make_app()
    value, _ = flask_cookie(app, EVERY_TAG)
    result = inspect_cookie(value, keys("dev"))
    assert result.session == EVERY_TAG
    assert flask_dumps(result.session) == flask_reads(app, value)
    assert result.signature.status == "valid"
    assert result.session_error is None


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(sessions)
def test_generated_sessions_decode_as_the_app_reads_them(data: dict[str, Any]) -> None:
    app = make_app()
    value, _ = flask_cookie(app, data)
    result = inspect_cookie(value, keys("dev"))
    assert result.signature.status == "valid"
    assert flask_dumps(result.session) == flask_reads(app, value)
    assert result.data == json.loads(flask_dumps(data))


def test_bytes_key_and_non_ascii_key() -> None:
    for secret in (b"\x00\x01binary\xff", "clé-secrète-日本"):
        value, _ = flask_cookie(make_app(secret_key=secret), {"a": 1})
        assert inspect_cookie(value, keys(secret)).signature.status == "valid"
        assert inspect_cookie(value, keys("other")).signature.status == "invalid"


def test_fallback_keys_report_which_key_matched() -> None:
    old_app = make_app(secret_key="old")
    new_app = make_app(secret_key="new", fallbacks=["older", "old"])
    old_value, _ = flask_cookie(old_app, {"u": 1})
    new_value, _ = flask_cookie(new_app, {"u": 2})
    ring = keys("older", "old", "new")
    # The app accepts both cookies; cookietool says which key signed each.
    assert flask_reads(new_app, old_value) == '{"u":1}'
    old = inspect_cookie(old_value, ring).signature
    new = inspect_cookie(new_value, ring).signature
    assert (old.status, old.key_index, old.key_label, old.matched_newest) == (
        "valid",
        1,
        "k1",
        False,
    )
    assert (new.status, new.key_index, new.matched_newest) == ("valid", 2, True)


@pytest.mark.parametrize(
    ("salt", "digest", "derivation"),
    [
        ("custom-salt", "sha1", "hmac"),
        ("cookie-session", "sha256", "hmac"),
        ("cookie-session", "sha512", "concat"),
        ("other", "sha384", "django-concat"),
        ("cookie-session", "sha224", "none"),
    ],
)
def test_custom_session_interfaces(salt: str, digest: str, derivation: str) -> None:
    app = make_app(salt=salt, digest=digest, key_derivation=derivation)
    value, _ = flask_cookie(app, {"role": "admin"})
    assert inspect_cookie(value, keys("dev"), scheme=flask_scheme(salt, digest, derivation)).ok
    default = inspect_cookie(value, keys("dev"))
    assert default.signature.status == "invalid"
    assert default.session == {"role": "admin"}


def test_compressed_cookie_from_flask() -> None:
    app = make_app()
    data = {"items": ["same text again"] * 200}
    value, _ = flask_cookie(app, data)
    assert value.startswith(".")
    result = inspect_cookie(value, keys("dev"))
    assert result.compressed
    assert result.session == data
    assert result.payload is not None
    assert result.payload.stored_bytes < result.payload.json_bytes


def test_timestamp_and_expiry_follow_itsdangerous(frozen_time: int) -> None:
    value, _ = flask_cookie(make_app(), {"a": 1})
    at = inspect_cookie(value, keys("dev"), now=FROZEN + 100, max_age=100)
    assert (at.timestamp, at.age, at.expired, at.ok) == (FROZEN, 100, False, True)
    late = inspect_cookie(value, keys("dev"), now=FROZEN + 101, max_age=100)
    assert (late.expired, late.ok) == (True, False)
    future = inspect_cookie(value, keys("dev"), now=FROZEN - 1, max_age=100)
    assert (future.age, future.expired) == (-1, True)
    assert inspect_cookie(value, now=FROZEN + 10**6).expired is None


def test_legacy_epoch_is_detected_and_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    from itsdangerous import TimestampSigner

    app = make_app()
    # What itsdangerous < 1.0 wrote: seconds since 2011-01-01.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: FROZEN - LEGACY_EPOCH)
    value, _ = flask_cookie(app, {"a": 1})
    result = inspect_cookie(value, keys("dev"), now=FROZEN + 5, max_age=10)
    assert (result.legacy_epoch, result.timestamp, result.expired) == (True, FROZEN, False)
    forced = inspect_cookie(value, epoch="unix", now=FROZEN)
    assert (forced.legacy_epoch, forced.timestamp) == (False, FROZEN - LEGACY_EPOCH)
    with pytest.raises(InputError, match="unknown epoch"):
        inspect_cookie(value, epoch="mars")


def test_unchecked_without_keys_and_invalid_tag_is_reported() -> None:
    app = make_app()
    value, _ = flask_cookie(app, {"a": 1})
    result = inspect_cookie(value)
    assert (result.signature.status, result.ok) == ("unchecked", True)
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("dev", salt="cookie-session").dumps({"x": {" b": 5}})
    bad = inspect_cookie(forged)
    assert bad.session is None
    assert bad.session_error is not None and "'b'" in bad.session_error
    assert bad.data == {"x": {" b": 5}}


def test_negative_max_age_is_refused() -> None:
    value, _ = flask_cookie(make_app(), {"a": 1})
    with pytest.raises(InputError, match="negative"):
        inspect_cookie(value, max_age=-1)
