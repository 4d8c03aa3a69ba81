"""The audit command: sources, stdin streaming, exit codes, JSON, and --hashcat."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from cookietool.cli import ExitCode
from tests.test_audit import HASHCAT_COOKIE, cookie_for
from tests.test_cli import assert_one_line_error, run


def test_found_in_builtin_list_exits_1() -> None:
    result = run("audit", cookie_for("you-will-never-guess"), "--jobs", "1")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert result.stdout.startswith("WEAK KEY FOUND: 'you-will-never-guess', hex ")
    assert "The Flask Mega-Tutorial" in result.stdout
    assert result.stderr == ""  # no progress bar outside a terminal


def test_not_found_exits_0_and_json(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("\n".join(secrets.token_hex(6) for _ in range(1000)) + "\n")
    cookie = cookie_for(secrets.token_hex(32))
    result = run("audit", cookie, "--no-builtin", "--wordlist", str(words), "--json")
    assert result.exit_code == ExitCode.OK
    doc = json.loads(result.stdout)
    assert (doc["command"], doc["found"], doc["tried"], doc["key"]) == ("audit", False, 1000, None)
    assert doc["rate"] > 0 and doc["jobs"] >= 1


def test_stdin_streams_candidates_from_a_generator() -> None:
    cookie = cookie_for("generated-42")
    generator = "".join(f"generated-{n}\n" for n in range(100))
    result = run("audit", cookie, "--no-builtin", "--wordlist", "-", "--json", input=generator)
    doc = json.loads(result.stdout)
    assert (
        result.exit_code == 1 and doc["key"] == "generated-42" and doc["source"] == "standard input"
    )


def test_stdin_with_a_real_pipe() -> None:
    cookie = cookie_for("piped-7")
    producer = subprocess.Popen(
        [sys.executable, "-c", "for n in range(200000): print(f'piped-{n}')"],
        stdout=subprocess.PIPE,
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cookietool",
            "audit",
            cookie,
            "--no-builtin",
            "--wordlist",
            "-",
            "--json",
        ],
        stdin=producer.stdout,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    producer.kill()
    producer.wait()
    assert producer.stdout is not None
    producer.stdout.close()
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["key"] == "piped-7"


def test_non_utf8_key_is_reported_in_hex(tmp_path: Path) -> None:
    key = b"\xff\xfe\x00secret\x1b[31m"
    words = tmp_path / "w.bin"
    words.write_bytes(b"x\n" + key + b"\n")
    result = run("audit", cookie_for(key), "--no-builtin", "--wordlist", str(words))
    assert "hex fffe00" in result.stdout and "\x1b[31m" not in result.stdout
    doc = json.loads(
        run("audit", cookie_for(key), "--no-builtin", "--wordlist", str(words), "--json").stdout
    )
    assert (doc["key"], doc["key_hex"]) == (None, key.hex())


def test_hashcat_export() -> None:
    result = run("audit", HASHCAT_COOKIE, "--hashcat")
    assert result.exit_code == 0
    assert result.stdout == HASHCAT_COOKIE + "\n"
    assert "hashcat -m 29100 -a 0 cookie.hash wordlist.txt" in result.stderr
    compressed = (
        ".eJyrVkrOz0vOLMlPSs1JTVGyUkpLzVHSUSouSSxJVbJSiDY0QBL"
        + ".YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8"
    )
    outside = run("audit", HASHCAT_COOKIE, compressed, "--hashcat", "--json")
    doc = json.loads(outside.stdout)
    assert outside.exit_code == 1
    assert doc["cookies"][0]["line"] == HASHCAT_COOKIE and doc["cookies"][1]["line"] is None
    assert doc["cookies"][0]["mode"] == 29100
    assert doc["cookies"][0]["hashcat_command"] == "hashcat -m 29100 -a 0 cookie.hash wordlist.txt"
    assert "zlib-compressed" in doc["cookies"][1]["reasons"][0]


def test_hashcat_export_by_format() -> None:
    jwt = pytest.importorskip("jwt", reason="PyJWT makes the token")
    token = jwt.encode({"sub": "ann"}, "hashcat-" + "k" * 40, algorithm="HS384")
    starlette, django = (
        run("sign", '{"a": 1}', "--format", name, "--key", "k").stdout.strip()
        for name in ("starlette", "django")
    )
    result = run("audit", token, starlette, django, "--hashcat")
    assert result.exit_code == 1
    assert result.stdout == token + "\n"
    assert "save the lines above to mode16500.hash, then: hashcat -m 16500" in result.stderr
    assert "cookie 2 is outside hashcat: no hashcat mode computes Starlette's signer" in (
        result.stderr
    )
    assert "cookie 3 is outside hashcat: no hashcat mode computes Django's" in result.stderr
    assert result.stderr.count("run 'cookietool audit' on it instead") == 2
    doc = json.loads(run("audit", token, starlette, django, "--hashcat", "--json").stdout)
    assert [c["format"] for c in doc["cookies"]] == ["jwt", "starlette", "django"]
    assert [c["mode"] for c in doc["cookies"]] == [16500, None, None]


def test_bad_input() -> None:
    assert_one_line_error(run("audit", "garbage"), 2, "expected PAYLOAD.TIMESTAMP.SIGNATURE")
    assert_one_line_error(
        run("audit", HASHCAT_COOKIE, "--wordlist", "/no/such"), 2, "does not exist"
    )
    assert run("audit").exit_code == 2
    assert run("audit", HASHCAT_COOKIE, "--no-builtin").exit_code == 2
    assert run("audit", "-", "--wordlist", "-").exit_code == 2


def test_hashcat_verdict_is_for_the_version_named() -> None:
    # A 42-character payload: hashcat 7.0.0 takes it in mode 29100, Debian's 6.2.6 refuses.
    cookie = run("sign", '{"username":"admin","role":"x"}', "--key", "k").stdout.strip()
    assert len(cookie.split(".")[0]) == 42
    new = run("audit", cookie, "--hashcat", "--hashcat-version", "7.0.0")
    assert new.exit_code == ExitCode.OK and new.stdout == cookie + "\n"
    assert "hashcat 7.0.0 takes it in mode 29100 (fits: 7.0.0+; too long for: 6.2.6+)" in (
        new.stderr
    )
    old = run("audit", cookie, "--hashcat", "--hashcat-version", "v6.2.6", "--json")
    assert old.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(old.stdout)
    assert doc["hashcat_version"] == "6.2.6" and doc["hashcat_installed"] is False
    (entry,) = doc["cookies"]
    assert (entry["ok"], entry["line"], entry["payload_chars"]) == (False, None, 42)
    assert entry["releases"] == {"6.2.6+": False, "7.0.0+": True}
    assert "takes at most 27 in mode 29100" in entry["reasons"][0]
    before = run("audit", cookie, "--hashcat", "--hashcat-version", "6.2.5")
    assert before.exit_code == ExitCode.CHECK_FAILED and "has no mode 29100" in before.stderr
    bad = run("audit", cookie, "--hashcat", "--hashcat-version", "newest")
    assert_one_line_error(bad, ExitCode.USAGE, "not a hashcat version")
