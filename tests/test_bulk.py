"""decode --lines: one cookie a line in, decode --json's document a line out (NDJSON).

The oracle is ``decode LINE --json`` itself: every output line must be exactly what it
prints for that line, on one line, with the line's number, whichever path made it (the
fast path for the common Flask cookie, or the general one). The run goes on past bad
lines, its exit code is the worst line's, memory stays flat, and keys stay secret.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookietool import bulk, caps, djangocookie, jwtcookie, starlettecookie
from cookietool.cli import ExitCode, cli
from cookietool.cli.decode import NdjsonLines
from cookietool.escape import for_humans
from cookietool.flaskcookie import SCHEME
from cookietool.keys import SecretKey, text_key
from cookietool.signer import Scheme, b64encode
from cookietool.signing import sign_session
from tests.conftest import FROZEN
from tests.strategies import sessions
from tests.test_cli import assert_one_line_error, run
from tests.test_secrets import KEY as SECRET
from tests.test_secrets import assert_no_key

KEY = "bulk-key"
OTHER = "another-key"
#: The time every test runs at: an hour after the cookies were signed.
NOW = FROZEN + 3600
COOKIETOOL = [sys.executable, "-m", "cookietool"]


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    # decode and bulk mode both read the clock when they judge a cookie: one fixed "now"
    # makes their documents (age, expiry) comparable to the byte.
    monkeypatch.setattr(time, "time", lambda: float(NOW))


def flask(session: dict[str, Any], key: str = KEY, timestamp: int = FROZEN) -> str:
    """The cookie value Flask itself makes of ``session``."""
    return sign_session(session, [text_key(key, "k")], timestamp=timestamp).value


def raw_flask(text: str, key: str = KEY, compress: bool = False, stamp: int = FROZEN) -> str:
    """A Flask-format cookie around any payload text, signed as itsdangerous signs."""
    data = text.encode("utf-8", "surrogatepass")
    payload = (b"." + b64encode(zlib.compress(data))) if compress else b64encode(data)
    signed = payload + b"." + b64encode(stamp.to_bytes(8, "big").lstrip(b"\0"))
    signature = SCHEME.signature(SCHEME.derive_key(key.encode()), signed)
    return (signed + b"." + b64encode(signature)).decode()


def expected_line(line: str, number: int, *options: str, before: tuple[str, ...] = ()) -> str:
    """What ``decode LINE --json`` says of ``line``, as bulk mode must write it (``before``:
    global options, such as --cap)."""
    result = run(*before, "decode", *options, "--json", "--", line)
    if result.exit_code == ExitCode.USAGE:
        assert result.stdout == ""
        message = result.stderr.strip().removeprefix("Error: ")
        document = {"cookietool": 1, "command": "decode", "line": number}
        document |= {"ok": False, "error": message, "exit_code": 2}
        return json.dumps(document, ensure_ascii=False, separators=(", ", ": "))
    assert result.exit_code in (0, 1), result.stderr
    # dump_json writes one field a line, each value on one line: joined, they are the line.
    fields = result.stdout.strip()[4:-2].split(",\n  ")
    fields.insert(2, f'"line": {number}')
    return "{" + ", ".join(fields) + "}"


def output_lines(result: Result) -> list[str]:
    """The NDJSON lines (split at line breaks only: JSON may hold U+0085 or U+2028 raw)."""
    assert result.stdout.endswith("\n") or not result.stdout
    return result.stdout.split("\n")[:-1]


def bulk_run(lines: list[str], *options: str, before: tuple[str, ...] = ()) -> Result:
    """``decode --lines -`` over ``lines`` (standard input)."""
    text = "".join(f"{line}\n" for line in lines)
    return run(*before, "decode", "--lines", "-", *options, input=text)


def assert_like_decode(lines: list[str], *options: str, before: tuple[str, ...] = ()) -> Result:
    """Every output line is decode --json's for its input line; blank lines give none."""
    result = bulk_run(lines, *options, before=before)
    got = output_lines(result)
    wanted = [
        expected_line(line, n, *options, before=before)
        for n, line in enumerate(lines, 1)
        if line.strip()
    ]
    assert got == wanted
    return result


# --- every line is decode --json's --------------------------------------------------------

FORMS = (
    "{v}",
    "session={v}",
    "Set-Cookie: session={v}; HttpOnly; Path=/",
    "Cookie: a=b; session={v}",
)
OPTIONS = (
    (),
    ("--key", KEY),
    ("--key", KEY, "--key", OTHER),  # the cookie's key is a fallback
    ("--key", OTHER),
    ("--key", KEY, "--max-age", "60"),
    ("--key", KEY, "--format", "flask"),
    ("--key", KEY, "--format", "quart", "--epoch", "unix"),
)
cases = st.tuples(
    sessions,
    st.sampled_from([KEY, OTHER]),
    st.sampled_from(FORMS),
    st.sampled_from([FROZEN, NOW - 30, NOW + 600, 100_000_000]),  # old, fresh, future, legacy
    st.sampled_from(["", "flip", "cut", "dot", "pad"]),
)


def damage(value: str, how: str, where: int) -> str:
    """A cookie as it arrives when copying went wrong, or someone tampered with it."""
    at = where % len(value)
    if how == "flip":
        return value[:at] + ("A" if value[at] != "A" else "B") + value[at + 1 :]
    if how == "cut":
        return value[:at]
    if how == "dot":
        return value[:at] + "." + value[at:]
    if how == "pad":
        return value + "=="
    return value


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cases, st.integers(0, 10_000)), min_size=1, max_size=5), st.data())
def test_every_line_is_what_decode_json_prints(
    found: list[tuple[tuple[dict[str, Any], str, str, int, str], int]], data: st.DataObject
) -> None:
    lines = []
    for (session, key, form, stamp, how), where in found:
        value = damage(flask(session, key, stamp), how, where)
        lines.append(form.format(v=value))
    options = data.draw(st.sampled_from(OPTIONS))
    assert_like_decode(lines, *options)


def test_other_formats_signed_by_cookietool_sign() -> None:
    lines = []
    for fmt in ("starlette", "django", "jwt", "flask", "quart"):
        for payload in ('{"user": "ann"}', '{"cart": [1, 2, 3], "n": 1.5}'):
            signed = run("sign", payload, "--key", KEY, "--format", fmt, "--timestamp", str(FROZEN))
            assert signed.exit_code == ExitCode.OK, signed.stderr
            lines.append(signed.stdout.strip())
    assert_like_decode(lines, "--key", KEY)
    assert_like_decode(lines)
    assert_like_decode(lines, "--key", KEY, "--max-age", "60")
    for fmt in ("starlette", "django", "jwt"):
        assert_like_decode(lines, "--key", KEY, "--format", fmt)


def test_payloads_the_fast_path_leaves_to_the_general_one() -> None:
    keys = [text_key(KEY, "k")]
    ambiguous = next(
        value
        for n in range(500)
        for value in [flask({"n": n})]
        if not value.startswith(".")
        and len(value.split(".")[0]) % 4 == 0
        and not set("-_") & set(value.split(".")[0])
    )
    lines = [
        raw_flask('{"x": NaN, "y": [Infinity, -Infinity]}'),
        raw_flask('{"big": 1e999}'),
        raw_flask('{"s": "\\ud800 alone", "t": "\\u00e9t\\u00e9"}'),
        raw_flask('{"s": "été", "k": "\\u0020"}'),
        raw_flask('{"a": 1, "a": 2}'),
        raw_flask(' {"padded": true} '),
        raw_flask('{" t": [1, 2]}'),
        raw_flask('{"\\u0020t": [1, 2]}'),
        raw_flask('{"\\u0020t": [1, 2], "a": {" t": [3]}}'),
        raw_flask('{"a": {"\\u0020t": 5}}'),
        raw_flask('{"a": {" t": [1], " t": 5}}'),
        raw_flask('{"a": {"x": 1, " t": [1]}, "s": " t"}'),
        raw_flask('{" di": {" t__": 1}}'),
        raw_flask('{"b": {" b": "aGk="}, "u": {" u": "not a uuid"}}'),
        raw_flask('{"d": {" d": "Wed, 21 Oct 2015 07:28:00 GMT"}, "m": {" m": "<b>"}}'),
        raw_flask('{"t": {" t": 5}}'),
        raw_flask("[1, 2]"),
        raw_flask('"text"'),
        raw_flask('{"alg": "HS256", "typ": "JWT"}'),
        raw_flask('{"alg": "HS256"}', compress=True),
        raw_flask('{"deep": [[[[[[[[1]]]]]]]]}', compress=True),
        raw_flask('{"n": 1' + "0" * 50 + "}"),
        raw_flask('{"old": true}', stamp=1),
        raw_flask('{"x": ' + '"y' * 3000 + '"}', compress=True),
        raw_flask("not json"),
        raw_flask('{"\\ufeff": 1}'),
        "\ufeff" + flask({"a": 1}),
        ambiguous,
        starlettecookie.sign({"n": 1}, keys, FROZEN),
        djangocookie.sign({"n": 1}, keys, FROZEN),
        jwtcookie.sign({"sub": "ann", "iat": FROZEN, "exp": FROZEN + 60}, keys),
        flask({"a": 1}, OTHER),
    ]
    for options in (
        ("--key", KEY),
        (),
        ("--key", KEY, "--format", "flask"),
        ("--key", KEY, "--max-age", "10", "--epoch", "legacy"),
        ("--key", KEY, "--inflate-limit", "100"),
        ("--key", OTHER, "--inflate-limit", "100"),
        ("--key", KEY, "--salt", "other-salt", "--digest", "sha256"),
    ):
        assert_like_decode(lines, *options)
    caps_given = ("--cap", "json-depth=3", "--cap", "int-digits=20", "--cap", "inflate-bytes=50")
    result = assert_like_decode(lines, "--key", KEY, before=caps_given)
    assert "--cap json-depth=N" in result.stdout and "--cap inflate-bytes=N" in result.stdout


