"""cookietool.tagged against Flask's own TaggedJSONSerializer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from hypothesis import given

from cookietool.errors import TagError
from cookietool.tagged import TAGS, untag
from tests.conftest import flask_dumps
from tests.strategies import sessions, values

FLASK = TaggedJSONSerializer()


def flask_loads(text: str) -> Any:
    with Flask(__name__).app_context():
        return FLASK.loads(text)


def test_tag_keys_are_flasks() -> None:
    assert set(TAGS) == set(FLASK.tags)


@given(sessions)
def test_untag_reads_what_flask_writes(session: dict[str, Any]) -> None:
    text = flask_dumps(session)
    assert untag(json.loads(text)) == flask_loads(text) == session


@given(values)
def test_untag_keeps_types(value: Any) -> None:
    text = flask_dumps({"v": value})
    ours = untag(json.loads(text))["v"]
    theirs = flask_loads(text)["v"]
    assert ours == theirs
    assert type(ours) is type(theirs)


# JSON that Flask never writes but that an attacker or a bug can put in a cookie:
# the result must equal Flask's, whatever it is.
@pytest.mark.parametrize(
    "text",
    [
        '{" t": "abc"}',
        '{" t": {"a": 1}}',
        '{" b": "aGVsbG8"}',
        '{" b": "aGVs!!bG8="}',
        '{" m": 5}',
        '{" d": "not a date"}',
        '{" d": "Thu, 01 Jan 2026 00:00:00"}',
        '{" di": {"x": 1, "y": 2}}',
        '{" di": {" t__": {" t": [1]}}}',
        '{" x": 1}',
        '{" t": [1], "other": 2}',
        '[{" u": "12345678123456781234567812345678"}]',
    ],
)
def test_untag_matches_flask_on_unusual_json(text: str) -> None:
    try:
        theirs = flask_loads(text)
    except Exception:
        with pytest.raises(TagError):
            untag(json.loads(text))
        return
    assert untag(json.loads(text)) == theirs


@pytest.mark.parametrize(
    "text",
    ['{" b": 5}', '{" u": "xyz"}', '{" di": {}}', '{" di": "ab"}', '{" d": 12}', '{" t": 3}'],
)
def test_invalid_tag_raises_tag_error(text: str) -> None:
    with pytest.raises(Exception):  # noqa: B017 - Flask raises whatever its converter raises
        flask_loads(text)
    with pytest.raises(TagError, match="not valid for that tag"):
        untag(json.loads(text))


def test_any_depth_is_read_without_recursion() -> None:
    nested: Any = 1
    for _ in range(100_000):
        nested = {" t": [nested]}
    value = untag(nested)
    depth = 0
    while isinstance(value, tuple):
        (value,) = value
        depth += 1
    assert (depth, value) == (100_000, 1)


def test_a_di_tag_holding_a_list_is_a_tag_error_on_every_python() -> None:
    # Python 3.12 made slices hashable, so dict[slice] raises KeyError there, not TypeError.
    with pytest.raises(TagError):
        untag({"x": {" di": [{"a": 1}]}})
    from tests.test_cli import run

    assert run("sign", '{"x": {" di": [{"a": 1}]}}', "--key", "k").exit_code == 2
