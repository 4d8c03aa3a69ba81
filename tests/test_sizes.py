"""size-check's counting against the limits, Werkzeug's own warning and real Flask cookies."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path

import pytest
from werkzeug.http import dump_cookie

from cookietool import sizes
from cookietool.cookieinput import parse_set_cookie
from cookietool.errors import InputError
from cookietool.har import read_har
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
        assert lim.side in ("request", "response"), lim.id
        # A response measure is on the response side, a request measure on the request's.
        if lim.measure in sizes.RESPONSE_MEASURES:
            assert lim.side == "response", lim.id
        if lim.measure in sizes.MEASURE_NAMES and lim.measure not in sizes.RESPONSE_MEASURES:
            assert lim.side == "request", lim.id
    # What could not be checked against a primary source is said so, and nothing else.
    assert {lim.id for lim in LIMITS if not lim.confirmed} == {
        "azure-app-service",
        "cloudflare-response",
        "cloudflare-response-line",
        "heroku-request",
        "iis-field",
        "iis-request",
        "nginx-h2-list-old",
        "webkit-attribute",
        "webkit-name-value",
        "webkit-nameless",
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


def _findings_of(report: sizes.SizeReport, limit_id: str) -> list[sizes.Finding]:
    return [f for f in report.all_findings if limit_id in f.limit_ids and f.used > f.limit]


SERVER_LIMITS = [lim for lim in LIMITS if lim.kind == "server"]


@pytest.mark.parametrize("limit", [lim for lim in SERVER_LIMITS if lim.side == "request"],
                         ids=lambda lim: lim.id)  # fmt: skip
def test_every_request_limit_at_the_byte(limit: sizes.Limit) -> None:
    # A Cookie header 'k=' + value sized so the limit's measure is exactly the limit,
    # then one byte more: only then is the limit over.
    offset = sizes.request_sizes(0, 600)[limit.measure]
    room = limit.limit - offset - len("k=")
    for extra, over in ((0, False), (1, True)):
        report = check(
            [CookieSpec("t", "k", "v" * (room + extra))],
            servers=[limit.server or ""],
            warn_at=100,
            limits=SERVER_LIMITS,
        )
        request = dict(report.requests[0].sizes)
        assert request[limit.measure] == limit.limit + extra
        assert bool(_findings_of(report, limit.id)) == over, (limit.id, extra)


@pytest.mark.parametrize("limit", [lim for lim in SERVER_LIMITS if lim.side == "response"],
                         ids=lambda lim: lim.id)  # fmt: skip
def test_every_response_limit_at_the_byte(limit: sizes.Limit) -> None:
    # One Set-Cookie line 'k=' + value sized so the response measure is exactly the limit.
    rest = 168
    offset = sizes.response_sizes([len("k=")], rest)[limit.measure]
    room = limit.limit - offset
    for extra, over in ((0, False), (1, True)):
        spec = spec_for("k=" + "v" * (room + extra))
        report = check(
            [spec], servers=[limit.server or ""], warn_at=100, limits=SERVER_LIMITS,
            response_head_bytes=rest,
        )  # fmt: skip
        assert dict(report.responses[0].sizes)[limit.measure] == limit.limit + extra
        assert bool(_findings_of(report, limit.id)) == over, (limit.id, extra)


def test_nginx_proxy_buffer_at_the_byte_measured_against_real_nginx() -> None:
    # Measured with nginx 1.22.1 in front of gunicorn 27 and Flask (tests/test_real_servers.py
    # checks it live): the Flask app's head besides its Set-Cookie line is 154 bytes, and
    # the largest Set-Cookie value nginx passes with proxy_buffer_size 4k is 3928 bytes.
    fits = spec_for("k=" + "v" * (3928 - 2))
    over = spec_for("k=" + "v" * (3928 - 1))
    for spec, failing in ((fits, False), (over, True)):
        report = check([spec], servers=["nginx"], response_head_bytes=154, warn_at=100)
        assert bool(_findings_of(report, "nginx-proxy-buffer")) == failing


def test_cookies_of_one_response_count_together() -> None:
    first = spec_for("a=" + "v" * 2100)
    second = spec_for("b=" + "v" * 2100)
    apart = check([first, second], servers=["nginx"], response_head_bytes=0)
    assert not _findings_of(apart, "nginx-proxy-buffer")  # each its own response
    together = [dataclasses.replace(s, response="r1") for s in (first, second)]
    report = check(together, servers=["nginx"], response_head_bytes=0)
    (response,) = report.responses
    assert response.cookies == 2
    assert dict(response.sizes)["response_head"] == 2 * (len("Set-Cookie: a=") + 2100 + 2)
    assert _findings_of(report, "nginx-proxy-buffer")


def test_a_cookie_without_its_line_gets_flasks_attributes() -> None:
    report = check([CookieSpec("t", "session", "v")], servers=["nginx"], response_head_bytes=0)
    (response,) = report.responses
    line = len("Set-Cookie: session=v; HttpOnly; Path=/")
    assert dict(response.sizes) == {"set_cookie_line": line, "response_head": line + 2}
    assert response.estimated_lines == 1


def test_iis_limits_the_whole_request_head() -> None:
    # http.sys MaxRequestBytes: request line and every header together, not one field.
    # A Cookie header as seen in a request (a HAR), of many cookies under 4096 each.
    header = "; ".join(f"c{n}=" + "v" * 3000 for n in range(5))
    header += "; last=" + "v" * (16384 - len("Cookie: \r\n") - 600 - len(header) - 7)
    seen = [(None, header)]
    fits = check([], observed_headers=seen, servers=["iis"], warn_at=100)
    assert dict(fits.requests[0].sizes)["request_head"] == 16384
    assert not _findings_of(fits, "iis-request")
    more_head = check([], observed_headers=seen, servers=["iis"], head_bytes=601)
    assert _findings_of(more_head, "iis-request")
    assert not _findings_of(more_head, "iis-field")  # the field alone is far inside


def test_webkit_refuses_a_nameless_cookie_of_4096_bytes() -> None:
    nameless = check_cookie(spec_for("v" * 4096), BROWSER_SIDE)
    ids = {i for f in nameless.findings if f.level == "error" for i in f.limit_ids}
    assert ids == {"webkit-nameless"}  # Chromium and Firefox store it
    named = check_cookie(spec_for("k=" + "v" * 4094), BROWSER_SIDE)
    assert not [f for f in named.findings if f.level == "error"]
    assert not [f for f in check_cookie(spec_for("v" * 4095), BROWSER_SIDE).findings
                if f.level == "error"]  # fmt: skip


def test_webkit_drops_the_cookie_for_a_long_path_or_domain() -> None:
    long_path = check_cookie(spec_for("k=v; Path=/" + "p" * 1024), BROWSER_SIDE)
    assert {i for f in long_path.findings if f.level == "error" for i in f.limit_ids} == {
        "webkit-attribute"
    }
    long_other = check_cookie(spec_for("k=v; SameSite=" + "x" * 1025), BROWSER_SIDE)
    assert not [f for f in long_other.findings if f.level == "error"]


def test_cookies_per_domain_count_every_subdomain_together() -> None:
    def host_cookies(host: str, count: int) -> list[CookieSpec]:
        return [CookieSpec("t", f"c{n}", "1", host) for n in range(count)]

    report = check(host_cookies("a.example.com", 100) + host_cookies("b.example.com", 100))
    counts = {domain: count for domain, count, _ in report.domains}
    assert counts == {"example.com": 200}
    assert "chromium-per-domain" in {i for f in report.all_findings for i in f.limit_ids}
    # Different registrable domains, public suffixes with two labels, and private
    # registries (github.io) are counted apart, as browsers count them.
    apart = check(
        host_cookies("a.example.co.uk", 100)
        + host_cookies("b.other.co.uk", 100)
        + host_cookies("ann.github.io", 100)
        + host_cookies("bob.github.io", 100)
    )
    assert {d: c for d, c, _ in apart.domains} == {
        "example.co.uk": 100,
        "other.co.uk": 100,
        "ann.github.io": 100,
        "bob.github.io": 100,
    }
    # A Domain attribute puts a cookie under that domain whatever host set it.
    shared = [
        dataclasses.replace(spec_for(f"c{n}=1; Domain=.shop.example"), host="www.shop.example")
        for n in range(3)
    ]
    assert [(d, c) for d, c, _ in check(shared).domains] == [("shop.example", 3)]


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


def test_har_fixture_by_host() -> None:
    specs, observed = sizes.specs_from_har(read_har((FIXTURES / "cookies.har").read_text()))
    report = check(specs, observed_headers=observed, servers=["nginx"])
    # Three hosts, one registrable domain: browsers count their cookies together (the
    # three cookies over 4096 bytes are never stored, so they do not count).
    by_domain = {domain: (count, findings) for domain, count, findings in report.domains}
    assert set(by_domain) == {"example.test"}
    assert by_domain["example.test"][0] == 60 + 8 - 3 + 1
    assert [f.limit for f in by_domain["example.test"][1]] == [50]
    # Each HAR entry is one response: entry 3 sets 60 cookies, over nginx's 4k buffer.
    heads = {r.label: dict(r.sizes)["response_head"] for r in report.responses}
    lines = [c.spec.set_cookie for c in report.cookies if c.spec.response == "HAR entry 3"]
    assert len(lines) == 60
    assert heads["HAR entry 3"] == 400 + sum(
        len("Set-Cookie: ") + line.header_bytes + 2 for line in lines if line is not None
    )
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
