"""`flask cookie ...`: cookietool inside a Flask project, run through Flask's own CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cookietool.cli.flask_commands import cookie
from tests.apps import shop
from tests.test_flaskapp import shop_cookie


@pytest.fixture(scope="module", autouse=True)
def registered() -> None:
    if "cookie" not in shop.app.cli.commands:
        shop.app.cli.add_command(cookie)


def test_flask_cookie_decode_uses_the_current_app() -> None:
    value = shop_cookie()
    result = shop.app.test_cli_runner().invoke(args=["cookie", "decode", value, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "valid" and doc["payload"]["user_id"] == 42
    assert doc["max_age"] == 604800
    tampered = "eyJ1c2VyX2lkIjoxfQ." + value.split(".", 1)[1]
    bad = shop.app.test_cli_runner().invoke(args=["cookie", "decode", tampered])
    assert bad.exit_code == 1 and "INVALID SIGNATURE" in bad.stdout


def test_flask_cookie_sign_is_accepted_by_the_app() -> None:
    result = shop.app.test_cli_runner().invoke(args=["cookie", "sign", '{"cart": ["a", "b"]}'])
    assert result.exit_code == 0, result.output
    client = shop.app.test_client()
    client.set_cookie("shop_session", result.stdout.strip())
    assert client.get("/cart").get_json() == {"items": 2}


def test_bad_input_under_flask_is_exit_2() -> None:
    result = shop.app.test_cli_runner().invoke(args=["cookie", "decode", "not-a-cookie"])
    assert result.exit_code == 2
    assert "not a session cookie" in result.output


@pytest.mark.skipif(
    shutil.which("flask") is None and not Path(sys.executable).with_name("flask").exists(),
    reason="the flask command is not installed",
)
def test_the_real_flask_command_finds_cookie_through_its_entry_point() -> None:
    flask = str(Path(sys.executable).with_name("flask"))
    env = {**os.environ, "FLASK_APP": "tests/apps/shop.py"}
    listed = subprocess.run([flask, "--help"], capture_output=True, text=True, env=env, timeout=60)
    if "cookie" not in listed.stdout:
        pytest.skip("cookietool's flask.commands entry point is not installed (pip install -e .)")
    value = shop_cookie()
    result = subprocess.run(
        [flask, "cookie", "decode", value, "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["signature"]["status"] == "valid"