def test_keys_from_every_source_scheme_and_name(tmp_path: Path) -> None:
    key_file = tmp_path / "keys"
    key_file.write_bytes(f"{OTHER}\n{KEY}\n".encode())
    scheme = Scheme("my-salt", "sha256", "concat")
    value = sign_session({"u": 1}, [text_key(KEY, "k")], scheme=scheme, timestamp=FROZEN).value
    lines = [value, f"Cookie: a=1; sid={value}; b=2", f"Cookie: session={value}"]
    for options in (
        (
            "--key-file",
            str(key_file),
            "--salt",
            "my-salt",
            "--digest",
            "sha256",
            "--key-derivation",
            "concat",
            "--name",
            "sid",
        ),
        (
            "--key-hex",
            KEY.encode().hex(),
            "--salt",
            "my-salt",
            "--digest",
            "sha256",
            "--key-derivation",
            "concat",
        ),
    ):
        assert_like_decode(lines, *options)
    env_run = run(
        "decode", "--lines", "-", input=flask({"a": 1}) + "\n", env={"FLASK_SECRET_KEY": KEY}
    )
    doc = json.loads(env_run.stdout)
    assert doc["verdict"] == "valid" and doc["signature"]["keys_from"] == "$FLASK_SECRET_KEY"


# --- the fast path against the general one, on damaged cookies ----------------------------


def decoder(*keys: str, fmt: str = "auto", max_age: int | None = None) -> bulk.Decoder:
    found: tuple[SecretKey, ...] = tuple(
        text_key(key, f"--key #{n}") for n, key in enumerate(keys, 1)
    )
    options = bulk.BulkSettings(found, fmt, None, "session", max_age, "auto", None, caps.DEFAULT)
    return bulk.Decoder(options, NdjsonLines())


DECODERS = [
    decoder(KEY),
    decoder(),
    decoder(OTHER, KEY, max_age=1000),
    decoder(KEY, fmt="flask"),
]
base64ish = st.text(alphabet="AZaz09-_.=+/: \"';\x00é", min_size=1, max_size=3)


@settings(max_examples=1000)
@given(
    st.sampled_from(
        [
            flask({"user": "ann", "cart": (1, 2)}),
            flask({"big": ["x" * 40] * 6, "f": [("message", "hi")]}),
            raw_flask('{"a": 1}'),
            raw_flask('{"n": [1, 2.5, true, null], "s": "x"}', compress=True),
        ]
    ),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 3), base64ish), max_size=3),
    st.sampled_from(range(len(DECODERS))),
)
def test_the_fast_path_writes_what_the_general_path_writes(
    value: str, edits: list[tuple[int, int, str]], which: int
) -> None:
    for at, cut, text in edits:
        at %= len(value) + 1
        value = value[:at] + text + value[at + cut :]
    if not value.strip():
        return
    found = DECODERS[which]
    found.now = NOW  # what decode_block sets for each block
    fast = found.quick(value, 7)
    if fast is not None:
        assert fast == found.general_line(value, 7)


def test_the_fast_path_takes_the_common_cookie() -> None:
    found = decoder(KEY)
    assert found.quick(flask({"user": "ann", "cart": (1, 2)}), 1) is not None
    assert found.quick(f"session={flask({'a': 1})}", 1) is not None
    assert found.quick(flask({"a": 1}, OTHER), 1) is not None  # invalid: still fast


# --- bad lines, exit codes, the summary ---------------------------------------------------


