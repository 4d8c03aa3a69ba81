"""A Flask app that sets cookies at and just over the size limits.

The real-browser test loads it in Chromium, and ``tests/fixtures/make_har.py`` records
its real responses as the HAR fixture.
"""

from __future__ import annotations

from flask import Flask, Response, request, session


def _sized(name: str, total: int, fill: str = "v") -> str:
    """``name=value`` whose name + value take exactly ``total`` UTF-8 bytes."""
    room = total - len(name.encode("utf-8"))
    width = len(fill.encode("utf-8"))
    value = fill * (room // width) + "v" * (room % width)
    return f"{name}={value}"


def _negative_max_age(size: int) -> str:
    """A Max-Age value of exactly ``size`` bytes that expires the cookie at once."""
    return "-" + "0" * (size - 2) + "1"


#: (case name, Set-Cookie line). Names are unique so the Cookie header shows which stayed.
BOUNDARY_CASES = [
    ("ascii-4096", _sized("a4096", 4096)),
    ("ascii-4097", _sized("a4097", 4097)),
    ("utf8-4096", _sized("u4096", 4096, "é")),
    ("utf8-4097", _sized("u4097", 4097, "é")),
    ("nameless-4096", "n" * 4096),
    ("nameless-4097", "m" * 4097),
    ("attribute-1024", f"x1024=1; Max-Age={_negative_max_age(1024)}"),
    ("attribute-1025", f"x1025=1; Max-Age={_negative_max_age(1025)}"),
]


def make_app() -> Flask:
    """The test server; ``app.config["SEEN"]`` collects the raw Cookie headers of /echo."""
    app = Flask(__name__)
    app.secret_key = "cookie-server-test-key"
    app.config["SEEN"] = []

    @app.route("/set")
    def set_cookies() -> Response:
        # The page fetches /echo once the cookies are stored, to show what the browser kept.
        response = Response('<html><body><img src="/echo"></body></html>', mimetype="text/html")
        for _, line in BOUNDARY_CASES:
            # WSGI headers are latin-1 text: this puts the UTF-8 bytes on the wire unchanged.
            response.headers.add("Set-Cookie", line.encode("utf-8").decode("latin-1"))
        return response

    @app.route("/login")
    def login() -> str:
        session["_user_id"] = "42"
        session["_fresh"] = True
        session["cart"] = (3, 7)
        return "logged in"

    @app.route("/many")
    def many() -> Response:
        response = Response("many")
        for number in range(60):
            response.set_cookie(f"pref{number:02d}", "on", max_age=50_000_000)
        return response

    @app.route("/echo")
    def echo() -> str:
        raw = request.environ.get("HTTP_COOKIE", "")
        app.config["SEEN"].append(raw.encode("latin-1").decode("utf-8", "replace"))
        return ""

    return app
