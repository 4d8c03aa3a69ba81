"""Key generation, key sources and .env files."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values

from cookietool import keys
from cookietool.errors import InputError, KeyInputError


@pytest.mark.parametrize(
    ("fmt", "decode"),
    [
        ("hex", bytes.fromhex),
        ("urlsafe", lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))),
        ("base64", base64.b64decode),
    ],
)
def test_generate_formats_hold_the_requested_bytes(fmt: str, decode: object) -> None:
    made = {keys.generate(24, fmt) for _ in range(20)}
    assert len(made) == 20
    assert all(len(decode(k)) == 24 for k in made)  # type: ignore[operator]


def test_env_format_and_minimum() -> None:
    line = keys.generate(16, "env", "MY_KEY")
    name, value = line.split("=")
    assert (name, len(value)) == ("MY_KEY", 32)
    with pytest.raises(InputError, match="at least 16 random bytes"):
        keys.generate(15)
    with pytest.raises(InputError, match="unknown key format"):
        keys.generate(32, "pem")


def test_hex_key_errors_do_not_show_the_key() -> None:
    assert keys.hex_key(" 00ff ", "--key-hex #1").value == b"\x00\xff"
    with pytest.raises(KeyInputError) as caught:
        keys.hex_key("zz-top-secret", "--key-hex #1")
    assert "top-secret" not in str(caught.value)
    assert str(caught.value) == "--key-hex #1 is not valid hex"


def test_repr_never_shows_the_key() -> None:
    assert "hunter2" not in repr(keys.text_key("hunter2", "--key #1"))


def test_file_and_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    found = keys.file_keys("k.txt", b"old\n\nnew\r\n")
    assert [(k.value, k.label) for k in found] == [
        (b"old", "--key-file k.txt line 1"),
        (b"new", "--key-file k.txt line 3"),
    ]
    with pytest.raises(KeyInputError, match="holds no key"):
        keys.file_keys("empty", b"\n")
    monkeypatch.setenv("APP_KEY", "from-env")
    assert keys.env_key("APP_KEY").value == b"from-env"
    monkeypatch.delenv("APP_KEY")
    with pytest.raises(KeyInputError, match="APP_KEY is not set"):
        keys.env_key("APP_KEY")


def test_write_dotenv_creates_private_file_and_never_loses_a_key(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    assert keys.write_dotenv(path, "FLASK_SECRET_KEY", "aaaa") is False
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    path.write_text(path.read_text() + "OTHER=1\n")
    with pytest.raises(InputError, match="already sets FLASK_SECRET_KEY; add --force"):
        keys.write_dotenv(path, "FLASK_SECRET_KEY", "bbbb")
    assert dotenv_values(path) == {"FLASK_SECRET_KEY": "aaaa", "OTHER": "1"}
    assert keys.write_dotenv(path, "FLASK_SECRET_KEY", "bbbb", force=True) is True
    assert dotenv_values(path) == {"FLASK_SECRET_KEY": "bbbb", "OTHER": "1"}
    with pytest.raises(InputError, match="is not a file"):
        keys.write_dotenv(tmp_path, "X", "1")
