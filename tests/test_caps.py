"""The caps on untrusted input: each refuses with its name, and --cap moves it."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest

from cookietool import caps
from cookietool.cli import ExitCode
from cookietool.errors import InputError
from tests.test_cli import assert_one_line_error, run

SIG = "A" * 27


def test_parse_and_names() -> None:
    assert caps.parse([]) == caps.DEFAULT
    changed = caps.parse(["json-depth=20", "har-bytes = 1_000"])
    assert (changed.json_depth, changed.har_bytes) == (20, 1000)
    assert set(caps.DESCRIPTIONS) == {caps.cap_name(name) for name in caps.Caps._fields}
    for bad in ("json-depth", "nope=1", "json-depth=0", "json-depth=-1", "json-depth=1e3"):
        with pytest.raises(InputError):
            caps.parse([bad])
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    for name in caps.DESCRIPTIONS:
        assert f"`{name}`" in readme


def _compressed(data: bytes) -> str:
    return "." + base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("cap", "low", "args", "stdin"),
    [
        ("input-bytes", 100, ["decode", "-"], f"e30.AAAA.{SIG}" + " " * 80),
        (
            "inflate-bytes",
            100,
            ["decode", f"{_compressed(b'[' + b'0,' * 80 + b'0]')}.AAAA.{SIG}"],
            None,
        ),
        ("json-depth", 3, ["decode", "W1tbW11dXQ.AAAA." + SIG], None),  # [[[[]]]]
        ("int-digits", 3, ["decode", "WzEyMzRd.AAAA." + SIG], None),  # [1234]
        ("json-depth", 3, ["sign", '{"a": [[[1]]]}', "--key", "k"], None),
        (
            "cookies",
            1,
            ["size-check", "-"],
            "HTTP/1.1 200 OK\nSet-Cookie: a=1\nSet-Cookie: b=2\n\n",
        ),
        ("line-bytes", 10, ["size-check", "-"], "HTTP/1.1 200 OK\nSet-Cookie: a=1234567890\n\n"),
    ],
)
def test_each_cap_refuses_with_its_name_and_moves(
    cap: str, low: int, args: list[str], stdin: str | None
) -> None:
    refused = run("--cap", f"{cap}={low}", *args, input=stdin)
    assert_one_line_error(refused, ExitCode.USAGE, f"(raise the cap with --cap {cap}=N)")
    allowed = run("--cap", f"{cap}={low * 100}", *args, input=stdin)
    assert allowed.exit_code in (ExitCode.OK, ExitCode.CHECK_FAILED), allowed.stderr


def test_har_and_key_file_caps(tmp_path: Path) -> None:
    har = tmp_path / "a.har"
    har.write_text(json.dumps({"log": {"entries": []}}))
    refused = run("--cap", "har-bytes=10", "size-check", "--har", str(har))
    assert_one_line_error(refused, ExitCode.USAGE, "--cap har-bytes=N")
    key_file = tmp_path / "keys"
    key_file.write_text("a-key-of-some-length\n")
    refused = run(
        "--cap", "key-file-bytes=5", "decode", f"e30.AAAA.{SIG}", "--key-file", str(key_file)
    )
    assert_one_line_error(refused, ExitCode.USAGE, "--cap key-file-bytes=N")


def test_wordlist_lines_over_the_cap_are_skipped_not_fatal(tmp_path: Path) -> None:
    from cookietool.keys import text_key
    from cookietool.signing import sign_session

    cookie = sign_session({"a": 1}, [text_key("k" * 50, "k")], timestamp=1).value
    words = tmp_path / "words"
    words.write_text("short\n" + "k" * 50 + "\n")
    found = run("audit", cookie, "--no-builtin", "--wordlist", str(words), "--jobs", "1")
    assert found.exit_code == ExitCode.CHECK_FAILED
    capped = run(
        "--cap",
        "wordlist-line-bytes=20",
        "audit",
        cookie,
        "--no-builtin",
        "--wordlist",
        str(words),
        "--jobs",
        "1",
    )
    assert capped.exit_code == ExitCode.OK
