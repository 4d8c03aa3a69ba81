"""--format on the command line: auto-detection on a mixed set, each framework its oracle."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cookietool import djangocookie, starlettecookie
from cookietool.cli import ExitCode
from cookietool.keys import text_key
from tests.conftest import FROZEN
from tests.test_cli import run

KEYS = [text_key("shared-secret", "k")]
DATA = {"user": "ann", "items": ["x" * 30] * 8}


def _decode(value: str, *args: str) -> dict[str, Any]:
    result = run("decode", value, *args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.mark.parametrize(
    ("value", "fmt"),
    [
        (starlettecookie.sign({"user": "ann"}, KEYS, FROZEN), "starlette"),
        (djangocookie.sign(DATA, KEYS, FROZEN), "django"),
        (djangocookie.sign({"a": 1}, KEYS, FROZEN, compress=False), "django"),
    ],
)
def test_auto_detection_with_the_key_picks_the_framework(value: str, fmt: str) -> None:
    doc = _decode(value, "--key", "shared-secret")
    assert (doc["format"], doc["verdict"]) == (fmt, "valid")
    assert doc["format_reason"]


def test_a_compressed_django_cookie_is_not_taken_for_flask() -> None:
    value = djangocookie.sign(DATA, KEYS, FROZEN)
    assert value.startswith(".eJ")
    doc = _decode(value)
    assert doc["format"] == "django" and doc["payload"] == DATA


def test_an_ambiguous_starlette_cookie_is_told_apart_by_its_signature() -> None:
    # A payload whose standard base64 happens to hold no '+', '/' or '=': Flask-shaped.
    for n in range(200):
        value = starlettecookie.sign({"n": n}, KEYS, FROZEN)
        if not any(c in value.split(".")[0] for c in "+/="):
            break
    else:
        pytest.skip("no ambiguous value among 200")
    unkeyed = _decode(value)
    assert unkeyed["format"] == "flask" and "could also be starlette" in unkeyed["format_reason"]
    keyed = _decode(value, "--key", "shared-secret")
    assert keyed["format"] == "starlette" and "verifies as starlette" in keyed["format_reason"]


def test_the_wrong_framework_is_a_clear_invalid_signature() -> None:
    value = djangocookie.sign({"a": 1}, KEYS, FROZEN)
    doc = _decode(value, "--key", "shared-secret", "--format", "django", "--digest", "sha1")
    assert doc["verdict"] == "invalid" and doc["format"] == "django"


@pytest.mark.parametrize("fmt", ["starlette", "django"])
def test_sign_in_another_format_round_trips(fmt: str) -> None:
    signed = run("sign", '{"user": "ann"}', "--key", "shared-secret", "--format", fmt,
                 "--timestamp", str(FROZEN))  # fmt: skip
    assert signed.exit_code == ExitCode.OK, signed.stderr
    module = starlettecookie if fmt == "starlette" else djangocookie
    assert signed.stdout.strip() == module.sign({"user": "ann"}, KEYS, FROZEN)
    assert _decode(signed.stdout.strip(), "--key", "shared-secret")["format"] == fmt


def test_a_bare_starlette_value_with_padding_is_a_value_not_a_pair() -> None:
    value = run("sign", '{"a": 1}', "--format", "starlette", "--key", "k").stdout.strip()
    assert "=." in value  # '{"a": 1}' in standard base64 ends in padding
    for text in (value, f"session={value}", f"Cookie: theme=dark; session={value}"):
        doc = json.loads(run("decode", text, "--key", "k", "--json").stdout)
        assert (doc["format"], doc["verdict"]) == ("starlette", "valid"), text


def test_size_check_takes_a_cookie_format_and_a_report_form() -> None:
    value = run("sign", '{"a": 1}', "--format", "django", "--key", "k").stdout.strip()
    result = run("size-check", f"sessionid={value}", "--format", "django", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cookies"][0]["session"]["format"] == "django"
    same = run("size-check", f"sessionid={value}", "--output", "json")
    assert json.loads(same.stdout)["cookies"][0]["session"]["format"] == "django"
    both = run("size-check", f"sessionid={value}", "--format", "json", "--output", "github")
    assert both.exit_code == 2 and "two report forms given: json and github" in both.stderr
    clash = run("size-check", value, "--format", "flask", "--format", "jwt")
    assert clash.exit_code == 2 and "two cookie formats given" in clash.stderr
