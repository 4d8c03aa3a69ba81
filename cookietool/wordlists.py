"""Where candidate secret keys come from: the built-in list, Flask-Unsign's wordlist,
files and standard input, read as a stream of blocks so memory stays flat."""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass
from importlib import resources
from typing import IO

from cookietool.errors import InputError

#: Bytes read per block: tens of thousands of keys, a few tens of milliseconds of work.
BLOCK_BYTES = 256 * 1024
#: Longest line read as a candidate. Longer lines are skipped and counted (``Block.skipped``)
#: rather than cut: a cut line is a key nobody chose, and waiting for the end of a line
#: without one (``/dev/zero``) would hold it all in memory. HMAC hashes a key longer than
#: the hash's block first, so no real secret key needs anywhere near this much.
MAX_LINE_BYTES = 64 * 1024


@dataclass(frozen=True)
class KnownKey:
    """A publicly known secret key and where it was published."""

    value: bytes
    origin: str
    source: str


@dataclass(frozen=True)
class Block:
    """Candidates to try: raw newline-separated lines, quoted lines, or ready keys.

    ``size`` is the bytes of input the block accounts for (for progress), and ``skipped``
    the lines longer than MAX_LINE_BYTES dropped from it.
    """

    source: str
    kind: str
    data: bytes | tuple[bytes, ...]
    size: int
    skipped: int = 0
    #: Position of the block's first line in the whole candidate stream (NumberedBlocks).
    first_line: int = 0


@dataclass(frozen=True)
class Shard:
    """One of ``count`` machines' part of the candidates: those whose line position in
    the whole candidate stream is ``index`` modulo ``count`` (``index`` from 0)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``I/N`` (I from 1 to N) as a Shard."""
    number, _, total = text.partition("/")
    if not (number.strip().isdigit() and total.strip().isdigit()):
        raise InputError(f"--shard must be I/N, such as 2/8, not {text[:20]!r}")
    index, count = int(number), int(total)
    if not 1 <= index <= count:
        raise InputError(f"--shard {index}/{count}: I must be from 1 to N")
    return Shard(index - 1, count)


def line_count(block: Block) -> int:
    """Line positions a block takes in the candidate stream, empty lines included."""
    if isinstance(block.data, tuple):
        return len(block.data)
    data = block.data
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


class NumberedBlocks:
    """The blocks with ``first_line`` set: positions counted over every source in order.

    ``lines`` is the count of line positions handed out so far, for a shard's report.
    """

    def __init__(self, blocks: Iterable[Block]) -> None:
        self._blocks = blocks
        self.lines = 0

    def __iter__(self) -> Iterator[Block]:
        for block in self._blocks:
            numbered = dataclasses.replace(block, first_line=self.lines)
            self.lines += line_count(block)
            yield numbered


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
#: Version 2 adds the SHA-256 and length of the body, so that a truncated, overwritten or
#: foreign file is told from a good one; version 1 files count as damaged and are rewritten.
_CACHE_MAGIC = b"cookietool parsed wordlist 2\n"
_CACHE_CHUNK = 1024 * 1024


def flask_unsign_source() -> CandidateSource | None:
    """Flask-Unsign's wordlist, read from a parsed copy in the cache when there is one.

    Its 56k lines are Python literals; parsing them costs about 35 ms of CPU a run. The
    parsed keys are kept under ``$XDG_CACHE_HOME/cookietool`` (``COOKIETOOL_CACHE_DIR``
    moves it; empty turns it off), keyed by the list's size and time. The cache holds
    the SHA-256 of its body: a damaged or foreign file is never read as keys, the list is
    parsed again and the cache rewritten, so a bad cache costs time, never a failure.
    """
    path = flask_unsign_wordlist_path()
    if path is None:
        return None
    cached = _parsed_copy(path)
    if cached is None:
        return file_source(path, quoted=True, label=FLASK_UNSIGN_LABEL)
    target, size = cached

    def blocks() -> Iterator[Block]:
        opened = _open_cache(target, path)
        if opened is None:
            # Checked when the source was made, damaged since (another run, a full disk):
            # the list itself is still there to parse.
            yield from file_source(path, quoted=True, label=FLASK_UNSIGN_LABEL).blocks()
            return
        handle, aside = opened
        with handle:
            if aside:
                yield Block(FLASK_UNSIGN_LABEL, "keys", aside, sum(len(k) for k in aside))
            yield from read_blocks(handle, FLASK_UNSIGN_LABEL, "raw")

    return CandidateSource(FLASK_UNSIGN_LABEL, blocks, size)


def cache_dir() -> str | None:
    """Where parsed wordlists are kept, or None when caching is turned off."""
    configured = os.environ.get("COOKIETOOL_CACHE_DIR")
    if configured is not None:
        return configured or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cookietool")


def _cache_limit(path: str) -> int:
    """Most bytes a cache of the list at ``path`` can take: keys are never longer than
    their lines, and the few set aside in hex take twice their size."""
    return 2 * os.path.getsize(path) + 4096


