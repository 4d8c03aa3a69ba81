"""The Django signed-cookie session format against Django itself."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cookietool import djangocookie
from cookietool.caps import DEFAULT as DEFAULT_CAPS
from cookietool.djangocookie import FORMAT, LEGACY_SCHEME, SALT, SCHEME
from cookietool.errors import CookieFormatError, InputError, PayloadError
from cookietool.keys import SecretKey
from cookietool.session import inspect_cookie
from cookietool.signer import Scheme
from tests.conftest import FROZEN

django = pytest.importorskip("django")

from django.conf import settings  # type: ignore[import-untyped]  # noqa: E402
from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped]  # noqa: E402
from django.urls import path  # type: ignore[import-untyped]  # noqa: E402

NEW, OLD = "new-secret-key-for-tests", "old-secret-key-for-tests"
KEYS = [SecretKey(OLD.encode(), "old"), SecretKey(NEW.encode(), "new")]


def store(request: HttpRequest) -> HttpResponse:
    """Keep every query parameter in the session, as a view would."""
    for name, value in request.GET.items():
        request.session[name] = value
    return HttpResponse("ok")


urlpatterns = [path("store/", store)]

if not settings.configured:
    settings.configure(
        SECRET_KEY=NEW,
        SECRET_KEY_FALLBACKS=[OLD],
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        INSTALLED_APPS=["django.contrib.sessions"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
    )
    django.setup()

from django.core import signing  # type: ignore[import-untyped]  # noqa: E402
from django.test import Client, override_settings  # type: ignore[import-untyped]  # noqa: E402

#: Session data Django's JSONSerializer can write and read back unchanged.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
session_data = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


def django_cookie(**data: str) -> str:
    """The sessionid cookie a real Django view sets after storing ``data``."""
    response = Client().get("/store/", data)
    value: str = response.cookies[settings.SESSION_COOKIE_NAME].value
    return value


def django_loads(value: str) -> Any:
    """What Django's signed_cookies SessionStore loads from a cookie value."""
    from django.contrib.sessions.backends.signed_cookies import (  # type: ignore[import-untyped]
        SessionStore,
    )

    return SessionStore(session_key=value).load()


def frozen_signing(stamp: float) -> Any:
    """Freeze the clock django.core.signing reads, and nothing else's."""
    return mock.patch.object(signing, "time", SimpleNamespace(time=lambda: stamp))


def test_defaults_are_djangos() -> None:
    assert settings.SESSION_COOKIE_NAME == FORMAT.default_cookie_name == "sessionid"
    assert settings.SESSION_COOKIE_AGE == djangocookie.COOKIE_AGE == 1209600
    assert djangocookie.BASE62_ALPHABET == signing.BASE62_ALPHABET
    assert FORMAT.default_scheme == SCHEME == Scheme(SALT, "sha256", "django-concat")


@pytest.mark.parametrize("digest", ["sha256", "sha1"])
def test_django_concat_is_salted_hmac(digest: str) -> None:
    from django.utils.crypto import salted_hmac  # type: ignore[import-untyped]

    chosen = djangocookie.scheme(digest=digest)
    expected = salted_hmac(SALT + "signer", b"a:b", NEW, algorithm=digest).digest()
    assert chosen.signature(chosen.derive_key(NEW.encode()), b"a:b") == expected


@pytest.mark.parametrize("value", ["short", "x" * 2000])
def test_real_cookies_verify_with_the_same_data(value: str) -> None:
    cookie = django_cookie(note=value, user="ada")
    assert cookie.startswith(".") == (len(value) > 100)  # only the long one compresses
    assert FORMAT.recognise(cookie) is not None
    result = inspect_cookie(cookie, KEYS, fmt=FORMAT, max_age=djangocookie.COOKIE_AGE)
    assert result.verdict == "valid"
    assert result.signature.key_label == "new"
    assert result.session == {"note": value, "user": "ada"} == django_loads(cookie)
    assert result.compressed == cookie.startswith(".")
    assert result.timestamp is not None and abs(result.timestamp - time.time()) < 5


