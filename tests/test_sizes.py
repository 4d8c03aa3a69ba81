"""size-check's counting against the limits, Werkzeug's own warning and real Flask cookies."""

from __future__ import annotations

import json
import re
import secrets
import warnings
from pathlib import Path

import pytest
from werkzeug.http import dump_cookie

from cookietool import sizes
from cookietool.cookieinput import parse_set_cookie
from cookietool.errors import InputError
from cookietool.har import read_har
from cookietool.keys import text_key
from cookietool.signing import sign_session
from cookietool.sizes import MEASURES, CookieSpec, check, check_cookie, load_limits
from tests.cookie_server import BOUNDARY_CASES

LIMITS = load_limits()
BROWSER_SIDE = [lim for lim in LIMITS if lim.kind != "server"]
FIXTURES = Path(__file__).parent / "fixtures"


def spec_for(line: str, label: str = "t") -> CookieSpec:
    cookie = parse_set_cookie(line)
    return CookieSpec(label, cookie.name, cookie.value, set_cookie=cookie)


def levels(check_: sizes.CookieCheck, measure: str) -> set[str]:
    return {f.level for f in check_.findings if f.measure == measure}


def test_limits_data_is_complete() -> None:
    ids = [lim.id for lim in LIMITS]
    assert len(ids) == len(set(ids))
    for lim in LIMITS:
        assert lim.measure in MEASURES, lim.id
        assert lim.level in sizes.LEVELS, lim.id
        assert lim.source and lim.on_exceed and lim.limit > 0, lim.id
        assert (lim.kind == "server") == (lim.server is not None), lim.id
    assert {lim.id for lim in LIMITS if not lim.confirmed} == {
        "webkit-name-value",
        "webkit-attribute",
    }


@pytest.mark.parametrize(("case", "line"), BOUNDARY_CASES)
def test_name_value_and_attribute_boundaries(case: str, line: str) -> None:
    result = check_cookie(spec_for(line), BROWSER_SIDE, warn_at=100)
    dropped = "error" in levels(result, "name_value")
    attribute_ignored = "warning" in levels(result, "attribute_value")
    assert dropped == case.endswith("4097")
    assert attribute_ignored == (case == "attribute-1025")
    if case.startswith(("ascii", "utf8", "nameless")):
        assert result.name_value_bytes == int(case[-4:])


def test_multibyte_utf8_is_counted_in_bytes() -> None:
    cookie = parse_set_cookie("k=" + "é" * 2047)
    assert len(cookie.name + cookie.value) == 2048
    assert cookie.name_value_bytes == 4095
    assert (
        check_cookie(spec_for("k=" + "é" * 2047 + "v"), BROWSER_SIDE).findings[0].level == "warning"
    )
    assert "error" in levels(check_cookie(spec_for("k=" + "é" * 2048), BROWSER_SIDE), "name_value")


def test_nameless_and_trimmed_cookies() -> None:
    assert parse_set_cookie("  just-a-value  ; Path=/").name == ""
    assert parse_set_cookie("=v").name_value_bytes == 1
    assert parse_set_cookie(" a = b ; Secure").name_value_bytes == 2


