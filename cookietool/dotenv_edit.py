"""Edit variables in a .env file in place, keeping every byte that is not part of the edit."""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import parse_stream

from cookietool import dotenv_grammar
from cookietool.errors import InputError

#: Largest .env file read or written: real ones are a few KiB; this bounds memory and time.
MAX_DOTENV_BYTES = 1 << 20
#: Longest line accepted, for the same reason.
MAX_LINE_BYTES = 64 << 10

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNQUOTED_SAFE = re.compile(r"[A-Za-z0-9_+/=.:,@%-]*")
# python-dotenv expands ${NAME} and ${NAME:-default} in every value, quoted or not, and has no
# escape for it: a value matching this pattern cannot be read back as written.
_INTERPOLATED = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")
_BOM = "\ufeff"

# The start of a binding is found with python-dotenv's grammar (cookietool.dotenv_grammar);
# any disagreement with the real parser is caught by reparsing the edited text.


@dataclass(frozen=True)
class EnvBinding:
    """One statement of a .env file as python-dotenv parses it."""

    #: The variable name; None for blank lines, comments and statements that do not parse.
    name: str | None
    #: The value as dotenv_values(..., interpolate=False) reads it; None for `NAME` without `=`.
    value: str | None
    #: Character offsets of the statement in EnvFile.text, leading blank lines included.
    start: int
    end: int
    #: 1-based line where the statement's text (leading blank lines included) starts.
    line: int
    #: True when python-dotenv could not parse the statement and skipped its line.
    error: bool


@dataclass(frozen=True)
class EnvFile:
    """A .env file as read: its bytes, their text, its newline style and its bindings."""

    path: Path
    data: bytes
    #: data decoded as UTF-8 with surrogateescape, so that any byte survives a round trip.
    text: str
    #: The most common line ending ("\n", "\r\n" or "\r"); "\n" when there is none.
    newline: str
    bindings: tuple[EnvBinding, ...]


@dataclass(frozen=True)
class EditResult:
    """What set_values or update did to a .env file."""

    #: The file written: the target of a symbolic link, not the link.
    path: Path
    replaced: tuple[str, ...]
    added: tuple[str, ...]
    #: False when the file already held exactly these values, so it was left untouched.
    written: bool


def parse_env(data: bytes, path: Path | None = None) -> EnvFile:
    """Parse the bytes of a .env file without touching the disk."""
    where = path if path is not None else Path(".env")
    _check_size(data, where)
    text = data.decode("utf-8", "surrogateescape")
    return EnvFile(
        path=where,
        data=data,
        text=text,
        newline=_dominant_newline(text),
        bindings=_parse(text, where),
    )


def read_env(path: str | os.PathLike[str]) -> EnvFile:
    """Read and parse the .env file at ``path``."""
    p = Path(path)
    data = _read_bytes(p, p)
    if data is None:
        raise InputError(f"cannot read {p}: file does not exist")
    return parse_env(data, p)


def get(envfile: EnvFile, name: str) -> str | None:
    """Return ``name``'s value as dotenv_values(..., interpolate=False) reads it, else None."""
    binding = _last_bindings(envfile.bindings).get(name)
    return binding.value if binding is not None else None


def set_values(
    path: str | os.PathLike[str], changes: Mapping[str, str], *, create: bool = True
) -> EditResult:
    """Set each variable of ``changes`` in the .env file at ``path``, writing it atomically."""
    for name, value in changes.items():
        _check_name(name)
        _check_value(name, value)
    return update(path, lambda _envfile: changes, create=create)


def update(
    path: str | os.PathLike[str],
    compute: Callable[[EnvFile], Mapping[str, str]],
    *,
    create: bool = True,
) -> EditResult:
    """Set the variables ``compute`` returns for the file as read, writing it atomically."""
    # compute sees the very bytes its changes are applied to, so a value decided from the
    # file (the key that rotation moves into its fallbacks) is never one read earlier.
    shown = Path(path)
    # Edit the file a symbolic link points to, so that the link itself stays a link.
    target = Path(os.path.realpath(shown))
    if not target.parent.is_dir():
        raise InputError(f"cannot write {shown}: folder {target.parent} does not exist")
    data = _read_bytes(target, shown)
    if data is None and not create:
        raise InputError(f"cannot write {shown}: file does not exist")
    # A file that does not exist yet reads as an empty one.
    envfile = parse_env(data if data is not None else b"", shown)
    changes = compute(envfile)
    for name, value in changes.items():
        _check_name(name)
        _check_value(name, value)
    if not changes:
        return EditResult(target, (), (), written=False)
    existing = _writable_stat(target, shown) if data is not None else None

    new_text, replaced, added = _edit(envfile, changes)
    new_data = new_text.encode("utf-8", "surrogateescape")
    _check_size(new_data, shown)
    if new_data == data:
        return EditResult(target, replaced, added, written=False)
    _atomic_write(target, shown, new_data, existing)
    return EditResult(target, replaced, added, written=True)


