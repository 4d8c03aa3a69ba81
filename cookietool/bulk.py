"""Decoding many cookies, one a line (``decode --lines``), fast and in flat memory.

The input is read as a stream of blocks of whole lines, a bounded number of blocks at a
time, and each block is decoded by a worker process (in this process when there is one
CPU or one block), so memory stays flat for any number of lines. The output keeps their
order: a worker writes its block to the output itself when every block before it has
been written, and otherwise hands it back to be written in turn. What does not depend
on the cookie is done once: the caller resolves keys, scheme and format, and each key is
derived once per scheme, not once per cookie.

Each line is read as ``decode`` reads its argument. The common case, a Flask (or Quart)
cookie whose signature, timestamp and payload all read, takes a fast path that does what
``session.inspect_cookie`` does in the same order with the derived keys; anything else
(another format, a damaged part, a cap, a Flask tag other than a tuple) goes through
``inspect_cookie`` itself. The tests hold the two equal on generated cookies. The core
does not render: a :class:`LineRenderer` from the caller turns each outcome into a line.
"""

from __future__ import annotations

import json
import os
import time
from binascii import a2b_base64
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import AbstractContextManager, closing, nullcontext
from hmac import compare_digest
from typing import IO, TYPE_CHECKING, Any, NamedTuple, Protocol
from zlib import decompressobj
from zlib import error as zlib_error

from cookietool import cookieinput, formats
from cookietool.errors import CapError, CookietoolError, InputError
from cookietool.flaskcookie import LEGACY_EPOCH, FlaskFormat
from cookietool.session import (
    VERDICTS,
    Inspection,
    Problem,
    SignatureCheck,
    check_signature,
    choose_format,
    inspect_cookie,
)
from cookietool.tagged import TAGS

if TYPE_CHECKING:
    from cookietool.caps import Caps
    from cookietool.formats import CookieFormat
    from cookietool.keys import SecretKey
    from cookietool.signer import Scheme

#: Bytes of input a block holds (and one line more at most): about a thousand cookies,
#: some 20 ms of work, so that handing a block to a worker costs little (measured: blocks
#: of 64 KiB, or of 1 MiB, made a run a fifth slower).
BLOCK_BYTES = 256 * 1024
#: Lines of output joined into one piece (some 40 KiB).
LINES_A_PIECE = 32
#: Blocks handed out per worker at a time: enough to keep it busy.
IN_FLIGHT_PER_JOB = 3
#: What a line can come to: a verdict of decode, or unreadable input.
OUTCOMES = (*VERDICTS, "bad")
#: Verdicts that fail decode's check (its exit code 1).
FAILING = frozenset(VERDICTS[2:])


class BulkSettings(NamedTuple):
    """What every line is decoded with, resolved once by the caller."""

    keys: tuple[SecretKey, ...]
    #: A format name, or "auto" to tell each line's format from its shape.
    format: str
    #: The signing scheme when one was given (options, an app); None: each format's own.
    scheme: Scheme | None
    #: The cookie to take from a Cookie header.
    name: str
    max_age: int | None
    epoch: str
    inflate_limit: int | None
    caps: Caps
    key_source: str = ""


class Block(NamedTuple):
    """Lines of input: whole lines (the last may lack its line break at the end of input),
    and whether one more line followed that was over the line-bytes cap and was dropped."""

    first_line: int
    data: bytes
    long_line: bool = False


class QuickContext(NamedTuple):
    """What the fast-path cookies of a run whose signature check ends alike share: made
    once, so that a renderer can prepare what it writes of it once too."""

    format: CookieFormat
    format_reason: str
    scheme: Scheme
    signature: SignatureCheck
    #: The problems every such cookie has (an invalid signature), expiry aside.
    problems: tuple[Problem, ...]
    max_age: int | None
    key_source: str


