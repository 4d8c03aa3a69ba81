"""Cookie sizes against the limits of browsers, Werkzeug and servers.

The limits are data (``cookietool/data/limits.json``), each with the source it comes
from; this module counts what each limit counts and says which ones a cookie, or the
Cookie header a browser would send with it, goes over.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from importlib import resources
from typing import Any

from cookietool import defaults, formats
from cookietool.cookieinput import (
    SetCookie,
    cookie_pairs,
    detect,
    parse_set_cookie,
    split_pair,
    strip_quotes,
    utf8_len,
)
from cookietool.errors import CookieFormatError, InputError
from cookietool.har import HarCookies
from cookietool.signer import DEFAULT_INFLATE_LIMIT

#: How many header fields besides Cookie the --head-bytes estimate is taken to hold, for
#: HTTP/2's 32 bytes a field (a browser's navigation sends about a dozen).
H2_OTHER_FIELDS = 12
#: What each ``measure`` of the limits data counts.
MEASURES = {
    "name_value": "UTF-8 bytes of cookie name + value after trimming whitespace, "
    "without '=' and without attributes",
    "nameless_value": "UTF-8 bytes of the value of a cookie without a name",
    "attribute_value": "UTF-8 bytes of one attribute's value",
    "path_or_domain_value": "UTF-8 bytes of a Path or Domain attribute's value",
    "lifetime_seconds": "seconds from now until the cookie expires (Max-Age wins over Expires)",
    "cookies_per_domain": "distinct cookies (name, domain, path) stored for one registrable "
    "domain (eTLD+1 by the Public Suffix List): all its hosts and subdomains together",
    "set_cookie_header": "bytes of the whole Set-Cookie header value, attributes included",
    "cookie_value": "bytes of the Cookie request header's value",
    "cookie_line": "bytes of the header line 'Cookie: ' + value",
    "cookie_line_crlf": "bytes of the header line 'Cookie: ' + value + CRLF",
    "request_head": "bytes of the request head: the Cookie line plus the rest of the head "
    "(request line, other headers and the blank line, estimated by --head-bytes)",
    "header_list_bytes": "sum of len(name) + len(value) over the request's header fields "
    "(the Cookie field plus the rest, whose size --head-bytes bounds)",
    "h2_field": "bytes of the Cookie field's value in HTTP/2 as one field (an upper bound: "
    "HPACK's Huffman coding and cookie crumbs make it smaller)",
    "h2_header_list": "RFC 9113 section 6.5.2 header list size: len(name) + len(value) + 32 "
    "for each field (the Cookie field, and the rest estimated as --head-bytes in "
    f"{H2_OTHER_FIELDS} fields)",
    "set_cookie_line": "bytes of one response header line 'Set-Cookie: ' + value, without CRLF",
    "response_head": "bytes of the response head an upstream sends: status line, every "
    "header line (each Set-Cookie of the response counted, the rest estimated by "
    "--response-head-bytes or measured with --url) and the blank line",
}
#: The measures of a response, checked per response rather than per cookie.
RESPONSE_MEASURES = ("set_cookie_line", "response_head")
#: Flask's attributes on a session cookie of an app that changed nothing: what a response
#: adds to a cookie given without its Set-Cookie line.
FLASK_ATTRIBUTES = "; HttpOnly; Path=/"
LEVELS = ("error", "warning")
DEFAULT_HEAD_BYTES = defaults.HEAD_BYTES
DEFAULT_WARN_AT = defaults.WARN_AT
#: Bytes held back from a compressed session's estimate for deflate's block framing.
COMPRESSED_MARGIN = 64


@dataclass(frozen=True)
class Limit:
    """One limit of one browser, framework, specification or server, with its source."""

    id: str
    who: str
    kind: str
    measure: str
    limit: int
    level: str
    on_exceed: str
    source: str
    confirmed: bool
    server: str | None = None
    status: int | None = None
    #: The versions the limit holds for, where a default changed between versions.
    version: str | None = None
    #: "request" or "response": the message the limit applies to.
    side: str | None = None


def load_limits() -> tuple[Limit, ...]:
    """The limits shipped in the package."""
    text = resources.files("cookietool").joinpath("data/limits.json").read_text("utf-8")
    return tuple(Limit(**entry) for entry in json.loads(text)["limits"])


def server_names(limits: Iterable[Limit]) -> list[str]:
    """Names accepted by ``--server``."""
    return sorted({limit.server for limit in limits if limit.server})


def select_servers(spec: str, limits: Sequence[Limit]) -> tuple[str, ...]:
    """Server names from ``--server a,b`` or ``all``, refusing unknown names."""
    known = server_names(limits)
    names = [name.strip().lower() for name in spec.split(",") if name.strip()]
    if names == ["all"]:
        return tuple(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InputError(
            f"unknown server {', '.join(unknown)}; choose from {', '.join(known)} or 'all'"
        )
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Finding:
    """A limit (or group of equal limits) that a size is over or close to."""

    level: str
    measure: str
    used: int
    limit: int
    who: tuple[str, ...]
    message: str
    limit_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SessionSize:
    """What a session cookie holds, and roughly how much more fits."""

    json_bytes: int
    stored_bytes: int
    compressed: bool
    more_json_bytes: int
    format: str = "flask"


@dataclass(frozen=True)
class CookieSpec:
    """One cookie to check: where it came from, and its Set-Cookie line when known."""

    label: str
    name: str
    value: str
    host: str | None = None
    set_cookie: SetCookie | None = None
    #: The session format to read it as (a --format name), or "auto" to tell by shape.
    format: str = "auto"
    #: The response that set it, when known (a HAR entry, a header dump's response, a
    #: --url or --request response); cookies of one response are checked together.
    response: str | None = None


@dataclass(frozen=True)
class CookieCheck:
    """The verdicts on one cookie."""

    spec: CookieSpec
    name_value_bytes: int
    set_cookie_bytes: int | None
    headroom: int
    findings: tuple[Finding, ...]
    session: SessionSize | None
    #: The smallest limits of the data on name + value and on the Set-Cookie header.
    name_value_limit: int = 0
    set_cookie_limit: int = 0


@dataclass(frozen=True)
class RequestCheck:
    """The largest Cookie header sent to one host, against the selected servers.

    ``observed`` tells a header seen in a request (a HAR) from one built from the cookies.
    """

    host: str | None
    sizes: tuple[tuple[str, int], ...]
    observed: bool
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ResponseCheck:
    """The Set-Cookie lines of one response and its whole head, against the servers.

    ``head_measured`` tells a head measured on a real response (--url) from one made of
    the Set-Cookie lines and the --response-head-bytes estimate; ``estimated_lines`` counts
    Set-Cookie lines rebuilt from a bare cookie with Flask's default attributes.
    """

    label: str
    cookies: int
    set_cookie_bytes: int
    sizes: tuple[tuple[str, int], ...]
    head_measured: bool
    estimated_lines: int
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class SizeReport:
    """Everything size-check found, and the settings it used."""

    cookies: tuple[CookieCheck, ...]
    requests: tuple[RequestCheck, ...]
    domains: tuple[tuple[str | None, int, tuple[Finding, ...]], ...]
    servers: tuple[str, ...]
    warn_at: int
    budget: int | None
    head_bytes: int
    #: Growth past a recorded baseline (cookietool.baseline).
    baseline: tuple[Finding, ...] = ()
    responses: tuple[ResponseCheck, ...] = ()
    response_head_bytes: int = defaults.RESPONSE_HEAD_BYTES

    @property
    def all_findings(self) -> list[Finding]:
        """Every finding: cookies, domains, responses, requests, then the baseline."""
        found = [f for check in self.cookies for f in check.findings]
        found += [f for _, _, findings in self.domains for f in findings]
        found += [f for response in self.responses for f in response.findings]
        found += [f for request in self.requests for f in request.findings]
        return found + list(self.baseline)

    def count(self, level: str) -> int:
        """How many findings have ``level``."""
        return sum(1 for finding in self.all_findings if finding.level == level)

    def failed(self, fail_on: str = "error") -> bool:
        """True when CI should fail: any error, or any warning under ``fail_on='warning'``."""
        levels = ("error", "warning") if fail_on == "warning" else ("error",)
        return any(finding.level in levels for finding in self.all_findings)


def specs_from_text(
    text: str, label: str, default_name: str = "session"
) -> tuple[list[CookieSpec], list[tuple[str | None, str]]]:
    """The cookies in one pasted input, and the Cookie header it is, if it is one.

    A bare value is given ``default_name``; a Set-Cookie line keeps its attributes.
    """
    form, body = detect(text)
    if form == "value":
        if formats.detect(body) is None:
            raise InputError(
                f"{label} is not a cookie: a bare value must be a session cookie "
                "(PAYLOAD.TIMESTAMP.SIGNATURE); give other cookies as name=value, a "
                "Set-Cookie line or a Cookie header"
            )
        return [CookieSpec(label, default_name, body)], []
    if form == "pair":
        name, value = split_pair(body)
        return [CookieSpec(label, name, strip_quotes(value))], []
    if form == "set-cookie":
        cookie = parse_set_cookie(body)
        return [CookieSpec(label, cookie.name, cookie.value, set_cookie=cookie)], []
    specs = [CookieSpec(label, name, value) for name, value in cookie_pairs(body)]
    return specs, [(None, body)]


def specs_from_document(
    text: str,
    label: str,
    default_name: str = "session",
    *,
    max_cookies: int = 10_000,
    max_line: int = 64 << 10,
) -> tuple[list[CookieSpec], list[tuple[str | None, str]]]:
    """The cookies in a whole input: a curl header dump, a cookie jar, or one a line.

    A header dump (``curl -D -`` or ``curl -i``) gives its Set-Cookie lines, a Netscape
    cookie jar (``curl -c``, wget) its cookies by domain; anything else is read one
    cookie per non-blank line, each line in any form ``decode`` takes.
    """
    from cookietool import cookiefiles

    kind = cookiefiles.sniff(text, max_line_length=max_line)
    specs: list[CookieSpec] = []
    observed: list[tuple[str | None, str]] = []
    if kind == "header-dump":
        dumped_cookies = cookiefiles.read_header_dump(
            text, max_cookies=max_cookies, max_line_length=max_line
        )
        for dumped in dumped_cookies:
            cookie = parse_set_cookie(dumped.value)
            where = f"{label} response {dumped.response} line {dumped.line}"
            response = f"{label} response {dumped.response}"
            specs.append(
                CookieSpec(where, cookie.name, cookie.value, set_cookie=cookie, response=response)
            )
        return specs, observed
    if kind == "cookie-jar":
        jarred_cookies = cookiefiles.read_cookie_jar(
            text, max_cookies=max_cookies, max_line_length=max_line
        )
        for jarred in jarred_cookies:
            host = jarred.domain.lstrip(".")
            where = f"{label} line {jarred.line}"
            specs.append(CookieSpec(where, jarred.name, jarred.value, host))
        return specs, observed
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found, headers = specs_from_text(line, f"{label} line {number}", default_name)
            specs += found
            observed += headers
    if not specs:
        raise InputError(f"{label} holds no cookie")
    return specs, observed


def gather(
    inputs: Sequence[str],
    default_name: str,
    *,
    stdin_text: str | None = None,
    har: Iterable[HarCookies] = (),
    signed: SetCookie | None = None,
    max_cookies: int = 10_000,
    max_line: int = 64 << 10,
    cookie_format: str = "auto",
) -> tuple[list[CookieSpec], list[tuple[str | None, str]]]:
    """Every cookie to check, and the Cookie headers seen, from all that size-check reads.

    ``inputs`` are the command line's texts, '-' standing for ``stdin_text``; ``har`` the
    entries of a HAR file; ``signed`` the Set-Cookie line Flask would send for --payload.
    ``cookie_format`` names the format sessions among them are read in ("auto": by shape).
    """
    specs: list[CookieSpec] = []
    observed: list[tuple[str | None, str]] = []
    for number, text in enumerate(inputs, start=1):
        if text == "-":
            found, headers = specs_from_document(
                stdin_text or "",
                "standard input",
                default_name,
                max_cookies=max_cookies,
                max_line=max_line,
            )
        else:
            found, headers = specs_from_text(text, f"argument {number}", default_name)
        specs += found
        observed += headers
    found, headers = specs_from_har(har)
    specs += found
    observed += headers
    if signed is not None:
        specs.append(
            CookieSpec(
                "--payload", signed.name, signed.value, set_cookie=signed, response="--payload"
            )
        )
    if cookie_format != "auto":
        formats.get(cookie_format)  # an unknown name is refused before any work
        specs = [dataclasses.replace(spec, format=cookie_format) for spec in specs]
    return specs, observed


def specs_from_har(
    entries: Iterable[HarCookies],
) -> tuple[list[CookieSpec], list[tuple[str | None, str]]]:
    """The cookies a HAR's responses set (each distinct line once) and its Cookie headers."""
    specs: dict[tuple[str, str], CookieSpec] = {}
    observed: list[tuple[str | None, str]] = []
    for entry in entries:
        for line in entry.set_cookies:
            cookie = parse_set_cookie(line)
            label = f"HAR entry {entry.index}"
            spec = CookieSpec(label, cookie.name, cookie.value, entry.host, cookie, response=label)
            specs.setdefault((entry.host, cookie.header), spec)
        observed += [(entry.host, header) for header in entry.cookie_headers]
    return list(specs.values()), list(dict.fromkeys(observed))