def format_value(value: str, quote: str | None = None) -> str:
    """Return ``value`` as .env text that python-dotenv reads back exactly."""
    if quote is None and _UNQUOTED_SAFE.fullmatch(value):
        return value
    # Single quotes only when nothing inside needs an escape: python-dotenv and POSIX shells
    # then read the same value; backslash escapes inside single quotes are python-dotenv's own.
    if quote != '"' and "'" not in value and "\\" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"invalid variable name {name!r}: use letters, digits and _, not starting with a digit"
        )


def _check_value(name: str, value: str) -> None:
    # Messages name the variable, never the value: values are secret keys.
    if "\n" in value or "\r" in value:
        raise InputError(f"value for {name} contains a line break; refused")
    if "\0" in value:
        raise InputError(f"value for {name} contains a NUL character; refused")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InputError(f"value for {name} is not valid Unicode text; refused") from e
    if _INTERPOLATED.search(value):
        raise InputError(
            f"value for {name} contains ${{...}}, which python-dotenv expands; refused"
        )


def _check_size(data: bytes, shown: Path) -> None:
    if len(data) > MAX_DOTENV_BYTES:
        raise InputError(f"{shown} is larger than {MAX_DOTENV_BYTES} bytes; refused")
    # bytes.splitlines splits on \r, \n and \r\n only, as the dotenv parser does.
    if any(len(line) > MAX_LINE_BYTES for line in data.splitlines()):
        raise InputError(f"{shown} has a line longer than {MAX_LINE_BYTES} bytes; refused")


def _read_bytes(target: Path, shown: Path) -> bytes | None:
    """Return the file's bytes, or None if it does not exist."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise InputError(f"cannot read {shown}: {e.strerror or e}") from e
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{shown} is a directory, not a .env file")
    if not stat.S_ISREG(st.st_mode):
        # Reading a FIFO or a device could block or never end.
        raise InputError(f"{shown} is not a regular file")
    try:
        with open(target, "rb") as f:
            # Read one byte past the cap so that a file that grew since stat is still refused.
            data = f.read(MAX_DOTENV_BYTES + 1)
    except OSError as e:
        raise InputError(f"cannot read {shown}: {e.strerror or e}") from e
    return data


def _writable_stat(target: Path, shown: Path) -> os.stat_result:
    """Return the file's status, whose owner and mode the new file keeps; refuse a read-only one."""
    try:
        st = os.stat(target)
    except OSError as e:
        raise InputError(f"cannot write {shown}: {e.strerror or e}") from e
    # root passes os.access whatever the mode: a file nobody may write was made read-only on
    # purpose (often to protect a key), so the mode bits are honoured too.
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o222:
        raise InputError(
            f"cannot write {shown}: file is read-only (mode {mode:o}); "
            "make it writable or choose another file"
        )
    if not os.access(target, os.W_OK):
        raise InputError(f"cannot write {shown}: permission denied (mode {mode:o})")
    return st


def _dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
    # max keeps the first of equal counts, so ties and newline-free files get "\n".
    return max(counts, key=lambda k: counts[k])


def _parse(text: str, shown: Path) -> tuple[EnvBinding, ...]:
    raw = list(parse_stream(io.StringIO(text, newline="")))
    # dotenv_values opens the file with universal newlines, so a quoted value spanning lines
    # reads "\r\n" as "\n": values come from that reading, offsets from the raw text.
    read = list(parse_stream(io.StringIO(text, newline=None))) if "\r" in text else raw
    if len(read) != len(raw):
        raise InputError(f"cannot parse {shown} consistently; edit it by hand")
    # The parser drops a leading byte order mark, so its offsets start after it.
    offset = len(text) - sum(len(b.original.string) for b in raw)
    bindings = []
    for r, b in zip(raw, read, strict=True):
        end = offset + len(r.original.string)
        bindings.append(EnvBinding(b.key, b.value, offset, end, r.original.line, r.error))
        offset = end
    return tuple(bindings)


def _last_bindings(bindings: tuple[EnvBinding, ...]) -> dict[str, EnvBinding]:
    # dotenv_values keeps the last value of a name, so the last binding is the one to edit.
    return {b.name: b for b in bindings if b.name is not None}


