"""size-check driving the app itself: a login and a cart, and a baseline that catches growth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cookietool import appdrive
from cookietool.cli import ExitCode
from cookietool.errors import InputError
from tests.apps import shop
from tests.test_cli import assert_one_line_error, run
from tests.test_flaskapp import SHOP

LOGIN = ["--request", "POST /login user=42", "--request", 'POST /cart ["apple", "pear"]']


def _check(*args: str) -> tuple[int, dict[str, object]]:
    result = run("size-check", "--app", SHOP, *args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_a_login_and_a_cart_are_driven_and_their_cookies_checked() -> None:
    code, doc = _check(*LOGIN)
    assert code == ExitCode.OK
    cookies = doc["cookies"]
    assert isinstance(cookies, list)
    assert [(c["name"], c["label"]) for c in cookies] == [
        ("shop_session", "request 1 (POST /login, 302)"),
        ("shop_session", "request 2 (POST /cart, 200)"),
    ]
    # The second cookie is the session after both requests: what the app itself sends.
    client = shop.app.test_client()
    client.post("/login", data={"user": "42"})
    last = client.post("/cart", json=["apple", "pear"])
    assert cookies[1]["set_cookie_bytes"] == len(last.headers["Set-Cookie"].encode())


def test_a_baseline_fails_when_the_session_grows(tmp_path: Path) -> None:
    baseline = tmp_path / "cookies.baseline.json"
    code, _ = _check(*LOGIN, "--save-baseline", str(baseline))
    assert code == ExitCode.OK
    recorded = json.loads(baseline.read_text())
    assert recorded["command"] == "size-check-baseline"
    # The same requests again: no growth, a pass.
    assert _check(*LOGIN, "--baseline", str(baseline))[0] == ExitCode.OK
    # A bigger cart: the session grows, and the baseline says so.
    bigger = [*LOGIN, "--request", 'POST /cart ["a much longer product name", "and another"]']
    code, doc = _check(*bigger, "--baseline", str(baseline))
    assert code == ExitCode.CHECK_FAILED
    findings = doc["baseline"]
    assert isinstance(findings, list) and findings[0]["measure"] == "baseline_growth"
    assert "grew from" in findings[0]["message"]
    # Allowed growth in percent: the same growth passes under a generous allowance.
    assert _check(*bigger, "--baseline", str(baseline), "--max-growth", "90%")[0] == ExitCode.OK


def test_requests_need_an_app_and_a_shape() -> None:
    assert_one_line_error(
        run("size-check", "--request", "GET /"), ExitCode.USAGE, "--request needs the app"
    )
    for bad in ("FETCH /", "GET nothing", "GET"):
        with pytest.raises(InputError):
            appdrive.parse_request(bad)


def test_a_failing_request_or_a_vanished_cookie_is_never_a_silent_pass(tmp_path: Path) -> None:
    refused = run("size-check", "--app", SHOP, "--request", "GET /nope")
    assert_one_line_error(refused, ExitCode.USAGE, "answered 404")
    baseline = tmp_path / "b.json"
    assert _check(*LOGIN, "--save-baseline", str(baseline))[0] == ExitCode.OK
    code, doc = _check(
        "--request", "GET /cart", "--baseline", str(baseline), "--fail-on", "warning"
    )
    assert code == ExitCode.CHECK_FAILED
    findings = doc["baseline"]
    assert isinstance(findings, list)
    assert findings[0]["measure"] == "baseline_missing"
