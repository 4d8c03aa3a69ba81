"""size-check's "more fits" is conservative: Flask itself, by bisection, fits at least as much.

For each starting session, random (incompressible) and compressible, the largest extra
value a real Flask app can still store under the 4096-byte name + value limit is found by
bisection, and the estimate must not promise more JSON bytes than that.
"""

from __future__ import annotations

import json
import random
import string
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from cookietool import sizes
from tests.conftest import flask_cookie, make_app

LIMIT = 4096
#: Printable ASCII without the two characters JSON escapes: about 6.5 bits a character,
#: which deflate cannot squeeze much; a realistic worst case for session data.
ALPHABET = "".join(c for c in string.printable[:94] if c not in '"\\')


def random_text(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def repetitive_text(n: int, seed: int) -> str:
    return (f"item-{seed}," * (n // 6 + 1))[:n]


def cookie_size(app: Any, data: dict[str, Any]) -> tuple[int, int]:
    """(name + value bytes, JSON bytes) of the session cookie Flask sets for ``data``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Werkzeug's warning past 4093 bytes: expected here
        value, _ = flask_cookie(app, data)
    check = sizes.check([sizes.CookieSpec("t", "session", value)])
    session = check.cookies[0].session
    assert session is not None
    return len("session") + len(value), session.json_bytes


def largest_extra(app: Any, base: dict[str, Any], make: Callable[[int, int], str]) -> int:
    """The most JSON bytes Flask can add to ``base`` (in one new key) and stay in the limit."""
    _, base_json = cookie_size(app, base)
    low, high = 0, 8192
    best = 0
    while low <= high:
        middle = (low + high) // 2
        data = {**base, "extra": make(middle, 7)}
        size, json_bytes = cookie_size(app, data)
        if size <= LIMIT:
            best = max(best, json_bytes - base_json)
            low = middle + 1
        else:
            high = middle - 1
    return best


BASES: dict[str, dict[str, Any]] = {
    "small": {"user_id": 42},
    "compressible": {"cart": [f"sku-{i % 7}" for i in range(300)]},
    "random": {"token": random_text(1500, 1)},
    "half-full compressed": {
        "cart": [f"sku-{i % 13}" for i in range(400)],
        "n": random_text(900, 2),
    },
}


@pytest.mark.parametrize("base", list(BASES))
@pytest.mark.parametrize("extra", [random_text, repetitive_text], ids=["random", "repetitive"])
def test_the_estimate_never_promises_more_than_flask_fits(
    base: str, extra: Callable[[int, int], str]
) -> None:
    app = make_app()
    data = BASES[base]
    value, _ = flask_cookie(app, data)
    report = sizes.check([sizes.CookieSpec("t", "session", value)])
    session = report.cookies[0].session
    assert session is not None
    true_extra = largest_extra(app, data, extra)
    assert session.more_json_bytes <= true_extra, (session, true_extra)
    if extra is random_text:
        # Conservative, not useless: random data is the worst case it is built for.
        assert session.more_json_bytes >= true_extra * 0.7 - 40, (session, true_extra)


def test_a_full_session_says_nothing_more_fits() -> None:
    app = make_app()
    value, _ = flask_cookie(app, {"blob": random_text(3600, 3)})
    report = sizes.check([sizes.CookieSpec("t", "session", value)])
    session = report.cookies[0].session
    assert session is not None and session.more_json_bytes == 0
    assert json.loads(json.dumps(session.more_json_bytes)) == 0
