"""Keys from .env files and the environment, read as Flask's from_prefixed_env reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from cookietool import keysources
from cookietool.cli import ExitCode
from cookietool.errors import KeyInputError
from cookietool.keys import text_key
from cookietool.signing import sign_session
from tests.conftest import FROZEN
from tests.test_cli import assert_one_line_error, run


def flask_keys(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> list[Any]:
    """SECRET_KEY_FALLBACKS then SECRET_KEY, as a real Flask app loads them."""
    for name in ("FLASK_SECRET_KEY", "FLASK_SECRET_KEY_FALLBACKS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    app = Flask(__name__)
    app.config.from_prefixed_env()
    return [*(app.config["SECRET_KEY_FALLBACKS"] or []), app.config["SECRET_KEY"]]


@pytest.mark.parametrize(
    "environ",
    [
        {"FLASK_SECRET_KEY": "plain text key"},
        {"FLASK_SECRET_KEY": '"a JSON string"'},
        {"FLASK_SECRET_KEY": "new", "FLASK_SECRET_KEY_FALLBACKS": '["older", "old"]'},
        {"FLASK_SECRET_KEY": "new", "FLASK_SECRET_KEY_FALLBACKS": "[]"},
        {"FLASK_SECRET_KEY": "clé-日本", "FLASK_SECRET_KEY_FALLBACKS": '["\\u00e9t\\u00e9"]'},
    ],
)
def test_keys_are_what_flask_loads(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    expected = [key.encode() for key in flask_keys(monkeypatch, environ)]
    found = keysources.from_mapping(environ, "$")
    assert found is not None
    assert [key.value for key in found.keys] == expected
    assert found.keys[-1].label == "$FLASK_SECRET_KEY"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FLASK_SECRET_KEY": "new", "FLASK_SECRET_KEY_FALLBACKS": "previous"}, "not a JSON list"),
        ({"FLASK_SECRET_KEY": "123"}, "reads as JSON int"),
        ({"FLASK_SECRET_KEY_FALLBACKS": '["old"]'}, "FLASK_SECRET_KEY is not"),
    ],
)
def test_values_flask_would_misread_are_refused(environ: dict[str, str], message: str) -> None:
    with pytest.raises(KeyInputError, match=message) as caught:
        keysources.from_mapping(environ, "$")
    for value in environ.values():
        assert value not in str(caught.value).replace("FLASK_SECRET_KEY", "")


def test_cookietool_variable_comes_first() -> None:
    found = keysources.from_mapping({"COOKIETOOL_SECRET_KEY": "mine", "FLASK_SECRET_KEY": "x"}, "$")
    assert found is not None and [k.value for k in found.keys] == [b"mine"]
    assert keysources.from_mapping({}, "$") is None


def _cookie(key: str) -> str:
    return sign_session({"user": 1}, [text_key(key, "k")], timestamp=FROZEN).value


def test_precedence_on_the_command_line(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# the app's settings\nexport FLASK_SECRET_KEY=from-dotenv\r\n"
        "FLASK_SECRET_KEY_FALLBACKS='[\"older-dotenv\"]'\n"
    )
    env = {"FLASK_SECRET_KEY": "from-env", "FLASK_SECRET_KEY_FALLBACKS": ""}

    def verdict(cookie: str, *args: str) -> dict[str, Any]:
        result = run("decode", cookie, *args, "--json", env=env)
        assert result.exit_code in (0, 1), result.stderr
        signature: dict[str, Any] = json.loads(result.stdout)["signature"]
        return signature

    # 1. The key options win over everything.
    by_option = verdict(_cookie("opt"), "--key", "opt")
    assert (by_option["status"], by_option["keys_from"]) == ("valid", "the key options")
    # 2. Then --dotenv, fallbacks included, as a Flask app would load the file.
    old = verdict(_cookie("older-dotenv"), "--dotenv", str(dotenv))
    assert (old["status"], old["key_index"], old["keys_tried"]) == ("valid", 0, 2)
    assert old["key_label"] == f"{dotenv}: FLASK_SECRET_KEY_FALLBACKS[0]"
    assert old["keys_from"] == f"{dotenv}: FLASK_SECRET_KEY and FLASK_SECRET_KEY_FALLBACKS (1)"
    # 3. Then the environment.
    from_env = verdict(_cookie("from-env"))
    assert (from_env["status"], from_env["key_label"]) == ("valid", "$FLASK_SECRET_KEY")
    human = run("decode", _cookie("from-env"), env=env)
    assert "(keys from $FLASK_SECRET_KEY)" in human.stdout
    # Nothing anywhere: not checked.
    bare = run("decode", _cookie("x"), "--json", env={"FLASK_SECRET_KEY": ""})
    assert json.loads(bare.stdout)["signature"]["status"] == "unchecked"


def test_dotenv_with_key_options_is_a_usage_error(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("FLASK_SECRET_KEY=x\n")
    result = run("decode", _cookie("x"), "--key", "x", "--dotenv", str(dotenv))
    assert_one_line_error(result, ExitCode.USAGE, "--dotenv is a source of keys")
    empty = tmp_path / "empty.env"
    empty.write_text("DEBUG=1\n")
    assert_one_line_error(
        run("decode", _cookie("x"), "--dotenv", str(empty)), ExitCode.USAGE, "holds no key"
    )


def test_key_dash_reads_a_line_of_stdin_when_not_a_terminal() -> None:
    result = run("sign", '{"a": 1}', "--key", "-", "--timestamp", str(FROZEN), input="piped\n")
    assert (
        result.stdout.strip()
        == sign_session({"a": 1}, [text_key("piped", "k")], timestamp=FROZEN).value
    )
    twice = run("sign", "-", "--key", "-", input="{}")
    assert_one_line_error(twice, ExitCode.USAGE, "read only once")


def test_a_dotenv_given_as_a_key_file_is_refused_with_the_way_out(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# settings\nexport FLASK_SECRET_KEY=abc\nDEBUG=1\n")
    result = run("decode", _cookie("abc"), "--key-file", str(dotenv))
    assert_one_line_error(result, ExitCode.USAGE, "looks like a .env file", "--dotenv")
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("base64-key-with-padding==\nplain-key\n")  # '=' inside keys is fine
    assert run("decode", _cookie("plain-key"), "--key-file", str(keys_file)).exit_code == 0
