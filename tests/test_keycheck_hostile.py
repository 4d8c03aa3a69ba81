"""check-key --scan on files an attacker wrote: no crash, no hang, no key in a message.

A pre-commit hook reads whatever a commit holds. Every test here is a file that used to
crash the scan (an exception other than CookietoolError), make it hang, or put file text in
an error; the Hypothesis tests check the same on arbitrary text and bytes.
"""

from __future__ import annotations

import os
import time
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookietool import keycheck
from cookietool.errors import CookietoolError
from cookietool.keycheck import Assignment, ScanError, scan_file, scan_paths

#: Generous: these guard against hangs (minutes, or forever), they are not benchmarks.
SECONDS = 10.0
SUFFIXES = ["x.py", ".env", "x.toml", "x.yaml", "x.yml", "x.ini", "x.cfg"]
SECRET = "s3cr3t-Do-Not-Print-9f2c"
# A 444-byte "billion laughs": 9 levels of 9 aliases, 9**9 strings once expanded.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join(['*' + prev] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.fixture(params=["libyaml", "python"])
def yaml_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each YAML test runs with libyaml's parser and with PyYAML's pure-Python one."""
    if request.param == "libyaml" and not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml")
    if request.param == "python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    keycheck._yaml_reader.cache_clear()
    yield request.param
    keycheck._yaml_reader.cache_clear()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return path


def scan(folder: Path, name: str, content: str | bytes) -> list[Assignment] | ScanError:
    """The keys found, or the ScanError raised; any other exception fails the test."""
    path = write(folder, name, content)
    started = time.monotonic()
    try:
        return scan_file(path)
    except ScanError as e:
        return e
    finally:
        assert time.monotonic() - started < SECONDS


def refused(result: list[Assignment] | ScanError, *words: str) -> ScanError:
    assert isinstance(result, ScanError), result
    for word in words:
        assert word in str(result)
    return result


# 1. No exception but CookietoolError --------------------------------------------------------


def test_yaml_impossible_date_is_not_read_as_a_date(tmp_path: Path, yaml_backend: str) -> None:
    # yaml.safe_load raised ValueError (month 13): values are no longer constructed.
    found = scan(tmp_path, "app.yaml", "when: 2001-13-45\nSECRET_KEY: changeme\n")
    assert [(a.line, a.value) for a in found] == [(2, b"changeme")]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("app.yaml", "SECRET_KEY: changeme\nn: {digits}\n"),
        ("app.toml", "SECRET_KEY = 'changeme'\nn = {digits}\n"),
        ("app.py", "SECRET_KEY = 'changeme'\nn = {digits}\n"),
    ],
)
def test_integer_past_the_digit_limit(tmp_path: Path, name: str, content: str) -> None:
    # Python 3.11+ refuses int() of more than 4300 digits with ValueError.
    result = scan(tmp_path, name, content.format(digits="1" * 5000))
    if isinstance(result, ScanError):
        assert not name.endswith(".yaml")  # YAML numbers are not read at all
        refused(result, "is not valid")
    else:  # Python 3.10 has no digit limit
        assert [a.value for a in result] == [b"changeme"]


@pytest.mark.parametrize(
    "content",
    [
        "[" * 5000 + "]" * 5000,
        "{a: " * 5000 + "1" + "}" * 5000,
        "".join(" " * i + "a:\n" for i in range(1000)),
        "".join("  " * i + "- \n" for i in range(1000)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-mappings", "block-sequences"],
)
def test_deep_yaml(tmp_path: Path, yaml_backend: str, content: str) -> None:
    refused(scan(tmp_path, "deep.yaml", content), "deep.yaml")


def test_deep_yaml_is_refused_at_the_limit(tmp_path: Path, yaml_backend: str) -> None:
    # n nested `a:` lines make mappings n deep, and their keys and values n + 1.
    levels = keycheck.MAX_NESTING - 1
    ok = (
        "".join(" " * i + "a:\n" for i in range(levels - 1))
        + " " * (levels - 1)
        + "SECRET_KEY: x\n"
    )
    found = scan(tmp_path, "ok.yaml", ok)
    assert [a.line for a in found] == [levels]  # type: ignore[union-attr]
    deep = "".join(" " * i + "a:\n" for i in range(keycheck.MAX_NESTING))
    refused(scan(tmp_path, "deep.yaml", deep), f"deeper than {keycheck.MAX_NESTING} levels")


@pytest.mark.parametrize(
    "content",
    ["x = " + "[" * 5000 + "]" * 5000, "x = " + "{a=" * 5000 + "1" + "}" * 5000],
    ids=["arrays", "inline-tables"],
)
def test_deep_toml(tmp_path: Path, content: str) -> None:
    refused(scan(tmp_path, "deep.toml", content), f"deeper than {keycheck.MAX_NESTING} levels")


def test_long_dotted_toml_key(tmp_path: Path) -> None:
    # tomllib's time and memory grow with the square of the parts: 200,000 parts ran out of
    # memory; 10,000 took seconds and 400 MB.
    refused(scan(tmp_path, "dotted.toml", "a." * 200_000 + "a = 1\n"), "dotted parts")
    header = "[" + ".".join(["t"] * 10_000) + "]\n"
    refused(scan(tmp_path, "header.toml", header), "dotted parts")
    fine = scan(tmp_path, "ok.toml", "[tool.a.b.c]\nd.e.SECRET_KEY = 'x'\n")
    assert [(a.line, a.name) for a in fine] == [(2, "SECRET_KEY")]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "content",
    [
        "x = " + "(" * 500 + ")" * 500,
        "a" + "+a" * 100_000,
        "x = " + "f(" * 100_000 + ")" * 100_000,
        "SECRET_KEY = " + "'a' if b else " * 5000 + "'c'",
    ],
    ids=["parentheses", "additions", "calls", "conditionals"],
)
def test_python_too_deep_for_ast(tmp_path: Path, content: str) -> None:
    # ast.parse raised RecursionError (or MemoryError) out of the scan. Where ast stops
    # depends on the Python version: 3.10 and 3.13 read some of these.
    result = scan(tmp_path, "deep.py", content)
    if isinstance(result, ScanError):
        assert str(result).startswith(f"{tmp_path / 'deep.py'} ")
    else:
        assert {a.value for a in result} <= {b"a", b"c"}


def test_deep_python_fallbacks(tmp_path: Path) -> None:
    # ast reads this; the recursive walk over its fallbacks raised RecursionError.
    found = scan(tmp_path, "deep.py", "SECRET_KEY = " + "'dev' if a else " * 1500 + "'c'\n")
    assert {(a.line, a.value, a.fallback) for a in found} == {  # type: ignore[union-attr]
        (1, b"dev", True),
        (1, b"c", True),
    }


@pytest.mark.parametrize("name", SUFFIXES)
@pytest.mark.parametrize(
    "data",
    [b"SECRET_KEY = '\xed\xa0\x80'\n", b"SECRET_KEY = '\xff'\n", b"\n\nSECRET_KEY: 'caf\xe9'\n"],
    ids=["encoded-surrogate", "invalid-byte", "latin-1"],
)
def test_text_that_is_not_utf8(tmp_path: Path, name: str, data: bytes) -> None:
    error = refused(scan(tmp_path, name, data), "is not UTF-8 text")
    assert error.line == data.count(b"\n", 0, data.index(b"SECRET")) + 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("app.py", 'SECRET_KEY = "\\ud800"\n'),
        ("app.yaml", 'SECRET_KEY: "\\ud800"\n'),
    ],
)
def test_escaped_lone_surrogate(tmp_path: Path, name: str, content: str) -> None:
    # "\ud800" is valid Python and YAML (pure-Python PyYAML); .encode("utf-8") raised.
    result = scan(tmp_path, name, content)
    if isinstance(result, ScanError):
        assert name.endswith(".yaml")  # libyaml refuses a surrogate escape itself
    else:
        assert [a.value for a in result] == [b"\xed\xa0\x80"]


@pytest.mark.parametrize("name", SUFFIXES)
def test_nul_and_control_characters(tmp_path: Path, name: str) -> None:
    result = scan(tmp_path, name, "SECRET_KEY = 'a\x00b'\n\x1b[2J\x00")
    assert isinstance(result, (list, ScanError))


def test_python_warnings_are_silent(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    # An invalid escape warns, and a shown warning prints the source line: the key.
    path = write(tmp_path, "app.py", f'SECRET_KEY = "{SECRET}\\d"\n')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = scan_file(path)
    assert caught == []
    assert [a.line for a in found] == [1]
    out, err = capfd.readouterr()
    assert out == err == ""


# 2. No hangs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("a: &a [*a]\n", ["alias inside the node it names", "(line 1)"]),
        ("a: &a {b: *a}\n", ["alias inside the node it names"]),
        (LAUGHS, ["expand to more than"]),
        ("---\n" + LAUGHS + "---\na: 1\n", ["expand to more than"]),
    ],
    ids=["recursive-sequence", "recursive-mapping", "billion-laughs", "laughs-in-a-stream"],
)
def test_yaml_alias_bombs(
    tmp_path: Path, yaml_backend: str, content: str, words: list[str]
) -> None:
    # `a: &a [*a]` never ended; the 444-byte laughs took over a minute.
    started = time.monotonic()
    refused(scan(tmp_path, "bomb.yaml", content), *words)
    assert time.monotonic() - started < SECONDS


def test_yaml_aliases_are_read_once(tmp_path: Path, yaml_backend: str) -> None:
    content = (
        "base: &base\n  SECRET_KEY: changeme\n"
        "prod:\n  <<: *base\n  other: 1\n"
        "dev: *base\n"
        "name: &k not-a-key\n"
        "x:\n  FLASK_SECRET_KEY: *k\n"
        "many: [" + ", ".join(["*base"] * 10_000) + "]\n"
    )
    found = scan(tmp_path, "app.yaml", content)
    assert [(a.line, a.name, a.value) for a in found] == [  # type: ignore[union-attr]
        (2, "SECRET_KEY", b"changeme"),
        (9, "FLASK_SECRET_KEY", b"not-a-key"),
    ]


def test_undefined_alias_and_duplicate_anchor(tmp_path: Path, yaml_backend: str) -> None:
    refused(scan(tmp_path, "a.yaml", "a: 1\nb: *nope\n"), "is not valid YAML", "(line 2)")
    refused(scan(tmp_path, "b.yaml", "a: &x 1\nb: &x 2\n"), "is not valid YAML")


def test_size_limit(tmp_path: Path) -> None:
    line = "SECRET_KEY = 'changeme'\n"
    limit = keycheck.MAX_SCAN_BYTES
    exact = line + "#" * (limit - len(line) - 1) + "\n"
    assert [a.line for a in scan(tmp_path, "ok.py", exact)] == [1]  # type: ignore[union-attr]
    error = refused(scan(tmp_path, "big.py", exact + "\n"), f"is larger than {limit} bytes")
    assert error.cap == "scan-file-bytes"
    small = write(tmp_path, "small.py", line)
    with pytest.raises(ScanError, match="is larger than 10 bytes"):
        scan_file(small, max_bytes=10)
    assert scan_paths([small], max_bytes=10).scanned == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_and_folder_are_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    refused(scan_fifo(tmp_path / "pipe.py"), "is not a regular file")
    (tmp_path / "folder.toml").mkdir()
    error = scan_fifo(tmp_path / "folder.toml")
    assert isinstance(error, ScanError)
    missing = scan_fifo(tmp_path / "missing.yaml")
    assert isinstance(missing, ScanError) and "No such file" in str(missing)


def scan_fifo(path: Path) -> list[Assignment] | ScanError:
    try:
        return scan_file(path)
    except ScanError as e:
        return e


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # configparser's option pattern is quadratic in a run of spaces (40 KB: 30 s).
        ("app.cfg", "[s]\nsecret" + " " * 500_000 + "_key = changeme\n", None),
        ("app.cfg", "[s]\nSECRET_KEY = x" + " " * 500_000 + "y\n", b"x" + b" " * 500_000 + b"y"),
        # python-dotenv's comment pattern is quadratic in a run of spaces (40 KB: 4 s).
        (".env", "SECRET_KEY=x" + " " * 500_000 + "y # note\n", b"x" + b" " * 500_000 + b"y"),
        (".env", "SECRET_KEY=x" + "\t" * 500_000 + "#note\n", b"x"),
        # python-dotenv before 1.2.3 backtracks exponentially on this.
        (".env", 'SECRET_KEY="' + "\\'" * 40 + "\nB=1\n", None),
        (".env", "SECRET_KEY=dev\n" + 'A="\\\n' * 100_000, b"dev"),
        ("app.toml", 'x = """' + '\\"""' * 200_000 + "\n", None),
        ("app.yaml", "a: [" + "[" * 300_000 + "\n", None),
        ("app.yaml", "SECRET_KEY: changeme\n" + "? " * 300_000 + "\n", None),
    ],
    ids=[
        "ini-spaces-no-delimiter",
        "ini-spaces-in-value",
        "env-spaces",
        "env-tabs",
        "env-escaped-quotes",
        "env-unterminated-quotes",
        "toml-unterminated-string",
        "yaml-open-brackets",
        "yaml-question-marks",
    ],
)
def test_patterns_that_backtrack(
    tmp_path: Path, name: str, content: str, expected: bytes | None
) -> None:
    result = scan(tmp_path, name, content)  # asserts it ends within SECONDS
    if expected is not None:
        assert [a.value for a in result] == [expected]  # type: ignore[union-attr]


# 5. No file text in messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("app.py", f'x = 1\nSECRET_KEY = "{SECRET}" +\n'),
        ("app.py", f'x = 1\nSECRET_KEY = "{SECRET}\x00"\n'),
        ("app.py", f"x = 1\n{SECRET} = (\n"),
        ("app.yaml", f'x: 1\nSECRET_KEY: "{SECRET}\n'),
        ("app.yaml", f"x: 1\nSECRET_KEY: {SECRET}\n  - {SECRET}: [\n"),
        ("app.yaml", f"x: 1\nSECRET_KEY: {SECRET}\x07\n"),
        ("app.yaml", f"x: 1\nSECRET_KEY: *{SECRET}\n"),
        ("app.toml", f'x = 1\nSECRET_KEY = "{SECRET}\n'),
        ("app.toml", f"x = 1\nSECRET_KEY = {SECRET}\n"),
        ("app.toml", f'x = 1\n{SECRET}.x = 1\n{SECRET} = "{SECRET}"\n'),
        ("app.cfg", f"[s]\nx = 1\n{SECRET}\n"),
        ("app.cfg", f"{SECRET} = 1\n"),
        ("app.cfg", f"[s]\n{SECRET} = 1\n{SECRET} = 2\n"),
        ("app.cfg", f"[{SECRET}]\n[{SECRET}]\n"),
    ],
)
def test_errors_never_quote_the_file(tmp_path: Path, name: str, content: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(ScanError) as info:
        scan_file(path)
    error = info.value
    shown = "".join(traceback.format_exception(error))
    assert SECRET not in shown and SECRET not in repr(error.args)
    assert error.__cause__ is None and error.__suppress_context__
    assert error.path == str(path)
    assert str(error).startswith(f"{path} ")
    report = scan_paths([path])
    assert report.skipped == (keycheck.Skipped(str(path), str(error)),)
    assert SECRET not in repr(report)


def test_an_assignment_does_not_show_its_key() -> None:
    found = Assignment("app.py", 1, "SECRET_KEY", SECRET.encode(), False)
    assert SECRET not in repr(found)
    assert SECRET not in repr(keycheck.Finding(found, keycheck.judge(SECRET.encode())))


# 7. Anything at all ---------------------------------------------------------------------------

#: Pieces of every format, so that random text reaches past the first syntax error.
FRAGMENTS = st.sampled_from(
    [
        "SECRET_KEY",
        "secret_key",
        "FLASK_SECRET_KEY",
        "SECRET_KEY_FALLBACKS",
        "[app]",
        "[[a]]",
        " = ",
        "=",
        ": ",
        "\n",
        "\n  ",
        "  ",
        "\t",
        "# SECRET_KEY",
        ";",
        "'",
        '"',
        '"""',
        "'''",
        "\\",
        "\\u",
        "\\ud800",
        "[",
        "]",
        "{",
        "}",
        ",",
        ".",
        "- ",
        "---\n",
        "&a ",
        "*a",
        "<<: ",
        "? ",
        "!!binary ",
        "!!str ",
        "!tag ",
        "2001-13-45",
        "1" * 5000,
        "1e999",
        "changeme",
        "export ",
        "${X:-dev}",
        "os.environ.get(",
        "(",
        ")",
        " or ",
        " if x else ",
        "app.config[",
        "dict(SECRET_KEY=",
        "\x00",
        "\x1b",
        "\ufeff",
        "\u2028",
        "\r",
        "é",
    ]
)
STRUCTURED = st.lists(FRAGMENTS, max_size=40).map("".join)
HYPOTHESIS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check_any(folder: Path, name: str, content: str | bytes) -> None:
    path = write(folder, name, content)
    try:
        found = scan_file(path)
    except CookietoolError:
        return
    assert all(isinstance(a.value, bytes) and a.line >= 1 for a in found)
    report = scan_paths([path])
    assert report.files == 1 and len(report.found) == len(found)


@pytest.mark.parametrize("name", SUFFIXES)
@HYPOTHESIS
@given(content=st.one_of(st.text(), STRUCTURED))
def test_any_text(tmp_path: Path, name: str, content: str) -> None:
    check_any(tmp_path, name, content)


@pytest.mark.parametrize("name", SUFFIXES)
@HYPOTHESIS
@given(content=st.binary())
def test_any_bytes(tmp_path: Path, name: str, content: bytes) -> None:
    check_any(tmp_path, name, content)


@HYPOTHESIS
@given(content=st.one_of(st.text(), STRUCTURED))
def test_any_text_with_pure_python_yaml(
    tmp_path: Path, content: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    keycheck._yaml_reader.cache_clear()
    try:
        check_any(tmp_path, "x.yaml", content)
    finally:
        keycheck._yaml_reader.cache_clear()