def test_fallback_keys_verify() -> None:
    with override_settings(SECRET_KEY=OLD, SECRET_KEY_FALLBACKS=[]):
        cookie = django_cookie(role="admin")
    assert django_loads(cookie) == {"role": "admin"}  # Django accepts it through its fallback
    result = inspect_cookie(cookie, KEYS, fmt=FORMAT)
    assert result.verdict == "valid"
    assert result.signature.key_label == "old"
    assert not result.signature.matched_newest


def test_a_wrong_key_is_invalid() -> None:
    cookie = django_cookie(role="admin")
    wrong = [SecretKey(b"not-the-key", "wrong")]
    result = inspect_cookie(cookie, wrong, fmt=FORMAT)
    assert result.verdict == "invalid"
    assert result.session == {"role": "admin"}  # still read, as unverified
    assert inspect_cookie(cookie, fmt=FORMAT).verdict == "unchecked"


def test_tampering_is_invalid_for_django_and_for_us() -> None:
    cookie = django_cookie(role="user")
    rest = cookie.split(":", 1)[1]
    forged = djangocookie.dumps({"role": "admin"}) + ":" + rest
    assert django_loads(forged) == {}  # Django starts a new, empty session
    assert inspect_cookie(forged, KEYS, fmt=FORMAT).verdict == "invalid"


def test_padded_signature_matches_no_key_as_in_django() -> None:
    cookie = djangocookie.sign({"a": 1}, KEYS, compress=False) + "="
    with pytest.raises(signing.BadSignature):
        signing.loads(cookie, salt=SALT)
    assert inspect_cookie(cookie, KEYS, fmt=FORMAT).verdict == "invalid"


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("data", [{"a": 1}, {"long": "spam " * 200}, {"é": ["ü", None, 1.5]}])
def test_sign_is_byte_identical_to_django_dumps(data: dict[str, Any], compress: bool) -> None:
    with frozen_signing(FROZEN + 0.9):
        expected = signing.dumps(data, salt=SALT, compress=compress)
    assert djangocookie.sign(data, KEYS, FROZEN, compress) == expected


def test_signed_cookies_session_store_loads_what_sign_writes() -> None:
    data = {"_auth_user_id": "7", "cart": ["x"] * 300}
    value = djangocookie.sign(data, KEYS)
    assert value.startswith(".")
    assert django_loads(value) == data
    assert django_loads(djangocookie.sign(data, KEYS[:1])) == data  # a fallback signed it
    # What the store itself would write now is what sign writes now.
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    store = SessionStore()
    store.update(data)
    with frozen_signing(FROZEN):
        store.save()
    assert store.session_key == djangocookie.sign(data, KEYS, FROZEN)


def test_sha1_cookies_of_django_before_3_1_verify() -> None:
    # Django 5.2 still writes this form when Signer is given algorithm="sha1", its
    # salted_hmac default: the oracle for what releases before 3.1 wrote by default.
    data = {"_auth_user_id": "1", "pad": "z" * 500}
    with frozen_signing(FROZEN):
        oracle = signing.TimestampSigner(key=NEW, salt=SALT, algorithm="sha1")
        value = oracle.sign_object(data, compress=True)
    assert djangocookie.sign(data, KEYS, FROZEN, scheme=LEGACY_SCHEME) == value
    assert inspect_cookie(value, KEYS, fmt=FORMAT, scheme=LEGACY_SCHEME).verdict == "valid"
    current = inspect_cookie(value, KEYS, fmt=FORMAT)
    assert current.verdict == "invalid"
    assert "sha1" in current.notes[0]
    assert djangocookie.find_scheme(value, KEYS) == (LEGACY_SCHEME, 1)
    assert djangocookie.find_scheme(value, KEYS, "sha256") is None
    assert djangocookie.find_scheme(django_cookie(a="b"), KEYS) == (SCHEME, 1)
    with pytest.raises(InputError, match="unknown algorithm"):
        djangocookie.find_scheme(value, KEYS, "md5")


