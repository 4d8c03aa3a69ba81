"""Reading candidate keys: blocks on line boundaries, quoted literals, gzip."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

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
