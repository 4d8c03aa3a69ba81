"""audit --shard I/N: the shards of a candidate stream partition it, and together find the key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cookietool import wordlists
from cookietool.cli import ExitCode
from cookietool.errors import InputError
from cookietool.wordlists import Block, NumberedBlocks, Shard, lines_of, read_blocks
from tests.test_cli import assert_one_line_error, run

LINES = st.lists(
    st.one_of(st.just(b""), st.binary(min_size=1, max_size=12).filter(lambda b: b"\n" not in b)),
    max_size=200,
)


def blocks_of(data: bytes, block_bytes: int, kind: str = "raw") -> list[Block]:
    stream = read_blocks(io.BytesIO(data), "t", kind, block_bytes=block_bytes, max_line=64)
    return list(NumberedBlocks(iter(stream)))


@given(lines=LINES, count=st.integers(1, 6), block_bytes=st.integers(1, 64), crlf=st.booleans())
@settings(max_examples=300, deadline=None)
def test_shards_partition_the_stream(
    lines: list[bytes], count: int, block_bytes: int, crlf: bool
) -> None:
    data = (b"\r\n" if crlf else b"\n").join(lines) + (b"\n" if lines and len(lines) % 2 else b"")
    blocks = blocks_of(data, block_bytes)
    everything = [key for block in blocks for key in lines_of(block)]
    parts = [
        [key for block in blocks for key in lines_of(block, Shard(i, count))] for i in range(count)
    ]
    # Every candidate in exactly one shard: the shards' candidates, counted, are the whole.
    assert sorted(key for part in parts for key in part) == sorted(everything)
    # Position by position: shard i holds positions i, i + N, ... of the whole stream. A
    # line ended by CRLF loses its CR; the last line, unended, keeps it.
    raw = data.split(b"\n")
    ended = [True] * (len(raw) - 1) + [False]
    if data.endswith(b"\n"):
        raw.pop()
        ended.pop()
    candidates = [
        line[:-1] if end and line.endswith(b"\r") else line
        for line, end in zip(raw, ended, strict=True)
    ]
    for i, part in enumerate(parts):
        assert part == [line for line in candidates[i::count] if line]


def test_shards_of_ready_keys_and_quoted_lines() -> None:
    keys = Block("k", "keys", (b"a", b"b", b"c", b"d", b"e"), 5)
    numbered = list(NumberedBlocks(iter([keys, Block("q", "quoted", b"'x'\n'y'\n", 8)])))
    assert [lines_of(b, Shard(0, 2)) for b in numbered] == [[b"a", b"c", b"e"], [b"y"]]
    assert [lines_of(b, Shard(1, 2)) for b in numbered] == [[b"b", b"d"], [b"x"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [("0/3", "I must be from 1 to N"), ("4/3", "I must be from 1 to N"), ("2", "I/N")],
)
def test_bad_shards(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        wordlists.parse_shard(text)
    assert_one_line_error(run("audit", "a.b.c", "--shard", text), ExitCode.USAGE, message)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_shards_together_find_the_key_once(tmp_path: Path, jobs: str) -> None:
    words = tmp_path / "words.txt"
    lines = [f"word-{n}" for n in range(5000)]
    lines.insert(3210, "the-secret-key")
    lines.insert(100, "")  # an empty line takes a position and is no candidate
    words.write_text("\n".join(lines) + "\n")
    cookie = run("sign", '{"user": "ann"}', "--key", "the-secret-key").stdout.strip()
    # The built-in list comes first in the stream: positions run across sources.
    documents = []
    for i in (1, 2, 3, 4):
        result = run("audit", cookie, "--wordlist", str(words), "--shard", f"{i}/4", "--jobs",
                     jobs, "--json")  # fmt: skip
        assert result.exit_code in (ExitCode.OK, ExitCode.CHECK_FAILED), result.stderr
        documents.append(json.loads(result.stdout))
    found = [d for d in documents if d["found"]]
    assert len(found) == 1 and found[0]["key"] == "the-secret-key"
    assert [d["shard"]["index"] for d in documents] == [1, 2, 3, 4]
    finished = [d for d in documents if not d["found"]]
    assert all(d["shard"]["complete"] for d in finished)
    # The shards that finished read the whole stream; their parts are a quarter each.
    total = finished[0]["shard"]["lines_read"]
    assert all(d["shard"]["lines_read"] == total for d in finished)
    assert all(abs(d["tried"] - total / 4) <= 2 for d in finished)
    whole = run("audit", cookie, "--wordlist", str(words), "--no-builtin", "--json", "--jobs", jobs)
    assert json.loads(whole.stdout)["found"] is True
