"""Key rotation in .env files (keys.rotate_dotenv, genkey --rotate), with a real Flask app,
loaded from the file by python-dotenv and from_prefixed_env(), as the oracle."""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

import pytest
from click.testing import Result
from dotenv import dotenv_values
from flask import Flask

from cookietool import keys
from cookietool.errors import InputError
from tests.conftest import flask_cookie, flask_reads, make_app
from tests.test_cli import assert_one_line_error, run
from tests.test_secrets import spellings

VAR = "FLASK_SECRET_KEY"
FALLBACKS = "FLASK_SECRET_KEY_FALLBACKS"
SESSION = {"user": "ann"}
READ = '{"user":"ann"}'

#: A hand-written file: CRLF, comments, `export`, quotes, spaces, an inline comment and
#: an existing fallback list in single quotes with spaces. {key} and {fallbacks} mark the
#: only bytes rotation may change.
TEMPLATE = (
    "# app settings\r\n"
    "export FLASK_SECRET_KEY='{key}' # set by ops\r\n"
    "\r\n"
    "# previous keys, oldest first\r\n"
    "FLASK_SECRET_KEY_FALLBACKS = '{fallbacks}'\r\n"
    "FLASK_DEBUG=0\r\n"
)


def fill(key: str, fallbacks: list[str]) -> bytes:
    return TEMPLATE.format(key=key, fallbacks=json.dumps(fallbacks)).encode()


