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
    """Turn JSON loaded from a session into the Python values Flask's session holds."""
    try:
        return _untag_scan(value)
    except RecursionError as e:
        raise TagError("session JSON is nested too deeply") from e


def _untag_scan(value: Any) -> Any:
    # Same walk as TaggedJSONSerializer._untag_scan: children first, then the dict.
    if isinstance(value, dict):
        value = {k: _untag_scan(v) for k, v in value.items()}
        if len(value) == 1:
            key = next(iter(value))
            if key in TAGS:
                return _to_python(key, value[key])
        return value
    if isinstance(value, list):
        return [_untag_scan(item) for item in value]
    return value


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
    except (TypeError, ValueError, StopIteration, binascii.Error, AttributeError) as e:
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
