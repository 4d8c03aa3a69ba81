"""A real browser: what headless Chromium keeps agrees with size-check's verdicts.

Runs when Debian's ``chromium`` is installed (``.ci/run`` installs it); skips otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from cookietool.cookieinput import cookie_pairs, parse_set_cookie
from cookietool.sizes import CookieSpec, check_cookie, load_limits
from tests.cookie_server import BOUNDARY_CASES, make_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)
# Flags of a sandboxed root CI machine with no network beyond loopback.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=5000",
    "--dump-dom",
]


@pytest.fixture(scope="module")
def kept_by_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[str, str]]]:
    app: Flask = make_app()
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    try:
        assert CHROMIUM is not None
        done = subprocess.run(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"http://127.0.0.1:{server.server_port}/set",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        seen = app.config["SEEN"]
        assert len(seen) == 1, "Chromium did not request /echo after storing the cookies"
        yield cookie_pairs(seen[0])
    finally:
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize(("case", "line"), BOUNDARY_CASES)
def test_chromium_keeps_what_size_check_says_it_keeps(
    kept_by_chromium: list[tuple[str, str]], case: str, line: str
) -> None:
    cookie = parse_set_cookie(line)
    verdict = check_cookie(
        CookieSpec(case, cookie.name, cookie.value, set_cookie=cookie),
        [lim for lim in load_limits() if lim.kind == "browser" and lim.who == "Chromium"],
        warn_at=100,
    )
    dropped = any(f.level == "error" for f in verdict.findings)
    attribute_ignored = any(f.measure == "attribute_value" for f in verdict.findings)
    kept = (cookie.name, cookie.value) in kept_by_chromium
    if attribute_ignored or case == "attribute-1024":
        # The attribute is a negative Max-Age: honoured, it expires the cookie at once;
        # ignored, the cookie stays as a session cookie.
        assert kept == attribute_ignored
    else:
        assert kept == (not dropped)
