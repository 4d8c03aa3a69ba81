"""Defaults the command line shows in --help and the core applies, written once.

They live in this small module so that --help need not import the modules that use them.
"""

from __future__ import annotations

#: genkey: random bytes of a new key, and the variable Flask's from_prefixed_env() reads.
KEY_BYTES = 32
ENV_VAR = "FLASK_SECRET_KEY"
#: size-check: warn when a size reaches this share of a limit, in percent.
WARN_AT = 90
#: size-check: bytes of a request head besides its Cookie line (request line, Host,
#: User-Agent, Accept and friends): an estimate of what a desktop browser's navigation
#: sends, which --head-bytes replaces with a measured figure.
HEAD_BYTES = 600
#: size-check: bytes of a response head besides its Set-Cookie lines (status line, Server,
#: Date, Content-Type, Content-Length, Vary and the blank line). A Flask app behind
#: gunicorn sends 154 (measured); apps add security headers, so the estimate is larger.
#: --response-head-bytes replaces it; --url measures the real one.
RESPONSE_HEAD_BYTES = 400
