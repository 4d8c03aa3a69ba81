"""sign --from/--set/--unset against the real app, and --python as Flask-Unsign users write."""

from __future__ import annotations

import json

from cookietool.cli import ExitCode
from cookietool.keys import text_key
from cookietool.signing import sign_session
from tests.apps import shop
from tests.conftest import FROZEN
from tests.test_cli import assert_one_line_error, run
from tests.test_flaskapp import SHOP, shop_cookie


def _decode(value: str) -> dict[str, object]:
    doc: dict[str, object] = json.loads(run("decode", value, "--app", SHOP, "--json").stdout)
    return doc


def test_from_set_unset_makes_a_cookie_the_app_accepts() -> None:
    original = shop_cookie(user="5")
    result = run(
        "sign", "--from", original, "--app", SHOP,
        "--set", 'cart=["pear", "fig"]', "--set", "profile.role=\"admin\"", "--unset", "_flashes",
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.stderr
    edited = result.stdout.strip()
    client = shop.app.test_client()
    client.set_cookie("shop_session", edited)
    assert client.get("/cart").get_json() == {"items": 2}
    before, after = _decode(original), _decode(edited)
    assert after["timestamp"] == before["timestamp"]  # kept unless told
    payload = after["payload"]
    assert isinstance(payload, dict)
    assert payload["profile"] == {"role": "admin"} and "_flashes" not in payload
    assert payload["user_id"] == 5 and payload["_permanent"] is True


def test_from_with_a_new_timestamp_and_a_foreign_cookie() -> None:
    foreign = sign_session({"a": 1}, [text_key("elsewhere", "k")], timestamp=FROZEN).value
    result = run("sign", "--from", foreign, "--key", "k2", "--timestamp", str(FROZEN + 5))
    assert result.exit_code == ExitCode.OK
    assert "does not verify with these keys" in result.stderr
    assert (
        result.stdout.strip()
        == sign_session({"a": 1}, [text_key("k2", "k")], timestamp=FROZEN + 5).value
    )


def test_python_literal_payloads_sign_like_their_json() -> None:
    literal = "{'logged_in': True, 'raw': b'\\x00', 'pair': (1, 2), 'name': 'ann'}"
    tagged = '{"logged_in": true, "raw": {" b": "AA=="}, "pair": {" t": [1, 2]}, "name": "ann"}'
    args = ("--key", "k", "--timestamp", str(FROZEN))
    from_python = run("sign", literal, "--python", *args)
    from_json = run("sign", tagged, *args)
    assert from_python.exit_code == from_json.exit_code == ExitCode.OK
    assert from_python.stdout == from_json.stdout


def test_python_payloads_are_never_evaluated(tmp_path: object) -> None:
    for text in (
        "__import__('os').system('touch /tmp/pwned-by-cookietool')",
        "[1, 2]",
        "{'a': f(1)}",
    ):
        assert_one_line_error(run("sign", text, "--python", "--key", "k"), ExitCode.USAGE)


def test_usage() -> None:
    assert_one_line_error(run("sign", "--key", "k"), ExitCode.USAGE, "PAYLOAD or --from")
    both = run("sign", "{}", "--from", "a.b.c", "--key", "k")
    assert_one_line_error(both, ExitCode.USAGE, "one of them")
    bad = run("sign", "{}", "--key", "k", "--set", "x=not json")
    assert_one_line_error(bad, ExitCode.USAGE, "--set x: the value is not JSON")
    missing = run("sign", '{"a": 1}', "--key", "k", "--unset", "b")
    assert_one_line_error(missing, ExitCode.USAGE, "no such key")


def test_a_python_literal_without_python_gets_the_way_out() -> None:
    result = run("sign", "{'logged_in': True}", "--key", "k")
    assert_one_line_error(result, ExitCode.USAGE, "not valid JSON", "add --python")
