"""The exit-code contract of every command, with real signals and real pipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from cookietool.keys import text_key
from cookietool.signing import sign_session
from tests.conftest import FROZEN
from tests.test_cli import assert_one_line_error, run

COOKIETOOL = [sys.executable, "-m", "cookietool"]


def test_the_codes_are_distinct_and_documented() -> None:
    codes = {code.name: int(code) for code in ExitCode}
    assert codes == {
        "OK": 0,
        "CHECK_FAILED": 1,
        "USAGE": 2,
        "INTERNAL": 70,
        "OUTPUT_FAILED": 74,
        "INTERRUPTED": 130,
        "BROKEN_PIPE": 141,
    }
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    for code in codes.values():
        assert f"| {code} |" in readme


def test_click_usage_errors_have_the_same_one_line_shape() -> None:
    for args in (["decode"], ["decode", "x", "--digest", "md5"], ["nonsense"], ["sign", "--x"]):
        result = run(*args)
        assert_one_line_error(result, ExitCode.USAGE)
        assert "--help'" in result.stderr


def test_an_internal_error_is_code_70_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom with a secret inside")

    monkeypatch.setattr("cookietool.session.inspect_cookie", broken)
    result = run("decode", "a.b.c")
    assert_one_line_error(result, ExitCode.INTERNAL, "internal error (RuntimeError)")
    assert "secret" not in result.stderr
    debug = run("decode", "a.b.c", env={"COOKIETOOL_DEBUG": "1"})
    assert debug.exit_code == ExitCode.INTERNAL
    assert "Traceback" in debug.stderr and "boom with a secret inside" in debug.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["genkey", "--count", "1000"],
        ["decode", "e30.AAAA." + "A" * 27, "--json"],
        ["size-check", "--list-limits"],
    ],
)
def test_a_closed_pipe_is_code_141_and_silent(args: list[str]) -> None:
    process = subprocess.Popen([*COOKIETOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the first line is written
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.BROKEN_PIPE
    assert stderr == b""


def test_ctrl_c_during_an_audit_is_code_130_without_worker_tracebacks() -> None:
    cookie = sign_session({"a": 1}, [text_key("not-in-any-list-" * 4, "k")], timestamp=FROZEN)
    feeder = subprocess.Popen(["yes", "candidate-key"], stdout=subprocess.PIPE)
    audit = subprocess.Popen(
        [*COOKIETOOL, "audit", cookie.value, "--no-builtin", "--wordlist", "-", "--jobs", "2"],
        stdin=feeder.stdout,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell's foreground job has
    )
    assert feeder.stdout is not None
    feeder.stdout.close()  # the audit holds it now
    try:
        time.sleep(3)  # the workers are busy by now
        assert audit.poll() is None
        os.killpg(audit.pid, signal.SIGINT)  # what Ctrl-C does: every process of the job
        _, stderr = audit.communicate(timeout=60)
    finally:
        feeder.kill()
        feeder.wait()
    assert audit.returncode == ExitCode.INTERRUPTED
    assert b"Traceback" not in stderr
    assert stderr.decode().strip().splitlines()[-1] == "Error: interrupted"


def test_keys_are_taken_in_command_line_order(tmp_path: Path) -> None:
    key_file = tmp_path / "keys"
    key_file.write_bytes(b"from-file-1\nfrom-file-2\n")
    env = {"NEW_KEY": "from-env"}
    orders = [
        (["--key", "old", "--key-env", "NEW_KEY"], "from-env", ["old", "from-env"]),
        (["--key-env", "NEW_KEY", "--key", "old"], "old", ["from-env", "old"]),
        (
            ["--key-hex", b"hexkey".hex(), "--key-file", str(key_file), "--key", "last"],
            "last",
            ["hexkey", "from-file-1", "from-file-2", "last"],
        ),
        (
            ["--key", "a", "--key-file", str(key_file), "--key", "b", "--key-hex", b"z".hex()],
            "z",
            ["a", "from-file-1", "from-file-2", "b", "z"],
        ),
    ]
    for options, signer, ring in orders:
        signed = run("sign", '{"a": 1}', *options, "--timestamp", str(FROZEN), env=env)
        assert signed.exit_code == ExitCode.OK, signed.stderr
        expected = sign_session({"a": 1}, [text_key(signer, "k")], timestamp=FROZEN).value
        assert signed.stdout.strip() == expected, options
        doc = json.loads(run("decode", expected, *options, "--json", env=env).stdout)
        assert doc["signature"]["key_index"] == ring.index(signer) == len(ring) - 1
        assert doc["signature"]["keys_tried"] == len(ring)
    fallback = sign_session({"a": 1}, [text_key("old", "k")], timestamp=FROZEN).value
    doc = json.loads(
        run("decode", fallback, "--key", "old", "--key-env", "NEW_KEY", "--json", env=env).stdout
    )
    assert (doc["signature"]["key_index"], doc["signature"]["key_label"]) == (0, "--key #1")
    human = run("decode", fallback, "--key", "old", "--key-env", "NEW_KEY", env=env)
    assert "key 1 of 2 (--key #1), a fallback key" in human.stdout