class QuickWriter(Protocol):
    """Writes the line of a fast-path cookie of one context, or returns None to have the
    cookie inspected in full.

    Only cookies whose every part reads get here: no payload, session or timestamp error,
    no notes, no claims; the payload is a JSON object whose only Flask tags are tuples.
    The arguments are what decode's document says of the cookie besides its context;
    ``problems`` is the context's own tuple unless the cookie adds one (expiry).
    """

    def __call__(
        self,
        line: int,
        name: str | None,
        value_length: int,
        data: Any,
        json_text: str,
        compressed: bool,
        stored_bytes: int,
        json_bytes: int,
        timestamp: int,
        timestamp_raw: int,
        legacy_epoch: bool,
        age: int,
        expired: bool | None,
        problems: tuple[Problem, ...],
    ) -> str | None: ...


class LineRenderer(Protocol):
    """Turns the outcome of one line into one line of output (without its line break)."""

    def quick(self, context: QuickContext) -> QuickWriter:
        """The writer of the lines of fast-path cookies of ``context``."""
        ...

    def full(self, result: Inspection, line: int) -> str:
        """The line for a cookie inspected by ``session.inspect_cookie``."""
        ...

    def bad(self, error: CookietoolError, line: int) -> str:
        """The line for input that cannot be read as a cookie."""
        ...


class Summary(NamedTuple):
    """How a run went: lines per outcome, and its pace."""

    counts: dict[str, int]
    blank: int
    seconds: float
    jobs: int

    @property
    def cookies(self) -> int:
        """Lines that were not blank: cookies decoded, and bad lines."""
        return sum(self.counts.values())

    @property
    def bad(self) -> int:
        """Lines that could not be read as a cookie."""
        return self.counts.get("bad", 0)

    @property
    def failed(self) -> int:
        """Cookies whose verdict fails decode's check."""
        return sum(n for verdict, n in self.counts.items() if verdict in FAILING)

    @property
    def rate(self) -> float:
        """Cookies per second."""
        return self.cookies / self.seconds if self.seconds > 0 else 0.0


def open_lines(path: str) -> AbstractContextManager[IO[bytes]]:
    """The input of ``--lines``: a file, or standard input for '-' (read, not closed)."""
    if path == "-":
        import sys

        return nullcontext(sys.stdin.buffer)
    try:
        return open(path, "rb")
    except FileNotFoundError as e:
        raise InputError(f"cannot read {path}: no such file") from e
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror or type(e).__name__}") from e


def read_blocks(
    handle: IO[bytes], line_cap: int, label: str, block_bytes: int = BLOCK_BYTES
) -> Iterator[Block]:
    """Blocks of whole lines, read as the consumer asks for them, each at most
    ``block_bytes + line_cap + 1`` bytes however long the lines: a line over ``line_cap``
    bytes is dropped while it is read, and only its number is kept (``Block.long_line``)."""
    line = 1
    skipping = False  # inside an over-long line: dropped up to its line break
    while True:
        try:
            data = handle.read(block_bytes)
            tail = len(data) - (data.rfind(b"\n") + 1)
            if 0 < tail <= line_cap:
                # Finish the last line, reading no further than the longest line allowed.
                data += handle.readline(line_cap + 1 - tail)
        except OSError as e:
            raise InputError(f"cannot read {label}: {e.strerror or type(e).__name__}") from e
        if not data:
            return
        if skipping:
            end = data.find(b"\n")
            if end < 0:
                continue
            data, skipping = data[end + 1 :], False
        start = data.rfind(b"\n") + 1
        long_line = len(data) - start > line_cap
        if long_line:
            data, skipping = data[:start], True
        if data or long_line:
            yield Block(line, data, long_line)
            line += data.count(b"\n") + long_line
            if data and not data.endswith(b"\n"):
                line += 1  # the last line of the input, without a line break


class _Unusual(Exception):
    """A payload the fast path leaves to ``inspect_cookie``."""


