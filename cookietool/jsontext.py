"""Reading session JSON within the caps: nesting depth and integer digits.

Python's parser would stop at its recursion limit, which depends on the version and on
how deep the caller already is, and Python 3.10 has no limit on integer digits; caps of
our own answer the same everywhere (cookietool.caps).
"""

from __future__ import annotations

import json
import re
from typing import Any

from cookietool.errors import CapError, CookieFormatError

DEFAULT_JSON_DEPTH = 512
DEFAULT_INT_DIGITS = 4300
#: JSON strings, which may hold brackets, and the brackets that nest.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_NESTING = re.compile(r"[\[\]{}]")


def check_json_depth(text: str, max_depth: int, what: str = "the payload JSON") -> None:
    """Refuse JSON nested deeper than ``max_depth``, in linear time, before parsing it."""
    if text.count("[") + text.count("{") <= max_depth:
        return
    depth = 0
    for bracket in _JSON_NESTING.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > max_depth:
            raise CapError(f"{what} is nested more than {max_depth} levels deep", "json-depth")


def load_json(
    text: str, max_depth: int = DEFAULT_JSON_DEPTH, max_digits: int = DEFAULT_INT_DIGITS
) -> Any:
    """Parse session JSON as the standard library does (and Flask with it), within caps."""

    def parse_int(digits: str) -> int:
        if len(digits) - digits.startswith("-") > max_digits:
            raise CapError(
                f"the payload JSON has an integer of more than {max_digits} digits", "int-digits"
            )
        return int(digits)

    check_json_depth(text, max_depth)
    try:
        return json.loads(text, parse_int=parse_int)
    except RecursionError as e:
        raise CookieFormatError("the payload JSON is nested too deeply") from e
    except ValueError as e:
        raise CookieFormatError(f"the payload is not JSON ({e})") from e
