"""One suite for every cookie format, each framework its own oracle.

As itsdangerous' tests run one suite over its signers, these run one over the formats:
the ``framework`` fixture is a factory that makes a value with the real framework (Flask,
Quart, Starlette, Django, PyJWT) and asks the real framework what it reads from one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookietool.cli import ExitCode
from tests.conftest import flask_cookie, make_app
from tests.test_cli import run

KEY = "suite-key-" + "s" * 40
OLD = "suite-old-" + "o" * 40
OTHER = "suite-other-" + "x" * 40
#: Strings only: the one kind of session every framework (and a Django view's query
#: parameters) stores unchanged. Long enough that Flask and Django compress it.
DATA = {"user": "ann", "role": "admin", "note": "cookies " * 20}


@dataclass(frozen=True)
class Framework:
    """A format, how its framework makes a value, and what it reads from one."""

    name: str
    #: The formats auto-detection may call it (Quart's cookie is Flask's).
    detected_as: tuple[str, ...]
    cookie_name: str
    make: Callable[[dict[str, str], str], str]
    #: The session the framework reads with key and fallbacks, None when it refuses.
    reads: Callable[[str, str, list[str]], dict[str, Any] | None]
    fallbacks: bool


def _flask() -> Framework:
    def make(data: dict[str, str], key: str) -> str:
        return flask_cookie(make_app(key), data)[0]

    def reads(value: str, key: str, old: list[str]) -> dict[str, Any] | None:
        app = make_app(key, [*old])
        interface = app.session_interface
        serializer = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        try:
            return dict(serializer.loads(value))
        except Exception:
            return None

    return Framework("flask", ("flask",), "session", make, reads, True)


def _quart() -> Framework:
    quart = pytest.importorskip("quart", reason="Quart is not installed")

    def app_for(key: str, old: list[str]) -> Any:
        app = quart.Quart(__name__)
        app.secret_key = key
        app.config["SECRET_KEY_FALLBACKS"] = old

        async def put() -> str:
            quart.session.update(await quart.request.get_json())
            return "ok"

        async def read() -> str:
            return json.dumps(dict(quart.session))

        app.post("/put")(put)
        app.get("/read")(read)
        return app

    def make(data: dict[str, str], key: str) -> str:
        async def go() -> str:
            client = app_for(key, []).test_client()
            await client.post("/put", json=data)
            return next(str(c.value) for c in client.cookie_jar or () if c.name == "session")

        return asyncio.run(go())

    def reads(value: str, key: str, old: list[str]) -> dict[str, Any] | None:
        async def go() -> dict[str, Any] | None:
            client = app_for(key, old).test_client()
            client.set_cookie("localhost", "session", value)
            read: dict[str, Any] = json.loads(await (await client.get("/read")).get_data())
            return read or None

        return asyncio.run(go())

    return Framework("quart", ("flask", "quart"), "session", make, reads, True)


def _starlette() -> Framework:
    pytest.importorskip("starlette", reason="Starlette is not installed")
    from tests.test_starlettecookie import starlette_cookie, starlette_reads

    def reads(value: str, key: str, old: list[str]) -> dict[str, Any] | None:
        read: dict[str, Any] = starlette_reads(value, key)
        return read or None

    return Framework(
        "starlette", ("starlette",), "session", starlette_cookie, reads, fallbacks=False
    )


def _django() -> Framework:
    pytest.importorskip("django", reason="Django is not installed")
    from django.test import override_settings  # type: ignore[import-untyped]

    from tests.test_djangocookie import django_cookie, django_loads

    def make(data: dict[str, str], key: str) -> str:
        with override_settings(SECRET_KEY=key, SECRET_KEY_FALLBACKS=[]):
            return django_cookie(**data)

    def reads(value: str, key: str, old: list[str]) -> dict[str, Any] | None:
        with override_settings(SECRET_KEY=key, SECRET_KEY_FALLBACKS=old):
            read: dict[str, Any] = django_loads(value)
        return read or None

    return Framework("django", ("django",), "sessionid", make, reads, True)


def _jwt() -> Framework:
    jwt = pytest.importorskip("jwt", reason="PyJWT is not installed")

    def make(data: dict[str, str], key: str) -> str:
        token: str = jwt.encode(data, key, algorithm="HS256")
        return token

    def reads(value: str, key: str, old: list[str]) -> dict[str, Any] | None:
        try:
            claims: dict[str, Any] = jwt.decode(value, key, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return None
        return claims

    return Framework("jwt", ("jwt",), "access_token_cookie", make, reads, False)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


FACTORIES = {
    "flask": _flask,
    "quart": _quart,
    "starlette": _starlette,
    "django": _django,
    "jwt": _jwt,
}
WITH_FALLBACKS = ("flask", "quart", "django")


@pytest.fixture(params=list(FACTORIES))
def framework(request: pytest.FixtureRequest) -> Framework:
    return FACTORIES[request.param]()


def decode(value: str, *args: str) -> dict[str, Any]:
    result = run("decode", value, *args, "--json")
    assert result.exit_code in (ExitCode.OK, ExitCode.CHECK_FAILED), result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def sign(framework: Framework, data: dict[str, Any], *keys: str) -> str:
    options = [arg for key in keys for arg in ("--key", key)]
    result = run("sign", json.dumps(data), "--format", framework.name, *options)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result.stdout.strip()


def test_values_the_framework_makes_decode_and_verify(framework: Framework) -> None:
    value = framework.make(DATA, KEY)
    doc = decode(value, "--key", KEY)
    assert doc["format"] in framework.detected_as and doc["format_reason"]
    assert (doc["verdict"], doc["payload"]) == ("valid", DATA)
    named = decode(f"{framework.cookie_name}={value}", "--key", KEY, "--format", framework.name)
    assert (named["format"], named["verdict"]) == (framework.name, "valid")


def test_the_framework_accepts_what_cookietool_signs(framework: Framework) -> None:
    value = sign(framework, DATA, KEY)
    assert framework.reads(value, KEY, []) == DATA
    assert decode(value, "--key", KEY)["verdict"] == "valid"


def test_another_key_is_an_invalid_signature_for_the_scheme(framework: Framework) -> None:
    value = framework.make(DATA, KEY)
    assert framework.reads(value, OTHER, []) is None
    doc = decode(value, "--key", OTHER, "--format", framework.name)
    assert doc["verdict"] == "invalid"
    assert f"signature invalid for {framework.name} (salt " in doc["problems"][0]["message"]


def test_a_tampered_value_is_refused_by_both(framework: Framework) -> None:
    value = framework.make(DATA, KEY)
    # Change one character of the signature: both parties must refuse it.
    last = value[-2]
    tampered = value[:-2] + ("A" if last != "A" else "B") + value[-1]
    assert framework.reads(tampered, KEY, []) is None
    assert decode(tampered, "--key", KEY, "--format", framework.name)["verdict"] == "invalid"


@pytest.mark.parametrize("name", WITH_FALLBACKS)
def test_a_fallback_key_verifies_as_in_the_framework(name: str) -> None:
    framework = FACTORIES[name]()
    if name == "quart":
        import inspect

        import quart.sessions

        if "SECRET_KEY_FALLBACKS" not in inspect.getsource(quart.sessions):
            # Quart 0.20, the newest for Python 3.10, has no fallback keys yet.
            pytest.skip(f"Quart {_version('quart')} has no SECRET_KEY_FALLBACKS")
    value = framework.make(DATA, OLD)
    assert framework.reads(value, KEY, [OLD]) == DATA
    doc = decode(value, "--key", OLD, "--key", KEY, "--format", name)
    assert doc["verdict"] == "valid" and doc["signature"]["key_index"] == 0


def test_auto_detection_on_a_mixed_set() -> None:
    made = [(FACTORIES[name](), name) for name in FACTORIES]
    for framework, _ in made:
        value = framework.make(DATA, KEY)
        doc = decode(value, "--key", KEY)
        assert doc["format"] in framework.detected_as, (framework.name, value)


@pytest.mark.parametrize("name", list(FACTORIES))
@given(data=st.dictionaries(st.text(max_size=12), st.text(max_size=40), max_size=5))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_through_the_framework(name: str, data: dict[str, str]) -> None:
    framework = FACTORIES[name]()
    if not data:
        data = {"k": "v"}  # an empty session makes no cookie in some frameworks
    value = sign(framework, data, KEY)
    assert framework.reads(value, KEY, []) == data
    assert decode(value, "--key", KEY, "--format", name)["payload"] == data