def _tuples_only(obj: dict[str, Any]) -> dict[str, Any]:
    """json's object hook: let through no Flask tag but a tuple of a list.

    Untagging ``{" t": [...]}`` makes a tuple of a list, which cannot fail; any other tag
    can, and is left to the general path, whose untagging says how.
    """
    if len(obj) == 1:
        for key in obj:
            if key in TAGS and not (key == " t" and type(obj[key]) is list):
                raise _Unusual
    return obj


#: itsdangerous' base64url alphabet mapped onto the standard one, and the padding that
#: ``signer.b64decode`` adds by length: with them binascii reads a part as it does.
_URLSAFE = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"===", b"==", b"=")
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def _hmac_states(scheme: Scheme, keys: Iterable[SecretKey]) -> list[tuple[Any, Any]]:
    """Each key's HMAC (RFC 2104) under ``scheme``, derived once: the hash states with the
    padded derived key absorbed, to be copied for each message. Oldest key first."""
    import hashlib

    new = getattr(hashlib, scheme.digest)
    block = new().block_size
    states = []
    for key in keys:
        derived = scheme.derive_key(key.value)
        if len(derived) > block:
            derived = new(derived).digest()
        padded = derived.ljust(block, b"\0")
        states.append((new(padded.translate(_IPAD)), new(padded.translate(_OPAD))))
    return states


