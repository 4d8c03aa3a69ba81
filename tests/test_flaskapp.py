"""--app: the app's own settings, loaded with Flask's loader, against the apps themselves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cookietool import flaskapp
from cookietool.cli import ExitCode
from tests.apps import custom, shop
from tests.test_cli import assert_one_line_error, run

SHOP = "tests/apps/shop.py"
CUSTOM = "tests/apps/custom.py:create_app()"


def shop_cookie(**form: str) -> str:
    client = shop.app.test_client()
    client.post("/login", data=form or {"user": "42"})
    cookie = client.get_cookie("shop_session")
    assert cookie is not None
    return cookie.value


def decode(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = run("decode", *args, "--json", env=env)
    assert result.exit_code in (0, 1), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_facts_are_the_apps() -> None:
    found = flaskapp.facts(flaskapp.load_app(SHOP))
    assert [k.value for k in found.keys] == [
        b"shop-old-key-0123456789abcdef",
        b"shop-current-key-0123456789abcdef",
    ]
    assert (found.cookie.name, found.cookie.samesite, found.lifetime) == (
        "shop_session",
        "Lax",
        604800,
    )
    custom_facts = flaskapp.facts(flaskapp.load_app(CUSTOM))
    assert (custom_facts.scheme.salt, custom_facts.scheme.digest) == ("custom-salt", "sha256")


def test_decode_with_the_app_needs_no_other_option() -> None:
    value = shop_cookie()
    doc = decode(f"Cookie: theme=dark; shop_session={value}", "--app", SHOP)
    assert doc["verdict"] == "valid"
    assert doc["payload"]["user_id"] == 42
    assert doc["signature"]["keys_from"] == f"the app {shop.app.name!r}"
    assert doc["max_age"] == 604800  # PERMANENT_SESSION_LIFETIME, as Flask checks it
    # $FLASK_APP works as flask's own command line has it.
    assert decode(value, env={"FLASK_APP": SHOP})["verdict"] == "valid"


def test_an_app_factory_with_its_own_salt_and_sha256() -> None:
    app = custom.create_app()
    client = app.test_client()
    client.get("/")
    cookie = client.get_cookie("session")
    assert cookie is not None
    doc = decode(cookie.value, "--app", CUSTOM)
    assert (doc["verdict"], doc["payload"]) == ("valid", {"role": "admin"})
    assert doc["scheme"] == {"salt": "custom-salt", "digest": "sha256", "key_derivation": "hmac"}
    # An option given on the command line still wins over the app.
    assert decode(cookie.value, "--app", CUSTOM, "--salt", "other")["verdict"] == "invalid"


def test_sign_with_the_app_makes_what_the_app_accepts() -> None:
    result = run("sign", '{"user_id": 7, "cart": ["apple"]}', "--app", SHOP, "--set-cookie")
    assert result.exit_code == ExitCode.OK, result.stderr
    line = result.stdout.strip()
    assert line.startswith("Set-Cookie: shop_session=") and "SameSite=Lax" in line
    value = line.split("=", 1)[1].split(";", 1)[0]
    client = shop.app.test_client()
    client.set_cookie("shop_session", value)
    assert client.get("/cart").get_json() == {"items": 1}


def test_a_server_side_session_interface_is_said_plainly() -> None:
    result = run("decode", "a.b.c", "--app", "tests/apps/serverside.py")
    assert_one_line_error(result, ExitCode.USAGE, "keeps sessions on the server")


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("tests/apps/nothing_here.py", "--app tests/apps/nothing_here.py"),
        ("tests/apps/shop.py:nope", "nope"),
    ],
)
def test_an_app_that_cannot_be_loaded_is_one_line(path: str, fragment: str) -> None:
    assert_one_line_error(run("decode", "a.b.c", "--app", path), ExitCode.USAGE, fragment)


def test_max_cookie_size_and_serializer_come_from_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    value = shop_cookie()
    monkeypatch.setitem(shop.app.config, "MAX_COOKIE_SIZE", 100)
    result = run("size-check", f"Set-Cookie: shop_session={value}; Path=/", "--app", SHOP, "--json")
    assert result.exit_code == ExitCode.OK
    findings = json.loads(result.stdout)["cookies"][0]["findings"]
    assert [f["limit"] for f in findings if f["measure"] == "set_cookie_header"] == [100]

    class Other:
        pass

    monkeypatch.setattr(shop.app.session_interface, "serializer", Other())
    refused = run("decode", value, "--app", SHOP)
    assert_one_line_error(refused, ExitCode.USAGE, "not Flask's tagged JSON")


def test_check_key_judges_the_apps_keys() -> None:
    result = run("check-key", "--app", SHOP, "--json")
    doc = json.loads(result.stdout)
    assert [k["source"] for k in doc["keys"]] == ["SECRET_KEY_FALLBACKS[0]", "SECRET_KEY"]
    assert "shop-current-key" not in result.stdout
