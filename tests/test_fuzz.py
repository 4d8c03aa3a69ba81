"""Hypothesis against the parsers and the command line: only our errors, only our codes.

Arbitrary text, arbitrary bytes and mutations of real cookies go into every reader of
pasted input; the core may only raise CookietoolError, and the command line may only
answer 0, 1 or 2, with exactly one ``Error:`` line for 2.
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cookietool import cookieinput, flaskcookie, jsontext, tagged
from cookietool.errors import CookietoolError
from cookietool.keys import text_key
from cookietool.session import inspect_cookie
from cookietool.signing import parse_payload, sign_session
from tests.conftest import FROZEN
from tests.test_cli import run

REAL = sign_session({"user": "ann", "cart": (1, 2)}, [text_key("k", "k")], timestamp=FROZEN).value
COMPRESSED = sign_session({"l": ["abc"] * 30}, [text_key("k", "k")], timestamp=FROZEN).value
KEYS = [text_key("k", "k")]

cookie_alphabet = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ;:\"'\x00\x1b")
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real cookie with a few characters replaced, dropped or inserted."""
    value = list(draw(st.sampled_from([REAL, COMPRESSED])))
    for _ in range(draw(st.integers(1, 4))):
        if not value:
            break
        i = draw(st.integers(0, len(value) - 1))
        action = draw(st.sampled_from(["replace", "drop", "insert"]))
        if action == "replace":
            value[i] = draw(cookie_alphabet)
        elif action == "drop":
            del value[i]
        else:
            value.insert(i, draw(cookie_alphabet))
    return "".join(value)


any_cookie_text = st.one_of(st.text(max_size=300), mutated(), st.text(cookie_alphabet, max_size=80))


def only_our_errors(call: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(CookietoolError):
        call(*args, **kwargs)


@given(any_cookie_text)
def test_input_readers_raise_only_our_errors(text: str) -> None:
    only_our_errors(cookieinput.extract, text)
    only_our_errors(cookieinput.parse_set_cookie, text)
    only_our_errors(cookieinput.cookie_pairs, text)
    only_our_errors(flaskcookie.envelope, text)
    only_our_errors(inspect_cookie, text)
    only_our_errors(inspect_cookie, text, KEYS, max_age=10)


@given(st.text(max_size=200))
def test_payload_reading_raises_only_our_errors(text: str) -> None:
    only_our_errors(parse_payload, text)
    only_our_errors(jsontext.load_json, text)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from([" t", " di", " b", " m", " u", " d", "k"]), inner, max_size=2
            )
        ),
        max_leaves=12,
    )
)
def test_untag_raises_only_our_errors(value: Any) -> None:
    only_our_errors(tagged.untag, value)


def assert_contract(result: Any) -> None:
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert result.stdout == ""


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(any_cookie_text, st.booleans(), st.booleans())
def test_decode_answers_0_1_or_2_with_one_line(text: str, with_key: bool, as_json: bool) -> None:
    args = ["decode", text, "--max-age", "100"]
    args += ["--key", "k"] if with_key else []
    args += ["--json"] if as_json else []
    assert_contract(run(*args))


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(any_cookie_text)
def test_size_check_and_audit_answer_0_1_or_2(text: str) -> None:
    assert_contract(run("size-check", text))
    assert_contract(run("size-check", "-", input=text))
    assert_contract(
        run("audit", text, "--no-builtin", "--wordlist", "-", "--jobs", "1", input="k\n")
    )


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(max_size=100), st.dictionaries(st.text(max_size=5), st.text(max_size=5)).map(str)
    )
)
def test_sign_answers_0_or_2(payload: str) -> None:
    result = run("sign", payload, "--key", "k")
    assert result.exit_code in (0, 2)
    assert_contract(result)
