"""Flask's tagged JSON (flask/json/tag.py), read without importing Flask.

Flask stores tuples, bytes, UUIDs, datetimes, Markup and dicts whose only key looks
like a tag as one-key objects such as ``{" t": [...]}``. Importing Flask costs more
than the whole ``decode`` budget, so this module reads the tags itself; the tests
compare it with ``flask.json.tag.TaggedJSONSerializer`` on generated sessions.
Writing (tagging) is left to Flask itself, in :mod:`cookietool.signing`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cookietool.errors import TagError

#: The keys of Flask's default tags, in the order Flask registers them.
TAGS = (" di", " t", " b", " m", " u", " d")


def untag(value: Any) -> Any:
    """Turn JSON loaded from a session into the Python values Flask's session holds.

    The walk is Flask's ``TaggedJSONSerializer._untag_scan`` (children first, then the
    dict itself), written with an explicit stack so that any depth the JSON parser
    accepted is read without running out of Python's recursion limit.
    """
    if not isinstance(value, (dict, list)):
        return value
    frames = [_Frame(value, None)]
    while True:
        frame = frames[-1]
        step = next(frame.children, None)
        if step is None:
            frames.pop()
            done = frame.finish()
            if not frames:
                return done
            frames[-1].put(frame.slot, done)
            continue
        slot, child = step
        if isinstance(child, (dict, list)):
            frames.append(_Frame(child, slot))
        else:
            frame.put(slot, child)


class _Frame:
    """One container being rebuilt: where its children come from and where they go."""

    def __init__(self, source: dict[str, Any] | list[Any], slot: Any) -> None:
        self.slot = slot
        self.out: dict[str, Any] | list[Any]
        if isinstance(source, dict):
            self.out = {}
            self.children: Any = iter(source.items())
        else:
            self.out = []
            self.children = enumerate(source)

    def put(self, slot: Any, value: Any) -> None:
        if isinstance(self.out, dict):
            self.out[slot] = value
        else:
            self.out.append(value)

    def finish(self) -> Any:
        out = self.out
        if isinstance(out, dict) and len(out) == 1:
            key = next(iter(out))
            if key in TAGS:
                return _to_python(key, out[key])
        return out


def _to_python(tag: str, value: Any) -> Any:
    try:
        if tag == " di":
            inner = next(iter(value))
            return {inner[:-2]: value[inner]}
        if tag == " t":
            return tuple(value)
        if tag == " b":
            return base64.b64decode(value)
        if tag == " m":
            from markupsafe import Markup

            return Markup(value)
        if tag == " u":
            from uuid import UUID

            return UUID(value)
        return _parse_http_date(value)
    except (
        TypeError,
        ValueError,
        LookupError,
        ArithmeticError,  # a date whose year overflows, as it does in Werkzeug
        StopIteration,
        binascii.Error,
        AttributeError,
    ) as e:
        raise TagError(f"value tagged {tag.strip()!r} is not valid for that tag") from e


def _parse_http_date(value: Any) -> Any:
    # werkzeug.http.parse_date: an unparsable date becomes None, a naive one UTC.
    from datetime import timezone
    from email.utils import parsedate_to_datetime

    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt
