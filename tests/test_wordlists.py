"""Reading candidate keys: blocks on line boundaries, quoted literals, gzip."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cookietool import wordlists
from cookietool.errors import InputError
from cookietool.wordlists import Block, lines_of, read_blocks, unquote


def test_blocks_end_on_line_boundaries() -> None:
    lines = [f"key-{n:07d}".encode() for n in range(100_000)]
    blocks = list(read_blocks(io.BytesIO(b"\n".join(lines) + b"\n"), "t", "raw"))
    assert len(blocks) > 3
    assert all(block.data.endswith(b"\n") for block in blocks)  # type: ignore[union-attr]
    assert [key for block in blocks for key in lines_of(block)] == lines


def test_last_line_without_newline_and_empty_lines() -> None:
    block = next(read_blocks(io.BytesIO(b"a\n\n\nb"), "t", "raw"))
    assert lines_of(block) == [b"a", b"b"]


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (b"'plain'", b"plain"),
        (b'"double"', b"double"),
        (b"'it\\'s'", b"it's"),
        (b"b'\\xff\\x00'", b"\xff\x00"),
        (b"'caf\\xe9'", "café".encode()),
        (b"42", None),
        (b"__import__('os').system('true')", None),
        (b"", None),
    ],
)
def test_unquote_reads_literals_only(line: bytes, key: bytes | None) -> None:
    assert unquote(line) == key


def test_known_keys_load_with_control_bytes() -> None:
    known = wordlists.known_keys()
    assert b'_5#y2L"F4Q8z\n\xec]/' in {k.value for k in known}
    assert all(k.origin and k.source for k in known)


def test_gzip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "w.txt.gz"
    path.write_bytes(gzip.compress(b"one\ntwo\n"))
    blocks = list(wordlists.file_source(str(path)).blocks())
    assert [k for b in blocks for k in lines_of(b)] == [b"one", b"two"]
    broken = tmp_path / "broken.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match="cannot read"):
        list(wordlists.file_source(str(broken)).blocks())


def test_keys_blocks_pass_through() -> None:
    assert lines_of(Block("x", "keys", (b"a\nb",), 4)) == [b"a\nb"]


def test_fast_unquote_equals_literal_eval_on_flask_unsigns_list() -> None:
    import ast
    import warnings

    path = wordlists.flask_unsign_wordlist_path()
    assert path is not None
    data = Path(path).read_bytes()
    expected_keys = []
    escaped = 0
    for line in data.split(b"\n"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes such as \C warn, then stay
            try:
                value = ast.literal_eval(line.decode("utf-8", "surrogateescape"))
            except (SyntaxError, ValueError):
                value = None  # not a literal: skipped
        if isinstance(value, str):
            value = value.encode("utf-8", "surrogateescape")
        if not isinstance(value, bytes):
            value = None
        assert unquote(line) == value, line
        escaped += b"\\" in line
        if value:
            expected_keys.append(value)
    assert escaped > 1000  # the escape path was exercised
    # The block path (one regex for plain lines) gives the same keys in the same order.
    assert lines_of(Block("w", "quoted", data, len(data))) == expected_keys


@pytest.mark.parametrize(
    "line",
    [rb"'a\\'b'", rb"'\1\2'", rb"'\N{BULLET}'", rb"'caf\u00e9 \U0001F36A'", rb"'\d'", rb'"x\"y"'],
)
def test_unusual_escapes_match_literal_eval(line: bytes) -> None:
    import ast
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "\d" is an invalid escape: Python warns, keeps it
        try:
            expected = ast.literal_eval(line.decode())
        except SyntaxError:
            assert unquote(line) is None
            return
        assert unquote(line) == expected.encode("utf-8", "surrogateescape")


def test_flask_unsign_cache_gives_the_same_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOKIETOOL_CACHE_DIR", str(tmp_path / "cache"))
    path = wordlists.flask_unsign_wordlist_path()
    assert path is not None
    parsed = [k for b in wordlists.file_source(path, quoted=True).blocks() for k in lines_of(b)]
    first = wordlists.flask_unsign_source()
    assert first is not None
    cached_files = list((tmp_path / "cache").iterdir())
    assert len(cached_files) == 1 and cached_files[0].suffix == ".keys"
    from_cache = [k for b in first.blocks() for k in lines_of(b)]
    assert sorted(from_cache) == sorted(parsed)
    assert any(b"\n" in k for k in from_cache)  # keys with line breaks survive the cache
    again = wordlists.flask_unsign_source()
    assert again is not None and [k for b in again.blocks() for k in lines_of(b)] == from_cache


def test_cache_can_be_turned_off_or_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOKIETOOL_CACHE_DIR", "")
    source = wordlists.flask_unsign_source()
    assert source is not None and next(source.blocks()).kind == "quoted"
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("COOKIETOOL_CACHE_DIR", str(blocker / "cache"))
    source = wordlists.flask_unsign_source()
    assert source is not None and next(source.blocks()).kind == "quoted"  # unwritable: parsed


class Zeros(io.RawIOBase):
    """A stream of NUL bytes that never ends, like /dev/zero, counting what was read."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = len(buffer)
        buffer[:size] = bytes(size)
        self.read_bytes += size
        return size


def test_input_without_line_breaks_keeps_blocks_bounded() -> None:
    stream = Zeros()
    blocks = read_blocks(io.BufferedReader(stream), "zeros", "raw")
    taken = [next(blocks) for _ in range(200)]  # 50 MiB
    assert stream.read_bytes >= 200 * wordlists.BLOCK_BYTES
    assert all(len(b.data) <= wordlists.BLOCK_BYTES for b in taken)
    assert [k for b in taken for k in lines_of(b)] == []
    assert sum(b.skipped for b in taken) == 1  # one line, still going
    assert sum(b.size for b in taken) == 200 * wordlists.BLOCK_BYTES  # progress moves


def test_small_gzip_of_zeros(tmp_path: Path) -> None:
    path = tmp_path / "zeros.gz"
    total = 40 * 1024 * 1024
    path.write_bytes(gzip.compress(b"key-1\n" + bytes(total) + b"\nkey-2\n"))
    assert path.stat().st_size < 100_000
    biggest = skipped = 0
    keys = []
    for block in wordlists.file_source(str(path)).blocks():
        biggest = max(biggest, len(block.data))
        skipped += block.skipped
        keys += lines_of(block)
    assert keys == [b"key-1", b"key-2"] and skipped == 1
    assert biggest <= wordlists.BLOCK_BYTES + wordlists.MAX_LINE_BYTES


@pytest.mark.parametrize("where", ["first", "middle", "last", "last-no-newline"])
@pytest.mark.parametrize("length", [10, 11, 25, 100])
def test_long_lines_are_skipped_and_counted(where: str, length: int) -> None:
    long = b"L" * length
    lines = [b"a", b"bb", b"ccc"]
    at = {"first": 0, "middle": 2, "last": 3, "last-no-newline": 3}[where]
    data = b"\n".join([*lines[:at], long, *lines[at:]])
    if where != "last-no-newline":
        data += b"\n"
    for block_bytes in (1, 3, 7, 16, 1000):
        blocks = list(
            read_blocks(io.BytesIO(data), "t", "raw", block_bytes=block_bytes, max_line=10)
        )
        keys = [k for b in blocks for k in lines_of(b)]
        expected = [*lines[:at], *([long] if length <= 10 else []), *lines[at:]]
        assert keys == expected, block_bytes
        assert sum(b.skipped for b in blocks) == (length > 10)
        assert sum(b.size for b in blocks) == len(data)
        assert all(len(b.data) <= block_bytes + 10 + 1 for b in blocks)


def test_default_line_cap() -> None:
    limit = wordlists.MAX_LINE_BYTES
    data = b"k" * limit + b"\n" + b"x" * (limit + 1) + b"\nend\n"
    blocks = list(read_blocks(io.BytesIO(data), "t", "raw"))
    assert [k for b in blocks for k in lines_of(b)] == [b"k" * limit, b"end"]
    assert sum(b.skipped for b in blocks) == 1


@pytest.mark.parametrize(
    "line",
    [
        b"a" + b" " * 40_000 + b"b",
        b"'" + b" " * 40_000 + b"x",
        b" " * 40_000 + b"'a'" + b" " * 20_000 + b"x",
        b"'a'" + b"\t " * 20_000 + b"\r",
        b'"' + b"\\" * 40_000,
    ],
)
def test_quoted_lines_with_many_spaces_are_linear(line: bytes) -> None:
    import time

    data = (line + b"\n'after'\n") * 3
    started = time.perf_counter()
    keys = lines_of(Block("t", "quoted", data, len(data)))
    assert time.perf_counter() - started < 2  # 29 s for one such line before
    assert keys == [k for k in map(unquote, data.split(b"\n")) if k]
    assert keys.count(b"after") == 3


@pytest.mark.parametrize(
    ("line", "key"),
    [
        (b"u'\\ud800'", b"\xed\xa0\x80"),
        (b"'\\ud800' 'x'", b"\xed\xa0\x80x"),
        (b"'\\ud800'", b"\xed\xa0\x80"),  # the fast path agrees
        (b"u'\\udcff\\ud800'", "\udcff\ud800".encode("utf-8", "surrogatepass")),
        (b"'\xed\xa0\x80'", b"\xed\xa0\x80"),  # encoded surrogate bytes, kept as read
        (b"-" * 100_000 + b"1", None),
        (b"(" * 10_000 + b"'a'" + b")" * 10_000, None),
        (b"9" * 5_000, None),
        (b"'\x00'", b"\x00"),
    ],
)
def test_unquote_never_raises(line: bytes, key: bytes | None) -> None:
    assert unquote(line) == key
    assert lines_of(Block("t", "quoted", line + b"\n", len(line) + 1)) == ([key] if key else [])


def test_lone_surrogate_lines_in_worker_processes(tmp_path: Path) -> None:
    from cookietool import audit
    from cookietool.flaskcookie import scheme as flask_scheme
    from tests.test_audit import cookie_for

    path = tmp_path / "quoted.txt"
    path.write_bytes(b"u'\\ud800'\n'\\ud800' 'x'\nb'\\xff'\n\xff\xfe\n'found-it'\n")
    target = audit.Target(cookie_for("found-it"), flask_scheme())
    result = audit.audit([target], [wordlists.file_source(str(path), quoted=True)], jobs=2)
    assert result.key == b"found-it" and result.tried == 4


# Ways a cache file gets damaged: a crash mid-copy, a full disk, another program, an
# older cookietool. Each must cost a re-parse, never a failed audit or check-key.
def _truncate_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _flip_a_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :]


def _version_1(data: bytes) -> bytes:
    _, _, body = data.split(b"\n", 2)
    return b"cookietool parsed wordlist 1\n" + body


def _with_good_hash(body: bytes) -> bytes:
    """A version-2 cache head whose hash and length fit ``body``, whatever body holds."""
    import hashlib

    digest = hashlib.sha256(body).hexdigest().encode()
    return b"cookietool parsed wordlist 2\n%s %d\n" % (digest, len(body)) + body


def _bogus_count_with_good_hash(data: bytes) -> bytes:
    return _with_good_hash(b"zz\n" + data.split(b"\n", 3)[3])


def _bad_hex_with_good_hash(data: bytes) -> bytes:
    return _with_good_hash(b"1\nnot hex\n" + data.split(b"\n", 3)[3])


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "magic only": lambda data: data.split(b"\n", 1)[0] + b"\n",
    "truncated": _truncate_half,
    "one byte short": lambda data: data[:-1],
    "one byte more": lambda data: data + b"x",
    "flipped byte": _flip_a_byte,
    "garbage": lambda data: bytes(range(256)) * 100,
    "garbage header": lambda data: data.replace(b"\n", b"\nzz ", 2),
    "no newline": lambda data: b"x" * 100_000,
    "version 1": _version_1,
    "bad count": _bogus_count_with_good_hash,
    "bad hex": _bad_hex_with_good_hash,
}


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[bytes]]:
    """A private cache directory holding one good cache, and the keys it must give."""
    monkeypatch.setenv("COOKIETOOL_CACHE_DIR", str(tmp_path / "cache"))
    path = wordlists.flask_unsign_wordlist_path()
    assert path is not None
    parsed = [k for b in wordlists.file_source(path, quoted=True).blocks() for k in lines_of(b)]
    assert wordlists.flask_unsign_source() is not None
    (cached,) = (tmp_path / "cache").iterdir()
    return cached, sorted(parsed)


def _keys_and_kinds() -> tuple[list[bytes], set[str]]:
    source = wordlists.flask_unsign_source()
    assert source is not None
    blocks = list(source.blocks())
    return sorted(k for b in blocks for k in lines_of(b)), {b.kind for b in blocks}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_cache_is_parsed_again_and_rewritten(
    fresh_cache: tuple[Path, list[bytes]], damage: str
) -> None:
    cached, expected = fresh_cache
    good = cached.read_bytes()
    cached.write_bytes(DAMAGE[damage](good))
    keys, kinds = _keys_and_kinds()
    assert keys == expected
    assert cached.read_bytes() == good  # rewritten whole
    assert kinds <= {"keys", "raw"}  # read from the cache again


def test_cache_damaged_after_it_was_checked(fresh_cache: tuple[Path, list[bytes]]) -> None:
    cached, expected = fresh_cache
    source = wordlists.flask_unsign_source()
    assert source is not None
    cached.write_bytes(_truncate_half(cached.read_bytes()))
    blocks = list(source.blocks())
    assert sorted(k for b in blocks for k in lines_of(b)) == expected
    assert {b.kind for b in blocks} == {"quoted"}  # the list itself, parsed


def test_unreadable_cache_falls_back_to_the_list(fresh_cache: tuple[Path, list[bytes]]) -> None:
    cached, expected = fresh_cache
    cached.unlink()
    cached.mkdir()  # unreadable as a file even to root, and not replaceable by a file
    keys, kinds = _keys_and_kinds()
    assert keys == expected and kinds == {"quoted"}


def test_damaged_cache_does_not_fail_audit_or_check_key(
    fresh_cache: tuple[Path, list[bytes]],
) -> None:
    from tests.test_audit import cookie_for
    from tests.test_cli import run

    cached, _ = fresh_cache
    cached.write_bytes(_truncate_half(cached.read_bytes()))
    path = wordlists.flask_unsign_wordlist_path()
    assert path is not None
    lines = Path(path).read_bytes().split(b"\n")
    key = unquote(lines[len(lines) * 3 // 4])
    assert key is not None and key.isascii() and key.isalnum()
    assert key not in {k.value for k in wordlists.known_keys()}
    result = run("audit", cookie_for(key), "--jobs", "1", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["found"], result.output
    cached.write_bytes(b"garbage")
    result = run("check-key", key.decode(), "--json")
    assert result.exit_code == 1 and "Flask-Unsign" in result.stdout, result.output
