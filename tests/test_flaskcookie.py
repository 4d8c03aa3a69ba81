"""The cookie format against itsdangerous itself."""

from __future__ import annotations

import base64
import hashlib
import time
import tracemalloc
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import Signer, URLSafeTimedSerializer

from cookietool import flaskcookie
from cookietool.errors import CookieFormatError, InputError, PayloadTooLargeError
from cookietool.flaskcookie import DIGESTS, KEY_DERIVATIONS, LEGACY_EPOCH, Scheme


@pytest.mark.parametrize("digest", DIGESTS)
@pytest.mark.parametrize("derivation", KEY_DERIVATIONS)
def test_derive_key_and_signature_match_itsdangerous(digest: str, derivation: str) -> None:
    signer = Signer(
        b"s3cret",
        salt="my-salt",
        key_derivation=derivation,
        digest_method=getattr(hashlib, digest),
    )
    scheme = Scheme("my-salt", digest, derivation)
    derived = scheme.derive_key(b"s3cret")
    assert derived == signer.derive_key()
    expected = signer.get_signature(b"abc.def")
    assert scheme.signature(derived, b"abc.def") == flaskcookie.b64decode(expected, "signature")


def test_scheme_rejects_unknown_choices() -> None:
    with pytest.raises(InputError, match="unknown digest"):
        Scheme(digest="md5")
    with pytest.raises(InputError, match="unknown key derivation"):
        Scheme(key_derivation="pbkdf2")


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=300), max_size=8))
def test_parse_reads_what_itsdangerous_writes(data: dict[str, str]) -> None:
    serializer = URLSafeTimedSerializer(
        [b"old", b"new"], salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    )
    value = serializer.dumps(data)
    cookie = flaskcookie.parse(value)
    assert flaskcookie.load_json(cookie.json_text) == data
    assert cookie.compressed == value.startswith(".")
    assert abs(cookie.timestamp_raw - time.time()) < 5
    assert flaskcookie.find_key(cookie, [b"old", b"new"], Scheme()) == 1
    assert flaskcookie.find_key(cookie, [b"new", b"other"], Scheme()) == 0
    assert flaskcookie.find_key(cookie, [b"old"], Scheme()) is None


def test_tampered_payload_fails_verification() -> None:
    value = URLSafeTimedSerializer(
        b"k", salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    ).dumps({"admin": False})
    rest = value.split(".", 1)[1]
    forged = base64.urlsafe_b64encode(b'{"admin":true}').rstrip(b"=").decode() + "." + rest
    cookie = flaskcookie.parse(forged)
    assert flaskcookie.load_json(cookie.json_text) == {"admin": True}
    assert flaskcookie.find_key(cookie, [b"k"], Scheme()) is None


def _compressed_cookie(data: bytes) -> str:
    body = base64.urlsafe_b64encode(zlib.compress(data, 9)).rstrip(b"=").decode()
    return f".{body}.AAAAAA.c2ln"


def test_zlib_bomb_is_refused_quickly_in_little_memory() -> None:
    bomb = _compressed_cookie(b"[" + b"0," * (32 << 20) + b"0]")  # 64 MiB of JSON
    assert len(bomb) < 150_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(PayloadTooLargeError, match="more than 1048576 bytes"):
        flaskcookie.parse(bomb)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20
    assert elapsed < 5  # a correctness guard against unbounded inflating, not a benchmark


def test_inflate_limit_is_exact() -> None:
    data = b'{"a":"' + b"x" * 994 + b'"}'
    assert len(data) == 1002
    assert flaskcookie.parse(_compressed_cookie(data), inflate_limit=1002).json_bytes == 1002
    with pytest.raises(PayloadTooLargeError):
        flaskcookie.parse(_compressed_cookie(data), inflate_limit=1001)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "expected PAYLOAD.TIMESTAMP.SIGNATURE"),
        ("abc.def", "expected PAYLOAD.TIMESTAMP.SIGNATURE"),
        ("..abc.def", "a part is empty"),
        ("eyJhIjoxfQ..sig", "a part is empty"),
        ("eyJ!IjoxfQ.AAAA.c2ln", "payload is not base64url"),
        ("eyJhIjoxfQ.AA*A.c2ln", "timestamp is not base64url"),
        ("eyJhIjoxfQ.AAAA.c2l=", "signature is not base64url"),
        ("eyJhIjoxfQ.A.c2ln", "timestamp is not valid base64url"),
        ("eyJhIjoxfQ.AAAAAAAAAAAAAAAA.c2ln", "longer than 8 bytes"),
        (".eyJhIjoxfQ.AAAA.c2ln", "not valid zlib data"),
        ("_w.AAAA.c2ln", "not UTF-8"),
        ("é.AAAA.c2ln", "ASCII"),
    ],
)
def test_malformed_cookies_are_format_errors(value: str, message: str) -> None:
    with pytest.raises(CookieFormatError, match=message):
        flaskcookie.parse(value)


def test_truncated_compressed_payload() -> None:
    body = base64.urlsafe_b64encode(zlib.compress(b'{"a": 1}')[:-3]).rstrip(b"=").decode()
    with pytest.raises(CookieFormatError, match="truncated"):
        flaskcookie.parse(f".{body}.AAAA.c2ln")


def test_payload_that_is_not_json() -> None:
    cookie = flaskcookie.parse("bm90IGpzb24.AAAA.c2ln")
    with pytest.raises(CookieFormatError, match="not JSON"):
        flaskcookie.load_json(cookie.json_text)


def test_legacy_epoch_detection() -> None:
    # itsdangerous 0.24 wrote int(time.time() - EPOCH); in 2018 that was about 2.4e8.
    assert flaskcookie.looks_legacy(int(1_540_000_000 - LEGACY_EPOCH))
    assert not flaskcookie.looks_legacy(1_540_000_000)
    assert flaskcookie.to_unix(246_160_000, legacy=True) == 1_540_000_000
    assert flaskcookie.to_unix(1_540_000_000, legacy=False) == 1_540_000_000
