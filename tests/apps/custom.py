"""An app factory whose session interface signs with its own salt and SHA-256."""

from __future__ import annotations

import hashlib

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface


class Sha256Interface(SecureCookieSessionInterface):
    salt = "custom-salt"
    digest_method = staticmethod(hashlib.sha256)


def create_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = b"\x00binary-key-of-a-factory\xff"
    app.session_interface = Sha256Interface()

    @app.get("/")
    def index() -> str:
        session["role"] = "admin"
        return "ok"

    return app
