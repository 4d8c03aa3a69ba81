"""JWTs on the command line: PyJWT is the oracle; alg none and asymmetric algs never verify."""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify

from cookietool.cli import ExitCode
from tests.test_cli import assert_one_line_error, run

jwt = pytest.importorskip("jwt", reason="PyJWT is not installed")

KEY = "a-jwt-secret-key-long-enough-for-hs512-" + "x" * 40


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_a_pyjwt_token_decodes_and_verifies(alg: str) -> None:
    token = jwt.encode({"sub": "ann", "iat": 1767323045, "fresh": True}, KEY, algorithm=alg)
    result = run("decode", token, "--key", KEY, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["format"], doc["verdict"]) == ("jwt", "valid")
    assert doc["payload"] == {"sub": "ann", "iat": 1767323045, "fresh": True}
    assert doc["scheme"]["digest"] == {"HS256": "sha256", "HS384": "sha384", "HS512": "sha512"}[alg]
    wrong = run("decode", token, "--key", "another-key-" + "y" * 60, "--json")
    assert json.loads(wrong.stdout)["verdict"] == "invalid"


def test_a_token_without_iat_is_not_damaged() -> None:
    token = jwt.encode({"sub": "ann"}, KEY, algorithm="HS256")
    doc = json.loads(run("decode", token, "--key", KEY, "--json").stdout)
    assert (doc["verdict"], doc["timestamp"]) == ("valid", None)


def test_alg_none_and_asymmetric_algs_are_never_verified() -> None:
    def token(header: dict[str, str]) -> str:
        def part(obj: object) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

        return f"{part(header)}.{part({'sub': 'admin'})}.c2ln"

    for alg in ("none", "RS256"):
        result = run("decode", token({"alg": alg, "typ": "JWT"}), "--key", KEY)
        assert_one_line_error(result, ExitCode.USAGE, "never")


def test_sign_a_jwt_that_pyjwt_accepts_and_audit_finds_a_weak_key(tmp_path: Path) -> None:
    signed = run("sign", '{"sub": "ann"}', "--format", "jwt", "--key", KEY)
    assert signed.exit_code == ExitCode.OK, signed.stderr
    token = signed.stdout.strip()
    assert jwt.decode(token, KEY, algorithms=["HS256"]) == {"sub": "ann"}
    weak = jwt.encode({"sub": "ann"}, "secret-key-from-a-tutorial-0000000", algorithm="HS256")
    words = tmp_path / "words"
    words.write_text("nope\nsecret-key-from-a-tutorial-0000000\n")
    found = run("audit", weak, "--no-builtin", "--wordlist", str(words), "--jobs", "1", "--json")
    assert found.exit_code == ExitCode.CHECK_FAILED, found.stderr
    assert json.loads(found.stdout)["found"] is True


def test_an_expired_token_fails_with_its_times_shown_as_dates() -> None:
    now = int(time.time())
    token = jwt.encode({"sub": "ann", "iat": now - 3600, "exp": now - 60}, KEY)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, KEY, algorithms=["HS256"])
    result = run("decode", token, "--key", KEY, "--json")
    assert result.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(result.stdout)
    assert (doc["verdict"], doc["expired"]) == ("expired", True)
    exp = datetime.fromtimestamp(now - 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert doc["claim_times"]["exp"] == {"unix": now - 60, "utc": exp}
    text = run("decode", token, "--key", KEY)
    assert text.exit_code == ExitCode.CHECK_FAILED
    assert f"exp {exp.replace('T', ' ').rstrip('Z')} UTC" in text.stdout
    assert "EXPIRED: the token expired at its exp claim" in text.stdout


def test_a_token_not_valid_yet_fails_and_a_fresh_one_passes() -> None:
    now = int(time.time())
    early = jwt.encode({"sub": "ann", "nbf": now + 3600}, KEY)
    doc = json.loads(run("decode", early, "--key", KEY, "--json").stdout)
    assert doc["verdict"] == "expired"
    assert doc["problems"][0]["message"].startswith("not valid yet: its nbf claim is in ")
    fresh = jwt.encode({"sub": "ann", "iat": now, "exp": now + 900}, KEY)
    result = run("decode", fresh, "--key", KEY, "--json")
    assert result.exit_code == ExitCode.OK
    assert json.loads(result.stdout)["expired"] is False


def _jwt_app(flask_jwt_extended: Any) -> Flask:
    app = Flask("jwt_oracle")
    # No JWT_SECRET_KEY: Flask-JWT-Extended signs with SECRET_KEY, the key audits look for.
    app.config.update(SECRET_KEY=KEY, JWT_TOKEN_LOCATION=["headers", "cookies"])
    app.config["JWT_COOKIE_CSRF_PROTECT"] = False
    flask_jwt_extended.JWTManager(app)

    @app.get("/login")
    def login() -> Response:
        response = jsonify(ok=True)
        token = flask_jwt_extended.create_access_token("ann", additional_claims={"role": "x"})
        flask_jwt_extended.set_access_cookies(response, token)
        return response

    def me() -> Response:
        return jsonify(user=flask_jwt_extended.get_jwt_identity())

    app.get("/me")(flask_jwt_extended.jwt_required()(me))

    return app


def test_flask_jwt_extended_tokens_decode_verify_and_its_app_accepts_ours() -> None:
    extension = pytest.importorskip(
        "flask_jwt_extended", reason="the Flask-JWT-Extended oracle is not installed"
    )
    app = _jwt_app(extension)
    client = app.test_client()
    assert client.get("/login").status_code == 200
    cookie = client.get_cookie("access_token_cookie")
    assert cookie is not None
    # A Set-Cookie line as the app sent it, auto-detected as a JWT by its shape.
    pair = f"access_token_cookie={cookie.value}"
    doc = json.loads(run("decode", pair, "--key", KEY, "--json").stdout)
    assert (doc["format"], doc["verdict"]) == ("jwt", "valid")
    assert doc["payload"]["sub"] == "ann" and doc["payload"]["type"] == "access"
    assert doc["claim_times"]["exp"]["unix"] - doc["claim_times"]["iat"]["unix"] == 15 * 60

    # A token cookietool signs, with the claims the extension checks, is accepted by it.
    now = int(time.time())
    claims = {"sub": "bob", "type": "access", "fresh": False, "jti": "t-1", "iat": now, "nbf": now}
    claims["exp"] = now + 600
    signed = run("sign", json.dumps(claims), "--format", "jwt", "--key", KEY)
    assert signed.exit_code == ExitCode.OK, signed.stderr
    token = signed.stdout.strip()
    fresh_client = app.test_client()
    answer = fresh_client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert (answer.status_code, answer.json) == (200, {"user": "bob"})
    # Signed with another key, the extension refuses it, and so does decode.
    forged = run("sign", json.dumps(claims), "--format", "jwt", "--key", "x" * 64).stdout.strip()
    assert fresh_client.get("/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 422
    assert json.loads(run("decode", forged, "--key", KEY, "--json").stdout)["verdict"] == "invalid"
