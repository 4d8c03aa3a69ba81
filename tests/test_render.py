"""Rendering helpers: types shown as they are, ages in words, JSON stable."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone

from markupsafe import Markup

from cookietool import render
from cookietool.keys import text_key
from cookietool.plaintext import Console as PlainConsole
from cookietool.session import inspect_cookie
from cookietool.signing import sign_session
from tests.conftest import FROZEN


def test_pyrepr_shows_real_types() -> None:
    value = {
        "t": (1,),
        "b": b"\x00",
        "u": uuid.UUID(int=1),
        "d": datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "m": Markup("<i>x</i>"),
        "l": [None, True, 1.5],
    }
    assert render.pyrepr(value) == (
        "{'t': (1,), 'b': b'\\x00', 'u': UUID('00000000-0000-0000-0000-000000000001'), "
        "'d': datetime(2030-01-02T03:04:05+00:00), 'm': Markup('<i>x</i>'), "
        "'l': [None, True, 1.5]}"
    )


def test_describe_age() -> None:
    assert render.describe_age(0) == "0 seconds ago"
    assert render.describe_age(61) == "1 minute ago"
    assert render.describe_age(2 * 86400 + 5) == "2 days ago"
    assert render.describe_age(-7200) == "in 2 hours"


def test_out_of_range_timestamp_is_not_a_crash() -> None:
    assert render.iso_time(2**63) is None
    assert render.iso_time(0) == "1970-01-01T00:00:00Z"


def _report(session: dict[str, object], **kwargs: object) -> str:
    value = sign_session(session, [text_key("k", "--key #1")], timestamp=FROZEN).value
    result = inspect_cookie(value, [text_key("k", "--key #1")], now=FROZEN + 90, **kwargs)  # type: ignore[arg-type]
    buffer = io.StringIO()
    render.render_decode(PlainConsole(file=buffer, color=False), result)
    return buffer.getvalue()


def test_report_explains_well_known_keys_and_flashes() -> None:
    out = _report({"_flashes": [("error", "Bad password")], "_user_id": "7", "_fresh": True})
    assert "[error] Bad password" in out
    assert "Flask-Login: the id of the logged-in user" in out
    assert "Signed     2026-01-02 03:04:05 UTC (1 minute ago)" in out


def test_report_expiry_lines() -> None:
    assert "fresh: expires in 1 minute (max age 150 s)" in _report({"a": 1}, max_age=150)
    assert "EXPIRED: 90 seconds old, max age 60" in _report({"a": 1}, max_age=60)
    assert "not checked (pass --max-age" in _report({"a": 1})


def test_long_values_wrap_under_their_column() -> None:
    out = _report({"k": "word " * 40, "z_key_name_much_longer_than_twenty_four": 1})
    lines = out.splitlines()
    start = lines.index("Session: 2 keys")
    assert lines[start + 1].startswith("  k  str  'word word")
    assert all(line.startswith(" " * 10 + "word") for line in lines[start + 2 : start + 4])
    assert lines[-2] == "  z_key_name_much_longer_than_twenty_four"
    assert lines[-1] == "     int  1"
    assert max(len(line) for line in lines) <= 100


def test_report_of_empty_session() -> None:
    assert "The session is empty." in _report({})
