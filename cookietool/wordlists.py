"""Where candidate secret keys come from: the built-in list, Flask-Unsign's wordlist,
files and standard input, read as a stream of blocks so memory stays flat."""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from importlib import resources
from typing import IO

from cookietool.errors import InputError

#: Bytes read per block: tens of thousands of keys, a few tens of milliseconds of work.
BLOCK_BYTES = 256 * 1024


@dataclass(frozen=True)
class KnownKey:
    """A publicly known secret key and where it was published."""

    value: bytes
    origin: str
    source: str


@dataclass(frozen=True)
class Block:
    """Candidates to try: raw newline-separated lines, quoted lines, or ready keys."""

    source: str
    kind: str
    data: bytes | tuple[bytes, ...]
    size: int


@dataclass(frozen=True)
class CandidateSource:
    """A named stream of candidate blocks; ``size`` in bytes when known, for progress."""

    label: str
    blocks: Callable[[], Iterator[Block]]
    size: int | None


@functools.cache
def known_keys() -> tuple[KnownKey, ...]:
    """The built-in list of framework defaults, documentation keys and placeholders.

    Read once per process: check-key --scan judges every key it finds against it.
    """
    text = resources.files("cookietool").joinpath("data/known_keys.json").read_text("utf-8")
    found = []
    for entry in json.loads(text)["keys"]:
        value = bytes.fromhex(entry["hex"]) if "hex" in entry else entry["text"].encode("utf-8")
        found.append(KnownKey(value, entry["origin"], entry["source"]))
    return tuple(found)


def builtin_source() -> CandidateSource:
    """The built-in known keys as one block (some contain newlines, so they travel as keys)."""
    keys = tuple(key.value for key in known_keys())

    def blocks() -> Iterator[Block]:
        yield Block("built-in list", "keys", keys, sum(len(k) + 1 for k in keys))

    return CandidateSource("built-in list", blocks, sum(len(k) + 1 for k in keys))


def flask_unsign_wordlist_path() -> str | None:
    """Path of Flask-Unsign's 56k-line ``all.txt`` when ``cookietool[wordlist]`` is installed."""
    try:
        import flask_unsign_wordlist
    except ImportError:
        return None
    path: str = flask_unsign_wordlist.get("all")
    return path


FLASK_UNSIGN_LABEL = "Flask-Unsign wordlist"
_CACHE_MAGIC = b"cookietool parsed wordlist 1\n"


def flask_unsign_source() -> CandidateSource | None:
    """Flask-Unsign's wordlist, read from a parsed copy in the cache when there is one.

    Its 56k lines are Python literals; parsing them costs about 35 ms of CPU a run. The
    parsed keys are kept under ``$XDG_CACHE_HOME/cookietool`` (``COOKIETOOL_CACHE_DIR``
    moves it; empty turns it off), keyed by the list's size and time. A damaged cache
    can only lose candidates, never invent a match: every match is checked by HMAC.
    """
    path = flask_unsign_wordlist_path()
    if path is None:
        return None
    cached = _parsed_copy(path)
    if cached is None:
        return file_source(path, quoted=True, label=FLASK_UNSIGN_LABEL)

    def blocks() -> Iterator[Block]:
        with open(cached, "rb") as handle:
            if handle.readline() != _CACHE_MAGIC:
                raise InputError(f"damaged wordlist cache {cached}; delete it")
            aside = tuple(
                bytes.fromhex(handle.readline().decode()) for _ in range(int(handle.readline()))
            )
            if aside:
                yield Block(FLASK_UNSIGN_LABEL, "keys", aside, sum(len(k) for k in aside))
            yield from read_blocks(handle, FLASK_UNSIGN_LABEL, "raw")

    return CandidateSource(FLASK_UNSIGN_LABEL, blocks, os.path.getsize(cached))


def cache_dir() -> str | None:
    """Where parsed wordlists are kept, or None when caching is turned off."""
    configured = os.environ.get("COOKIETOOL_CACHE_DIR")
    if configured is not None:
        return configured or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cookietool")


