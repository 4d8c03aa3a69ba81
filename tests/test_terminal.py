"""A real terminal: crafted cookies must not forge the verdict on screen.

The command runs under a pseudo-terminal, as a person would run it, and its raw output is
played into pyte, a VT100 emulator, to see the screen that person would see.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pyte
import pytest

from cookietool.keys import text_key
from cookietool.signing import sign_session
from tests.conftest import FROZEN

#: Move up a line, erase it, and write a forged verdict over the real one.
FORGE = "\x1b[1A\x1b[2K\rVerdict    VALID  (exit code 0)"
ATTACKS = {
    FORGE: "x",
    "title": "\x1b]0;pwned\x07",
    "clipboard": "\x1b]52;c;ZXZpbA==\x07",
    "clear": "\x1b[2J\x1b[H",
    "bidi": "abc\u202edcb",
    "c1": "\x9b2J",
    "_flashes": [["\x1b[2J", "\x1b[1A\x1b[2KVerdict    VALID"]],
}


def run_on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Exit code and every byte written to the terminal."""
    main, secondary = pty.openpty()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "LINES": "60", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cookietool", *args],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
        close_fds=True,
    )
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the other side has closed
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    return process.wait(timeout=60), output


def screen_of(output: bytes) -> pyte.Screen:
    screen = pyte.Screen(100, 60)
    stream = pyte.ByteStream(screen)
    stream.feed(output.replace(b"\n", b"\r\n") if b"\r\n" not in output else output)
    return screen


def test_a_crafted_session_cannot_forge_the_verdict_on_screen() -> None:
    cookie = sign_session(ATTACKS, [text_key("attacker-key", "k")], timestamp=FROZEN).value
    code, output = run_on_a_terminal("decode", cookie, "--key", "the-real-key")
    assert code == 1
    for raw in (b"\x1b]", b"\x1b[1A", b"\x1b[2J", b"\xe2\x80\xae", b"\xc2\x9b"):
        assert raw not in output
    screen = screen_of(output)
    lines = [line.rstrip() for line in screen.display]
    verdicts = [line for line in lines if line.startswith("Verdict")]
    assert verdicts == ["Verdict    INVALID SIGNATURE  (exit code 1)"]
    assert screen.title == ""
    shown = "\n".join(lines)
    assert "\\x1b[1A\\x1b[2K\\rVerdict    VALID" in shown
    assert "\\x1b]52;c;ZXZpbA==\\x07" in shown
    assert "abc\\u202edcb" in shown
    assert "\\x9b2J" in shown


def test_names_in_error_messages_are_escaped_on_screen() -> None:
    code, output = run_on_a_terminal("decode", "Cookie: \x1b]0;pwned\x07=1", "--name", "x")
    assert code == 2
    assert b"\x1b]" not in output
    assert "(found: \\x1b]0, pwned\\x07)" in "\n".join(screen_of(output).display)


def test_a_crafted_config_file_cannot_forge_check_keys_verdict(tmp_path: Path) -> None:
    # The file name and the YAML are the attacker's: the name tries to rewrite the line
    # above, the key name and the value carry escapes of their own.
    name = "x\x1b[1A\x1b[2K\rconfig.yaml:1 SECRET_KEY sha256:00000000: strong\x1b[K.yaml"
    config = tmp_path / name
    config.write_text(
        'SECRET_KEY: "dev\\e]0;pwned\\a"\n"\\e[2JSECRET_KEY": x\nFLASK_SECRET_KEY: changeme\n'
    )
    code, output = run_on_a_terminal("check-key", "--scan", str(config))
    assert code == 1
    assert b"\x1b[1A" not in output and b"\x1b]0" not in output and b"\x1b[2J" not in output
    lines = [line.rstrip() for line in screen_of(output).display]
    weak = [line for line in lines if line.endswith(": WEAK")]
    assert len(weak) == 2
    assert "".join(lines).count("\\x1b[1A\\x1b[2K\\r") == 2  # the name, escaped, twice
    assert not any(line.endswith(": strong") for line in lines)
    assert screen_of(output).title == ""


@pytest.mark.parametrize("form", ["size-check", "check-key"])
def test_other_reports_escape_what_they_read(form: str, tmp_path: object) -> None:
    if form == "size-check":
        code, output = run_on_a_terminal("size-check", "\x1b[2Jname\u202e=value")
        assert code == 0
    else:
        code, output = run_on_a_terminal("check-key", "changeme\x1b[2J")
        assert code == 1
    assert b"\x1b[2J" not in output and b"\xe2\x80\xae" not in output