class Decoder:
    """Decodes lines with one run's settings: in this process, or in each worker."""

    def __init__(self, settings: BulkSettings, renderer: LineRenderer) -> None:
        self.settings = settings
        self.renderer = renderer
        self.auto = settings.format == "auto"
        fmt = formats.get("flask" if self.auto else settings.format)
        # The fast path reads itsdangerous' URL-safe format (Flask's and Quart's) only.
        self.fast: CookieFormat | None = fmt if isinstance(fmt, FlaskFormat) else None
        self.scheme = settings.scheme or fmt.default_scheme
        self.signature_size = self.scheme.signature_size
        states = _hmac_states(self.scheme, settings.keys) if self.fast else []
        self.states = [(n, *pair) for n, pair in reversed(list(enumerate(states)))]
        caps = settings.caps
        self.line_cap = caps.line_bytes
        # A line of this many characters or fewer is within the cap, however it encodes.
        self.line_chars = caps.line_bytes // 4
        self.now = int(time.time())
        self.json_depth = caps.json_depth
        self.int_digits = caps.int_digits
        limit = caps.inflate_bytes if settings.inflate_limit is None else settings.inflate_limit
        # signer.inflate refuses other limits: those cookies take the general path.
        self.inflate_limit = limit if 0 < limit < 1 << 40 else None
        # FlaskFormat.to_unix's choice of epoch: None to tell it from the timestamp.
        self.legacy = None if settings.epoch == "auto" else settings.epoch == "legacy"
        # json.loads' own scanner, without the wrapping that only skips white space.
        self.scan: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]
        self.scan_tags: Callable[[str, int], tuple[Any, int]] = vars(
            json.JSONDecoder(object_hook=_tuples_only)
        )["scan_once"]
        # By key index (None: none matched, or no key): made the first time from what the
        # general path says of the cookie at hand, then shared.
        self._contexts: dict[int | None, tuple[QuickContext, QuickWriter]] = {}

    def decode_block(self, block: Block) -> tuple[list[bytes], dict[str, int], int]:
        """The output of a block's lines in pieces (UTF-8, one line each, each with its line
        break), the count of each outcome, and of blank lines."""
        counts = dict.fromkeys(OUTCOMES, 0)
        out: list[str] = []
        blank = 0
        cap = self.line_cap
        number = block.first_line
        quick, line_chars = self.quick, self.line_chars
        self.now = int(time.time())  # for the block: blocks take milliseconds
        for text in self._texts(block.data):
            if not isinstance(text, str) or (
                len(text) > line_chars and len(text.encode("utf-8")) > cap
            ):
                error = (
                    text
                    if not isinstance(text, str)
                    else CapError(f"the line is over {cap} bytes", "line-bytes")
                )
                out.append(self.renderer.bad(error, number))
                counts["bad"] += 1
            elif not text or text.isspace():
                blank += 1
            else:
                line, outcome = quick(text, number) or self.general_line(text, number)
                out.append(line)
                counts[outcome] += 1
            number += 1
        if block.long_line:
            error = CapError(f"the line is over {cap} bytes", "line-bytes")
            out.append(self.renderer.bad(error, number))
            counts["bad"] += 1
        pieces = [
            "\n".join([*out[start : start + LINES_A_PIECE], ""]).encode("utf-8")
            for start in range(0, len(out), LINES_A_PIECE)
        ]
        return pieces, counts, blank

    @staticmethod
    def _texts(data: bytes) -> list[str | CookietoolError]:
        """The lines of a block as text (a line ending in CR loses it), or, for a line that
        is not UTF-8, the error that says so."""
        if not data:
            return []
        lines: list[str | CookietoolError]
        try:
            lines = [*data.decode("utf-8").split("\n")]
        except UnicodeDecodeError:
            lines = []
            for raw in data.split(b"\n"):
                try:
                    lines.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    lines.append(InputError("the line is not UTF-8 text"))
        if data.endswith(b"\n"):
            lines.pop()  # the empty text after the last line break is not a line
        if data.find(b"\r") >= 0:
            lines = [
                line[:-1] if isinstance(line, str) and line.endswith("\r") else line
                for line in lines
            ]
        return lines

    def general_line(self, text: str, number: int) -> tuple[str, str]:
        """The line the general path makes of ``text``, and its outcome."""
        try:
            result = self.inspect(text)
        except CookietoolError as e:
            return self.renderer.bad(e, number), "bad"
        return self.renderer.full(result, number), result.verdict

    def inspect(self, text: str) -> Inspection:
        """The general path: what ``decode`` does with ``text`` as its COOKIE."""
        s = self.settings
        found = cookieinput.extract(text, s.name)
        fmt, scheme, reason = choose_format(found.value, s.format, s.keys, s.scheme)
        return inspect_cookie(
            found.value,
            s.keys,
            name=found.name,
            scheme=scheme,
            fmt=fmt,
            format_reason=reason,
            max_age=s.max_age,
            epoch=s.epoch,
            inflate_limit=s.inflate_limit,
            caps=s.caps,
            key_source=s.key_source,
        )

    def quick(self, text: str, number: int) -> tuple[str, str] | None:
        """The fast path's line and outcome, or None when the cookie needs the general path.

        It does what ``choose_format`` and ``inspect_cookie`` do, in their order, for the
        cookies it takes; every other cookie returns None as soon as that is known.
        """
        fmt = self.fast
        if fmt is None:
            return None
        if "=" in text or ":" in text or "+" in text or "/" in text:
            # Not a bare value of base64url parts: what extract finds, then that value.
            try:
                found = cookieinput.extract(text, self.settings.name)
            except InputError:
                return None
            name, value = found.name, found.value
            if "=" in value or ":" in value or "+" in value or "/" in value:
                return None  # not what itsdangerous writes: the general path says what
        else:
            # What extract would find: the text is a bare value (maybe in quotes).
            name, value = None, text.strip()
            if value and value[0] in "\"'":
                value = cookieinput.strip_quotes(value)
        raw = value.encode("utf-8", "surrogateescape")
        # Flask's envelope: formats.split_from_right.
        signed, _, signature_part = raw.rpartition(b".")
        payload_part, dot, timestamp_part = signed.rpartition(b".")
        if not dot:
            return None
        compressed = signed.startswith(b".")
        if compressed:
            payload_part = payload_part[1:]
        # What each format's recognise needs, checked cheaply: Django's needs colons, and
        # Flask's has no standard base64 ('+', '/', '='), all checked above. A JWT's
        # header is the first dotted part: when compressed, empty; else the payload (looked
        # at below). Starlette's payload is standard base64 in whole quads: never
        # compressed, never with '-' or '_' ('find': bytes' 'in' tries its operand as an
        # int first, at the price of an error).
        if (
            self.auto
            and not compressed
            and (
                raw.count(b".") != 2
                or (
                    len(payload_part) % 4 == 0
                    and payload_part.find(b"-") < 0
                    and payload_part.find(b"_") < 0
                )
            )
        ):
            return None
        try:
            # signer.b64decode, without its wrapping.
            signature = a2b_base64(
                (signature_part + _PADDING[len(signature_part) & 3]).translate(_URLSAFE)
            )
            stamp = a2b_base64(
                (timestamp_part + _PADDING[len(timestamp_part) & 3]).translate(_URLSAFE)
            )
            stored = a2b_base64(
                (payload_part + _PADDING[len(payload_part) & 3]).translate(_URLSAFE)
            )
        except ValueError:
            return None
        if len(signature) != self.signature_size or len(stamp) > 8:
            return None  # notes, damage or a timestamp error: the general path says which
        index = None
        for position, inner, outer in self.states:  # newest first, as find_key
            inner = inner.copy()
            inner.update(signed)
            outer = outer.copy()
            outer.update(inner.digest())
            if compare_digest(outer.digest(), signature):
                index = position
                break
        known = self._contexts.get(index)
        if known is None:
            known = self._context(fmt, value, index)
        context, write = known
        # FlaskFormat.to_unix.
        timestamp = timestamp_raw = int.from_bytes(stamp, "big")
        legacy = self.legacy
        if legacy is None:
            legacy = timestamp_raw < LEGACY_EPOCH
        if legacy:
            timestamp += LEGACY_EPOCH
        if compressed:
            # signer.inflate, with the same limit and the same refusals.
            limit = self.inflate_limit
            if limit is None:
                return None
            inflater = decompressobj()
            try:
                inflated = inflater.decompress(stored, limit + 1)
            except zlib_error:
                return None
            if len(inflated) > limit or inflater.unconsumed_tail or not inflater.eof:
                return None
        else:
            inflated = stored
        try:
            json_text = inflated.decode("utf-8")
        except UnicodeDecodeError:
            return None
        # jsontext.load_json's caps, checked more strictly: what passes cannot reach them.
        # Only an object without white space around it is read (json.loads' result then).
        if (
            json_text[:1] != "{"
            or len(json_text) > self.int_digits
            or (
                len(json_text) > self.json_depth
                and json_text.count("[") + json_text.count("{") > self.json_depth
            )
        ):
            return None
        # A key that starts with a space (written so, or as \u0020) may be a Flask tag.
        # When each such key is the first of an object, " t", with a list (a tuple),
        # nothing can fail: no need to look closer.
        escaped = "\\u0020" in json_text
        tags = escaped or '" ' in json_text
        scan = (
            self.scan_tags
            if escaped or (tags and json_text.count('" ') != json_text.count('{" t":['))
            else self.scan
        )
        try:
            data, end = scan(json_text, 0)
        except (StopIteration, ValueError, _Unusual):
            return None
        if end != len(json_text):
            return None
        if tags and len(data) == 1 and next(iter(data)) in TAGS:
            return None  # an object Flask untags into something else
        if self.auto and not compressed and "alg" in data:
            return None  # a session that might be a JWT header
        age = self.now - timestamp
        max_age = context.max_age
        expired = None if max_age is None else not 0 <= age <= max_age
        problems = context.problems
        if expired:
            # Inspection.expiry_message, in the same words.
            message = (
                "signed in the future, which itsdangerous rejects"
                if age < 0
                else f"{age} seconds old, max age {max_age}"
            )
            problems += (Problem("expired", message),)
        line = write(
            number,
            name,
            len(value),
            data,
            json_text,
            compressed,
            len(stored),
            len(inflated),
            timestamp,
            timestamp_raw,
            legacy,
            age,
            expired,
            problems,
        )
        if line is None:
            return None
        return line, problems[0].code if problems else context.signature.status

    def _context(
        self, fmt: CookieFormat, value: str, index: int | None
    ) -> tuple[QuickContext, QuickWriter]:
        """The context of cookies whose signature check ends at ``index``, made with the
        general path's own functions (the same for every such cookie of the run), and the
        renderer's writer for it."""
        s = self.settings
        check = check_signature(fmt.envelope(value), s.keys, self.scheme, fmt)
        if check.key_index != index:
            raise AssertionError("the fast signature check disagrees with check_signature")
        reason = (fmt.recognise(value) or "") if self.auto else f"--format {fmt.name}"
        problems: tuple[Problem, ...] = ()
        if check.status == "invalid":
            problems = (Problem("invalid", check.reason or "the signature does not verify"),)
        context = QuickContext(fmt, reason, self.scheme, check, problems, s.max_age, s.key_source)
        known = self._contexts[index] = context, self.renderer.quick(context)
        return known