@pytest.mark.parametrize("value_size", [3900, 4000, 4050, 4060, 4070, 4080, 4090])
@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"path": "/", "httponly": True},
        {"domain": "example.com", "secure": True, "samesite": "Lax"},
    ],
)
def test_set_cookie_bytes_and_warning_match_werkzeug(
    value_size: int, attributes: dict[str, object]
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        header = dump_cookie("session", "v" * value_size, **attributes)  # type: ignore[arg-type]
    result = check_cookie(spec_for(header), BROWSER_SIDE, warn_at=100)
    assert result.set_cookie_bytes == len(header)
    werkzeug_warned = bool(caught)
    assert ("warning" in levels(result, "set_cookie_header")) == werkzeug_warned
    if werkzeug_warned:
        reported = int(re.search(r"final size was (\d+) bytes", str(caught[0].message)).group(1))  # type: ignore[union-attr]
        assert reported == result.set_cookie_bytes


def test_lifetime_over_400_days() -> None:
    now = 1_800_000_000.0
    ok = check_cookie(spec_for("a=1; Max-Age=34560000"), BROWSER_SIDE, now=now)
    over = check_cookie(spec_for("a=1; Max-Age=34560001"), BROWSER_SIDE, now=now)
    assert levels(ok, "lifetime_seconds") == set()
    assert levels(over, "lifetime_seconds") == {"warning"}
    far = check_cookie(
        spec_for("a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT"), BROWSER_SIDE, now=now
    )
    assert levels(far, "lifetime_seconds") == {"warning"}
    # Max-Age wins over Expires, as in RFC 6265bis.
    both = spec_for("a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Max-Age=60")
    assert levels(check_cookie(both, BROWSER_SIDE, now=now), "lifetime_seconds") == set()


def test_warn_at_and_budget() -> None:
    # 90% of 4096 is 3686.4 bytes: 3687 warns, 3686 does not.
    assert levels(check_cookie(spec_for("k=" + "v" * 3686), BROWSER_SIDE), "name_value") == {
        "warning"
    }
    assert levels(check_cookie(spec_for("k=" + "v" * 3685), BROWSER_SIDE), "name_value") == set()
    budget = check_cookie(spec_for("k=" + "v" * 1000), BROWSER_SIDE, budget=1000)
    assert [f.level for f in budget.findings if f.measure == "budget"] == ["error"]
    assert check_cookie(spec_for("k=" + "v" * 998), BROWSER_SIDE, budget=1000).findings == ()


@pytest.mark.parametrize(
    ("count", "expected"),
    [(50, set()), (51, {"warning"}), (180, {"warning"}), (181, {"warning", "error"})],
)
def test_cookies_per_domain(count: int, expected: set[str]) -> None:
    specs = [CookieSpec("t", f"c{n}", "1") for n in range(count)]
    report = check(specs)
    assert {f.level for _, _, findings in report.domains for f in findings} == expected


@pytest.mark.parametrize(
    ("server", "measure_room"),
    [
        ("nginx", 8192 - 2),
        ("apache", 8190),
        ("gunicorn", 8190 - 2),
        ("heroku", 8192),
        ("iis", 16384),
        ("aws-alb", 16384),
    ],
)
def test_server_line_limits_at_the_byte(server: str, measure_room: int) -> None:
    # 'Cookie: ' + 'k=' + value must fill the counted line exactly, then by one more byte.
    fits = "v" * (measure_room - len("Cookie: k="))
    for value, failing in ((fits, False), (fits + "v", True)):
        specs = [CookieSpec("t", "k", value)]
        report = check(
            specs,
            servers=[server],
            warn_at=100,
            limits=[lim for lim in LIMITS if lim.kind == "server"],
        )
        assert report.failed() == failing


def test_request_head_uses_head_bytes() -> None:
    value = "v" * (4096 - len("Cookie: k=\r\n") - 100)
    assert not check(
        [CookieSpec("t", "k", value)], servers=["uwsgi"], head_bytes=100, warn_at=100
    ).failed()
    assert check(
        [CookieSpec("t", "k", value)], servers=["uwsgi"], head_bytes=101, warn_at=100
    ).failed()


def test_dropped_cookies_are_not_in_the_cookie_header() -> None:
    report = check([CookieSpec("t", "big", "v" * 5000), CookieSpec("t", "small", "1")])
    assert dict(report.requests[0].sizes)["cookie_value"] == len("small=1")


def test_select_servers() -> None:
    assert sizes.select_servers("all", LIMITS) == tuple(sizes.server_names(LIMITS))
    assert sizes.select_servers("NGINX, gunicorn,nginx", LIMITS) == ("nginx", "gunicorn")
    with pytest.raises(InputError, match="unknown server varnish; choose from apache"):
        sizes.select_servers("varnish", LIMITS)


@pytest.mark.parametrize("start", [200, 800, 1500])
def test_flask_session_headroom_estimate_is_close(start: int) -> None:
    key = [text_key("k", "k")]
    blob = secrets.token_urlsafe(start)
    value = sign_session({"blob": blob}, key).value
    result = check_cookie(CookieSpec("t", "session", value), BROWSER_SIDE)
    assert result.session is not None and result.session.compressed
    more = result.session.more_json_bytes
    # Growing the session by the estimate with data alike still fits, and fills most of it.
    grown = sign_session({"blob": blob + secrets.token_urlsafe(more)[:more]}, key).value
    total = len("session") + len(grown)
    assert 4096 * 85 // 100 <= total <= 4096, (more, total)


def test_har_fixture_by_host() -> None:
    specs, observed = sizes.specs_from_har(read_har((FIXTURES / "cookies.har").read_text()))
    report = check(specs, observed_headers=observed, servers=["nginx"])
    by_host = {host: (count, findings) for host, count, findings in report.domains}
    assert set(by_host) == {"app.example.test", "api.example.test", "static.example.test"}
    assert by_host["api.example.test"][0] == 60
    assert [f.limit for f in by_host["api.example.test"][1]] == [50]
    errors = {c.spec.name for c in report.cookies if any(f.level == "error" for f in c.findings)}
    assert errors == {"a4097", "u4097", ""}
    session = next(c for c in report.cookies if c.spec.name == "session")
    assert session.spec.host == "app.example.test" and session.session is not None
    observed_hosts = {r.host for r in report.requests if r.observed}
    assert observed_hosts == {"app.example.test", "api.example.test"}


def test_bad_har_files() -> None:
    for text in ("not json", "{}", '{"log": {"entries": 5}}', '{"log": {"entries": [{"x": 1}]}}'):
        with pytest.raises(InputError, match="HAR"):
            read_har(text)


def test_specs_from_text_forms() -> None:
    assert sizes.specs_from_text("a.b.c", "a1", "sid")[0] == [CookieSpec("a1", "sid", "a.b.c")]
    with pytest.raises(InputError, match="a1 is not a cookie"):
        sizes.specs_from_text("jar", "a1", "sid")
    specs, observed = sizes.specs_from_text("Cookie: a=1; b=22", "a2")
    assert [(s.name, s.value) for s in specs] == [("a", "1"), ("b", "22")]
    assert observed == [(None, "a=1; b=22")]
    set_cookie = sizes.specs_from_text("Set-Cookie: s=v; Path=/", "a3")[0][0]
    assert set_cookie.set_cookie is not None and set_cookie.set_cookie.attribute("path") == "/"


def test_bad_settings() -> None:
    for kwargs in ({"warn_at": 0}, {"budget": 0}, {"head_bytes": -1}):
        with pytest.raises(InputError):
            check([], **kwargs)  # type: ignore[arg-type]


def test_limits_document_is_json() -> None:
    from cookietool.render_sizes import limits_document

    doc = json.loads(json.dumps(limits_document(LIMITS)))
    assert len(doc["limits"]) == len(LIMITS) and set(doc["measures"]) == set(MEASURES)
