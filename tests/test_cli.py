"""The command line: every input form, exit code and bad-input case."""

from __future__ import annotations

import base64
import importlib
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from dotenv import dotenv_values

from cookietool.cli import ExitCode, cli
from cookietool.signing import sign_session
from tests.conftest import FROZEN, flask_cookie, flask_reads, make_app
from tests.test_signing import ring

KEY = "correct-horse-battery-staple"
#: A signature segment of the right size for SHA-1 (20 bytes), matching no key.
SIG20 = "A" * 27


def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    # catch_exceptions=False: a traceback fails the test instead of hiding in the result.
    return CliRunner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)


def assert_one_line_error(result: Result, code: int, *fragments: str) -> None:
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture
def cookie() -> str:
    return sign_session({"user": "ann", "cart": (1, 2)}, ring(KEY), timestamp=FROZEN).value


@pytest.mark.parametrize(
    "form",
    [
        "{v}",
        "session={v}",
        "'{v}'",
        "Set-Cookie: session={v}; HttpOnly; Path=/",
        "Cookie: theme=dark; session={v}",
    ],
)
def test_decode_every_input_form(cookie: str, form: str) -> None:
    result = run("decode", form.format(v=cookie), "--key", KEY, "--json")
    assert result.exit_code == ExitCode.OK
    doc = json.loads(result.stdout)
    assert doc["payload"] == {"cart": {" t": [1, 2]}, "user": "ann"}
    assert doc["signature"]["status"] == "valid"


def test_decode_from_stdin(cookie: str) -> None:
    result = run("decode", "-", "--json", input=f"Set-Cookie: session={cookie}; Path=/\n")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["timestamp"] == FROZEN


def test_decode_json_document(cookie: str) -> None:
    result = run("decode", cookie, "--key", "old", "--key", KEY, "--json", "--max-age", "60")
    doc = json.loads(result.stdout)
    assert result.exit_code == ExitCode.CHECK_FAILED  # signed at FROZEN, long ago
    assert doc["cookietool"] == 1 and doc["command"] == "decode"
    assert doc["signature"] == {
        "status": "valid",
        "verified": True,
        "reason": None,
        "key_index": 1,
        "key_label": "--key #2",
        "keys_tried": 2,
        "keys_from": "the key options",
    }
    assert (doc["expired"], doc["ok"], doc["max_age"]) == (True, False, 60)
    assert (doc["compressed"], doc["legacy_epoch"], doc["timestamp"]) == (False, False, FROZEN)
    assert doc["signed_at"] == "2026-01-02T03:04:05Z"
    assert doc["scheme"] == {"salt": "cookie-session", "digest": "sha1", "key_derivation": "hmac"}


def test_decode_human_report(cookie: str) -> None:
    result = run("decode", cookie, "--key", KEY)
    assert result.exit_code == 0
    out = result.stdout
    assert "Signed     2026-01-02 03:04:05 UTC" in out
    assert "VALID: key 1 of 1 (--key #1), the current key" in out
    assert out.endswith("Session: 2 keys\n  cart  tuple  (1, 2)\n  user  str    'ann'\n")
    unchecked = run("decode", cookie)
    assert "NOT CHECKED: no key found" in unchecked.stdout and unchecked.exit_code == 0


def test_decode_invalid_signature_exits_1(cookie: str) -> None:
    result = run("decode", cookie, "--key", "wrong")
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "INVALID: not signed with the key" in result.stdout


def test_key_sources(cookie: str, tmp_path: Path) -> None:
    keyfile = tmp_path / "keys"
    keyfile.write_text(f"old\n{KEY}\n")
    by_file = json.loads(run("decode", cookie, "--key-file", str(keyfile), "--json").stdout)
    assert by_file["signature"]["key_label"] == f"--key-file {keyfile} line 2"
    by_env = run("decode", cookie, "--key-env", "APP_KEY", "--json", env={"APP_KEY": KEY})
    assert json.loads(by_env.stdout)["signature"]["key_label"] == "$APP_KEY"
    by_stdin = run("decode", cookie, "--key-file", "-", "--json", input=KEY + "\n")
    assert json.loads(by_stdin.stdout)["signature"]["status"] == "valid"
    by_hex = run("decode", cookie, "--key-hex", KEY.encode().hex(), "--json")
    assert json.loads(by_hex.stdout)["signature"]["key_label"] == "--key-hex #1"