# A worker process's decoder, made once by the pool's initializer, and, when workers
# write the output themselves: where, the lock they take turns with, and whose turn it is.
_DECODER: Decoder | None = None
_OUTPUT: tuple[int, Any, Any] | None = None


def _init_worker(
    settings: BulkSettings, renderer: LineRenderer, output: tuple[int, Any, Any] | None
) -> None:
    global _DECODER, _OUTPUT
    _DECODER = Decoder(settings, renderer)
    _OUTPUT = output
    # glibc's malloc gives the top of its heap back to the system whenever more than
    # 128 KiB of it is free, which a worker's blocks leave block after block: their pages
    # were faulted in again each time, a tenth of the run. Freeing one buffer that malloc
    # mapped raises that threshold to twice its size for good (mallopt(3), "dynamic mmap
    # threshold"); elsewhere this costs a few milliseconds and changes nothing.
    bytearray(4 << 20)
    # Ctrl-C reaches the whole process group: the parent alone answers it (it stops the
    # pool and exits 130), so workers must not die printing tracebacks of their own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


#: A decoded block: its output (empty once written), outcomes, blank lines, and whether
#: its output has been written already (by the worker, when its turn had come).
Done = tuple[list[bytes], dict[str, int], int, bool]


def _work(number: int, block: Block) -> Done:
    """Decode block ``number``; write its output if workers write and its turn has come.

    A worker never waits for its turn: the block goes back to the parent, which writes
    it in order. Waiting would keep workers finishing in step, and so waiting again.
    """
    assert _DECODER is not None
    pieces, counts, blank = _DECODER.decode_block(block)
    if _OUTPUT is not None:
        fd, turn, next_block = _OUTPUT
        with turn:
            if next_block.value == number:
                _write_all(fd, pieces)
                # Only once written: after an error the parent stops every worker.
                next_block.value = number + 1
                return [], counts, blank, True
    return pieces, counts, blank, False


