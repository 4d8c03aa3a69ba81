"""Readers of attacker-controlled files, fed anything: HAR documents and wordlists.

Only cookietool's own errors may leave them; a wordlist gives exactly its lines.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookietool import sizes, wordlists
from cookietool.errors import CookietoolError
from cookietool.har import read_har
from cookietool.wordlists import Block, lines_of, read_blocks, unquote

#: Every code point, lone surrogates included: a JSON escape can produce any of them.
any_text = st.text(st.characters(exclude_categories=()), max_size=40)
cookieish = st.one_of(
    any_text,
    st.sampled_from(
        [
            "a=1",
            "session=e30.YWJj.YWJj; Path=/",
            "a=b; Max-Age=" + "9" * 400,
            "a=b; Expires=Mon, 01 Jan 0001 00:00:00 GMT",
            "a=b; Expires=Fri, 31 Dec 9999 23:59:59 -2359",
            "x=" + "y" * 5000,
            "=\n=;;;=\r\n",
        ]
    ),
)
json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text, cookieish
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)
# Well-typed entries with hostile values reach sizes.check; the rest test the type checks.
good_url = st.one_of(
    st.sampled_from(["https://a.test/x", "http://b.test", "http://[::1]:8080/", "x:"]),
    st.from_regex(r"https?://[a-z0-9.-]{1,8}(:[0-9]{1,5})?/", fullmatch=True),
)
good_header = st.fixed_dictionaries(
    {
        "name": st.one_of(st.sampled_from(["Cookie", "set-cookie", "SET-COOKIE"]), any_text),
        "value": cookieish,
    }
)
good_message = st.fixed_dictionaries(
    {"url": good_url, "headers": st.lists(good_header, max_size=4)}
)
good_entry = st.fixed_dictionaries({"request": good_message, "response": good_message})
url = st.one_of(
    good_url,
    st.sampled_from(["http://[::1/", "http://::1]/", "", "http://\udc80/"]),
    any_text.map(lambda t: "http://" + t),
    json_value,
)
message = st.one_of(
    good_message,
    st.fixed_dictionaries(
        {"url": url, "headers": st.one_of(st.lists(st.one_of(good_header, json_value)), json_value)}
    ),
    json_value,
)
har_entry = st.one_of(
    good_entry,
    st.fixed_dictionaries({"request": message, "response": message}),
    st.fixed_dictionaries({"request": message}),
    json_value,
)
har_document = st.one_of(
    st.fixed_dictionaries(
        {"log": st.fixed_dictionaries({"entries": st.lists(good_entry, max_size=6)})}
    ),
    st.fixed_dictionaries(
        {"log": st.fixed_dictionaries({"entries": st.lists(har_entry, max_size=6)})}
    ),
    st.fixed_dictionaries({"log": json_value}),
    json_value,
)


def size_check(text: str) -> None:
    """What ``size-check --har`` does with a file's text, up to rendering."""
    try:
        specs, observed = sizes.specs_from_har(read_har(text))
        sizes.check(specs, observed_headers=observed, servers=["nginx", "apache"])
    except CookietoolError as e:
        assert "\n" not in str(e)


@given(st.text(st.characters(exclude_categories=())))
def test_any_text_as_a_har(text: str) -> None:
    size_check(text)


@given(har_document)
def test_any_har_shaped_json(document: Any) -> None:
    size_check(json.dumps(document))


#: Bytes that matter to line splitting and quoting, and some that matter to nothing.
wordlist_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(
        st.sampled_from(
            [
                b"\n",
                b"\r\n",
                b"\r",
                b"a",
                b"key",
                b" ",
                b"\t",
                b"'",
                b'"',
                b"\\",
                b"\\x",
                b"\\u",
                b"b'",
                b"\xff",
                b"\xed\xa0\x80",
                b"\x00",
                b"(",
                b"\\ud800",
            ]
        ),
        max_size=80,
    ).map(b"".join),
)


def keys_of(data: bytes) -> list[bytes]:
    """Each line of ``data``, without the CR of a CRLF line break (a last line has none)."""
    lines = data.split(b"\n")
    return [line.removesuffix(b"\r") for line in lines[:-1]] + lines[-1:]


@given(wordlist_bytes, st.integers(1, 40), st.integers(1, 30))
def test_plain_wordlist_gives_exactly_its_short_lines(
    data: bytes, block_bytes: int, max_line: int
) -> None:
    blocks = list(
        read_blocks(io.BytesIO(data), "t", "raw", block_bytes=block_bytes, max_line=max_line)
    )
    lines = data.split(b"\n")
    expected = [
        key for line, key in zip(lines, keys_of(data), strict=True) if len(line) <= max_line
    ]
    assert [key for block in blocks for key in lines_of(block)] == [k for k in expected if k]
    assert sum(block.skipped for block in blocks) == sum(len(line) > max_line for line in lines)
    assert sum(block.size for block in blocks) == len(data)


@given(wordlist_bytes)
def test_plain_wordlist_at_default_sizes(data: bytes) -> None:
    blocks = list(read_blocks(io.BytesIO(data), "t", "raw"))
    assert [key for block in blocks for key in lines_of(block)] == [k for k in keys_of(data) if k]


@given(wordlist_bytes, st.integers(1, 40))
def test_quoted_wordlist_is_unquote_line_by_line(data: bytes, block_bytes: int) -> None:
    blocks = read_blocks(io.BytesIO(data), "t", "quoted", block_bytes=block_bytes)
    keys = [key for block in blocks for key in lines_of(block)]
    assert keys == [key for key in map(unquote, data.split(b"\n")) if key]


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wordlist_bytes, st.booleans(), st.booleans())
def test_wordlist_files_raise_only_input_errors(
    tmp_path: Path, data: bytes, quoted: bool, compressed: bool
) -> None:
    path = tmp_path / ("w.gz" if compressed else "w.txt")
    # Half the compressed files are cut short: a damaged download.
    path.write_bytes(gzip.compress(data)[: None if len(data) % 2 else -3] if compressed else data)
    try:
        for block in wordlists.file_source(str(path), quoted=quoted).blocks():
            lines_of(block)
    except CookietoolError:
        assert compressed


def test_quoted_block_fast_path_equals_unquote() -> None:
    data = b"'a' \r\n\"b\"\t\n 'c' x\n'd\\n'\n\x0c'e'\n\"\"\n''\n"
    assert lines_of(Block("t", "quoted", data, len(data))) == [
        k for k in map(unquote, data.split(b"\n")) if k
    ]
