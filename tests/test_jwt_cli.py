"""JWTs on the command line: PyJWT is the oracle; alg none and asymmetric algs never verify."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

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
