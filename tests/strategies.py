"""Hypothesis strategies for sessions built from every type Flask's tagged JSON stores."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hypothesis import strategies as st
from markupsafe import Markup

from cookietool.tagged import TAGS

text = st.text(max_size=12)
#: Keys that collide with Flask's tags force the ' di' tag on one-key dicts.
keys = st.one_of(text, st.sampled_from([*TAGS, " x", "__", " di__"]))
# Flask's datetime tag keeps whole seconds in UTC (an HTTP date); the email date parser
# Werkzeug uses reads two-digit years as 19xx/20xx, so Flask itself only round-trips 1000+.
datetimes = st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(timezone.utc)).map(
    lambda d: d.replace(microsecond=0)
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
    st.binary(max_size=16),
    st.uuids(),
    datetimes,
    text.map(Markup),
)


def _children(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
    )


values = st.recursive(leaves, _children, max_leaves=12)
# Flask deletes the cookie of an empty session rather than signing it.
sessions = st.dictionaries(keys, values, min_size=1, max_size=6)
