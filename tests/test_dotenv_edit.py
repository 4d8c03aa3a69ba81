"""Tests for cookietool.dotenv_edit, with python-dotenv's own dotenv_values as the oracle."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from dotenv import dotenv_values
from hypothesis import given
from hypothesis import strategies as st

from cookietool.dotenv_edit import (
    MAX_DOTENV_BYTES,
    MAX_LINE_BYTES,
    EditResult,
    format_value,
    get,
    read_env,
    set_values,
)
from cookietool.errors import InputError

SECRET = "s3cr3t-do-not-show"


def write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


def test_crlf_file_keeps_crlf(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"# app\r\nFLASK_SECRET_KEY=old\r\nDEBUG=1\r\n")
    result = set_values(env, {"FLASK_SECRET_KEY": "new", "OTHER": "x"})
    assert env.read_bytes() == b"# app\r\nFLASK_SECRET_KEY=new\r\nDEBUG=1\r\nOTHER=x\r\n"
    assert result == EditResult(env, ("FLASK_SECRET_KEY",), ("OTHER",), written=True)


def test_mixed_endings_keep_each_line_and_append_the_dominant_one(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"A=1\r\nB=2\nC=3\r\nD=4\r")
    set_values(env, {"B": "two", "E": "5"})
    assert env.read_bytes() == b"A=1\r\nB=two\nC=3\r\nD=4\rE=5\r\n"


def test_export_and_inline_comment_are_kept(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"export FLASK_SECRET_KEY=old # rotated 2025\n")
    set_values(env, {"FLASK_SECRET_KEY": "0123abcd"})
    assert env.read_bytes() == b"export FLASK_SECRET_KEY=0123abcd # rotated 2025\n"
    assert dotenv_values(env) == {"FLASK_SECRET_KEY": "0123abcd"}


@pytest.mark.parametrize(
    ("before", "value", "after"),
    [
        (b"K='old'\n", "new", b"K='new'\n"),
        (b'K="old"\n', "new", b'K="new"\n'),
        (b"K = 'old' # c\n", "a b", b"K = 'a b' # c\n"),
        # A single quote cannot stay inside single quotes: double quotes with escapes.
        (b"K='old'\n", "it's", b'K="it\'s"\n'),
        (b"K=old\n", 'say "hi" \\o/', b'K="say \\"hi\\" \\\\o/"\n'),
        (b"K=old\n", "two words", b"K='two words'\n"),
        (b'K="multi\nline"\nL=1\n', "one", b'K="one"\nL=1\n'),
        (b"K= # empty\n", "v", b"K= v # empty\n"),
        (b"K=\n", "v", b"K=v\n"),
        (b"K=#notacomment\n", "v", b"K=v\n"),
        (b"K # no value\n", "v", b"K=v # no value\n"),
        (b"'K'=old\n", "v", b"'K'=v\n"),
        (b"K=old\n", "", b"K=\n"),
    ],
)
def test_replaced_value_keeps_its_surroundings(
    tmp_path: Path, before: bytes, value: str, after: bytes
) -> None:
    env = write(tmp_path / ".env", before)
    set_values(env, {"K": value})
    assert env.read_bytes() == after
    assert dotenv_values(env)["K"] == value


def test_duplicate_names_last_one_wins(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"K=first\nA=1\nK=second # live\n")
    assert get(read_env(env), "K") == "second"
    set_values(env, {"K": "third"})
    assert env.read_bytes() == b"K=first\nA=1\nK=third # live\n"
    assert dotenv_values(env)["K"] == "third"


def test_file_without_trailing_newline(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"A=1\nK=old")
    set_values(env, {"K": "new"})
    assert env.read_bytes() == b"A=1\nK=new"
    set_values(env, {"B": "2"})
    assert env.read_bytes() == b"A=1\nK=new\nB=2\n"


def test_byte_order_mark_is_kept(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", "\ufeffK=old\n".encode())
    set_values(env, {"K": "new"})
    assert env.read_bytes() == "\ufeffK=new\n".encode()


def test_same_value_leaves_the_file_alone(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"K=same\n")
    before = env.stat().st_mtime_ns
    result = set_values(env, {"K": "same"})
    assert result.replaced == ("K",)
    assert not result.written
    assert env.stat().st_mtime_ns == before


def test_new_file_is_owner_only(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    result = set_values(env, {"FLASK_SECRET_KEY": "k"})
    assert result.added == ("FLASK_SECRET_KEY",)
    assert env.read_bytes() == b"FLASK_SECRET_KEY=k\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600


def test_no_changes_touch_nothing(tmp_path: Path) -> None:
    result = set_values(tmp_path / ".env", {})
    assert result == EditResult(tmp_path / ".env", (), (), written=False)
    assert not (tmp_path / ".env").exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_owner_and_group_are_kept(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"K=old\n", mode=0o640)
    os.chown(env, 1234, 5678)
    set_values(env, {"K": "new"})
    st = env.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o640)


def test_missing_file_without_create(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        set_values(tmp_path / ".env", {"K": "v"}, create=False)
    assert not (tmp_path / ".env").exists()


def test_symlink_target_is_written_and_link_kept(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "app").mkdir()
    target = write(tmp_path / "real" / "env.real", b"K=old\n", mode=0o640)
    link = tmp_path / "app" / ".env"
    link.symlink_to(Path("..") / "real" / "env.real")
    result = set_values(link, {"K": "new"})
    assert link.is_symlink()
    assert os.readlink(link) == os.path.join("..", "real", "env.real")
    assert target.read_bytes() == b"K=new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert result.path == target.resolve()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["env.real"]
    assert sorted(p.name for p in (tmp_path / "app").iterdir()) == [".env"]


def test_read_only_file_is_refused_and_untouched(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"K=old\n", mode=0o400)
    with pytest.raises(InputError, match=r"read-only \(mode 400\)"):
        set_values(env, {"K": SECRET})
    assert env.read_bytes() == b"K=old\n"
    assert stat.S_IMODE(env.stat().st_mode) == 0o400


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_write_failure_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    env = write(tmp_path / ".env", b"K=old\n")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(InputError, match=r"cannot write .*: No space left on device") as info:
        set_values(env, {"K": SECRET})
    assert SECRET not in str(info.value)
    assert [p.name for p in tmp_path.iterdir()] == [".env"]
    assert env.read_bytes() == b"K=old\n"


def test_latin1_bytes_elsewhere_survive(tmp_path: Path) -> None:
    data = "# caf\xe9\nNAME=Jos\xe9\nK=old\n".encode("latin-1")
    env = write(tmp_path / ".env", data)
    set_values(env, {"K": "new", "ADDED": "\xe9t\xe9"})
    assert env.read_bytes() == b"# caf\xe9\nNAME=Jos\xe9\nK=new\nADDED='\xc3\xa9t\xc3\xa9'\n"
    assert dotenv_values(env, encoding="latin-1")["K"] == "new"


@pytest.mark.parametrize("name", ["", "1ABC", "A B", "A=B", "A#", "A\nB", "A-B", "caf\xe9"])
def test_invalid_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match="invalid variable name") as info:
        set_values(tmp_path / ".env", {name: SECRET})
    assert SECRET not in str(info.value)
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (SECRET + "\n", "line break"),
        (SECRET + "\r", "line break"),
        ("\n" + SECRET, "line break"),
        (SECRET + "\0", "NUL"),
        (SECRET + "\udc80", "not valid Unicode"),
        (SECRET + "${HOME}", "expands"),
    ],
)
def test_invalid_values_are_refused_without_echo(tmp_path: Path, value: str, reason: str) -> None:
    env = write(tmp_path / ".env", b"K=old\n")
    with pytest.raises(InputError, match=reason) as info:
        set_values(env, {"K": value})
    assert SECRET not in str(info.value)
    assert env.read_bytes() == b"K=old\n"


def test_directory_and_missing_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        set_values(tmp_path, {"K": "v"})
    with pytest.raises(InputError, match="does not exist"):
        set_values(tmp_path / "missing" / ".env", {"K": "v"})


def test_size_caps(tmp_path: Path) -> None:
    big = write(tmp_path / "big.env", b"# x\n" * (MAX_DOTENV_BYTES // 4 + 1))
    with pytest.raises(InputError, match="larger than"):
        set_values(big, {"K": "v"})
    long = write(tmp_path / "long.env", b"#" + b"x" * MAX_LINE_BYTES + b"\n")
    with pytest.raises(InputError, match="line longer than"):
        read_env(long)
    with pytest.raises(InputError, match="line longer than"):
        set_values(tmp_path / "new.env", {"K": "v" * (MAX_LINE_BYTES + 1)})
    assert not (tmp_path / "new.env").exists()


def test_unparsable_tail_is_refused_rather_than_changed(tmp_path: Path) -> None:
    # Appending after an unterminated quote would make the new line part of that value.
    env = write(tmp_path / ".env", b"A='open\n")
    with pytest.raises(InputError, match="edit it by hand"):
        set_values(env, {"B": "x y"})
    assert env.read_bytes() == b"A='open\n"


def test_get_reads_like_dotenv_values(tmp_path: Path) -> None:
    env = write(tmp_path / ".env", b"A=\"two\r\nlines\"\r\nB\r\nC='x\\'y'\r\nD=1 # c\r\n")
    envfile = read_env(env)
    expected = dotenv_values(env, interpolate=False)
    assert {n: get(envfile, n) for n in "ABCD"} == expected
    assert get(envfile, "MISSING") is None
    assert envfile.newline == "\r\n"


# Random files: lines python-dotenv reads, then one edit, checked line by line.

NAMES = ["FLASK_SECRET_KEY", "A", "B_2", "_x"]
ENDINGS = ["\n", "\r\n"]
# python-dotenv expands ${...} in every value; set_values refuses such values.
INTERPOLATED = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")

line_text = st.text(
    st.characters(exclude_characters="\r\n", exclude_categories=["Cs"]), max_size=12
)
values = st.text(
    st.characters(exclude_characters="\0\r\n", exclude_categories=["Cs"]), max_size=20
).filter(lambda v: not INTERPOLATED.search(v))
old_values = st.one_of(
    st.text("abcXYZ019_+/=.:,@%-", min_size=1, max_size=8),
    line_text.filter(lambda v: "'" not in v and "\\" not in v).map(lambda v: f"'{v}'"),
    line_text.map(lambda v: format_value(v, '"')),
).filter(lambda v: "$" not in v)


class Line(NamedTuple):
    name: str | None
    head: str
    tail: str
    ending: str

    def text(self, value: str) -> str:
        return self.head + value + self.tail + self.ending


@st.composite
def lines(draw: st.DrawFn) -> tuple[Line, str]:
    ending = draw(st.sampled_from(ENDINGS))
    kind = draw(st.sampled_from(["binding", "binding", "comment", "blank"]))
    if kind == "comment":
        return Line(None, "#" + draw(line_text), "", ending), ""
    if kind == "blank":
        return Line(None, draw(st.sampled_from(["", "  "])), "", ending), ""
    name = draw(st.sampled_from(NAMES))
    head = (
        draw(st.sampled_from(["", "  "]))
        + draw(st.sampled_from(["", "export "]))
        + name
        + draw(st.sampled_from(["", " "]))
        + "="
        + draw(st.sampled_from(["", " "]))
    )
    tail = draw(st.sampled_from(["", " # " + draw(line_text)]))
    return Line(name, head, tail, ending), draw(old_values)


@given(
    st.lists(lines(), max_size=8),
    st.booleans(),
    st.sampled_from(NAMES),
    values,
)
def test_random_files_change_only_the_edited_line(
    drawn: list[tuple[Line, str]], trailing_newline: bool, name: str, value: str
) -> None:
    texts = [line.text(old) for line, old in drawn]
    if texts and not trailing_newline:
        texts[-1] = texts[-1].removesuffix(drawn[-1][0].ending)
    data = "".join(texts).encode()
    with tempfile.TemporaryDirectory() as folder:
        env = Path(folder) / ".env"
        env.write_bytes(data)
        before = dotenv_values(env)
        assert {n: get(read_env(env), n) for n in before} == dotenv_values(env, interpolate=False)

        result = set_values(env, {name: value})

        after_bytes = env.read_bytes()
        after = dotenv_values(env)
        assert after[name] == value
        assert {k: v for k, v in after.items() if k != name} == {
            k: v for k, v in before.items() if k != name
        }
        assert [p.name for p in Path(folder).iterdir()] == [".env"]

    old_lines = data.splitlines(keepends=True)
    new_lines = after_bytes.splitlines(keepends=True)
    at = [i for i, (line, _) in enumerate(drawn) if line.name == name]
    if at:
        assert result.replaced == (name,)
        i = at[-1]
        line = drawn[i][0]
        assert len(new_lines) == len(old_lines)
        assert new_lines[:i] == old_lines[:i]
        assert new_lines[i + 1 :] == old_lines[i + 1 :]
        ending = old_lines[i][len(old_lines[i].rstrip(b"\r\n")) :]
        assert new_lines[i].startswith(line.head.encode())
        assert new_lines[i].endswith(line.tail.encode() + ending)
    else:
        assert result.added == (name,)
        assert new_lines[: len(old_lines) - 1] == old_lines[: len(old_lines) - 1]
        if old_lines:
            assert new_lines[len(old_lines) - 1].rstrip(b"\r\n") == old_lines[-1].rstrip(b"\r\n")
        assert new_lines[-1].startswith(f"{name}=".encode())
        assert len(new_lines) == len(old_lines) + 1
