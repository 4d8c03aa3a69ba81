"""The real hashcat as the oracle of `audit --hashcat`: what cookietool exports cracks, what it
calls unfit is refused, at the byte, and hashcat's rules feed cookietool's audit.

Needs hashcat (Debian's 6.2.6, installed by .ci/run) and an OpenCL runtime for the CPU
(pocl-opencl-icd). A cold run compiles hashcat's kernels for about a minute; the kernel
caches live in ~/.cache/cookietool-tests so that later runs (and the other Pythons of
.ci/test-pythons) take seconds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cookietool import hashcat
from cookietool.cli import ExitCode
from tests.test_cli import run

KEY = "hunter2"
WORDS = ["password", "letmein", "dev", "secret", "changeme", KEY, "admin", "flask", "qwerty"]


def _hashcat_or_skip() -> str:
    program = shutil.which("hashcat")
    if program is None:
        pytest.skip("hashcat is not installed: apt-get install hashcat pocl-opencl-icd")
    return program


@pytest.fixture(scope="module")
def env() -> Iterator[dict[str, str]]:
    """hashcat's environment: its caches kept between runs, nothing else of the user's."""
    program = _hashcat_or_skip()
    cache = Path.home() / ".cache" / "cookietool-tests" / "hashcat"
    environment = {
        **os.environ,
        "XDG_CACHE_HOME": str(cache / "cache"),
        "XDG_DATA_HOME": str(cache / "data"),
        "XDG_CONFIG_HOME": str(cache / "config"),
        "POCL_CACHE_DIR": str(cache / "pocl"),
    }
    probe = subprocess.run(
        [program, "-I"], env=environment, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    if "Backend Device ID" not in probe.stdout:
        pytest.skip("hashcat finds no OpenCL device: apt-get install pocl-opencl-icd")
    yield environment


def hashcat_run(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """hashcat with its own session name and no potfile, never waiting on the terminal."""
    session = f"cookietool-{uuid.uuid4().hex[:12]}"
    return subprocess.run(
        ["hashcat", "--session", session, "--potfile-disable", *args],
        env=env, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def parses(env: dict[str, str], mode: int, line: str) -> bool:
    """Whether hashcat's parser takes ``line`` (``--show`` loads hashes and cracks nothing)."""
    answer = subprocess.run(
        ["hashcat", "-m", str(mode), "--show", "--potfile-path", os.devnull, line],
        env=env, capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert "not allowed" not in answer.stdout + answer.stderr  # a wrong command, not a verdict
    return answer.returncode == 0 and "exception" not in answer.stdout


def flask_cookie_with_payload(length: int) -> str:
    """A Flask cookie (signed with KEY) whose payload is ``length`` base64 characters."""
    letters = random.Random(length)
    for filler in range(4000):
        text = "".join(letters.choice(string.ascii_letters) for _ in range(filler))
        value = run("sign", json.dumps({"u": text}), "--key", KEY).stdout.strip()
        payload = value.split(".")[0]
        if not value.startswith(".") and len(payload) == length:
            return value
        if len(payload) > length:
            break
    raise AssertionError(f"no cookie with a {length}-character payload")


def test_an_exported_cookie_cracks_and_the_verdict_is_the_installed_version(
    env: dict[str, str], tmp_path: Path
) -> None:
    installed = hashcat.installed_version()
    assert installed is not None
    cookie = run("sign", '{"username": "admin"}', "--key", KEY).stdout.strip()
    exported = run("audit", cookie, "--hashcat", "--json")
    assert exported.exit_code == ExitCode.OK, exported.stdout
    document = json.loads(exported.stdout)
    assert document["hashcat_installed"] is True
    assert document["hashcat_version"] == ".".join(map(str, installed))
    (tmp_path / "cookie.hash").write_text(document["cookies"][0]["line"] + "\n")
    (tmp_path / "words.txt").write_text("\n".join(WORDS) + "\n")
    out = tmp_path / "found.txt"
    answer = hashcat_run(
        env, "-m", "29100", "-a", "0", "--outfile", str(out), "--outfile-format", "2",
        str(tmp_path / "cookie.hash"), str(tmp_path / "words.txt"),
    )  # fmt: skip
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert out.read_text().split() == [KEY]


def test_the_payload_limit_is_the_installed_hashcats_at_the_byte(env: dict[str, str]) -> None:
    installed = hashcat.installed_version()
    release = hashcat.release_for(installed)
    assert release is not None
    limit = release.payload_max
    fits, too_long = flask_cookie_with_payload(limit), flask_cookie_with_payload(limit + 1)
    assert parses(env, 29100, fits)
    assert not parses(env, 29100, too_long)
    assert run("audit", fits, "--hashcat").exit_code == ExitCode.OK
    refused = run("audit", too_long, "--hashcat")
    assert refused.exit_code == ExitCode.CHECK_FAILED
    assert f"takes at most {limit} in mode 29100" in refused.stderr
    assert "cookietool audit" in refused.stderr  # what to do instead


def test_a_compressed_cookie_is_refused_by_hashcat_too(env: dict[str, str]) -> None:
    cookie = run("sign", json.dumps({"cart": ["item"] * 40}), "--key", KEY).stdout.strip()
    assert cookie.startswith(".")
    assert not parses(env, 29100, cookie)
    assert run("audit", cookie, "--hashcat").exit_code == ExitCode.CHECK_FAILED


def test_jwt_claims_limit_of_mode_16500_at_the_byte(env: dict[str, str]) -> None:
    jwt = pytest.importorskip("jwt", reason="PyJWT makes the tokens")
    secret = "k" * 32
    # Compact JSON of 1535 bytes is 2047 base64url characters; 1536 bytes are 2048.
    tokens = [jwt.encode({"d": "x" * size}, secret) for size in (1527, 1528)]
    assert [len(token.split(".")[1]) for token in tokens] == [2047, 2048]
    fits, too_long = tokens
    assert parses(env, 16500, fits) and not parses(env, 16500, too_long)
    assert run("audit", fits, "--hashcat").exit_code == ExitCode.OK
    assert run("audit", too_long, "--hashcat").exit_code == ExitCode.CHECK_FAILED


def test_hashcats_rule_engine_feeds_cookietools_audit(env: dict[str, str], tmp_path: Path) -> None:
    # The key is only reachable through the rules: capitalised, then "1" appended.
    cookie = run("sign", '{"user": "ann"}', "--key", "Hunter21").stdout.strip()
    (tmp_path / "rules.rule").write_text(":\nc\n$1\nc $1\nu\n")
    (tmp_path / "words.txt").write_text("\n".join(WORDS) + "\n")
    candidates = hashcat_run(
        env, "--stdout", "-r", str(tmp_path / "rules.rule"), str(tmp_path / "words.txt")
    )
    assert candidates.returncode == 0, candidates.stderr
    assert "Hunter21" in candidates.stdout.split()
    found = run(
        "audit", cookie, "--no-builtin", "--wordlist", "-", "--jobs", "1", "--json",
        input=candidates.stdout,
    )  # fmt: skip
    assert found.exit_code == ExitCode.CHECK_FAILED
    assert json.loads(found.stdout)["key"] == "Hunter21"
