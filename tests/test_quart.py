"""Quart signs its session exactly as Flask does: real Quart cookies decode, and signed ones
are accepted by a real Quart app (quart/sessions.py: salt cookie-session, hmac, SHA-1)."""

from __future__ import annotations

import asyncio
import json

import pytest

from cookietool.cli import ExitCode
from tests.test_cli import run

pytest.importorskip("quart", reason="Quart is not installed")

from quart import Quart, session


def make_app() -> Quart:
    app = Quart(__name__)
    app.secret_key = "quart-secret"
    app.config["SECRET_KEY_FALLBACKS"] = ["quart-old"]

    @app.route("/put")
    async def put() -> str:
        session["user"] = "ann"
        session["pair"] = (1, 2)
        return "ok"

    @app.route("/read")
    async def read() -> str:
        return json.dumps({"user": session.get("user")})

    return app


def quart_cookie(app: Quart) -> str:
    async def go() -> str:
        client = app.test_client()
        await client.get("/put")
        assert client.cookie_jar is not None
        return next(str(c.value) for c in client.cookie_jar if c.name == "session")

    return asyncio.run(go())


def test_quart_cookies_decode_as_quart_reads_them() -> None:
    value = quart_cookie(make_app())
    for fmt in ("quart", "auto"):
        result = run("decode", value, "--key", "quart-secret", "--format", fmt, "--json")
        assert result.exit_code == ExitCode.OK, result.stderr
        doc = json.loads(result.stdout)
        assert doc["payload"] == {"user": "ann", "pair": {" t": [1, 2]}}
        assert doc["format"] == ("quart" if fmt == "quart" else "flask")


def test_a_cookietool_cookie_is_accepted_by_quart() -> None:
    signed = run("sign", '{"user": "bob"}', "--key", "quart-old", "--key", "quart-secret",
                 "--format", "quart")  # fmt: skip
    assert signed.exit_code == ExitCode.OK, signed.stderr
    app = make_app()

    async def go() -> str:
        client = app.test_client()
        client.set_cookie("localhost", "session", signed.stdout.strip())
        response = await client.get("/read")
        return str(await response.get_data(as_text=True))

    assert json.loads(asyncio.run(go())) == {"user": "bob"}