def request_sizes(cookie_value_bytes: int, head_bytes: int) -> dict[str, int]:
    """The request-side measures of a Cookie header whose value has this many bytes.

    Those beyond the Cookie line take the rest of the head as ``head_bytes``: an upper
    bound of its names and values, separators included.
    """
    line = len(b"Cookie: ") + cookie_value_bytes
    field = len(b"cookie") + cookie_value_bytes
    return {
        "cookie_value": cookie_value_bytes,
        "cookie_line": line,
        "cookie_line_crlf": line + 2,
        "request_head": line + 2 + head_bytes,
        "header_list_bytes": field + head_bytes,
        "h2_field": cookie_value_bytes,
        "h2_header_list": field + 32 + head_bytes + 32 * H2_OTHER_FIELDS,
    }


def _group(limits: Iterable[Limit]) -> dict[tuple[str, int, str], list[Limit]]:
    groups: dict[tuple[str, int, str], list[Limit]] = {}
    for limit in limits:
        groups.setdefault((limit.measure, limit.limit, limit.level), []).append(limit)
    return groups


def _who(group: Sequence[Limit]) -> tuple[str, ...]:
    return tuple(g.who + ("" if g.confirmed else " (unconfirmed)") for g in group)


def _bytes(n: int) -> str:
    return f"{n} bytes"