def app_from(env: Path, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """A Flask app configured as a deployment would be: .env into os.environ, then Flask."""
    for name in [n for n in os.environ if n.startswith("FLASK_")]:
        monkeypatch.delenv(name)
    for name, value in dotenv_values(env).items():
        assert value is not None
        monkeypatch.setenv(name, value)
    app = make_app(secret_key="not-from-the-file")
    app.config.from_prefixed_env()
    return app


def rotate(env: Path, *args: str) -> Result:
    result = run("genkey", "--dotenv", str(env), "--rotate", *args)
    assert result.exit_code == 0, result.stderr
    return result


def assert_no_key(output: str, *all_keys: str) -> None:
    for key in all_keys:
        for spelling in spellings(key.encode()):
            assert spelling not in output, spelling


def test_rotated_keys_work_in_a_real_flask_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    oldest, older, current = (secrets.token_hex(32) for _ in range(3))
    env = tmp_path / ".env"
    env.write_bytes(fill(current, [oldest, older]))
    before = app_from(env, monkeypatch)
    assert before.config["SECRET_KEY_FALLBACKS"] == [oldest, older]
    signed_by_app, _ = flask_cookie(before, SESSION)
    signed_by_oldest, _ = flask_cookie(make_app(oldest), SESSION)
    assert flask_reads(before, signed_by_oldest) == READ  # still a fallback before rotation

    first = rotate(env)
    middle = dotenv_values(env)[VAR]
    assert middle is not None and middle != current
    second = rotate(env)
    new = dotenv_values(env)[VAR]
    assert new is not None and new not in (middle, current)

    # Only the two values changed, in the spelling they had.
    assert env.read_bytes() == fill(new, [older, current, middle])
    after = app_from(env, monkeypatch)
    assert after.config["SECRET_KEY"] == new
    assert after.config["SECRET_KEY_FALLBACKS"] == [older, current, middle]
    assert after.config["DEBUG"] == 0  # the other variables still load
    assert flask_reads(after, signed_by_app) == READ
    assert flask_reads(after, flask_cookie(make_app(middle), SESSION)[0]) == READ
    assert flask_reads(after, signed_by_oldest) == "{}"  # dropped by --keep 3
    assert flask_reads(make_app(new), flask_cookie(after, SESSION)[0]) == READ  # signs with new

    assert first.stdout == second.stdout == ""
    assert first.stderr == (
        f"rotated {VAR} in {env}: the old key is now the newest of 3 in {FALLBACKS}\n"
    )
    assert second.stderr == (
        f"rotated {VAR} in {env}: the old key is now the newest of 3 in {FALLBACKS} (1 dropped)\n"
    )
    assert_no_key(first.output + second.output, oldest, older, current, middle, new)


def test_json_document_has_counts_and_names_only(tmp_path: Path) -> None:
    env = tmp_path / "app.env"
    old = secrets.token_hex(16)
    env.write_text(f"MY_KEY={old}\nMY_KEY_FALLBACKS=[]\n")
    result = rotate(env, "--var", "MY_KEY", "--keep", "1", "--json")
    assert json.loads(result.stdout) == {
        "cookietool": 1,
        "command": "genkey",
        "dotenv": str(env),
        "var": "MY_KEY",
        "fallbacks_var": "MY_KEY_FALLBACKS",
        "rotated": True,
        "fallbacks": 1,
        "dropped": 0,
    }
    assert result.stderr == ""
    new = dotenv_values(env)["MY_KEY"]
    assert new is not None
    assert json.loads(dotenv_values(env)["MY_KEY_FALLBACKS"] or "") == [old]
    assert_no_key(result.output, old, new)


@pytest.mark.parametrize(
    ("keep", "kept", "dropped", "message"),
    [
        (0, [], 3, f"{FALLBACKS} is now empty (3 dropped, the old key included)"),
        (1, ["k2"], 2, f"the old key is now the only one in {FALLBACKS} (2 dropped)"),
        (2, ["k1", "k2"], 1, f"the old key is now the newest of 2 in {FALLBACKS} (1 dropped)"),
        (3, ["k0", "k1", "k2"], 0, f"the old key is now the newest of 3 in {FALLBACKS}"),
        (9, ["k0", "k1", "k2"], 0, f"the old key is now the newest of 3 in {FALLBACKS}"),
    ],
)
def test_keep_drops_the_oldest_first(
    tmp_path: Path, keep: int, kept: list[str], dropped: int, message: str
) -> None:
    env = tmp_path / ".env"
    env.write_text(f'{VAR}=k2\n{FALLBACKS}=["k0","k1"]\n')
    result = rotate(env, "--keep", str(keep))
    assert result.stderr == f"rotated {VAR} in {env}: {message}\n"
    assert json.loads(dotenv_values(env)[FALLBACKS] or "") == kept
    env.write_text(f'{VAR}=k2\n{FALLBACKS}=["k0","k1"]\n')
    rotation = keys.rotate_dotenv(env, VAR, "new-key", keep)
    assert rotation == keys.Rotation(env, VAR, FALLBACKS, True, len(kept), dropped)


@pytest.mark.parametrize(
    "line",
    [
        'FLASK_SECRET_KEY_FALLBACKS = \'["k0", "k1"]\'',
        'export FLASK_SECRET_KEY_FALLBACKS=\'[ "k0" ,"k1" ]\' # hand-written',
        'FLASK_SECRET_KEY_FALLBACKS="[\\"k0\\", \\"k1\\"]"',
        'FLASK_SECRET_KEY_FALLBACKS=["k0","k1"]',
        'FLASK_SECRET_KEY_FALLBACKS="[\n  \\"k0\\",\n  \\"k1\\"\n]"',
    ],
)
def test_fallbacks_are_read_as_python_dotenv_reads_them(tmp_path: Path, line: str) -> None:
    env = tmp_path / ".env"
    env.write_text(f"{VAR}=k2\n{line}\n")
    assert json.loads(dotenv_values(env)[FALLBACKS] or "") == ["k0", "k1"]  # the premise
    keys.rotate_dotenv(env, VAR, "new-key")
    assert dotenv_values(env) == {VAR: "new-key", FALLBACKS: '["k0", "k1", "k2"]'}


def test_no_key_yet_creates_one_and_leaves_fallbacks_alone(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    original = b'# fresh\nFLASK_SECRET_KEY_FALLBACKS=["a","b","c","d"]\n'
    env.write_bytes(original)
    result = rotate(env, "--keep", "1")
    assert result.stderr == (
        f"wrote {VAR} in {env} (32 random bytes, hex): it had no key to rotate, "
        f"so {FALLBACKS} is unchanged\n"
    )
    data = env.read_bytes()
    assert data.startswith(original) and data.count(b"\n") == 3
    new = dotenv_values(env)[VAR]
    assert new is not None and len(new) == 64

    missing = tmp_path / "new.env"
    doc = json.loads(rotate(missing, "--json").stdout)
    assert (doc["rotated"], doc["fallbacks"], doc["dropped"]) == (False, 0, 0)
    assert list(dotenv_values(missing)) == [VAR]
    assert stat.S_IMODE(missing.stat().st_mode) == 0o600

    empty = tmp_path / "empty.env"
    empty.write_text(f"{VAR}=\n{FALLBACKS}=\n")  # an empty key never signed anything
    assert keys.rotate_dotenv(empty, VAR, "new-key").rotated is False
    assert dotenv_values(empty) == {VAR: "new-key", FALLBACKS: ""}


def test_old_key_is_kept_as_flask_read_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # from_prefixed_env json.loads every value: FLASK_SECRET_KEY='"quoted"' is `quoted`.
    env = tmp_path / ".env"
    env.write_text(f"{VAR}='\"quoted\"'\n")
    before = app_from(env, monkeypatch)
    assert before.config["SECRET_KEY"] == "quoted"
    cookie, _ = flask_cookie(before, SESSION)
    keys.rotate_dotenv(env, VAR, "new-key")
    after = app_from(env, monkeypatch)
    assert after.config["SECRET_KEY_FALLBACKS"] == ["quoted"]
    assert flask_reads(after, cookie) == READ
    with pytest.raises(InputError, match="reads as JSON in Flask"):
        keys.rotate_dotenv(env, VAR, "12345")


@pytest.mark.parametrize(
    "value",
    [
        "'not json TOPSECRET'",
        "TOPSECRET",
        "'\"TOPSECRET\"'",
        "'{\"TOPSECRET\": 1}'",
        "'[\"TOPSECRET\", 3]'",
        "null",
        "'[[\"unclosed\"'",
        "[" * 60000,  # deeper than json.loads can go
    ],
)
def test_bad_fallbacks_are_refused_unseen_and_untouched(tmp_path: Path, value: str) -> None:
    env = tmp_path / ".env"
    original = f"{VAR}=TOPSECRET-current\n{FALLBACKS}={value}\n".encode()
    env.write_bytes(original)
    result = run("genkey", "--dotenv", str(env), "--rotate")
    assert_one_line_error(result, 2, f"{FALLBACKS} in {env} must be a JSON list of keys")
    assert "TOPSECRET" not in result.stderr and "[[" not in result.stderr
    assert env.read_bytes() == original


def test_read_only_file_is_refused_and_untouched(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    original = fill("current", ["older"])
    env.write_bytes(original)
    env.chmod(0o400)
    result = run("genkey", "--dotenv", str(env), "--rotate")
    assert_one_line_error(result, 2, f"cannot write {env}: file is read-only (mode 400)")
    assert env.read_bytes() == original
    assert stat.S_IMODE(env.stat().st_mode) == 0o400
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def test_symlink_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    target = tmp_path / "secrets" / "app.env"
    target.write_text(f"{VAR}=old\n")
    target.chmod(0o640)
    link = tmp_path / ".env"
    link.symlink_to(Path("secrets") / "app.env")
    rotation = keys.rotate_dotenv(link, VAR, "new-key")
    assert rotation.path == target.resolve()
    assert link.is_symlink() and os.readlink(link) == os.path.join("secrets", "app.env")
    assert (
        target.read_bytes() == b"FLASK_SECRET_KEY=new-key\nFLASK_SECRET_KEY_FALLBACKS='[\"old\"]'\n"
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "secrets").iterdir()) == ["app.env"]


def test_usage_errors(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"{VAR}=old\n")
    for args, fragment in [
        (["--rotate"], "--rotate changes a .env file; add --dotenv FILE"),
        (["--dotenv", str(env), "--rotate", "--force"], "--force has no use; drop it"),
        (["--dotenv", str(env), "--keep", "2"], "add --rotate"),
        (["--dotenv", str(env), "--rotate", "--keep", "-1"], "-1"),
        (["--dotenv", str(env), "--rotate", "--count", "2"], "drop --count"),
    ]:
        assert_one_line_error(run("genkey", *args), 2, fragment)
    assert env.read_text() == f"{VAR}=old\n"
    with pytest.raises(InputError, match="keep 0 or more"):
        keys.rotate_dotenv(env, VAR, "new-key", -1)
    help_text = run("genkey", "--help").stdout
    assert "--rotate" in help_text and f"(default {keys.KEEP_FALLBACKS})" in help_text
