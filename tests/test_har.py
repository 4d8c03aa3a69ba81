"""Reading HAR files: the fixture, the size cap, encodings, and hostile structure."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cookietool import sizes
from cookietool.errors import InputError
from cookietool.har import MAX_HAR_BYTES, read_har, read_har_file

FIXTURE = Path(__file__).parent / "fixtures" / "cookies.har"
#: A cookie value no error message may repeat.
SECRET = "s3cr3t-cookie-value"


def har(*entries: Any) -> str:
    return json.dumps({"log": {"entries": list(entries)}})


def entry(url: str = "http://app.test/", cookie: str | None = None, *set_cookies: str) -> Any:
    sent = [{"name": "Cookie", "value": cookie}] if cookie is not None else []
    received = [{"name": "Set-Cookie", "value": line} for line in set_cookies]
    return {"request": {"url": url, "headers": sent}, "response": {"headers": received}}


def refused(text: str, *fragments: str) -> str:
    """The message read_har refuses ``text`` with: one line, no cookie value in it."""
    with pytest.raises(InputError) as caught:
        read_har(text)
    message = str(caught.value)
    assert "\n" not in message and SECRET not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_file_and_text_give_the_same_entries() -> None:
    from_file = read_har_file(str(FIXTURE))
    assert from_file == read_har(FIXTURE.read_text("utf-8"))
    assert {e.host for e in from_file} == {
        "app.example.test",
        "api.example.test",
        "static.example.test",
    }


def test_byte_order_mark_and_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbf" + har(entry(cookie="a=1")).encode()
    stdin = io.TextIOWrapper(io.BytesIO(data))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert read_har_file("-")[0].cookie_headers == ("a=1",)


def test_size_cap(tmp_path: Path) -> None:
    text = har(entry(cookie="a=1"))
    path = tmp_path / "h.har"
    path.write_text(text.ljust(1000))  # JSON allows trailing whitespace
    assert read_har_file(str(path), max_bytes=1000)[0].cookie_headers == ("a=1",)
    with pytest.raises(InputError, match="over 999 bytes"):
        read_har_file(str(path), max_bytes=999)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_file_that_never_ends_is_refused_at_the_default_cap() -> None:
    with pytest.raises(InputError, match=f"over {MAX_HAR_BYTES} bytes"):
        read_har_file("/dev/zero")


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read HAR file"):
        read_har_file(str(tmp_path / "missing.har"))
    with pytest.raises(InputError, match="cannot read HAR file"):
        read_har_file(str(tmp_path))


def test_not_utf8_names_the_offset_not_the_value(tmp_path: Path) -> None:
    path = tmp_path / "latin1.har"
    path.write_bytes(har(entry(cookie=f"{SECRET}=1")).encode().replace(b"-value", b"\xe9"))
    with pytest.raises(InputError, match="is not UTF-8") as caught:
        read_har_file(str(path))
    assert SECRET not in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://[::1/", "http://::1]/", "http://a\uff03b@c/"])
def test_urls_urllib_refuses(url: str) -> None:
    refused(har(entry(url, f"s={SECRET}")), "HAR entry 1 has an invalid request URL")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '{"log": {"entries": [' + "[" * 100_000,
        '{"log": {"entries": [' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]}}",
    ],
)
def test_deep_nesting(text: str) -> None:
    refused(text, "not a HAR file")


def test_huge_number() -> None:
    refused('{"log": {"entries": [' + "9" * 5000 + "]}}", "not a HAR file")


@pytest.mark.parametrize(
    ("headers", "where"),
    [
        ([{"name": "Cookie", "value": "\ud800=1"}], "request header 1"),
        ([{"name": "Cookie", "value": f"{SECRET}=\udcff"}], "request header 1"),
        (
            [{"name": "x", "value": ""}, {"name": "cookie", "value": "a=1; \udfff"}],
            "request header 2",
        ),
    ],
)
def test_lone_surrogates_in_cookies(headers: list[dict[str, str]], where: str) -> None:
    # json.dumps writes a lone surrogate as its \\uXXXX escape, as a hostile file would.
    refused(har({"request": {"url": "http://a.test/", "headers": headers}}), where, "surrogate")


def test_lone_surrogates_in_set_cookie_and_host() -> None:
    refused(har(entry("http://a.test/", None, "\ud800=1; Path=/")), "response header 1")
    refused(har(entry("http://\udc80.test/", "a=1")), "HAR entry 1: the request URL's host")


def test_lone_surrogates_where_no_cookie_is_read_are_ignored() -> None:
    headers = [{"name": "\ud800", "value": "x"}, {"name": "X-A", "value": "\ud800"}]
    assert read_har(har({"request": {"url": "http://a.test/", "headers": headers}})) == []


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([], "expected JSON with log.entries"),
        ({"log": []}, "expected JSON with log.entries"),
        ({"log": {"entries": {}}}, "log.entries is not a list"),
        ({"log": {"entries": [5]}}, "HAR entry 1 is not an object"),
        ({"log": {"entries": [{"request": 5}]}}, "HAR entry 1 has no request URL"),
        ({"log": {"entries": [{"request": {"url": 5}}]}}, "HAR entry 1 has no request URL"),
        ({"log": {"entries": [{"request": {"url": ["x"]}}]}}, "HAR entry 1 has no request URL"),
        (
            {"log": {"entries": [{"request": {"url": "http://a/", "headers": {}}}]}},
            "HAR entry 1: request headers are not a list",
        ),
        (
            {"log": {"entries": [{"request": {"url": "http://a/", "headers": [5]}}]}},
            "HAR entry 1: request header 1 is not a name and value",
        ),
        (
            {"log": {"entries": [{"request": {"url": "http://a/", "headers": [{"name": 5}]}}]}},
            "request header 1 is not a name and value",
        ),
        (
            {
                "log": {
                    "entries": [
                        {
                            "request": {
                                "url": "http://a/",
                                "headers": [{"name": "Cookie", "value": 7}],
                            }
                        }
                    ]
                }
            },
            "request header 1 is not a name and value",
        ),
        (
            {"log": {"entries": [{"request": {"url": "http://a/"}, "response": "x"}]}},
            "HAR entry 1: response is not an object",
        ),
        (
            {"log": {"entries": [{"request": {"url": "http://a/"}, "response": {"headers": 3}}]}},
            "HAR entry 1: response headers are not a list",
        ),
    ],
)
def test_wrong_types(document: Any, fragment: str) -> None:
    refused(json.dumps(document), fragment)


def test_later_entry_is_named() -> None:
    refused(har(entry(cookie=f"a={SECRET}"), entry(cookie=f"b={SECRET}"), 5), "HAR entry 3")


def test_missing_headers_and_response_are_no_cookies() -> None:
    assert read_har(har({"request": {"url": "http://a/"}}, {"request": {"url": "x"}})) == []


def test_huge_max_age_is_counted_not_a_crash() -> None:
    found = read_har(har(entry("http://a.test/", None, "a=b; Max-Age=" + "9" * 4000)))
    specs, observed = sizes.specs_from_har(found)
    report = sizes.check(specs, observed_headers=observed)
    assert any(f.measure == "lifetime_seconds" for f in report.all_findings)


def test_twenty_thousand_hosts_in_linear_time() -> None:
    # Regrouping every cookie once per host made this quadratic: 8,000 entries, a minute.
    text = har(
        *(
            entry(f"https://h{n}.example.test/", f"a{n}=1; b=2", f"c{n}=v{n}; Path=/")
            for n in range(20_000)
        )
    )
    started = time.perf_counter()
    specs, observed = sizes.specs_from_har(read_har(text))
    report = sizes.check(specs, observed_headers=observed, servers=["nginx"])
    elapsed = time.perf_counter() - started
    assert len(report.requests) == len(report.responses) == 20_000
    # One registrable domain holds them all: c0..c19999 set, a0..a19999 and b seen.
    assert [(d, count) for d, count, _ in report.domains] == [("example.test", 40_001)]
    assert elapsed < 20, f"{elapsed:.1f} s"
