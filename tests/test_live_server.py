"""End to end: a live Flask server on 127.0.0.1, a plain HTTP client and the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask, session
from werkzeug.serving import make_server

SECRET = "live-server-secret-4b1d"
OLD = "retired-key"


def _app() -> Flask:
    app = Flask(__name__)
    app.secret_key = SECRET
    app.config["SECRET_KEY_FALLBACKS"] = [OLD]

    @app.route("/login")
    def login() -> str:
        session["user_id"] = 7
        session["roles"] = ("admin", "ops")
        session["token"] = uuid.UUID(int=7)
        session.permanent = True
        return "ok"

    @app.route("/whoami")
    def whoami() -> dict[str, object]:
        return {"user": session.get("user_id"), "roles": list(session.get("roles", ()))}

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, _app())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(5)


def cookietool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cookietool", *args], capture_output=True, text=True, check=False
    )


def test_decode_a_cookie_fetched_from_a_live_server(server: str) -> None:
    with urllib.request.urlopen(f"{server}/login", timeout=10) as response:
        set_cookie = response.headers["Set-Cookie"]
    done = cookietool(
        "decode",
        f"Set-Cookie: {set_cookie}",
        "--key",
        OLD,
        "--key",
        SECRET,
        "--max-age",
        "2678400",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["payload"] == {
        "_permanent": True,
        "roles": {" t": ["admin", "ops"]},
        "token": {" u": "00000000000000000000000000000007"},
        "user_id": 7,
    }
    assert (doc["signature"]["status"], doc["signature"]["key_index"]) == ("valid", 1)
    assert doc["expired"] is False
    wrong = cookietool("decode", f"Set-Cookie: {set_cookie}", "--key", "guess")
    assert wrong.returncode == 1


@pytest.mark.parametrize("key", [SECRET, OLD])
def test_a_signed_cookie_is_accepted_by_the_live_server(server: str, key: str) -> None:
    signed = cookietool("sign", '{"user_id": 99, "roles": {" t": ["auditor"]}}', "--key", key)
    assert signed.returncode == 0, signed.stderr
    request = urllib.request.Request(
        f"{server}/whoami", headers={"Cookie": f"session={signed.stdout.strip()}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"user": 99, "roles": ["auditor"]}


def test_a_forged_cookie_is_rejected_by_the_live_server(server: str) -> None:
    signed = cookietool("sign", '{"user_id": 99}', "--key", "not-the-secret")
    request = urllib.request.Request(
        f"{server}/whoami", headers={"Cookie": f"session={signed.stdout.strip()}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"user": None, "roles": []}
