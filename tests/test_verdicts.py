"""Verdicts against real Flask: verify first, every payload Flask writes, strict JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from itsdangerous import BadData, Signer, URLSafeTimedSerializer

from cookietool.cli import ExitCode
from cookietool.keys import text_key
from cookietool.session import inspect_cookie
from cookietool.signing import parse_payload, sign_session
from tests.conftest import FROZEN, flask_cookie, flask_dumps, flask_reads, make_app
from tests.test_cli import assert_one_line_error, run

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def strict_json(text: str) -> Any:
    """Parse as RFC 8259 does: NaN and Infinity are not JSON."""

    def refuse(token: str) -> Any:
        raise ValueError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def flask_verdict(app: Flask, value: str) -> tuple[bool, bool, Any]:
    """What the app itself makes of a cookie: signature ok, session loaded, unsafe payload."""
    with app.app_context():
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        assert serializer is not None
        signer = serializer.make_signer(serializer.salt)
        try:
            Signer.unsign(signer, value)
            signature_ok = True
        except BadData:
            signature_ok = False
        try:
            loaded = serializer.loads(value)
            accepted = isinstance(loaded, dict)
        except BadData:
            accepted = False
        _, unsafe = serializer.loads_unsafe(value)
    return signature_ok, accepted, unsafe


def flask_scheme_dumps(obj: Any, key: str = "k") -> str:
    """Sign any JSON value with Flask's scheme, as only a foreign signer would."""
    serializer = URLSafeTimedSerializer(
        key, salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    )
    return serializer.dumps(obj)


def mutations(value: str) -> Iterator[tuple[str, str]]:
    """Damage as it happens: a byte flipped, a character lost, a space, a cut signature."""
    for i, char in enumerate(value):
        if char != ".":
            other = B64[(B64.index(char) + 1) % 64] if char in B64 else "A"
            yield f"flip {i}", value[:i] + other + value[i + 1 :]
        yield f"drop {i}", value[:i] + value[i + 1 :]
    for i in range(0, len(value), 7):
        yield f"space {i}", value[:i] + " " + value[i:]
    signature_start = value.rindex(".") + 1
    for end in range(signature_start, len(value)):
        yield f"cut {end}", value[:end]


@pytest.mark.parametrize(
    "data",
    [
        {"user_id": 42, "cart": (3, 7)},
        {"items": ["the same words again"] * 40},  # compressed
    ],
    ids=["plain", "compressed"],
)
def test_damaged_and_tampered_cookies_get_flasks_verdict(data: dict[str, Any]) -> None:
    app = make_app()
    value, _ = flask_cookie(app, data)
    assert value.startswith(".") == (len(data) == 1)
    ring = [text_key("dev", "--key #1")]
    checked = 0
    for what, mutated in mutations(value):
        if mutated.count(".") < 2 + mutated.startswith("."):
            continue  # no longer shaped like a cookie: refused as input, tested below
        signature_ok, accepted, unsafe = flask_verdict(app, mutated)
        result = inspect_cookie(mutated, ring)
        assert result.verified == signature_ok, what
        assert result.ok == accepted, what
        if not signature_ok:
            assert result.verdict == "invalid", what
        if unsafe is not None and result.session_error is None:
            # Shown unverified: exactly what loads_unsafe reads.
            assert flask_dumps(result.session) == flask_dumps(unsafe), what
        checked += 1
    assert checked > 100


def test_tampered_cookie_on_the_command_line_is_exit_1_with_payload_shown() -> None:
    app = make_app(secret_key="k")
    value, _ = flask_cookie(app, {"role": "user"})
    payload, rest = value.split(".", 1)
    forged = "eyJyb2xlIjoiYWRtaW4ifQ." + rest  # {"role":"admin"}, old signature
    result = run("decode", forged, "--key", "k")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "Verdict    INVALID SIGNATURE" in result.stdout
    assert "Session (UNVERIFIED: the signature does not verify" in result.stdout
    assert "'admin'" in result.stdout
    truncated = run("decode", value[:-5], "--key", "k", "--json")
    assert truncated.exit_code == ExitCode.CHECK_FAILED
    doc = strict_json(truncated.stdout)
    assert (doc["verdict"], doc["payload"], doc["ok"]) == ("invalid", {"role": "user"}, False)
    lost = run("decode", payload[:-1] + "." + rest, "--key", "k", "--json")
    assert lost.exit_code == ExitCode.CHECK_FAILED
    assert strict_json(lost.stdout)["signature"]["status"] == "invalid"