@given(session_data, st.booleans())
def test_sign_round_trips_through_django_and_inspect(data: dict[str, Any], compress: bool) -> None:
    stamp = int(time.time())
    with frozen_signing(stamp):
        expected = signing.dumps(data, salt=SALT, compress=compress)
    value = djangocookie.sign(data, KEYS, stamp, compress)
    assert value == expected
    assert signing.loads(value, salt=SALT, max_age=60) == data
    result = inspect_cookie(value, KEYS, fmt=FORMAT, max_age=60, now=stamp)
    assert result.verdict == "valid"
    assert result.session == data
    assert result.timestamp == stamp


@given(st.integers(min_value=-(62**11) + 1, max_value=62**11 - 1))
def test_base62_is_djangos(number: int) -> None:
    encoded = djangocookie.b62encode(number)
    assert encoded == signing.b62_encode(number)
    env = djangocookie.envelope(f"e30:{encoded}:c2ln")
    assert djangocookie.read_timestamp(env) == number


# Longer than 11 digits is refused on purpose: see test_an_overlong_timestamp_is_refused.
@given(st.text(alphabet=djangocookie.BASE62_ALPHABET + "-+ é", max_size=11))
def test_timestamp_is_read_as_b62_decode_reads_it(segment: str) -> None:
    try:
        expected: int | None = signing.b62_decode(segment)
    except (ValueError, IndexError):
        expected = None
    env = djangocookie.envelope(f"e30:{segment}:c2ln")
    try:
        got: int | None = djangocookie.read_timestamp(env)
    except CookieFormatError:
        got = None
    assert got == expected


def test_an_overlong_timestamp_is_refused() -> None:
    env = djangocookie.envelope("e30:" + "z" * 12 + ":c2ln")
    with pytest.raises(CookieFormatError, match="more than 11 base62 digits"):
        djangocookie.read_timestamp(env)
    assert djangocookie.read_timestamp(djangocookie.envelope("e30:" + "0" * 20 + "1:c2ln")) == 1


@pytest.mark.parametrize(
    "value",
    ["", "abc", "a:b", "eyJhIjoxfQ.AAAA.c2ln", "e30:1QaUZC:", "e30:1Qa=UZC:c2ln", "a b:1:c"],
)
def test_what_is_not_shaped_so_is_not_recognised(value: str) -> None:
    assert FORMAT.recognise(value) is None


def test_envelope_splits_from_the_right() -> None:
    env = djangocookie.envelope(".eJw:x:1QaUZC:c2ln")
    assert env.signed_part == b".eJw:x:1QaUZC"
    assert env.payload_segment == b"eJw:x"
    assert env.timestamp_segment == b"1QaUZC"
    assert env.compressed
    with pytest.raises(CookieFormatError, match="two ':' at least"):
        djangocookie.envelope("e30:c2ln")


def test_a_payload_that_is_not_an_object_is_not_a_session() -> None:
    loaded = FORMAT.load_session("[1, 2]", DEFAULT_CAPS)
    assert loaded.session is None and loaded.error is not None
    with frozen_signing(FROZEN):
        value = signing.dumps([1, 2], salt=SALT)
    assert inspect_cookie(value, KEYS, fmt=FORMAT).verdict == "not-a-session"


def test_sign_refuses_what_django_could_not_store() -> None:
    with pytest.raises(PayloadError, match="JSON"):
        djangocookie.sign({"when": object()}, KEYS)
    with pytest.raises(InputError, match="needs a key"):
        djangocookie.sign({}, [])


def test_django_keys_are_explained_and_there_is_no_legacy_epoch() -> None:
    for key in ("_auth_user_id", "_auth_user_backend", "_auth_user_hash"):
        assert FORMAT.explain(key)
    assert FORMAT.explain("cart") is None
    assert FORMAT.to_unix(5, "auto") == (5, False)
    with pytest.raises(InputError, match="no legacy epoch"):
        FORMAT.to_unix(5, "legacy")
