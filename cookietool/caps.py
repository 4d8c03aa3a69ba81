"""The caps that keep every reader of untrusted input bounded in time and memory.

Each cap has a default that no real cookie, HAR file, key file or wordlist comes near,
and can be raised or lowered with the global option ``--cap NAME=N``. An input over a
cap is refused with an error that names the cap (``CookietoolError.cap``), so the
message can say how to raise it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from cookietool.errors import InputError


# A NamedTuple, not a dataclass: every command loads this module, and making a dataclass
# costs start-up time (tests/test_startup.py, benchmarks/bench_decode.py).
class Caps(NamedTuple):
    """Every cap, by its field name; ``--cap`` spells them with dashes."""

    input_bytes: int = 4 << 20
    har_bytes: int = 64 << 20
    key_file_bytes: int = 1 << 20
    inflate_bytes: int = 1 << 20
    json_depth: int = 512
    int_digits: int = 4300
    cookies: int = 10_000
    line_bytes: int = 64 << 10
    wordlist_line_bytes: int = 64 << 10
    scan_file_bytes: int = 1 << 20
    response_bytes: int = 8 << 20


#: What each cap bounds, for --help and the README.
DESCRIPTIONS = {
    "input-bytes": "standard input of decode, sign, size-check, audit and check-key",
    "har-bytes": "a HAR file (size-check --har)",
    "key-file-bytes": "a key file (--key-file, check-key --key-file)",
    "inflate-bytes": "a compressed session payload once inflated (decode's --inflate-limit)",
    "json-depth": "nesting of session JSON (Flask itself fails before 400 levels)",
    "int-digits": "digits of one integer in session JSON (Python's own default limit)",
    "cookies": "cookies in one curl header dump or cookie jar",
    "line-bytes": "one line of a curl header dump, cookie jar or decode --lines input",
    "wordlist-line-bytes": "one wordlist line; longer lines are skipped and counted",
    "scan-file-bytes": "one file check-key --scan reads; larger files are skipped",
    "response-bytes": "one HTTP response body read by --url (read and dropped, never kept)",
}
DEFAULT = Caps()


def cap_name(field: str) -> str:
    """The --cap spelling of a field name."""
    return field.replace("_", "-")


def parse(specs: Sequence[str], base: Caps = DEFAULT) -> Caps:
    """Caps from ``NAME=N`` strings, each a positive whole number."""
    changes: dict[str, int] = {}
    known = {cap_name(name): name for name in Caps._fields}
    for spec in specs:
        name, sep, number = spec.partition("=")
        if not sep or name.strip() not in known:
            raise InputError(f"--cap takes NAME=N with NAME one of {', '.join(known)}")
        text = number.strip().replace("_", "")
        if not (text.isascii() and text.isdigit()) or len(text) > 15 or int(text) < 1:
            raise InputError(f"--cap {name.strip()} needs a whole number from 1 to 10**15")
        changes[known[name.strip()]] = int(text)
    return base._replace(**changes)
