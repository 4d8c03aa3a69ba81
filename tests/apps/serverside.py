"""An app whose sessions live on the server, as with Flask-Session: the cookie is an id."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SessionInterface, SessionMixin


class ServerSide(SessionInterface):
    def open_session(self, app: Flask, request: Any) -> SessionMixin | None:
        return None

    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        return None


app = Flask(__name__)
app.secret_key = "server-side"
app.session_interface = ServerSide()