def test_keys_never_appear_in_output(cookie: str) -> None:
    for args in (
        ["decode", cookie, "--key", KEY],
        ["decode", cookie, "--key", KEY, "--json"],
        ["decode", cookie, "--key", "nope", "--key", KEY, "--max-age", "1"],
        ["sign", '{"a": 1}', "--key", KEY, "--json", "--set-cookie"],
        ["decode", cookie, "--key-hex", "zz" + KEY],
    ):
        result = run(*args)
        assert KEY not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["decode", "not-a-cookie"], ["expected PAYLOAD.TIMESTAMP.SIGNATURE"]),
        (["decode", "Cookie: a=1; b=2"], ["no cookie named 'session'", "found: a, b"]),
        (["decode", ""], ["the cookie is empty"]),
        (["decode", "e30.AAAA.c2ln", "--key-hex", "xyz"], ["--key-hex #1 is not valid hex"]),
        (["decode", "e30.AAAA.c2ln", "--key-env", "NO_SUCH_VAR_X"], ["NO_SUCH_VAR_X is not set"]),
        (["sign", "[1]", "--key", "k"], ["must be a JSON object"]),
        (["sign", "{bad json", "--key", "k"], ["not valid JSON"]),
        (["sign", '{"a": 1}'], ["signing needs a key"]),
        (["sign", "{}", "--key", "k", "--set-cookie"], ["deletes the cookie"]),
        (["sign", '{"a": 1}', "--key", "k", "--legacy", "--timestamp", "5"], ["2011-01-01"]),
        (["genkey", "--bytes", "8"], ["8 bytes is too short", "at least 16"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], fragments: list[str]) -> None:
    assert_one_line_error(run(*args), ExitCode.USAGE, *fragments)


def test_zlib_bomb_is_exit_2() -> None:
    body = base64.urlsafe_b64encode(zlib.compress(b"0" * (8 << 20))).rstrip(b"=").decode()
    value = f".{body}.AAAA.{SIG20}"
    assert_one_line_error(run("decode", value), 2, "more than 1048576 bytes")
    small = run("decode", value, "--inflate-limit", "1000")
    assert_one_line_error(small, 2, "more than 1000 bytes")
    # With a key, the signature is checked first: a forged bomb is a bad signature.
    forged = run("decode", value, "--key", KEY, "--json")
    assert forged.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(forged.stdout)
    assert doc["verdict"] == "invalid" and "more than 1048576" in doc["payload_error"]


def test_usage_errors_exit_2() -> None:
    assert run("decode").exit_code == 2
    assert run("decode", "x", "--digest", "md5").exit_code == 2
    assert run("decode", "x", "--max-age", "-5").exit_code == 2
    assert run("sign", "-", "--key-file", "-", input="{}").exit_code == 2


def test_untrusted_text_is_never_markup() -> None:
    value = sign_session({"[bold red]x[/]": "[link=http://evil]click[/link]"}, ring("k")).value
    out = run("--color", "decode", value).stdout
    assert "\x1b[" in out  # colours are on, so rich did render styles
    assert "[bold red]x[/]" in out
    assert "[link=http://evil]click[/link]" in out
    assert "\x1b]8;" not in out  # no hyperlink escape was produced


def test_sign_prints_value_set_cookie_and_json() -> None:
    expected = sign_session({"a": 1}, ring(KEY), timestamp=FROZEN)
    plain = run("sign", '{"a": 1}', "--key", KEY, "--timestamp", str(FROZEN))
    assert plain.stdout == expected.value + "\n"
    line = run(
        "sign", "-", "--key", KEY, "--timestamp", str(FROZEN), "--set-cookie", input='{"a":1}'
    )
    assert line.stdout == f"Set-Cookie: session={expected.value}; HttpOnly; Path=/\n"
    doc = json.loads(
        run("sign", '{"a": 1}', "--key", KEY, "--timestamp", str(FROZEN), "--json").stdout
    )
    assert (doc["command"], doc["value"], doc["compressed"]) == ("sign", expected.value, False)


