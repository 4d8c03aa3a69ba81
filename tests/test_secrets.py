"""No command shows a key it was given: not as text, hex or base64, not even in errors.

Only ``genkey`` (whose job it is) and audit's finding (the weak key it found) may print a
key; every other output of every command is searched here for the key in every spelling.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from cookietool.keys import text_key
from cookietool.signing import sign_session
from tests.conftest import FROZEN
from tests.test_cli import run

KEY = "Tr0ub4dor&3-correct-horse-battery-staple"


def spellings(key: bytes) -> list[str]:
    """The key as text, hex and base64, and the signing key Flask derives from it."""
    derived = hmac.digest(key, b"cookie-session", hashlib.sha1)
    found = []
    for raw in (key, derived):
        found += [raw.hex(), raw.hex().upper()]
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(raw).decode()
            found += [text, text.rstrip("=")]
    return [*found, key.decode()]


def assert_no_key(output: str) -> None:
    for spelling in spellings(KEY.encode()):
        assert spelling not in output, spelling


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    key_file = tmp_path / "keys.txt"
    key_file.write_text(f"{KEY}\n")
    settings = tmp_path / "settings.py"
    settings.write_text(f"SECRET_KEY = {KEY!r}\n")
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"FLASK_SECRET_KEY={KEY}\n")
    config = tmp_path / "config.yaml"
    config.write_text(f"SECRET_KEY: {KEY}\n  bad: [indent\n")
    return {
        "file": str(key_file),
        "py": str(settings),
        "env": str(dotenv),
        "yaml": str(config),
    }


def test_no_command_shows_a_key_it_was_given(places: dict[str, str]) -> None:
    cookie = sign_session({"user": 1}, [text_key(KEY, "k")], timestamp=FROZEN).value
    tampered = "eyJ1c2VyIjoyfQ." + cookie.split(".", 1)[1]
    env = {"APP_KEY": KEY}
    sources = [
        ["--key", KEY],
        ["--key-env", "APP_KEY"],
        ["--key-file", places["file"]],
        ["--key-hex", KEY.encode().hex()],
    ]
    runs = []
    for source in sources:
        for value in (cookie, tampered, cookie[:-4], "not-a-cookie"):
            runs += [["decode", value, *source], ["decode", value, *source, "--json"]]
        runs += [
            ["sign", '{"a": 1}', *source, "--json", "--set-cookie"],
            ["sign", "[1]", *source],
            ["size-check", "--payload", '{"a": 1}', *source, "--format", "json"],
            ["size-check", "--payload", '{"a": 1}', *source],
        ]
    runs += [
        ["decode", cookie, "--key-env", KEY],  # a value where a name belongs
        ["decode", cookie, "--key-hex", KEY],  # not hex
        ["decode", cookie, "--key-file", KEY],  # no such file
        ["check-key", KEY],
        ["check-key", KEY, "--json"],
        ["check-key", "--env", "APP_KEY"],
        ["check-key", "--key-file", places["file"]],
        ["check-key", "--scan", places["py"], places["env"], places["yaml"]],
        ["check-key", "--scan", places["py"], places["env"], places["yaml"], "--json"],
        ["audit", cookie, "--no-builtin", "--wordlist", places["py"]],  # not found
        ["audit", cookie, "--hashcat"],
    ]
    for args in runs:
        result = run(*args, env=env)
        assert result.exit_code in (0, 1, 2), (args, result.stderr)
        assert_no_key(result.stdout + result.stderr)


def test_the_search_itself_finds_keys(places: dict[str, str]) -> None:
    # The two places allowed to show a key do show it, so the search above can fail.
    cookie = sign_session({"user": 1}, [text_key(KEY, "k")], timestamp=FROZEN).value
    found = run("audit", cookie, "--no-builtin", "--wordlist", places["file"])
    assert found.exit_code == 1
    with pytest.raises(AssertionError):
        assert_no_key(found.stdout)