def _edit(
    envfile: EnvFile, changes: Mapping[str, str]
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    text = envfile.text
    last = _last_bindings(envfile.bindings)
    splices: list[tuple[int, int, str]] = []
    replaced: list[str] = []
    added: list[str] = []
    for name, value in changes.items():
        binding = last.get(name)
        if binding is None:
            added.append(name)
        else:
            replaced.append(name)
            splices.append(_value_splice(text, binding, value))
    splices.sort()
    pieces: list[str] = []
    pos = 0
    for start, end, new in splices:
        pieces.append(text[pos:start])
        pieces.append(new)
        pos = end
    pieces.append(text[pos:])
    if added:
        body = text.removeprefix(_BOM)
        if body and not body.endswith(("\n", "\r")):
            pieces.append(envfile.newline)
        pieces.extend(f"{name}={format_value(changes[name])}{envfile.newline}" for name in added)
    new_text = "".join(pieces)
    _verify(envfile, new_text, changes, tuple(added))
    return new_text, tuple(replaced), tuple(added)


def _value_splice(text: str, binding: EnvBinding, value: str) -> tuple[int, int, str]:
    """Return (start, end, replacement) that gives ``binding`` the new ``value``."""
    pos = _skip(dotenv_grammar.LEADING, text, binding.start, binding.end)
    pos = _skip(dotenv_grammar.EXPORT, text, pos, binding.end)
    key = dotenv_grammar.QUOTED_KEY if text.startswith("'", pos) else dotenv_grammar.KEY
    key_match = key.match(text, pos, binding.end)
    if key_match is None:
        raise _cannot_edit(binding)
    pos = key_match.end()
    if binding.value is None:
        # `NAME` alone or `export NAME`: the value goes right after the name.
        return pos, pos, "=" + format_value(value)
    pos = _skip(dotenv_grammar.SPACE, text, pos, binding.end)
    equal = dotenv_grammar.EQUAL.match(text, pos, binding.end)
    if equal is None:
        raise _cannot_edit(binding)
    pos = equal.end()
    first = text[pos : pos + 1]
    if first in ("'", '"'):
        quoted = (
            dotenv_grammar.SINGLE_QUOTED if first == "'" else dotenv_grammar.DOUBLE_QUOTED
        ).match(text, pos, binding.end)
        if quoted is None:
            raise _cannot_edit(binding)
        return pos, quoted.end(), format_value(value, first)
    if first == "#" and len(equal.group()) > 1:
        # `NAME= # comment` has an empty value; the new one needs a space before the comment.
        new = format_value(value)
        return pos, pos, new + " " if new else new
    rest = text[pos : _skip(dotenv_grammar.REST_OF_LINE, text, pos, binding.end)]
    comment = dotenv_grammar.INLINE_COMMENT.search(rest)
    old = (rest[: comment.start()] if comment else rest).rstrip()
    return pos, pos + len(old), format_value(value)


def _skip(regex: re.Pattern[str], text: str, pos: int, end: int) -> int:
    """Return where ``regex``, which can match nothing, stops matching from ``pos``."""
    match = regex.match(text, pos, end)
    return match.end() if match is not None else pos


def _verify(
    before: EnvFile, new_text: str, changes: Mapping[str, str], added: tuple[str, ...]
) -> None:
    # Reparse the result: every other variable must read as before, the edited ones as asked.
    after = _parse(new_text, before.path)
    last = {id(b) for b in _last_bindings(before.bindings).values()}
    expected = [
        (b.name, changes[b.name] if id(b) in last and b.name in changes else b.value)
        for b in before.bindings
        if b.name is not None
    ]
    expected.extend((name, changes[name]) for name in added)
    got = [(b.name, b.value) for b in after if b.name is not None]
    errors_before = sum(b.error for b in before.bindings)
    errors_after = sum(b.error for b in after)
    if got != expected or errors_before != errors_after:
        raise InputError(
            f"cannot edit {before.path} safely: a line near the edit does not parse "
            "as python-dotenv expects; edit it by hand"
        )


def _cannot_edit(binding: EnvBinding) -> InputError:
    return InputError(f"cannot edit {binding.name} at line {binding.line}; edit it by hand")


def _atomic_write(target: Path, shown: Path, data: bytes, existing: os.stat_result | None) -> None:
    # A temp file in the target's own folder, renamed over it: readers see the old file or the
    # new one, never half of it, and a failure leaves the old file as it was.
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            if existing is not None:
                _keep_owner(tmp, existing)
            # A new file holds a secret key: readable by its owner only.
            os.chmod(tmp, stat.S_IMODE(existing.st_mode) if existing is not None else 0o600)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        reason = e.strerror or (os.strerror(e.errno) if e.errno else str(e))
        raise InputError(f"cannot write {shown}: {reason}") from e
    finally:
        if tmp is not None:
            # The write already failed; that error is the one worth reporting.
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_dir(target.parent)


def _keep_owner(tmp: str, existing: os.stat_result) -> None:
    # root editing another user's file must not hand it to root. Best effort: others may not
    # chown, and then the file is theirs as with any editor that saves by renaming.
    tmp_stat = os.stat(tmp)
    if (tmp_stat.st_uid, tmp_stat.st_gid) != (existing.st_uid, existing.st_gid):
        with contextlib.suppress(PermissionError):
            os.chown(tmp, existing.st_uid, existing.st_gid)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable. Best effort: the new file is already in place, and some
    # systems cannot open or sync a folder.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