def test_damage_without_a_key_is_reported_not_refused() -> None:
    app = make_app()
    value, _ = flask_cookie(app, {"a": 1})
    payload, timestamp, signature = value.split(".")
    for damaged, field in (
        (f"{payload}.{timestamp}.{signature[:-3]}", "signature"),
        (f"{payload}.{'A' * 12}.{signature}", "timestamp_error"),
    ):
        result = run("decode", damaged, "--json")
        assert result.exit_code == ExitCode.CHECK_FAILED, damaged
        doc = strict_json(result.stdout)
        assert doc["verdict"] == "damaged"
        assert doc["payload"] == {"a": 1}
        if field == "signature":
            assert doc["signature"]["status"] == "damaged"
        else:
            assert "at most 8" in doc[field] and doc["timestamp"] is None
    text = run("decode", f"{payload}.{timestamp}.{signature[:-3]}")
    assert "Verdict    DAMAGED COOKIE" in text.stdout
    assert "Session (UNVERIFIED: the signature is damaged): 1 key" in text.stdout


def test_a_sha256_signature_without_a_key_is_a_hint_not_a_failure() -> None:
    value, _ = flask_cookie(make_app(digest="sha256"), {"a": 1})
    doc = strict_json(run("decode", value, "--json").stdout)
    assert (doc["verdict"], doc["ok"]) == ("unchecked", True)
    assert doc["notes"] == [
        "the signature is 32 bytes, the size of sha256: is the app signing with --digest sha256?"
    ]


# --- payloads Flask writes that JSON and terminals find hard ----------------------------

SURROGATE = "\ud83d"  # half of an emoji: Flask stores it as the JSON escape \ud83d


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for n in range(levels):
        value = [value] if n % 2 else {"k": value}
    return value


HARD_SESSIONS: dict[str, dict[str, Any]] = {
    "surrogate value": {"s": SURROGATE, "pair": "\U0001f36a"},
    "surrogate key": {SURROGATE + "key": 1},
    "surrogate flash": {"_flashes": [("msg" + SURROGATE, "text" + "\udc00")]},
    "nan": {"n": float("nan"), "i": float("inf"), "m": float("-inf"), "s": "NaN"},
    "deep": {"d": deep(250)},
    "tags": {"t": (1, b"\x00"), " di": {"x": 1}, "m": [{" t": "collide"}]},
}


@pytest.mark.parametrize("data", HARD_SESSIONS.values(), ids=HARD_SESSIONS.keys())
def test_every_payload_flask_writes_decodes_and_signs_back(
    data: dict[str, Any], frozen_time: int
) -> None:
    app = make_app()
    value, _ = flask_cookie(app, data)
    result = inspect_cookie(value, [text_key("dev", "k")])
    assert result.ok and result.verdict == "valid"
    assert flask_dumps(result.session) == flask_reads(app, value)
    assert sign_session(result.session, [text_key("dev", "k")], timestamp=FROZEN).value == value

    # decode --json is strict JSON, and its payload_text signs back to the same bytes.
    out = run("decode", value, "--key", "dev", "--json")
    assert out.exit_code == ExitCode.OK, out.stderr
    doc = strict_json(out.stdout)
    assert doc["payload_text"] == flask_reads(app, value)
    again = run("sign", "-", "--key", "dev", "--timestamp", str(FROZEN), input=doc["payload_text"])
    assert again.stdout.strip() == value
    if data is not HARD_SESSIONS["nan"]:
        # Without non-finite numbers the payload field itself is exact.
        assert doc["payload_exact"] is True
        exact = parse_payload(json.dumps(doc["payload"]))
        assert sign_session(exact, [text_key("dev", "k")], timestamp=FROZEN).value == value

    # The human report neither crashes nor prints a raw surrogate or control.
    human = run("decode", value, "--key", "dev")
    assert human.exit_code == ExitCode.OK
    assert all(char.isprintable() or char == "\n" for char in human.stdout)


def test_nan_is_written_as_strings_and_flagged_inexact() -> None:
    value, _ = flask_cookie(make_app(), HARD_SESSIONS["nan"])
    doc = strict_json(run("decode", value, "--json").stdout)
    assert doc["payload"] == {"i": "Infinity", "m": "-Infinity", "n": "NaN", "s": "NaN"}
    assert doc["payload_exact"] is False
    assert math.isnan(json.loads(doc["payload_text"])["n"])


def test_lone_surrogate_is_escaped_in_human_output() -> None:
    value, _ = flask_cookie(make_app(), HARD_SESSIONS["surrogate flash"])
    out = run("decode", value).stdout
    assert "[msg\\ud83d] text\\udc00" in out