def _open_cache(target: str, path: str) -> tuple[IO[bytes], tuple[bytes, ...]] | None:
    """The cache at ``target`` of the list at ``path``, open at its lines, with the keys
    set aside at its head; None, and nothing left open, if it is missing or damaged."""
    try:
        handle = open(target, "rb")  # noqa: SIM115 - the caller streams it, then closes it
    except OSError:
        return None
    try:
        aside = _read_cache_head(handle, _cache_limit(path))
    except (OSError, ValueError):
        aside = None
    if aside is None:
        handle.close()
        return None
    return handle, aside


def _read_cache_head(handle: IO[bytes], limit: int) -> tuple[bytes, ...] | None:
    """The keys set aside at the head of a cache, leaving ``handle`` at its lines.

    None when the file is not a whole, intact cache of this version. The body is hashed
    in chunks before any of it is trusted, so a damaged file costs one read, flat memory.
    """
    if handle.readline(len(_CACHE_MAGIC) + 1) != _CACHE_MAGIC:
        return None
    fields = handle.readline(200).split()
    if len(fields) != 2 or len(fields[0]) != 64 or not fields[1].isdigit():
        return None
    expected, length = fields[0].decode("ascii").lower(), int(fields[1])
    start = handle.tell()
    if length > limit or os.fstat(handle.fileno()).st_size != start + length:
        return None  # truncated, or grown by something other than this function
    digest = hashlib.sha256()
    while chunk := handle.read(_CACHE_CHUNK):
        digest.update(chunk)
    if digest.hexdigest() != expected:
        return None
    handle.seek(start)
    count = handle.readline(32)
    if not count.strip().isdigit():
        return None
    aside = tuple(bytes.fromhex(handle.readline().decode("ascii")) for _ in range(int(count)))
    return aside