def _parsed_copy(path: str) -> str | None:
    """The cached parsed copy of a quoted wordlist, written on first use; None if unusable."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        info = os.stat(path)
        target = os.path.join(directory, f"flask-unsign-{info.st_size}-{info.st_mtime_ns}.keys")
        if os.path.exists(target):
            return target
        with open(path, "rb") as handle:
            keys = _quoted_keys(handle.read())
        # Keys holding a line break cannot be lines: they go first, in hex.
        aside = [k for k in keys if b"\n" in k or b"\r" in k]
        lines = [k for k in keys if b"\n" not in k and b"\r" not in k]
        body = (
            b"".join(
                [_CACHE_MAGIC, b"%d\n" % len(aside), *(k.hex().encode() + b"\n" for k in aside)]
            )
            + b"\n".join(lines)
            + b"\n"
        )
        os.makedirs(directory, mode=0o700, exist_ok=True)
        import tempfile

        handle_fd, temporary = tempfile.mkstemp(dir=directory, prefix=".parsing-")
        with os.fdopen(handle_fd, "wb") as out:
            out.write(body)
        os.replace(temporary, target)
        return target
    except (OSError, ValueError):
        return None  # no cache: the list is parsed as it is read


def file_source(path: str, quoted: bool = False, label: str | None = None) -> CandidateSource:
    """A wordlist file, ``.gz`` read directly, ``-`` for standard input, one key per line."""
    label = label or (f"wordlist {path}" if path != "-" else "standard input")
    if path != "-" and not os.path.isfile(path):
        raise InputError(f"wordlist {path} does not exist or is not a file")
    size = None if path == "-" or path.endswith(".gz") else os.path.getsize(path)

    def blocks() -> Iterator[Block]:
        kind = "quoted" if quoted else "raw"
        with _open(path) as handle:
            yield from read_blocks(handle, label, kind)

    return CandidateSource(label, blocks, size)


def _open(path: str) -> AbstractContextManager[IO[bytes]]:
    if path == "-":
        import sys

        # Standard input is read, not closed.
        return nullcontext(sys.stdin.buffer)
    try:
        if path.endswith(".gz"):
            import gzip

            return gzip.open(path, "rb")  # type: ignore[return-value]
        return open(path, "rb")
    except OSError as e:
        raise InputError(f"cannot read wordlist {path}: {e.strerror}") from e


def read_blocks(handle: IO[bytes], label: str, kind: str) -> Iterator[Block]:
    """Blocks of whole lines, about BLOCK_BYTES each, read as the consumer asks for them."""
    import gzip
    import zlib

    while True:
        try:
            data = handle.read(BLOCK_BYTES)
            if not data:
                return
            if not data.endswith(b"\n"):
                data += handle.readline()
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(f"cannot read {label}: {e}") from e
        yield Block(label, kind, data, len(data))


def lines_of(block: Block) -> list[bytes]:
    """The candidate keys of a block: line endings removed, empty lines dropped."""
    if block.kind == "keys":
        assert isinstance(block.data, tuple)
        return list(block.data)
    assert isinstance(block.data, bytes)
    if block.kind == "quoted":
        return _quoted_keys(block.data)
    lines = block.data.replace(b"\r\n", b"\n").split(b"\n")
    return [line for line in lines if line] if b"" in lines else lines


#: A quoted line without escapes, whichever the quote; anything else in the third group.
_QUOTED_LINE = re.compile(
    rb"^[ \t]*(?:\"([^\"\\\r\n]*)\"|'([^'\\\r\n]*)'|(.*?))[ \t]*\r?$", re.MULTILINE
)


def _quoted_keys(data: bytes) -> list[bytes]:
    """The keys of a block of quoted lines, in order, empty and invalid lines dropped.

    One regex takes plain quoted lines apart in C; only the rest (escapes, oddities) go
    through ``unquote``. Measured on Flask-Unsign's list, this is about twice as fast
    as calling ``unquote`` on every line.
    """
    keys = (
        dq or sq or (unquote(other) if other else None)
        for dq, sq, other in _QUOTED_LINE.findall(data)
    )
    return [key for key in keys if key]


#: Backslash escapes the fast path decodes itself; any other makes literal_eval do it.
_SIMPLE_ESCAPES = re.compile(rb"\\(?:[\\'\"nrt0]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def unquote(line: bytes) -> bytes | None:
    """A key from a Flask-Unsign wordlist line: a quoted Python str or bytes literal.

    Plain quoted text and simple escapes are decoded directly; anything else goes to
    ``ast.literal_eval``, which evaluates literals only, never code. Lines that are not
    a str or bytes literal are skipped.
    """
    line = line.strip()
    if len(line) >= 2 and line[0] in b"\"'" and line[-1] == line[0]:
        body = line[1:-1]
        if b"\\" not in body and line[:1] not in body:
            return body  # the common case, without any parsing
        # Simple if, once its known escapes are taken out, neither a backslash nor the
        # closing quote is left (an unescaped quote would end the literal early).
        rest = _SIMPLE_ESCAPES.sub(b"", body)
        if b"\\" not in rest and line[:1] not in rest:
            return _decode_escapes(body)
    if not line:
        return None
    try:
        with warnings.catch_warnings():
            # "\\C" is an invalid escape: Python warns and keeps the backslash, as here,
            # whatever warning filters the caller has.
            warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
            value = ast.literal_eval(line.decode("utf-8", "surrogateescape"))
    except (ValueError, SyntaxError, MemoryError, RecursionError, UnicodeDecodeError):
        return None
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    if isinstance(value, bytes):
        return value
    return None


def _decode_escapes(body: bytes) -> bytes | None:
    """A str literal's body with simple escapes, decoded as Python does, then UTF-8."""
    try:
        text = body.decode("utf-8")
        # Non-Latin-1 text becomes \\uXXXX so unicode_escape can read every byte.
        escaped = text.encode("latin-1", "backslashreplace")
        return escaped.decode("unicode_escape").encode("utf-8", "surrogatepass")
    except UnicodeError:
        return None
