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
from itsdangerous import BadData, Signer, URLSafeTimedSerializer

from cookietool import flaskcookie, jsontext, signer
from cookietool.errors import CookieFormatError, InputError, PayloadTooLargeError
from cookietool.flaskcookie import LEGACY_EPOCH
from cookietool.flaskcookie import scheme as flask_scheme
from cookietool.formats import Payload
from cookietool.signer import DIGESTS, KEY_DERIVATIONS


@pytest.mark.parametrize("digest", DIGESTS)
@pytest.mark.parametrize("derivation", KEY_DERIVATIONS)
def test_derive_key_and_signature_match_itsdangerous(digest: str, derivation: str) -> None:
    oracle = Signer(
        b"s3cret",
        salt="my-salt",
        key_derivation=derivation,
        digest_method=getattr(hashlib, digest),
    )
    scheme = flask_scheme("my-salt", digest, derivation)
    derived = scheme.derive_key(b"s3cret")
    assert derived == oracle.derive_key()
    expected = oracle.get_signature(b"abc.def")
    assert scheme.signature(derived, b"abc.def") == signer.b64decode(expected, "signature")
    assert len(scheme.signature(derived, b"x")) == scheme.signature_size


def test_scheme_rejects_unknown_choices() -> None:
    with pytest.raises(InputError, match="unknown digest"):
        flask_scheme(digest="md5")
    with pytest.raises(InputError, match="unknown key derivation"):
        flask_scheme(key_derivation="pbkdf2")


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=300), max_size=8))
def test_parts_read_what_itsdangerous_writes(data: dict[str, str]) -> None:
    serializer = URLSafeTimedSerializer(
        [b"old", b"new"], salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    )
    value = serializer.dumps(data)
    env = flaskcookie.envelope(value)
    payload = flaskcookie.read_payload(env)
    assert jsontext.load_json(payload.json_text) == data
    assert env.compressed == payload.compressed == value.startswith(".")
    assert abs(flaskcookie.read_timestamp(env) - time.time()) < 5
    signature = flaskcookie.read_signature(env)
    assert signer.find_key(env.signed_part, signature, [b"old", b"new"], flask_scheme()) == 1
    assert signer.find_key(env.signed_part, signature, [b"new", b"x"], flask_scheme()) == 0
    assert signer.find_key(env.signed_part, signature, [b"old"], flask_scheme()) is None


@given(st.binary(max_size=64))
def test_b64decode_is_itsdangerous_base64_decode(segment: bytes) -> None:
    from itsdangerous.encoding import base64_decode

    try:
        expected: bytes | None = base64_decode(segment)
    except BadData:
        expected = None
    try:
        got: bytes | None = signer.b64decode(segment, "part")
    except CookieFormatError:
        got = None
    assert got == expected


@given(st.binary(max_size=16))
def test_timestamp_is_read_as_itsdangerous_reads_it(data: bytes) -> None:
    from itsdangerous.encoding import bytes_to_int

    env = flaskcookie.envelope("e30." + base64.urlsafe_b64encode(data).decode() + "." + "A" * 27)
    try:
        expected: int | None = bytes_to_int(data)
    except Exception:  # struct.error for more than 8 bytes
        expected = None
    try:
        got: int | None = flaskcookie.read_timestamp(env)
    except CookieFormatError:
        got = None
    assert got == expected


def test_tampered_payload_fails_verification() -> None:
    value = URLSafeTimedSerializer(
        b"k", salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    ).dumps({"admin": False})
    rest = value.split(".", 1)[1]
    forged = base64.urlsafe_b64encode(b'{"admin":true}').rstrip(b"=").decode() + "." + rest
    env = flaskcookie.envelope(forged)
    assert jsontext.load_json(flaskcookie.read_payload(env).json_text) == {"admin": True}
    signature = flaskcookie.read_signature(env)
    assert signer.find_key(env.signed_part, signature, [b"k"], flask_scheme()) is None


def _compressed_cookie(data: bytes) -> str:
    body = base64.urlsafe_b64encode(zlib.compress(data, 9)).rstrip(b"=").decode()
    return f".{body}.AAAAAA.c2ln"


def _payload(value: str, **kwargs: int) -> Payload:
    return flaskcookie.read_payload(flaskcookie.envelope(value), **kwargs)


def test_zlib_bomb_is_refused_quickly_in_little_memory() -> None:
    bomb = _compressed_cookie(b"[" + b"0," * (32 << 20) + b"0]")  # 64 MiB of JSON
    assert len(bomb) < 150_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(PayloadTooLargeError, match="more than 1048576 bytes"):
        _payload(bomb)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 << 20
    assert elapsed < 5  # a correctness guard against unbounded inflating, not a benchmark


def test_inflate_limit_is_exact() -> None:
    data = b'{"a":"' + b"x" * 994 + b'"}'
    assert len(data) == 1002
    assert _payload(_compressed_cookie(data), inflate_limit=1002).json_bytes == 1002
    with pytest.raises(PayloadTooLargeError):
        _payload(_compressed_cookie(data), inflate_limit=1001)


@pytest.mark.parametrize("value", ["abc", "abc.def", "", "no dots at all"])
def test_values_without_the_shape_are_refused(value: str) -> None:
    with pytest.raises(CookieFormatError, match=r"empty|expected PAYLOAD\.TIMESTAMP"):
        flaskcookie.envelope(value)


@pytest.mark.parametrize(
    ("value", "part", "message"),
    [
        ("eyJhIjoxfQ.AAAAAAAAAAAAAAAA.c2ln", "timestamp", "at most 8"),
        ("eyJhIjoxfQ.A.c2ln", "timestamp", "not valid base64"),
        ("eyJhIjoxfQ.AAAA.c", "signature", "not valid base64"),
        (".eyJhIjoxfQ.AAAA.c2ln", "payload", "not valid zlib data"),
        ("_w.AAAA.c2ln", "payload", "not UTF-8"),
        ("e.AAAA.c2ln", "payload", "not valid base64"),
    ],
)
def test_each_part_says_why_it_cannot_be_read(value: str, part: str, message: str) -> None:
    env = flaskcookie.envelope(value)
    readers = {
        "timestamp": flaskcookie.read_timestamp,
        "signature": flaskcookie.read_signature,
        "payload": flaskcookie.read_payload,
    }
    with pytest.raises(CookieFormatError, match=message):
        readers[part](env)


def test_truncated_compressed_payload() -> None:
    body = base64.urlsafe_b64encode(zlib.compress(b'{"a": 1}')[:-3]).rstrip(b"=").decode()
    with pytest.raises(CookieFormatError, match="truncated"):
        _payload(f".{body}.AAAA.c2ln")


def test_payload_that_is_not_json() -> None:
    with pytest.raises(CookieFormatError, match="not JSON"):
        jsontext.load_json(_payload("bm90IGpzb24.AAAA.c2ln").json_text)


def test_legacy_epoch_detection() -> None:
    # itsdangerous 0.24 wrote int(time.time() - EPOCH); in 2018 that was about 2.4e8.
    assert flaskcookie.looks_legacy(int(1_540_000_000 - LEGACY_EPOCH))
    assert not flaskcookie.looks_legacy(1_540_000_000)
    assert flaskcookie.to_unix(246_160_000, legacy=True) == 1_540_000_000
    assert flaskcookie.to_unix(1_540_000_000, legacy=False) == 1_540_000_000