def test_bad_lines_get_their_error_and_the_run_goes_on() -> None:
    good = flask({"a": 1})
    text = (
        (
            f"{good}\nnot a cookie\n\n   \t \nCookie: th\x1b[2Jeme=dark; lang=en\r\n{good}\r\n"
        ).encode()
        + b"\xff\xfe not utf-8\n"
        + b"x" * 300
        + b"\n"
        + good.encode()
    )
    args = ["--cap", "line-bytes=280", "decode", "--lines", "-", "--key", KEY]
    result = CliRunner().invoke(cli, args, input=text, catch_exceptions=False)
    assert result.exit_code == ExitCode.USAGE
    docs = [json.loads(line) for line in output_lines(result)]
    assert [doc["line"] for doc in docs] == [1, 2, 5, 6, 7, 8, 9]
    assert [doc.get("verdict") for doc in docs] == [
        "valid",
        None,
        None,
        "valid",
        None,
        None,
        "valid",
    ]
    bad = [doc for doc in docs if "error" in doc]
    for doc in bad:
        assert set(doc) == {"cookietool", "command", "line", "ok", "error", "exit_code"}
        assert (doc["ok"], doc["exit_code"]) == (False, 2)
    errors = [doc["error"] for doc in bad]
    assert errors[0] == for_humans(run("decode", "not a cookie").stderr.strip()[len("Error: ") :])
    assert "\\x1b[2J" in errors[1] and "\x1b" not in result.stdout  # escaped as decode does
    assert errors[2] == "the line is not UTF-8 text"
    assert errors[3] == "the line is over 280 bytes (raise the cap with --cap line-bytes=N)"
    assert "4 bad lines, 2 blank lines; 7 cookies in" in result.stderr


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([flask({"a": 1}), flask({"b": 2})], ExitCode.OK),
        ([flask({"a": 1}), flask({"a": 1}, OTHER)], ExitCode.CHECK_FAILED),
        ([flask({"a": 1}, OTHER), "junk", flask({"a": 1})], ExitCode.USAGE),
        (["", "  "], ExitCode.OK),
    ],
)
def test_the_exit_code_is_the_worst_line(lines: list[str], code: ExitCode) -> None:
    result = bulk_run(lines, "--key", KEY)
    assert result.exit_code == code
    no_key = bulk_run([line for line in lines if line != "junk"])
    assert no_key.exit_code == ExitCode.OK  # unchecked is not a failure


def test_the_summary_is_on_stderr_and_stdout_is_only_ndjson() -> None:
    result = bulk_run([flask({"a": 1}), flask({"a": 1}, OTHER), "junk", ""], "--key", KEY)
    assert all(json.loads(line) for line in output_lines(result))
    summary = result.stderr.strip()
    assert "\n" not in summary
    assert re.fullmatch(
        r"decode --lines: 1 valid, 0 unchecked, 1 invalid, 0 damaged, 0 expired, "
        r"0 not-a-session, 1 bad line, 1 blank line; 3 cookies in [\d.]+ s, "
        r"[\d,]+ cookies/s \(1 process\)",
        summary,
    ), summary


def test_a_file_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "cookies.txt"
    path.write_text(f"{flask({'a': 1})}\n{flask({'b': 2})}")  # no line break at the end
    result = run("decode", "--lines", str(path), "--key", KEY)
    assert result.exit_code == ExitCode.OK
    assert [json.loads(line)["line"] for line in output_lines(result)] == [1, 2]
    missing = run("decode", "--lines", str(tmp_path / "nope"), "--key", KEY)
    assert_one_line_error(missing, ExitCode.USAGE, "no such file")
    folder = run("decode", "--lines", str(tmp_path), "--key", KEY)
    assert_one_line_error(folder, ExitCode.USAGE, "cannot read")


@pytest.mark.parametrize(
    "args",
    [
        ["decode", "--lines", "-", "COOKIE"],
        ["decode", "--lines", "-", "--url", "http://127.0.0.1:9/"],
        ["decode", "--lines", "-", "--key-file", "-"],
    ],
)
def test_lines_with_a_cookie_or_url_or_stdin_twice_is_a_usage_error(args: list[str]) -> None:
    result = run(*args, input="x\n")
    assert_one_line_error(result, ExitCode.USAGE)


def test_keys_never_appear(tmp_path: Path) -> None:
    key_file = tmp_path / "k"
    key_file.write_text(SECRET + "\n")
    lines = [flask({"a": 1}, SECRET), flask({"a": 1}, OTHER), "junk", f"Cookie: x={SECRET}"]
    for options in (
        ("--key", SECRET),
        ("--key-file", str(key_file)),
        ("--key", OTHER, "--key", SECRET),
    ):
        result = bulk_run(lines, *options)
        assert_no_key(result.stdout + result.stderr)


