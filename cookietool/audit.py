"""Finding the secret key of session cookies among candidate keys, fast.

What does not depend on the key is done once: each cookie is parsed once, and cookies
that share a signing scheme share the derived key of each candidate. Per candidate the
work is what the format requires: two HMACs (derive, sign) and a compare.
Candidates travel to worker processes as raw blocks of lines, a bounded number at a time,
so memory stays flat for any wordlist size; the first match stops every worker.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cookietool import formats
from cookietool.errors import InputError
from cookietool.signer import Scheme
from cookietool.wordlists import Block, CandidateSource, NumberedBlocks, Shard, lines_of

#: Blocks handed out per worker before waiting for results: enough to keep them busy.
IN_FLIGHT_PER_JOB = 2

# (signing scheme, ((cookie index, signed part, signature), ...))
Group = tuple[Scheme, tuple[tuple[int, bytes, bytes], ...]]


@dataclass(frozen=True)
class Target:
    """A cookie to find the key of, and the scheme it is signed with."""

    value: str
    scheme: Scheme
    format: str = formats.DEFAULT


@dataclass(frozen=True)
class AuditResult:
    """The outcome of a search: the key found (if any), what matched it, and the pace."""

    key: bytes | None
    source: str | None
    cookies: tuple[int, ...]
    tried: int
    seconds: float
    jobs: int
    #: With --shard: this machine's part, and the line positions of the stream read.
    shard: Shard | None = None
    lines_read: int = 0

    @property
    def rate(self) -> float:
        """Candidates tried per second."""
        return self.tried / self.seconds if self.seconds > 0 else 0.0


def groups_for(targets: Sequence[Target]) -> tuple[Group, ...]:
    """Cookies grouped by signing scheme, parsed once."""
    grouped: dict[Scheme, list[tuple[int, bytes, bytes]]] = {}
    for index, target in enumerate(targets):
        # The payload is never needed, so it is not even inflated: a bomb costs nothing.
        fmt = formats.get(target.format)
        signed_part, signature = fmt.signed_parts(target.value, target.scheme)
        grouped.setdefault(target.scheme, []).append((index, signed_part, signature))
    return tuple((scheme, tuple(cookies)) for scheme, cookies in grouped.items())


# HMAC (RFC 2104) built from the hash itself: H((K ^ opad) || H((K ^ ipad) || m)), with K
# zero-padded to the hash's block size (hashed first when longer). OpenSSL's HMAC API sets
# up a context on every call; one-shot hashes with the pads applied by bytes.translate do
# the same arithmetic about 1.6 times as fast. test_audit.py holds it equal to hmac.digest.
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def hash_parts(digest: str) -> tuple[Callable[[bytes], Any], int]:
    """The hash constructor for ``digest`` and its block size."""
    new = getattr(hashlib, digest)
    return new, new().block_size


def hmac_digest(new: Callable[[bytes], Any], block: int, key: bytes, message: bytes) -> bytes:
    """HMAC of ``message`` under ``key``: equal to ``hmac.digest(key, message, digest)``."""
    if len(key) > block:
        key = new(key).digest()
    key = key.ljust(block, b"\0")
    inner: bytes = new(key.translate(_IPAD) + message).digest()
    outer: bytes = new(key.translate(_OPAD) + inner).digest()
    return outer


def search_keys(keys: Iterable[bytes], groups: Sequence[Group]) -> tuple[int, bytes] | None:
    """The first key in ``keys`` that signed one of the cookies, with that cookie's index."""
    if len(groups) == 1 and groups[0][0].key_derivation == "hmac" and len(groups[0][1]) == 1:
        # The common case, written out: one cookie, Flask's key derivation.
        scheme, ((index, signed, signature),) = groups[0]
        salt = scheme.salt.encode("utf-8")
        new, block = hash_parts(scheme.digest)
        ipad, opad = _IPAD, _OPAD
        for key in keys:
            padded = (key if len(key) <= block else new(key).digest()).ljust(block, b"\0")
            derived = new(padded.translate(opad) + new(padded.translate(ipad) + salt).digest())
            padded = derived.digest().ljust(block, b"\0")
            sign = new(padded.translate(opad) + new(padded.translate(ipad) + signed).digest())
            if sign.digest() == signature:
                return index, key
        return None
    # What depends only on the scheme is looked up once, not once per candidate.
    prepared = [
        (scheme, scheme.salt.encode("utf-8"), *hash_parts(scheme.digest), cookies)
        for scheme, cookies in groups
    ]
    for key in keys:
        for scheme, salt, new, block, cookies in prepared:
            if scheme.key_derivation == "hmac":
                derived = hmac_digest(new, block, key, salt)
            else:
                derived = scheme.derive_key(key)
            for index, signed, signature in cookies:
                if hmac_digest(new, block, derived, signed) == signature:
                    return index, key
    return None