def _write_all(fd: int, pieces: list[bytes]) -> None:
    """Write every piece to ``fd``, as many at a time as writev takes, however partially."""
    while pieces:
        written = os.writev(fd, pieces[:512])
        while pieces and written >= len(pieces[0]):
            written -= len(pieces.pop(0))
        if written:
            pieces[0] = pieces[0][written:]


def decode_lines(
    handle: IO[bytes],
    settings: BulkSettings,
    renderer: LineRenderer,
    emit: Callable[[bytes], object],
    *,
    jobs: int | None = None,
    output_fd: int | None = None,
    label: str = "the input",
) -> Summary:
    """Decode every line of ``handle`` and ``emit`` the output in order, block by block.

    ``jobs`` worker processes (default: one per CPU) decode blocks in parallel; input that
    fits in one block is decoded in this process. With ``output_fd``, the file descriptor
    ``emit`` writes to (nothing buffered), the workers write their blocks there themselves,
    in turn, rather than send them back. Memory stays flat in the number of lines: only a
    few blocks and their output are held at any time.
    """
    jobs = _default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise InputError("jobs must be 1 or more")
    started = time.perf_counter()
    counts = dict.fromkeys(OUTCOMES, 0)
    blank = 0
    blocks = read_blocks(handle, settings.caps.line_bytes, label, BLOCK_BYTES)
    first = next(blocks, None)
    second = next(blocks, None) if first is not None else None
    pending = [block for block in (first, second) if block is not None]
    if second is None or jobs == 1:
        results: Generator[tuple[list[bytes], dict[str, int], int], None, None] = _serial(
            _chain(pending, blocks), settings, renderer
        )
        used = 1
    else:
        results = _parallel(_chain(pending, blocks), settings, renderer, jobs, output_fd)
        used = jobs
    # Closed on the way out whatever happens (a closed pipe, Ctrl-C): that stops the pool.
    with closing(results):
        for pieces, block_counts, block_blank in results:
            for piece in pieces:
                emit(piece)
            for outcome, n in block_counts.items():
                counts[outcome] += n
            blank += block_blank
    return Summary(counts, blank, time.perf_counter() - started, used)


