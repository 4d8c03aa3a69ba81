"""The pytest plugin, run as Flask projects run it: real apps in test files under pytester."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import timedelta
from importlib.metadata import entry_points

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface, SessionInterface

from cookietool.errors import InputError
from cookietool.pytest_plugin import ServerSideSessionError, app_settings

pytest_plugins = ["pytester"]

#: A Flask project's conftest: the app factory and the ``app`` and ``client`` fixtures that
#: pytest-flask and the Flask tutorial use, with the session interfaces the tests need.
PROJECT_CONFTEST = '''
import hashlib

import pytest
from flask import Flask, flash, session
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin

SECRET = "current-secret-key-never-shown"
OLD_SECRET = "old-secret-key-never-shown"


class CustomInterface(SecureCookieSessionInterface):
    salt = "custom"
    digest_method = staticmethod(hashlib.sha256)


class ServerSession(dict, SessionMixin):
    pass


class ServerSideInterface(SessionInterface):
    """Sessions in memory; the cookie holds only their id."""

    store = {}

    def open_session(self, app, request):
        return ServerSession(self.store.get(request.cookies.get("session"), {}))

    def save_session(self, app, session, response):
        sid = f"id{len(self.store)}"
        self.store[sid] = dict(session)
        response.set_cookie("session", sid)


def create_app(interface=None, fallbacks=()):
    app = Flask("demo")
    app.config.update(SECRET_KEY=SECRET, SECRET_KEY_FALLBACKS=list(fallbacks))
    if interface is not None:
        app.session_interface = interface

    @app.post("/login")
    def login():
        session["user_id"] = 42
        flash("Welcome back!")
        return "logged in"

    @app.post("/remember")
    def remember():
        session["user_id"] = 42
        session.permanent = True
        return "remembered"

    @app.post("/note")
    def note():
        session["note"] = "a-private-note"
        return "noted"

    @app.post("/logout")
    def logout():
        session.clear()
        return "bye"

    @app.get("/me")
    def me():
        return str(session.get("user_id", "anonymous"))

    return app


@pytest.fixture
def app():
    return create_app()


@pytest.fixture
def client(app):
    return app.test_client()
'''

#: What the project sets, and what a strict project sets: warnings are errors.
PROJECT_INI = """
[pytest]
addopts = -ra --strict-markers
filterwarnings = error
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A Flask project with its conftest, the plugin loaded from its entry point."""
    pytester.makeini(PROJECT_INI)
    pytester.makeconftest(PROJECT_CONFTEST)
    return pytester


def run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    """Run the project's tests in this process, the plugin loaded from its entry point."""
    # In this process cookietool is imported already, so pytest cannot rewrite the asserts
    # of the package its entry point names, and says so; a fresh process (see
    # test_a_fresh_strict_process_loads_the_plugin) has nothing to say.
    return project.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning", *args)


def test_the_plugin_is_a_pytest11_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "cookietool"]
    assert [ep.value for ep in found] == ["cookietool.pytest_plugin"]


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    # pytest loads the plugin in every project where cookietool is installed.
    probe = (
        "import sys, json, pytest\n"
        "before = set(sys.modules)\n"
        "import cookietool.pytest_plugin\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(result.stdout) == [
        "cookietool",
        "cookietool.defaults",
        "cookietool.errors",
        "cookietool.flaskapp",
        "cookietool.pytest_plugin",
    ]


def test_login_flash_and_permanent_session_are_read(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_login="""
        from cookietool.pytest_plugin import read_session

        def test_login(client):
            response = client.post("/login")
            cookie = read_session(client)
            assert cookie.verdict == "valid"
            assert cookie.signature.key_label == "SECRET_KEY"
            assert cookie.session == {"user_id": 42, "_flashes": [("message", "Welcome back!")]}
            assert read_session(response, client.application).session == cookie.session

        def test_fixture_reads_a_response_with_the_app_fixture(client, flask_session_cookie):
            response = client.post("/remember")
            cookie = flask_session_cookie.read(response)
            assert cookie.ok
            assert cookie.session == {"user_id": 42, "_permanent": True}
            assert "Expires=" in response.headers["Set-Cookie"]

        def test_cookie_text(app, flask_session_cookie):
            client = app.test_client()
            client.post("/login")
            value = client.get_cookie("session").value
            assert flask_session_cookie.read(f"Cookie: theme=dark; session={value}").ok
        """
    )
    run(project).assert_outcomes(passed=3)


def test_a_fresh_strict_process_loads_the_plugin(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_fresh="""
        import sys

        def test_loaded_without_flask(pytestconfig, flask_session_cookie):
            assert pytestconfig.pluginmanager.has_plugin("cookietool")

        def test_set_and_read(client, flask_session_cookie):
            flask_session_cookie.set(client, {"user_id": 3})
            assert client.get("/me").text == "3"
            assert flask_session_cookie.read(client).session == {"user_id": 3}
        """
    )
    project.runpytest_subprocess().assert_outcomes(passed=2)


