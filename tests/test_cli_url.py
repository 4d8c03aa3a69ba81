"""--url on decode, size-check and audit, against the shop app on a live loopback server."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from tests.apps import shop
from tests.test_cli import assert_one_line_error, run
from tests.test_fetch import serve
from tests.test_flaskapp import SHOP


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    for _, where in serve(shop.app):
        yield f"http://{where}"


def test_decode_a_login_post_that_redirects(base: str) -> None:
    result = run("decode", "--url", f"{base}/login", "--data", "user=42", "--app", SHOP, "--json")
    assert result.exit_code == ExitCode.OK, result.stderr
    doc = json.loads(result.stdout)
    assert (doc["verdict"], doc["name"], doc["payload"]["user_id"]) == ("valid", "shop_session", 42)


def test_size_check_and_audit_take_the_url_too(base: str, tmp_path: Path) -> None:
    sized = run("size-check", "--url", f"{base}/login", "--data", "user=7", "--json")
    assert sized.exit_code == ExitCode.OK, sized.stderr
    labels = [c["label"] for c in json.loads(sized.stdout)["cookies"]]
    assert labels[0] == "--url response 1 (302)"
    words = tmp_path / "words"
    words.write_text("not-it\nshop-current-key-0123456789abcdef\n")
    found = run(
        "audit", "--url", f"{base}/login", "--data", "user=7", "--name", "shop_session",
        "--no-builtin", "--wordlist", str(words), "--jobs", "1", "--json",
    )  # fmt: skip
    assert found.exit_code == ExitCode.CHECK_FAILED, found.stderr
    assert json.loads(found.stdout)["found"] is True


def test_a_missing_cookie_and_a_closed_port_are_one_line(base: str) -> None:
    missing = run("decode", "--url", f"{base}/cart", "--name", "nope")
    assert_one_line_error(missing, ExitCode.USAGE, "set no cookie named 'nope'")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = run("decode", "--url", f"http://127.0.0.1:{port}/")
    assert_one_line_error(closed, ExitCode.USAGE, f"cannot connect to 127.0.0.1:{port}")
    both = run("decode", "a.b.c", "--url", f"{base}/")
    assert_one_line_error(both, ExitCode.USAGE, "one of them")