def _default_jobs() -> int:
    """One worker per CPU this process may run on (audit's default too)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _chain(first: list[Block], rest: Iterator[Block]) -> Iterator[Block]:
    yield from first
    yield from rest


def _serial(
    blocks: Iterable[Block], settings: BulkSettings, renderer: LineRenderer
) -> Generator[tuple[list[bytes], dict[str, int], int], None, None]:
    decoder = Decoder(settings, renderer)
    for block in blocks:
        yield decoder.decode_block(block)


def _parallel(
    blocks: Iterable[Block],
    settings: BulkSettings,
    renderer: LineRenderer,
    jobs: int,
    output_fd: int | None,
) -> Generator[tuple[list[bytes], dict[str, int], int], None, None]:
    """Blocks decoded by ``jobs`` workers, results in input order, a bounded number ahead."""
    import gc
    import multiprocessing
    from collections import deque

    # Sending all the output back through a pipe cost a third as much as decoding it: with
    # a descriptor (and fork, which shares it), workers write it themselves, in turn.
    fork = os.name != "nt"
    context = multiprocessing.get_context("fork" if fork else "spawn")
    output = None
    if output_fd is not None and fork:
        output = (output_fd, context.Lock(), context.Value("q", 0, lock=False))
    # What start-up made lives for the whole run: kept out of the collector's scans, and
    # left untouched so that the forked workers keep sharing its pages.
    gc.freeze()
    pool = context.Pool(jobs, initializer=_init_worker, initargs=(settings, renderer, output))
    waiting: deque[Any] = deque()

    def done(number: int, found: Done) -> tuple[list[bytes], dict[str, int], int]:
        pieces, counts, blank, written = found
        if output is not None and not written:
            # Every block before this one is written: its turn has come.
            fd, turn, next_block = output
            with turn:
                _write_all(fd, pieces)
                next_block.value = number + 1
            pieces = []
        return pieces, counts, blank

    try:
        for number, block in enumerate(blocks):
            waiting.append((number, pool.apply_async(_work, (number, block))))
            while waiting and (len(waiting) >= jobs * IN_FLIGHT_PER_JOB or waiting[0][1].ready()):
                first, result = waiting.popleft()
                yield done(first, result.get())
        while waiting:
            first, result = waiting.popleft()
            yield done(first, result.get())
    finally:
        # Not terminate(): a worker killed while it sends a result would leave the result
        # queue's lock taken, and the pool waiting for it for ever (it happened, on a
        # closed pipe). The few blocks handed out are finished, whatever happened.
        pool.close()
        pool.join()