# Worker processes keep the groups and the shard here, set once by the pool initializer.
_GROUPS: tuple[Group, ...] = ()
_SHARD: Shard | None = None


def _init_worker(groups: tuple[Group, ...], shard: Shard | None = None) -> None:
    global _GROUPS, _SHARD
    _GROUPS = groups
    _SHARD = shard
    # Ctrl-C reaches the whole process group: the parent alone answers it (it stops the
    # pool and exits 130), so workers must not die printing tracebacks of their own.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(block: Block) -> tuple[tuple[int, bytes] | None, int, int, str]:
    keys = lines_of(block, _SHARD)
    found = search_keys(keys, _GROUPS)
    return found, _tried(keys, found), block.size, block.source


def _tried(keys: list[bytes], found: tuple[int, bytes] | None) -> int:
    """Candidates tried in a block: all of them, or up to and including the match."""
    return len(keys) if found is None else keys.index(found[1]) + 1


#: More worker processes than this only cost memory and start-up time.
MAX_JOBS = 256


def default_jobs() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def audit(
    targets: Sequence[Target],
    sources: Sequence[CandidateSource],
    *,
    jobs: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    shard: Shard | None = None,
) -> AuditResult:
    """Try every candidate of ``sources`` against ``targets``; stop at the first match.

    With ``shard``, only the candidates whose line position in the whole stream (every
    source in order, empty lines counted) is ``shard.index`` modulo ``shard.count``: N
    machines running shards 1/N to N/N of the same command try each candidate once.
    ``on_progress(tried, bytes_done)`` is called after each block.
    """
    if not targets:
        raise InputError("give at least one cookie to audit")
    jobs = default_jobs() if jobs is None else jobs
    if not 1 <= jobs <= MAX_JOBS:
        raise InputError(f"--jobs must be from 1 to {MAX_JOBS}")
    groups = groups_for(targets)
    started = time.perf_counter()
    # Line positions are counted only for a shard, which needs them.
    stream = (block for source in sources for block in source.blocks())
    numbered = NumberedBlocks(stream) if shard is not None else None
    blocks: Iterable[Block] = stream if numbered is None else numbered
    if jobs == 1:
        found, tried = _serial(blocks, groups, on_progress, shard)
    else:
        found, tried = _parallel(blocks, groups, jobs, on_progress, shard)
    seconds = time.perf_counter() - started
    lines_read = 0 if numbered is None else numbered.lines
    if found is None:
        return AuditResult(None, None, (), tried, seconds, jobs, shard, lines_read)
    (_, key), source = found
    # Report every cookie this key signs, not only the one it was found on.
    matched = tuple(
        index
        for scheme, cookies in groups
        for index, signed, signature in cookies
        if scheme.signature(scheme.derive_key(key), signed) == signature
    )
    return AuditResult(key, source, tuple(sorted(matched)), tried, seconds, jobs, shard, lines_read)


FoundAt = tuple[tuple[int, bytes], str]


def _serial(
    blocks: Iterable[Block],
    groups: Sequence[Group],
    on_progress: Callable[[int, int], None] | None,
    shard: Shard | None = None,
) -> tuple[FoundAt | None, int]:
    tried = done = 0
    for block in blocks:
        keys = lines_of(block, shard)
        found = search_keys(keys, groups)
        tried += _tried(keys, found)
        done += block.size
        if on_progress:
            on_progress(tried, done)
        if found is not None:
            return (found, block.source), tried
    return None, tried


def _parallel(
    blocks: Iterable[Block],
    groups: tuple[Group, ...],
    jobs: int,
    on_progress: Callable[[int, int], None] | None,
    shard: Shard | None = None,
) -> tuple[FoundAt | None, int]:
    import multiprocessing
    import queue

    results: queue.SimpleQueue[tuple[tuple[int, bytes] | None, int, int, str] | BaseException]
    results = queue.SimpleQueue()
    pool = multiprocessing.get_context("spawn" if os.name == "nt" else "fork").Pool(
        jobs, initializer=_init_worker, initargs=(groups, shard)
    )
    tried = done = pending = 0
    found: FoundAt | None = None
    try:
        iterator = iter(blocks)
        exhausted = False
        while True:
            while not exhausted and pending < jobs * IN_FLIGHT_PER_JOB:
                block = next(iterator, None)
                if block is None:
                    exhausted = True
                    break
                pool.apply_async(_work, (block,), callback=results.put, error_callback=results.put)
                pending += 1
            if pending == 0:
                break
            outcome = results.get()
            pending -= 1
            if isinstance(outcome, BaseException):
                raise outcome
            match, count, size, source = outcome
            tried += count
            done += size
            if on_progress:
                on_progress(tried, done)
            if match is not None:
                found = (match, source)
                break
    finally:
        # On a match the other workers are stopped at once, mid-block.
        pool.terminate()
        pool.join()
    return found, tried