def test_set_session_is_the_apps_cookie_to_the_byte(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_set="""
        from datetime import datetime, timezone

        import itsdangerous
        import pytest
        from conftest import CustomInterface, create_app
        from cookietool.pytest_plugin import read_session, set_session

        FROZEN = 1767323045

        class FrozenDatetime(datetime):
            @classmethod
            def now(cls, tz=None):
                return cls.fromtimestamp(FROZEN, tz)

        @pytest.mark.parametrize("interface", [None, CustomInterface()])
        @pytest.mark.parametrize("permanent", [False, True])
        def test_same_bytes(monkeypatch, interface, permanent):
            # One moment for both: the app's signer clock, which set_session reads, and
            # the clock Flask computes Expires from.
            monkeypatch.setattr(itsdangerous.TimestampSigner, "get_timestamp", lambda s: FROZEN)
            monkeypatch.setattr("flask.sessions.datetime", FrozenDatetime)
            app = create_app(interface)
            flask_client = app.test_client()
            with flask_client.session_transaction() as session:
                session.update({"user_id": 42, "cart": (3, 7)})
                if permanent:
                    session.permanent = True
            ours = app.test_client()
            signed = set_session(ours, {"user_id": 42, "cart": (3, 7)}, permanent=permanent)
            flasks = flask_client.get_cookie("session")
            assert signed.value == flasks.value == ours.get_cookie("session").value
            assert ours.get_cookie("session").expires == flasks.expires
            assert read_session(ours).verdict == "valid"

        def test_the_app_accepts_it(client, flask_session_cookie):
            flask_session_cookie.set(client, {"user_id": 7})
            assert client.get("/me").text == "7"

        def test_a_client_is_signed_for_its_own_app(flask_session_cookie):
            # The app fixture has the default scheme; this client's app another one.
            client = create_app(CustomInterface()).test_client()
            flask_session_cookie.set(client, {"user_id": 8})
            assert client.get("/me").text == "8"
            assert flask_session_cookie.read(client).scheme.salt == "custom"
        """
    )
    run(project).assert_outcomes(passed=6)


def test_custom_salt_and_sha256_just_work(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_custom="""
        import pytest
        from conftest import CustomInterface, create_app
        from cookietool.pytest_plugin import read_session, set_session

        @pytest.fixture
        def app():
            return create_app(CustomInterface())

        def test_read(client):
            client.post("/login")
            cookie = read_session(client)
            assert cookie.verdict == "valid"
            assert (cookie.scheme.salt, cookie.scheme.digest) == ("custom", "sha256")
            assert cookie.session["user_id"] == 42

        def test_default_scheme_cookie_is_refused(client):
            set_session(client, {"user_id": 1}, create_app())
            assert read_session(client).verdict == "invalid"
            assert client.get("/me").text == "anonymous"
        """
    )
    run(project).assert_outcomes(passed=2)


def test_fallback_keys_and_expiry(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_rotation="""
        import time
        import pytest
        from conftest import OLD_SECRET, create_app
        from cookietool.pytest_plugin import read_session, set_session

        @pytest.fixture
        def app():
            return create_app(fallbacks=[OLD_SECRET])

        def test_old_key_still_logs_in(client):
            set_session(client, {"user_id": 5}, key=OLD_SECRET)
            cookie = read_session(client)
            assert cookie.verdict == "valid"
            assert cookie.signature.key_label == "SECRET_KEY_FALLBACKS[0]"
            assert client.get("/me").text == "5"

        def test_wrong_key_is_refused(client):
            set_session(client, {"user_id": 5}, key="guessed")
            assert read_session(client).verdict == "invalid"
            assert client.get("/me").text == "anonymous"

        def test_expired_cookie(client):
            set_session(client, {"user_id": 5}, timestamp=int(time.time()) - 32 * 86400)
            assert read_session(client).verdict == "expired"
            assert client.get("/me").text == "anonymous"
        """
    )
    run(project).assert_outcomes(passed=3)


def test_missing_and_deleted_cookies_say_so(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_missing="""
        import pytest
        from cookietool.pytest_plugin import NoSessionCookieError, read_session

        def test_fresh_client(client):
            with pytest.raises(NoSessionCookieError, match="holds no 'session' cookie"):
                read_session(client)

        def test_logout(client):
            client.post("/login")
            response = client.post("/logout")
            with pytest.raises(NoSessionCookieError, match="deletes the 'session' cookie"):
                read_session(response, client.application)
            with pytest.raises(NoSessionCookieError):
                read_session(client)

        def test_untouched_session(client):
            response = client.get("/me")
            with pytest.raises(NoSessionCookieError, match="sets no 'session' cookie"):
                read_session(response, client.application)
        """
    )
    run(project).assert_outcomes(passed=3)