def test_nesting_deeper_than_flask_can_sign_is_an_error_not_a_crash() -> None:
    result = run("sign", '{"d": ' + "[" * 2000 + "]" * 2000 + "}", "--key", "k")
    assert_one_line_error(result, ExitCode.USAGE, "nested more than 512 levels deep")
    assert "(raise the cap with --cap json-depth=N)" in result.stderr
    # Where Flask's own serializer gives up depends on the Python version (3.12 inlines
    # comprehensions, so each level costs fewer frames): follow Flask, whatever it does.
    app = make_app(secret_key="k")
    with app.app_context():
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        try:
            serializer.dumps({"d": deep(450)})
            flask_can = True
        except RecursionError:
            flask_can = False
    ours = run("sign", json.dumps({"d": deep(450)}), "--key", "k")
    if flask_can:
        assert ours.exit_code == ExitCode.OK, ours.stderr
    else:
        assert_one_line_error(ours, ExitCode.USAGE, "too deeply for Flask to serialize")
    # itsdangerous' json copes with 600 levels; Flask's tags do not.
    very_deep = flask_scheme_dumps({"d": deep(600)})
    refused = run("decode", very_deep, "--key", "k", "--json")
    assert_one_line_error(refused, ExitCode.USAGE, "nested more than 512 levels deep")
    forged = run("decode", very_deep, "--key", "not-k", "--json")  # verdict first: invalid
    assert forged.exit_code == ExitCode.CHECK_FAILED
    assert "nested more than 512" in json.loads(forged.stdout)["payload_error"]
    allowed = run("--cap", "json-depth=1000", "decode", very_deep, "--key", "k", "--json")
    assert allowed.exit_code == ExitCode.OK
    assert len(allowed.stdout) < 10 * len(json.dumps({"d": deep(600)})) + 4000


# --- payloads that are not sessions ---------------------------------------------------


@pytest.mark.parametrize("payload", ["a string", [1, 2], None, 7])
def test_a_signed_non_object_is_one_verdict_in_text_and_json(payload: Any) -> None:
    value = flask_scheme_dumps(payload)
    as_json = run("decode", value, "--key", "k", "--json")
    assert as_json.exit_code == ExitCode.CHECK_FAILED
    doc = strict_json(as_json.stdout)
    assert (doc["verdict"], doc["ok"], doc["is_session"]) == ("not-a-session", False, False)
    assert doc["signature"]["status"] == "valid"
    as_text = run("decode", value, "--key", "k")
    assert as_text.exit_code == ExitCode.CHECK_FAILED
    assert "Verdict    SIGNED, BUT NOT A FLASK SESSION" in as_text.stdout
    unkeyed = run("decode", value)
    assert unkeyed.exit_code == ExitCode.CHECK_FAILED
    assert "Verdict    NOT A FLASK SESSION" in unkeyed.stdout


def test_a_tag_flask_cannot_read_is_not_a_session() -> None:
    value = flask_scheme_dumps({"x": {" b": 5}})
    doc = strict_json(run("decode", value, "--key", "k", "--json").stdout)
    assert (doc["verdict"], doc["is_session"]) == ("not-a-session", False)
    assert doc["payload"] == {"x": {" b": 5}}


# --- one notion of a cookie across commands -------------------------------------------


def test_decode_audit_and_size_check_accept_the_same_cookies() -> None:
    value, _ = flask_cookie(make_app(secret_key="changeme"), {"a": 1})
    signer = Signer("changeme", salt="cookie-session", key_derivation="hmac")
    damaged_timestamp = signer.sign(value.split(".")[0] + ".!!").decode()  # signed, unreadable
    for cookie in (value, damaged_timestamp):
        assert run("decode", cookie).exit_code in (ExitCode.OK, ExitCode.CHECK_FAILED)
        assert run("size-check", cookie).exit_code == ExitCode.OK
        found = run("audit", cookie, "--jobs", "1", "--json")
        assert found.exit_code == ExitCode.CHECK_FAILED  # the key is a well-known one
        assert json.loads(found.stdout)["found"] is True
    for junk in ("jar", "a.b", "no-dots-here"):
        for command in ("decode", "size-check", "audit"):
            result = run(command, junk)
            assert result.exit_code == ExitCode.USAGE, (command, junk)


def test_human_report_of_a_session_as_deep_as_json_allows() -> None:
    for levels in (480, 900):
        value = flask_scheme_dumps(json.loads('{"a": ' + "[" * levels + "]" * levels + "}"))
        human = run("--cap", "json-depth=1000", "decode", value, "--key", "k")
        assert human.exit_code == ExitCode.OK, human.stderr
        assert "[" * levels + "]" * levels in human.stdout.replace("\n", "").replace(" ", "")
        as_json = run("--cap", "json-depth=1000", "decode", value, "--key", "k", "--json")
        assert as_json.exit_code == ExitCode.OK
        assert len(as_json.stdout) < 3 * levels + 2000  # no indentation that grows with depth
