"""audit against cookies made by real Flask apps, for every candidate source."""

from __future__ import annotations

import gzip
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from cookietool import audit, hashcat, wordlists
from cookietool.errors import CookieFormatError, InputError
from cookietool.flaskcookie import LEGACY_EPOCH
from cookietool.flaskcookie import scheme as flask_scheme
from cookietool.signer import Scheme
from cookietool.wordlists import Block, CandidateSource
from tests.conftest import flask_cookie, make_app

HASHCAT_COOKIE = "eyJ1c2VybmFtZSI6ImFkbWluIn0.YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8"


def cookie_for(key: str | bytes, **app_kwargs: object) -> str:
    return flask_cookie(make_app(secret_key=key, **app_kwargs), {"user": "admin"})[0]  # type: ignore[arg-type]


def run(
    cookies: list[str], sources: list[CandidateSource], scheme: Scheme | None = None, jobs: int = 1
) -> audit.AuditResult:
    return audit.audit(
        [audit.Target(c, scheme or flask_scheme()) for c in cookies], sources, jobs=jobs
    )


def wordlist(tmp_path: Path, lines: list[bytes], name: str = "words.txt") -> str:
    path = tmp_path / name
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


@pytest.mark.parametrize(
    "key",
    [
        "dev",
        "CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET",
        b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h",
        b'_5#y2L"F4Q8z\n\xec]/',
    ],
)
@pytest.mark.parametrize("jobs", [1, 2])
def test_builtin_list_finds_known_keys(key: str | bytes, jobs: int) -> None:
    result = run([cookie_for(key)], [wordlists.builtin_source()], jobs=jobs)
    expected = key.encode() if isinstance(key, str) else key
    assert (result.key, result.source, result.cookies) == (expected, "built-in list", (0,))