def _parsed_copy(path: str) -> tuple[str, int] | None:
    """The cached parsed copy of a quoted wordlist and its size, written on first use and
    again whenever it is damaged; None if no cache can be used."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        info = os.stat(path)
        target = os.path.join(directory, f"flask-unsign-v2-{info.st_size}-{info.st_mtime_ns}.keys")
        opened = _open_cache(target, path)
        if opened is not None:
            with opened[0] as existing:
                return target, os.fstat(existing.fileno()).st_size
        # Missing, unreadable or damaged: parsed again, and replaced.
        with open(path, "rb") as handle:
            keys = _quoted_keys(handle.read())
        # Keys holding a line break cannot be lines: they go first, in hex.
        aside = [k for k in keys if b"\n" in k or b"\r" in k]
        lines = [k for k in keys if b"\n" not in k and b"\r" not in k]
        body = b"".join(
            [
                b"%d\n" % len(aside),
                *(k.hex().encode() + b"\n" for k in aside),
                *(k + b"\n" for k in lines),
            ]
        )
        head = _CACHE_MAGIC + b"%s %d\n" % (hashlib.sha256(body).hexdigest().encode(), len(body))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        import tempfile

        handle_fd, temporary = tempfile.mkstemp(dir=directory, prefix=".parsing-")
        try:
            with os.fdopen(handle_fd, "wb") as out:
                out.write(head + body)
            # Atomic: a reader sees the old file or the new one, never half of one.
            os.replace(temporary, target)
        except OSError:
            with suppress(OSError):
                os.unlink(temporary)
            raise
        return target, len(head) + len(body)
    except (OSError, ValueError):
        return None  # no cache: the list is parsed as it is read


def file_source(
    path: str, quoted: bool = False, label: str | None = None, max_line: int = MAX_LINE_BYTES
) -> CandidateSource:
    """A wordlist file, ``.gz`` read directly, ``-`` for standard input, one key per line."""
    label = label or (f"wordlist {path}" if path != "-" else "standard input")
    if path != "-" and not os.path.isfile(path):
        raise InputError(f"wordlist {path} does not exist or is not a file")
    size = None if path == "-" or path.endswith(".gz") else os.path.getsize(path)

    def blocks() -> Iterator[Block]:
        kind = "quoted" if quoted else "raw"
        with _open(path) as handle:
            yield from read_blocks(handle, label, kind, max_line=max_line)

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


def read_blocks(
    handle: IO[bytes],
    label: str,
    kind: str,
    *,
    block_bytes: int = BLOCK_BYTES,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[Block]:
    """Blocks of whole lines, about ``block_bytes`` each, read as the consumer asks for them.

    A block never holds more than ``block_bytes + max_line`` bytes, whatever the input:
    lines longer than ``max_line`` are dropped and counted in ``Block.skipped``. Input
    without any line break still yields (empty) blocks, so progress keeps moving.
    """
    import gzip
    import zlib

    skipping = False  # inside an over-long line: dropped up to its line break
    while True:
        try:
            data = handle.read(block_bytes)
            tail = len(data) - (data.rfind(b"\n") + 1)
            if 0 < tail <= max_line:
                # Finish the last line, but read no further than the longest line allowed.
                data += handle.readline(max_line + 1 - tail)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise InputError(f"cannot read {label}: {e}") from e
        if not data:
            return
        size, skipped = len(data), 0
        if skipping:
            end = data.find(b"\n")
            if end < 0:
                yield Block(label, kind, b"", size)
                continue
            data, skipping = data[end + 1 :], False
        start = data.rfind(b"\n") + 1
        if len(data) - start > max_line:
            # Unfinished and already too long: dropped, and so is its rest when it comes.
            data, skipping, skipped = data[:start], True, 1
        data, dropped = _drop_long_lines(data, max_line)
        yield Block(label, kind, data, size, skipped + dropped)


def _drop_long_lines(data: bytes, max_line: int) -> tuple[bytes, int]:
    """``data`` (whole lines) without its lines longer than ``max_line``, and how many.

    Each step looks for the last line break in the next ``max_line + 1`` bytes: none
    means a long line, one means every line before it is short. So a block of short
    lines costs a handful of C-speed searches, not one per line.
    """
    if len(data) <= max_line:
        return data, 0
    kept: list[bytes] = []
    dropped = 0
    start = position = 0
    while len(data) - position > max_line:
        end = data.rfind(b"\n", position, position + max_line + 1)
        if end >= 0:
            position = end + 1
            continue
        # The line at ``position`` is long: keep what came before, skip past its end.
        kept.append(data[start:position])
        dropped += 1
        end = data.find(b"\n", position)
        position = start = len(data) if end < 0 else end + 1
    if not dropped:
        return data, 0
    kept.append(data[start:])
    return b"".join(kept), dropped


def _shard_part(block: Block, shard: Shard) -> Block:
    """The block with only the lines whose stream position falls to ``shard``."""
    offset = (shard.index - block.first_line) % shard.count
    if isinstance(block.data, tuple):
        return dataclasses.replace(block, data=block.data[offset :: shard.count])
    lines = block.data.split(b"\n")
    if block.data.endswith(b"\n"):
        lines.pop()  # the empty text after the last line break is not a line
    kept = lines[offset :: shard.count]
    # Each kept line keeps its line break; only a last line without one (at the end of the
    # input) stays without, so a lone "\r" there is not made a CRLF.
    last_kept = offset + (len(kept) - 1) * shard.count
    unended = not block.data.endswith(b"\n") and last_kept == len(lines) - 1
    ending = b"" if not kept or unended else b"\n"
    return dataclasses.replace(block, data=b"\n".join(kept) + ending)


def lines_of(block: Block, shard: Shard | None = None) -> list[bytes]:
    """The candidate keys of a block (of its shard's lines, with ``shard``): line endings
    removed, empty lines dropped."""
    if shard is not None and shard.count > 1:
        block = _shard_part(block, shard)
    if block.kind == "keys":
        assert isinstance(block.data, tuple)
        return list(block.data)
    assert isinstance(block.data, bytes)
    if block.kind == "quoted":
        return _quoted_keys(block.data)
    lines = block.data.replace(b"\r\n", b"\n").split(b"\n")
    return [line for line in lines if line] if b"" in lines else lines


#: A quoted line without escapes, whichever the quote; anything else, whole, in the third
#: group (``unquote`` strips it). A lazy third group followed by ``[ \t]*$`` made the regex
#: quadratic in the spaces of a line (40,000 took 29 s); each branch here is linear.
_QUOTED_LINE = re.compile(
    rb"^[ \t]*(?:\"([^\"\\\r\n]*)\"[ \t]*\r?$|'([^'\\\r\n]*)'[ \t]*\r?$|(.*))", re.MULTILINE
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
    except Exception:
        # This runs in audit's worker processes, where an exception is a traceback: a line
        # the parser refuses in any way (syntax, depth, size, encoding) is skipped.
        return None
    if isinstance(value, str):
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            # A lone surrogate written as an escape (u'\\ud800'): kept as the fast path
            # above keeps it, since surrogateescape only maps back undecodable bytes.
            return value.encode("utf-8", "surrogatepass")
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


def candidate_sources(
    builtin: bool, paths: Sequence[str], quoted: bool = False, max_line: int = MAX_LINE_BYTES
) -> list[CandidateSource]:
    """What audit tries: the built-in keys and Flask-Unsign's list unless told not to,
    then each wordlist file in order."""
    sources = []
    if builtin:
        sources.append(builtin_source())
        bundled = flask_unsign_source()
        if bundled is not None:
            sources.append(bundled)
    sources += [file_source(path, quoted=quoted, max_line=max_line) for path in paths]
    if not sources:
        raise InputError("nothing to try: --no-builtin and no --wordlist")
    return sources


def origin_of(key: bytes) -> KnownKey | None:
    """Where a key was published, when it is one of the built-in known keys."""
    return next((known for known in known_keys() if known.value == key), None)