def test_sign_permanent_and_attributes_via_cli(frozen_time: int) -> None:
    app = make_app(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=True)
    _, header = flask_cookie(app, {"a": 1}, permanent=True)
    ours = run(
        "sign",
        '{"a": 1}',
        "--key",
        "dev",
        "--timestamp",
        str(FROZEN),
        "--set-cookie",
        "--permanent",
        "--samesite",
        "Strict",
        "--secure",
    )
    assert ours.stdout == f"Set-Cookie: {header}\n"


def test_decode_then_sign_round_trip_is_byte_identical(frozen_time: int) -> None:
    app = make_app()
    value, _ = flask_cookie(app, {"when": (b"\x01", "é")})
    doc = json.loads(run("decode", value, "--json").stdout)
    again = run(
        "sign", json.dumps(doc["payload"]), "--key", "dev", "--timestamp", str(doc["timestamp"])
    )
    assert again.stdout.strip() == value
    assert flask_reads(app, again.stdout.strip()) == '{"when":{" t":[{" b":"AQ=="},"\\u00e9"]}}'


def test_sign_warns_on_stderr_about_oversized_cookies() -> None:
    import secrets

    blob = secrets.token_hex(3000)  # random, so compression cannot shrink it
    result = run("sign", json.dumps({"blob": blob}), "--key", "k", "--set-cookie")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: The 'session' cookie is too large")


def test_genkey(tmp_path: Path) -> None:
    default = run("genkey").stdout.strip()
    assert len(bytes.fromhex(default)) == 32
    many = run("genkey", "--count", "3", "--bytes", "16").stdout.split()
    assert len(set(many)) == 3 and all(len(k) == 32 for k in many)
    env = run("genkey", "--format", "env").stdout
    assert env.startswith("FLASK_SECRET_KEY=") and len(env.strip()) == len("FLASK_SECRET_KEY=") + 64
    doc = json.loads(run("genkey", "--json", "--format", "urlsafe").stdout)
    assert (doc["command"], doc["format"], len(doc["keys"])) == ("genkey", "urlsafe", 1)
    dotenv = tmp_path / ".env"
    wrote = run("genkey", "--dotenv", str(dotenv))
    assert wrote.stdout == "" and "wrote FLASK_SECRET_KEY" in wrote.stderr
    key = dotenv_values(dotenv)["FLASK_SECRET_KEY"]
    assert key is not None and len(key) == 64 and key not in wrote.stderr
    assert_one_line_error(run("genkey", "--dotenv", str(dotenv)), 2, "add --force")
    assert dotenv_values(dotenv)["FLASK_SECRET_KEY"] == key
    assert run("genkey", "--dotenv", str(dotenv), "--force").exit_code == 0
    assert dotenv_values(dotenv)["FLASK_SECRET_KEY"] != key


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        assert command.help, name
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage: " in result.stdout
    assert run("--version").stdout.startswith("cookietool, version ")


def test_python_dash_m_entry_point(cookie: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cookietool", "decode", cookie, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["payload"]["user"] == "ann"


def test_help_lists_each_commands_own_summary_without_importing_it() -> None:
    # --help lists summaries kept in the group, so that it imports no command module;
    # each must be what Click makes of the command's docstring at its widest help (78
    # columns, less the names).
    for name, module_path in cli.lazy_commands.items():
        command = importlib.import_module(module_path).command
        assert cli.lazy_summaries[name] == command.get_short_help_str(limit=78 - 6 - 10), name
    listed = subprocess.run(
        [sys.executable, "-m", "cookietool", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    ).stdout
    for name, summary in cli.lazy_summaries.items():
        assert f"  {name.ljust(10)}  {summary}" in listed