def test_server_side_sessions_are_recognised(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_server_side="""
        import pytest
        from conftest import ServerSideInterface, create_app

        @pytest.fixture
        def app():
            return create_app(ServerSideInterface())

        def test_read(client, flask_session_cookie):
            client.post("/login")
            flask_session_cookie.read(client)

        def test_set(client, flask_session_cookie):
            flask_session_cookie.set(client, {"user_id": 1})
        """
    )
    result = run(project)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*ServerSideSessionError: the app * uses ServerSideInterface, which keeps "
            "sessions on the server*",
        ]
    )
    assert "its cookie holds only a session id" in result.stdout.str()


def test_over_budget_fails_with_sizes_and_no_value(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_budget="""
        from pathlib import Path
        from cookietool.pytest_plugin import assert_cookies_fit

        def test_fits(client):
            response = client.post("/note")
            Path("value.txt").write_text(client.get_cookie("session").value)
            assert_cookies_fit(response, budget=64)
        """
    )
    result = run(project)
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    value = (project.path / "value.txt").read_text()
    result.stdout.fnmatch_lines(
        [
            "E * AssertionError: cookies do not fit: 1 error, 0 warnings "
            "(budget 64 bytes, warn at 90%)",
            "E *   session: name+value * bytes (limit 4096, budget 64), "
            "Set-Cookie * bytes (limit 4093)",
            "E *   ERROR: cookie 'session': name + value is * bytes, over the budget of 64",
        ]
    )
    payload, _, signature = value.split(".")
    for secret in (payload, signature, "a-private-note", "current-secret-key"):
        assert secret not in output


def test_close_to_a_limit_warns_or_fails(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_warn="""
        import pytest
        from cookietool.pytest_plugin import CookieSizeWarning, assert_cookies_fit

        def test_fits(client):
            report = assert_cookies_fit(client.post("/login"), budget=1000)
            assert report.count("warning") == 0

        def test_warns(client):
            with pytest.warns(CookieSizeWarning, match="close to a limit: 0 errors, 2 warnings"):
                assert_cookies_fit(client.post("/login"), warn_at=1)

        def test_strict_project_fails_on_the_warning(client):
            assert_cookies_fit(client.post("/login"), warn_at=1)

        def test_fail_on_warning(client):
            assert_cookies_fit(client.post("/login"), warn_at=1, fail_on="warning")
        """
    )
    result = run(project)
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E *.CookieSizeWarning: cookies are close to a limit: 0 errors, 2 warnings "
            "(warn at 1%)",
            "E * AssertionError: cookies do not fit: 0 errors, 2 warnings (warn at 1%)",
        ],
        consecutive=False,
    )


def test_the_plugin_can_be_disabled(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_off="""
        def test_uses_fixture(flask_session_cookie):
            pass
        """
    )
    result = run(project, "-p", "no:cookietool")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'flask_session_cookie' not found*"])


def test_app_settings_follow_the_session_interface() -> None:
    class Interface(SecureCookieSessionInterface):
        salt = "custom"
        key_derivation = "concat"
        digest_method = staticmethod(hashlib.sha512)

        def get_cookie_name(self, app: Flask) -> str:
            return "sid"

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=b"\x00binary",
        SECRET_KEY_FALLBACKS=["old", b"older"],
        SESSION_COOKIE_SAMESITE="lax",
        SESSION_COOKIE_DOMAIN="example.org",
        APPLICATION_ROOT="/shop",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=1),
    )
    app.session_interface = Interface()
    settings = app_settings(app)
    assert [(k.value, k.label) for k in settings.keys] == [
        (b"old", "SECRET_KEY_FALLBACKS[0]"),
        (b"older", "SECRET_KEY_FALLBACKS[1]"),
        (b"\x00binary", "SECRET_KEY"),
    ]
    assert (settings.scheme.salt, settings.scheme.digest) == ("custom", "sha512")
    assert settings.scheme.key_derivation == "concat"
    cookie = settings.cookie
    assert (cookie.name, cookie.domain, cookie.path) == ("sid", "example.org", "/shop")
    assert (cookie.samesite, cookie.lifetime) == ("Lax", 3600)


def test_app_settings_refuse_what_has_no_signed_session() -> None:
    app = Flask(__name__)
    with pytest.raises(InputError, match="no SECRET_KEY"):
        app_settings(app)
    with pytest.raises(InputError, match="expected a Flask app, not str"):
        app_settings("app")  # type: ignore[arg-type]
    app.secret_key = "k"

    class StoredElsewhere(SessionInterface):
        """A server-side interface: its cookie would hold only an id."""

    app.session_interface = StoredElsewhere()
    with pytest.raises(ServerSideSessionError, match="uses StoredElsewhere, which keeps"):
        app_settings(app)