def test_flask_unsign_wordlist_finds_its_keys() -> None:
    path = wordlists.flask_unsign_wordlist_path()
    assert path is not None, "the dev extra installs flask-unsign-wordlist"
    lines = Path(path).read_bytes().splitlines()
    key = wordlists.unquote(lines[len(lines) // 2])
    assert key is not None and key not in {k.value for k in wordlists.known_keys()}
    source = wordlists.file_source(path, quoted=True, label="Flask-Unsign wordlist")
    for jobs in (1, 2):
        result = run([cookie_for(key)], [source], jobs=jobs)
        assert result.key == key and result.source == "Flask-Unsign wordlist"


@pytest.mark.parametrize("name", ["words.txt", "words.txt.gz"])
def test_wordlist_files_raw_bytes(tmp_path: Path, name: str) -> None:
    weird = b"caf\xe9-latin1-\xff\xfe"
    lines = [secrets.token_hex(8).encode() for _ in range(5000)] + [b"12345", b"", weird, b"007"]
    path = wordlist(tmp_path, lines, name)
    for key in (b"12345", weird, b"007"):
        result = run([cookie_for(key)], [wordlists.file_source(path)], jobs=2)
        assert result.key == key
    assert (
        run([cookie_for(secrets.token_hex(32))], [wordlists.file_source(path)]).tried
        == len(lines) - 1
    )


def test_crlf_lines_and_quoted_lines(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"alpha\r\nbeta\r\ngamma\r\n")
    assert run([cookie_for("beta")], [wordlists.file_source(str(path))]).key == b"beta"
    quoted = tmp_path / "quoted.txt"
    quoted.write_bytes(b"'one'\n\"two\"\nb'\\x00three'\n'tab\\there'\n42\n")
    source = wordlists.file_source(str(quoted), quoted=True)
    for key in (b"\x00three", b"tab\there", b"two"):
        assert run([cookie_for(key)], [source]).key == key
    assert run([cookie_for(secrets.token_hex(8))], [source]).tried == 4  # 42 is no str/bytes


def test_strong_keys_are_not_found_and_everything_is_tried(tmp_path: Path) -> None:
    path = wordlist(tmp_path, [secrets.token_urlsafe(10).encode() for _ in range(30000)])
    result = run(
        [cookie_for(secrets.token_bytes(32))],
        [wordlists.builtin_source(), wordlists.file_source(path)],
        jobs=2,
    )
    assert result.key is None and result.cookies == ()
    assert result.tried == 30000 + len(wordlists.known_keys())


def test_custom_salt_and_sha256_need_the_matching_options() -> None:
    cookie = cookie_for("dev", salt="my-salt", digest="sha256")
    # A SHA-256 signature cannot match any SHA-1 key: refused, never "no key found".
    with pytest.raises(CookieFormatError, match="pass the app's --digest"):
        run([cookie], [wordlists.builtin_source()])
    assert run([cookie], [wordlists.builtin_source()], flask_scheme(digest="sha256")).key is None
    found = run([cookie], [wordlists.builtin_source()], flask_scheme("my-salt", "sha256", "hmac"))
    assert found.key == b"dev"
    django = cookie_for("secret", key_derivation="django-concat")
    assert (
        run(
            [django], [wordlists.builtin_source()], flask_scheme(key_derivation="django-concat")
        ).key
        == b"secret"
    )


def test_legacy_and_compressed_cookies(monkeypatch: pytest.MonkeyPatch) -> None:
    from itsdangerous import TimestampSigner

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_600_000_000 - LEGACY_EPOCH)
    legacy = cookie_for("changeme")
    monkeypatch.undo()
    compressed = flask_cookie(make_app(secret_key="secret"), {"items": ["x" * 20] * 50})[0]
    assert compressed.startswith(".")
    result = run([legacy, compressed], [wordlists.builtin_source()], jobs=2)
    assert result.key == b"changeme" and result.cookies == (0,)
    assert run([compressed], [wordlists.builtin_source()]).key == b"secret"


def test_every_candidate_is_tried_against_every_cookie() -> None:
    a = cookie_for(secrets.token_hex(16))
    b = cookie_for("secret")
    c = cookie_for("secret", salt="other")
    result = run([a, b, b], [wordlists.builtin_source()])
    assert (result.key, result.cookies) == (b"secret", (1, 2))
    mixed = audit.audit(
        [audit.Target(a, flask_scheme()), audit.Target(c, flask_scheme(salt="other"))],
        [wordlists.builtin_source()],
        jobs=1,
    )
    assert (mixed.key, mixed.cookies) == (b"secret", (1,))


def test_a_match_stops_reading_early(tmp_path: Path) -> None:
    pulled = []

    def blocks() -> Iterator[Block]:
        for number in range(1000):
            pulled.append(number)
            keys = tuple(secrets.token_hex(8).encode() for _ in range(2000))
            if number == 1:
                keys += (b"needle",)
            yield Block("generated", "keys", keys, 1)

    result = run([cookie_for("needle")], [CandidateSource("generated", blocks, None)], jobs=2)
    assert result.key == b"needle"
    # The stream (2 million keys) was not read to the end: blocks are pulled only as
    # workers finish them, a few at a time, and the match stopped the reading. (The
    # exact count depends on scheduling: a busy worker may finish some while the other
    # still holds the needle.)
    assert len(pulled) < 100


def test_hashcat_self_test_pair() -> None:
    # hashcat's own self-test (module_29100.c ST_HASH / ST_PASS).
    source = CandidateSource(
        "given", lambda: iter([Block("given", "keys", (b"nope", b"hashcat"), 2)]), 2
    )
    assert run([HASHCAT_COOKIE], [source]).key == b"hashcat"
    export = hashcat.export(HASHCAT_COOKIE, flask_scheme())
    assert (export.line, export.reasons) == (HASHCAT_COOKIE, ())
    assert hashcat.command() == "hashcat -m 29100 -a 0 cookie.hash wordlist.txt"


def test_hashcat_takes_jwts_in_mode_16500_and_says_what_it_cannot_take() -> None:
    jwt = pytest.importorskip("jwt", reason="PyJWT makes the tokens")
    key = "k" * 64
    for alg, digest in (("HS256", "sha256"), ("HS384", "sha384"), ("HS512", "sha512")):
        token = jwt.encode({"sub": "ann"}, key, algorithm=alg)
        export = hashcat.export(token, flask_scheme("", digest, "none"), "jwt")
        assert (export.line, export.mode) == (token, 16500)
    long = jwt.encode({"data": "x" * 3100}, key, algorithm="HS256")
    reasons = hashcat.export(long, flask_scheme("", "sha256", "none"), "jwt").reasons
    assert reasons[0].startswith("the claims are 4148 base64url characters; mode 16500")
    for name in ("starlette", "django"):
        outside = hashcat.export("a.b.c", flask_scheme(), name)
        assert (outside.line, outside.mode) == (None, None)
        assert outside.reasons[0].startswith("no hashcat mode computes")


def test_hashcat_explains_what_is_outside_the_mode() -> None:
    compressed = flask_cookie(make_app(), {"items": ["x" * 20] * 50})[0]
    assert "zlib-compressed" in hashcat.export(compressed, flask_scheme()).reasons[0]
    reasons = hashcat.export(HASHCAT_COOKIE, flask_scheme("x", "sha256", "concat")).reasons
    assert [r.split(";")[0] for r in reasons] == [
        "the salt is 'x'",
        "the digest is sha256",
        "the key derivation is concat",
    ]


@pytest.mark.parametrize(
    ("payload", "version", "taken"),
    [
        (27, (6, 2, 6), True),
        (28, (6, 2, 6), False),
        (28, (6, 2, 6), False),
        (120, (7, 0, 0), True),
        (121, (7, 0, 0), False),
        (121, (7, 1, 1), False),
        (27, (6, 2, 5), False),  # before mode 29100 existed
        (120, None, True),  # None: the newest release in the table
    ],
)
def test_mode_29100_payload_limits_by_version(
    payload: int, version: tuple[int, int, int] | None, taken: bool
) -> None:
    # The payload's characters decide, whatever they hold (hashcat's tokenizer counts).
    value = "eyJ" + "A" * (payload - 3) + ".YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8"
    export = hashcat.export(value, flask_scheme())
    assert export.line == value and export.payload_chars == payload
    judgement = export.judge(version)
    assert judgement.ok == taken, judgement.reason
    if not taken and version is not None and version >= (6, 2, 6):
        assert f"the payload is {payload} characters" in judgement.reason


def test_hashcat_versions_are_read_as_hashcat_prints_them() -> None:
    assert hashcat.parse_version("v6.2.6") == (6, 2, 6)
    assert hashcat.parse_version("v7.0.0\n") == (7, 0, 0)
    # A development build counts as the release it follows: the cautious answer.
    assert hashcat.parse_version("v6.2.6-851-g6716447df") == (6, 2, 6)
    with pytest.raises(InputError, match="not a hashcat version"):
        hashcat.parse_version("latest")
    assert hashcat.installed_version("no-such-hashcat-program") is None


def test_bad_inputs() -> None:
    with pytest.raises(CookieFormatError):
        audit.groups_for([audit.Target("not-a-cookie", flask_scheme())])
    # decode accepts a damaged timestamp; so does audit, which never reads it.
    damaged_timestamp = HASHCAT_COOKIE.split(".")[0] + ".*." + HASHCAT_COOKIE.split(".")[2]
    assert audit.groups_for([audit.Target(damaged_timestamp, flask_scheme())])
    # A signature that cannot be decoded matches no key: refused, not "no key found".
    with pytest.raises(CookieFormatError, match="no key can match"):
        audit.groups_for([audit.Target(HASHCAT_COOKIE[:-1], flask_scheme())])
    with pytest.raises(CookieFormatError, match="signature is not valid base64"):
        hashcat.export("a.b.c", flask_scheme())
    with pytest.raises(InputError, match="at least one cookie"):
        audit.audit([], [wordlists.builtin_source()])
    with pytest.raises(InputError, match="does not exist"):
        wordlists.file_source("/no/such/wordlist.txt")


def test_a_zlib_bomb_costs_nothing_to_audit() -> None:
    import base64
    import zlib

    bomb = base64.urlsafe_b64encode(zlib.compress(b"0" * (64 << 20))).rstrip(b"=").decode()
    result = run([f".{bomb}.AAAA.{'A' * 27}"], [wordlists.builtin_source()])
    assert result.key is None


@pytest.mark.parametrize("digest", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_hmac_construction_equals_hmac_digest(digest: str) -> None:
    import hmac

    new, block = audit.hash_parts(digest)
    for length in [0, 1, 19, 20, 63, 64, 65, 127, 128, 129, 300]:
        key = secrets.token_bytes(length)
        message = secrets.token_bytes(length % 97)
        assert audit.hmac_digest(new, block, key, message) == hmac.digest(key, message, digest)


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_fast_path_finds_long_keys(digest: str) -> None:
    long_key = secrets.token_bytes(150)  # longer than every block: hashed first, as HMAC does
    cookie = cookie_for(long_key, digest=digest)
    source = CandidateSource("k", lambda: iter([Block("k", "keys", (b"x" * 200, long_key), 2)]), 2)
    assert run([cookie], [source], flask_scheme(digest=digest)).key == long_key