def _cookies(n: int) -> str:
    return f"{n} cookies"


def _days(seconds: int) -> str:
    try:
        days = f"{seconds / 86400:.1f}"
    except OverflowError:  # a Max-Age of hundreds of digits, from a hostile HAR
        days = str(seconds // 86400)
    return f"{seconds} s ({days} days)"


def _judge(
    measure: str,
    used: int,
    limits: Sequence[Limit],
    what: str,
    warn_at: int | None,
    unit: Callable[[int], str] = _bytes,
) -> list[Finding]:
    """Findings for ``used`` against every group of equal limits on ``measure``.

    Over a limit: a finding at the limit's level. At ``warn_at`` percent or more of it:
    a warning that it is close.
    """
    found = []
    for (_, number, level), group in sorted(_group(limits).items(), key=lambda item: item[0][1]):
        who = _who(group)
        ids = tuple(g.id for g in group)
        if used > number:
            effects = "; ".join(dict.fromkeys(f"{g.who}: {g.on_exceed}" for g in group))
            message = f"{what} is {unit(used)}, over {unit(number)}. {effects}"
            found.append(Finding(level, measure, used, number, who, message, ids))
        elif warn_at is not None and used * 100 >= number * warn_at:
            percent = used * 100 // number
            message = (
                f"{what} is {unit(used)}, {percent}% of the {unit(number)} "
                f"limit of {', '.join(who)}"
            )
            found.append(Finding("warning", measure, used, number, who, message, ids))
    return found


def lifetime_seconds(cookie: SetCookie, now: float) -> int | None:
    """Seconds until the cookie expires, Max-Age taking precedence over Expires."""
    max_age = cookie.attribute("max-age")
    if max_age is not None:
        # RFC 6265bis 5.6.2: an optional '-' and ASCII digits, else the attribute is
        # ignored (int() would also take other scripts' digits, which browsers do not).
        digits = max_age[1:] if max_age.startswith("-") else max_age
        if not (digits.isascii() and digits.isdigit()):
            return None
        if len(digits) > 30:  # beyond any clock; int() would refuse thousands of digits
            digits = "1" + "0" * 30
        return -int(digits) if max_age.startswith("-") else int(digits)
    expires = cookie.attribute("expires")
    if expires is None:
        return None
    try:
        moment = parsedate_to_datetime(expires)
        return int(moment.timestamp() - now)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _session_size(value: str, headroom: int, format_name: str = "auto") -> SessionSize | None:
    if format_name == "auto":
        detected = formats.detect(value)
        if detected is None:
            return None
        fmt = detected[0]
    else:
        fmt = formats.get(format_name)
    try:
        payload = fmt.read_payload(fmt.envelope(value), DEFAULT_INFLATE_LIMIT)
    except CookieFormatError:
        return None
    # What surely fits: JSON that does not compress at all, random data being the worst
    # case (a compressed session's deflate stream then grows by at least what is added).
    # Base64 turns 3 bytes into 4 characters, one group of which may be partial; deflate
    # frames new data in blocks whose headers and rebuilt Huffman tables cost a few dozen
    # bytes. Checked against Flask by bisection (tests/test_sizes_estimate.py).
    more = max(headroom, 0) * 3 // 4 - (COMPRESSED_MARGIN if payload.compressed else 2)
    more = max(more, 0)
    return SessionSize(payload.json_bytes, payload.stored_bytes, payload.compressed, more, fmt.name)


def check_cookie(
    spec: CookieSpec,
    limits: Sequence[Limit],
    *,
    warn_at: int = DEFAULT_WARN_AT,
    budget: int | None = None,
    now: float | None = None,
) -> CookieCheck:
    """Check one cookie against browser and Werkzeug limits and the team's budget."""
    now = time.time() if now is None else now
    by_measure: dict[str, list[Limit]] = {}
    for limit in limits:
        by_measure.setdefault(limit.measure, []).append(limit)
    name_value = utf8_len(spec.name) + utf8_len(spec.value)
    label = f"cookie {spec.name!r}" if spec.name else "nameless cookie"
    findings = _judge(
        "name_value",
        name_value,
        by_measure.get("name_value", []),
        f"{label}: name + value",
        warn_at,
    )
    if not spec.name:
        findings += _judge(
            "nameless_value",
            utf8_len(spec.value),
            by_measure.get("nameless_value", []),
            f"{label}: value",
            warn_at,
        )
    if budget is not None and name_value > budget:
        findings.append(
            Finding(
                "error",
                "budget",
                name_value,
                budget,
                ("budget",),
                f"{label}: name + value is {name_value} bytes, over the budget of {budget}",
            )
        )
    set_cookie_bytes = None
    cookie = spec.set_cookie
    if cookie is not None:
        set_cookie_bytes = cookie.header_bytes
        findings += _judge(
            "set_cookie_header",
            set_cookie_bytes,
            by_measure.get("set_cookie_header", []),
            f"{label}: the Set-Cookie header value",
            warn_at,
        )
        for attribute, attr_value in cookie.attributes:
            findings += _judge(
                "attribute_value",
                utf8_len(attr_value),
                by_measure.get("attribute_value", []),
                f"{label}: attribute {attribute}",
                None,
            )
            if attribute.lower() in ("path", "domain"):
                findings += _judge(
                    "path_or_domain_value",
                    utf8_len(attr_value),
                    by_measure.get("path_or_domain_value", []),
                    f"{label}: attribute {attribute}",
                    None,
                )
        lifetime = lifetime_seconds(cookie, now)
        if lifetime is not None:
            findings += _judge(
                "lifetime_seconds",
                lifetime,
                by_measure.get("lifetime_seconds", []),
                f"{label}: lifetime",
                None,
                unit=_days,
            )
    # What the report divides by comes from the data, never from a literal here.
    name_value_limit = min((lim.limit for lim in by_measure.get("name_value", [])), default=0)
    header_limit = min((lim.limit for lim in by_measure.get("set_cookie_header", [])), default=0)
    headroom = name_value_limit - name_value
    return CookieCheck(
        spec,
        name_value,
        set_cookie_bytes,
        headroom,
        tuple(findings),
        _session_size(spec.value, headroom, spec.format),
        name_value_limit,
        header_limit,
    )


def check(
    specs: Sequence[CookieSpec],
    *,
    observed_headers: Sequence[tuple[str | None, str]] = (),
    servers: Sequence[str] = (),
    warn_at: int = DEFAULT_WARN_AT,
    budget: int | None = None,
    head_bytes: int = DEFAULT_HEAD_BYTES,
    now: float | None = None,
    limits: Sequence[Limit] | None = None,
    response_head_bytes: int = defaults.RESPONSE_HEAD_BYTES,
    measured_heads: Mapping[str, int] | None = None,
) -> SizeReport:
    """Check cookies, the number per domain, each response and the Cookie header per host.

    Cookies with the same host (or no host, for command-line inputs) are taken to be
    sent together; ``observed_headers`` are Cookie headers seen in requests (a HAR).
    Cookies set by one response (``CookieSpec.response``) are checked together against
    the servers' response limits; ``measured_heads`` gives, by response label, the
    head bytes of a real response besides its Set-Cookie lines.
    """
    if not 1 <= warn_at <= 100:
        raise InputError("--warn-at is a percentage from 1 to 100")
    if budget is not None and budget < 1:
        raise InputError("--budget must be a positive number of bytes")
    if head_bytes < 0:
        raise InputError("--head-bytes must not be negative")
    if response_head_bytes < 0:
        raise InputError("--response-head-bytes must not be negative")
    limits = load_limits() if limits is None else limits
    browser_side = [lim for lim in limits if lim.kind != "server"]
    cookie_checks = tuple(
        check_cookie(spec, browser_side, warn_at=warn_at, budget=budget, now=now) for spec in specs
    )
    # Grouped by host in one pass: a HAR has thousands of hosts, and scanning every cookie
    # and header once per host made size-check quadratic (8,000 entries took a minute).
    kept_by_host: dict[str | None, dict[str, str]] = {}
    seen_by_host: dict[str | None, list[str]] = {}
    for check_ in cookie_checks:
        kept = kept_by_host.setdefault(check_.spec.host, {})
        if _stored(check_):
            kept[check_.spec.name] = check_.spec.value
    for h, header in observed_headers:
        seen_by_host.setdefault(h, []).append(header)
    hosts = list(dict.fromkeys([*kept_by_host, *seen_by_host]))
    per_domain = [lim for lim in browser_side if lim.measure == "cookies_per_domain"]
    server_limits = [lim for lim in limits if lim.server in servers]
    server_by_measure = {
        measure: [lim for lim in server_limits if lim.measure == measure]
        for measure in MEASURE_NAMES
    }
    domains = []
    for domain, cookies in _cookies_by_domain(cookie_checks, seen_by_host).items():
        where = f"domain {domain}: cookie count" if domain else "these cookies: count"
        count = len(cookies)
        domains.append(
            (
                domain,
                count,
                tuple(_judge("cookies_per_domain", count, per_domain, where, None, _cookies)),
            )
        )
    requests = []
    for host in hosts:
        kept = kept_by_host.get(host, {})
        seen = seen_by_host.get(host, [])
        # The header a browser builds from the cookies it kept, and any seen in requests.
        # Seen headers come first, so that on a tie the report says what was seen.
        headers = [(True, header) for header in seen]
        if kept:
            headers.append((False, "; ".join(f"{n}={v}" for n, v in kept.items())))
        if not headers:
            continue
        observed, biggest = max(headers, key=lambda item: utf8_len(item[1]))
        sizes = request_sizes(utf8_len(biggest), head_bytes)
        findings: list[Finding] = []
        for measure, used in sizes.items():
            group = server_by_measure.get(measure, [])
            what = f"Cookie header to {host or 'the site'}: {MEASURE_NAMES[measure]}"
            findings += _judge(measure, used, group, what, warn_at)
        requests.append(RequestCheck(host, tuple(sizes.items()), observed, tuple(findings)))
    responses = check_responses(
        specs,
        server_limits,
        warn_at=warn_at,
        rest_bytes=response_head_bytes,
        measured=measured_heads or {},
    )
    return SizeReport(
        cookies=cookie_checks,
        requests=tuple(requests),
        domains=tuple(domains),
        servers=tuple(servers),
        warn_at=warn_at,
        budget=budget,
        head_bytes=head_bytes,
        responses=responses,
        response_head_bytes=response_head_bytes,
    )


def registrable_domain(host: str) -> str:
    """The registrable domain (eTLD+1) of ``host`` by the Public Suffix List, private
    registries included as browsers count them; an IP address, a public suffix or a
    single label is its own."""
    import ipaddress

    host = host.strip().lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    found: str | None = _suffix_list().privatesuffix(host)
    return found or host


@functools.cache
def _suffix_list() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _stored(check_: CookieCheck) -> bool:
    """False when browsers refuse the cookie (name + value over their limit): never kept."""
    return not any(f.level == "error" and f.measure == "name_value" for f in check_.findings)


def _cookies_by_domain(
    checks: Sequence[CookieCheck], seen_by_host: Mapping[str | None, Sequence[str]]
) -> dict[str | None, set[tuple[str, str | None, str | None]]]:
    """The distinct cookies (name, domain, path) stored per registrable domain.

    Browsers count cookies per eTLD+1 (Chromium's CookieMonster keys by it, Firefox by
    the base domain): a.example.com and b.example.com share example.com's 180. A cookie
    counts under its Domain attribute when it has one, else its host; cookies seen in a
    host's requests count too (a script or an older response may have set them).
    """
    found: dict[str | None, set[tuple[str, str | None, str | None]]] = {}
    names: dict[str | None, set[str]] = {}
    for check_ in checks:
        spec = check_.spec
        if not _stored(check_):
            continue
        cookie = spec.set_cookie
        domain_attr = cookie.attribute("domain") if cookie is not None else None
        where = (domain_attr or "").lstrip(".") or spec.host
        path = cookie.attribute("path") if cookie is not None else None
        key = registrable_domain(where) if where else None
        found.setdefault(key, set()).add((spec.name, where, path))
        names.setdefault(key, set()).add(spec.name)
    for host, headers in seen_by_host.items():
        key = registrable_domain(host) if host else None
        bucket = found.setdefault(key, set())
        known = names.setdefault(key, set())
        for header in headers:
            for name, _ in cookie_pairs(header):
                if name not in known:
                    bucket.add((name, host, None))
                    known.add(name)
    return found


def set_cookie_line(spec: CookieSpec) -> tuple[str, bool]:
    """The Set-Cookie header value that sets ``spec``, and whether it was rebuilt.

    A cookie given without its line (a bare value, a pair, a jar) gets Flask's default
    attributes: the line an app that changed nothing would send.
    """
    if spec.set_cookie is not None:
        return spec.set_cookie.header, False
    return f"{spec.name}={spec.value}{FLASK_ATTRIBUTES}", True


def response_sizes(line_bytes: Sequence[int], rest_bytes: int) -> dict[str, int]:
    """The response-side measures of a response with Set-Cookie values of these sizes.

    Each line is ``Set-Cookie: `` + value (and CRLF in the head: 14 bytes more than its
    value); the head is those lines plus ``rest_bytes``, the rest including the blank line.
    """
    lines = [len(b"Set-Cookie: ") + size for size in line_bytes]
    return {
        "set_cookie_line": max(lines, default=0),
        "response_head": sum(line + 2 for line in lines) + rest_bytes,
    }


def check_responses(
    specs: Sequence[CookieSpec],
    server_limits: Sequence[Limit],
    *,
    warn_at: int = DEFAULT_WARN_AT,
    rest_bytes: int = defaults.RESPONSE_HEAD_BYTES,
    measured: Mapping[str, int] | None = None,
) -> tuple[ResponseCheck, ...]:
    """Each response's Set-Cookie lines and head against the servers' response limits.

    Cookies of a known response are counted together; any other cookie is taken to come
    in a response of its own, the least its response can hold.
    """
    measured = measured or {}
    groups: dict[str, list[CookieSpec]] = {}
    for number, spec in enumerate(specs):
        key = spec.response if spec.response is not None else f"\0{number}"
        groups.setdefault(key, []).append(spec)
    by_measure = {
        measure: [lim for lim in server_limits if lim.measure == measure]
        for measure in RESPONSE_MEASURES
    }
    checks = []
    for key, members in groups.items():
        lines = [set_cookie_line(spec) for spec in members]
        label = key if not key.startswith("\0") else f"the response setting {members[0].label}"
        rest = measured.get(key, rest_bytes)
        sizes = response_sizes([utf8_len(line) for line, _ in lines], rest)
        findings: list[Finding] = []
        for measure, used in sizes.items():
            what = f"{label}: {MEASURE_NAMES[measure]}"
            findings += _judge(measure, used, by_measure[measure], what, warn_at)
        checks.append(
            ResponseCheck(
                label,
                len(members),
                sum(utf8_len(line) for line, _ in lines),
                tuple(sizes.items()),
                key in measured,
                sum(1 for _, rebuilt in lines if rebuilt),
                tuple(findings),
            )
        )
    return tuple(checks)


MEASURE_NAMES = {
    "cookie_value": "the header value",
    "cookie_line": "the header line",
    "cookie_line_crlf": "the header line with CRLF",
    "request_head": "the request head (estimated)",
    "header_list_bytes": "the header list, names and values (estimated)",
    "h2_field": "the HTTP/2 Cookie field (at most)",
    "h2_header_list": "the HTTP/2 header list size (estimated)",
    "set_cookie_line": "its longest Set-Cookie line",
    "response_head": "the response head (estimated)",
}