# --- blocks, workers, memory --------------------------------------------------------------


def test_blocks_hold_whole_lines_and_drop_long_ones_as_they_are_read() -> None:
    text = b"a\n" + b"b" * 50 + b"\nc\r\n" + b"d" * 100 + b"\n\ne"
    blocks = list(bulk.read_blocks(io.BytesIO(text), 40, "x", block_bytes=8))
    assert all(len(block.data) <= 8 + 40 + 1 for block in blocks)
    lines: list[tuple[int, bytes | None]] = []
    for block in blocks:
        parts = block.data.split(b"\n")
        if block.data.endswith(b"\n"):
            parts.pop()
        lines += [(block.first_line + n, part) for n, part in enumerate(parts) if block.data]
        if block.long_line:
            lines.append((block.first_line + len(parts) * bool(block.data), None))
    assert lines == [(1, b"a"), (2, None), (3, b"c\r"), (4, None), (5, b""), (6, b"e")]


def mixed_lines() -> list[str]:
    lines = []
    for n in range(120):
        lines.append(flask({"n": n, "pad": "x" * (n % 7)}, KEY if n % 5 else OTHER))
        if n % 17 == 0:
            lines += ["junk", "", starlettecookie.sign({"n": n}, [text_key(KEY, "k")], FROZEN)]
    return lines


@pytest.mark.parametrize("to_fd", [False, True])
def test_workers_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to_fd: bool
) -> None:
    data = "".join(f"{line}\n" for line in mixed_lines()).encode()
    options = bulk.BulkSettings(
        (text_key(KEY, "--key #1"),), "auto", None, "session", None, "auto", None, caps.DEFAULT
    )
    alone = io.BytesIO()
    one = bulk.decode_lines(io.BytesIO(data), options, NdjsonLines(), alone.write, jobs=1)
    monkeypatch.setattr(bulk, "BLOCK_BYTES", 2000)  # many blocks, so that workers take turns
    path = tmp_path / "out"
    with path.open("wb") as out:
        fd = out.fileno() if to_fd else None
        many = bulk.decode_lines(
            io.BytesIO(data), options, NdjsonLines(), out.write, jobs=3, output_fd=fd
        )
    assert path.read_bytes() == alone.getvalue()
    assert (many.counts, many.blank, many.jobs) == (one.counts, one.blank, 3)
    assert (one.counts["valid"], one.counts["invalid"], one.counts["bad"], one.blank) == (
        104,
        24,
        8,
        8,
    )


def peak_rss_kib(lines: int, path: Path) -> int:
    """Peak resident memory of a bulk run over ``lines`` lines (the largest process)."""
    path.write_text((flask({"user": "ann", "cart": (1, 2)}) + "\n") * lines)
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe, *COOKIETOOL, "decode", "--lines", str(path), "--key", KEY],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    code, peak = found.stdout.split()
    assert code == "0", found.stderr
    return int(peak)


def test_memory_is_flat_in_the_number_of_lines(tmp_path: Path) -> None:
    few = peak_rss_kib(50_000, tmp_path / "few")
    many = peak_rss_kib(200_000, tmp_path / "many")
    # Four times the lines, and (past the first blocks in flight) the same peak.
    assert many - few < 8 * 1024, (few, many)


def test_ctrl_c_is_code_130_without_worker_tracebacks() -> None:
    feeder = subprocess.Popen(["yes", flask({"a": 1})], stdout=subprocess.PIPE)
    decode = subprocess.Popen(
        [*COOKIETOOL, "decode", "--lines", "-", "--key", KEY],
        stdin=feeder.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell's foreground job has
    )
    assert feeder.stdout is not None
    feeder.stdout.close()
    try:
        time.sleep(2)  # NOW is frozen for this process only: the children's clocks run
        assert decode.poll() is None
        os.killpg(decode.pid, signal.SIGINT)
        _, stderr = decode.communicate(timeout=60)
    finally:
        feeder.kill()
        feeder.wait()
    assert decode.returncode == ExitCode.INTERRUPTED
    assert b"Traceback" not in stderr
    assert stderr.decode().strip().splitlines() == ["Error: interrupted"]


def test_a_closed_pipe_is_code_141_and_silent(tmp_path: Path) -> None:
    path = tmp_path / "many"
    path.write_text((flask({"a": 1}) + "\n") * 20_000)
    process = subprocess.Popen(
        [*COOKIETOOL, "decode", "--lines", str(path), "--key", KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert json.loads(process.stdout.readline())["line"] == 1
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == ExitCode.BROKEN_PIPE
    assert stderr == b""
