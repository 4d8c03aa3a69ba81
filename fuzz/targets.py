"""What the fuzzers feed: every reader of untrusted input, one function each.

Each target takes raw bytes and may only raise cookietool's own errors. ``run.py`` drives
them with atheris (coverage-guided); ``tests/test_fuzz_regressions.py`` replays the seed
corpus and every crash ever found, so a fixed crash stays fixed.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Callable

from cookietool import cookiefiles, cookieinput, dotenv_edit, har, keycheck, tagged, wordlists
from cookietool.errors import CookietoolError
from cookietool.keys import text_key
from cookietool.session import inspect_cookie
from cookietool.signing import parse_payload

KEYS = [text_key("k", "fuzz")]


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def cookie(data: bytes) -> None:
    """Pasted cookie text: detect the form, extract, verify, read."""
    text = _text(data)
    found = cookieinput.extract(text)
    inspect_cookie(found.value)
    inspect_cookie(found.value, KEYS, max_age=60)


def set_cookie(data: bytes) -> None:
    """Set-Cookie lines and Cookie headers."""
    text = _text(data)
    cookieinput.parse_set_cookie(text)
    cookieinput.cookie_pairs(text)


def payload(data: bytes) -> None:
    """A session payload to sign, and Flask's tags in loaded JSON."""
    text = _text(data)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        value = None
    if value is not None:
        tagged.untag(value)
    parse_payload(text)


def cookie_file(data: bytes) -> None:
    """curl header dumps and Netscape cookie jars."""
    text = _text(data)
    kind = cookiefiles.sniff(text)
    if kind == "header-dump":
        cookiefiles.read_header_dump(text)
    elif kind == "cookie-jar":
        cookiefiles.read_cookie_jar(text)


def har_file(data: bytes) -> None:
    """Browser HAR exports."""
    har.read_har(_text(data))


def wordlist(data: bytes) -> None:
    """Wordlists, plain and in Flask-Unsign's quoted form."""
    for kind in ("plain", "quoted"):
        for block in wordlists.read_blocks(io.BytesIO(data), "fuzz", kind):
            wordlists.lines_of(block)


def dotenv(data: bytes) -> None:
    """.env files as genkey --dotenv reads them."""
    dotenv_edit.parse_env(data)


def scanned(data: bytes) -> None:
    """Config files check-key --scan reads, under each name it knows."""
    with tempfile.TemporaryDirectory() as folder:
        for name in ("settings.py", ".env", "config.toml", "config.yaml", "setup.cfg"):
            path = os.path.join(folder, name)
            with open(path, "wb") as handle:
                handle.write(data)
            from pathlib import Path

            keycheck.scan_file(Path(path))


TARGETS: dict[str, Callable[[bytes], None]] = {
    "cookie": cookie,
    "set_cookie": set_cookie,
    "payload": payload,
    "cookie_file": cookie_file,
    "har": har_file,
    "wordlist": wordlist,
    "dotenv": dotenv,
    "scanned": scanned,
}
NAMES = tuple(TARGETS)


def run_one(data: bytes) -> None:
    """The first byte picks the target, the rest is its input; our errors are fine."""
    if not data:
        return
    target = TARGETS[NAMES[data[0] % len(NAMES)]]
    with contextlib.suppress(CookietoolError):
        target(data[1:])
