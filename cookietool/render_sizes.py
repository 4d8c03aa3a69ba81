"""Output of ``size-check``: rich text, versioned JSON, GitHub annotations and JUnit XML.

Cookie names and values come from untrusted responses: rich sees them only as ``Text``,
GitHub annotations get them escaped, and JUnit XML gets them escaped and without the
control characters XML 1.0 cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cookietool.escape import for_humans
from cookietool.render import document
from cookietool.sizes import MEASURES, CookieCheck, Finding, Limit, SizeReport

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("text", "json", "github", "junit")
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "level": finding.level,
        "measure": finding.measure,
        "used": finding.used,
        "limit": finding.limit,
        "who": list(finding.who),
        "limits": list(finding.limit_ids),
        "message": finding.message,
    }


def _cookie(check: CookieCheck) -> dict[str, Any]:
    spec = check.spec
    session = check.session
    fields = (
        None
        if session is None
        else {
            "format": session.format,
            "json_bytes": session.json_bytes,
            "stored_bytes": session.stored_bytes,
            "compressed": session.compressed,
            "more_json_bytes_estimate": session.more_json_bytes,
        }
    )
    return {
        "label": spec.label,
        "host": spec.host,
        "name": spec.name,
        "name_value_bytes": check.name_value_bytes,
        "headroom_bytes": check.headroom,
        "set_cookie_bytes": check.set_cookie_bytes,
        "session": fields,
        # The name of schema version 1's first release, kept as long as version 1 is.
        "flask_session": fields,
        "findings": [_finding(f) for f in check.findings],
    }


def size_document(report: SizeReport, fail_on: str) -> dict[str, Any]:
    """The ``size-check --format json`` document (schema in the README)."""
    return document(
        "size-check",
        ok=not report.failed(fail_on),
        errors=report.count("error"),
        warnings=report.count("warning"),
        settings={
            "servers": list(report.servers),
            "warn_at": report.warn_at,
            "budget": report.budget,
            "head_bytes": report.head_bytes,
            "response_head_bytes": report.response_head_bytes,
            "fail_on": fail_on,
        },
        cookies=[_cookie(check) for check in report.cookies],
        baseline=[_finding(f) for f in report.baseline],
        domains=[
            {
                "domain": domain,
                # Version 1's first name for it, when cookies were counted per host.
                "host": domain,
                "cookies": count,
                "findings": [_finding(f) for f in findings],
            }
            for domain, count, findings in report.domains
        ],
        responses=[
            {
                "response": response.label,
                "cookies": response.cookies,
                "set_cookie_bytes": response.set_cookie_bytes,
                "head_measured": response.head_measured,
                "rebuilt_set_cookie_lines": response.estimated_lines,
                "sizes": dict(response.sizes),
                "findings": [_finding(f) for f in response.findings],
            }
            for response in report.responses
        ],
        requests=[
            {
                "host": request.host,
                "observed": request.observed,
                "sizes": dict(request.sizes),
                "findings": [_finding(f) for f in request.findings],
            }
            for request in report.requests
        ],
    )


def _verdict(findings: Sequence[Finding]) -> tuple[str, str]:
    levels = {f.level for f in findings}
    if "error" in levels:
        return "ERROR", "bold red"
    if "warning" in levels:
        return "WARNING", "yellow"
    return "OK", "green"


def render_size_text(console: Console, report: SizeReport, fail_on: str) -> None:
    """Tables of cookies and Cookie headers, then every finding in words."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Cookies", title_justify="left")
    table.add_column("cookie", overflow="fold")
    for column in ("name+value", "headroom", "Set-Cookie"):
        table.add_column(column, no_wrap=True, justify="right")
    table.add_column("session")
    table.add_column("verdict", no_wrap=True)
    for check in report.cookies:
        spec = check.spec
        session = check.session
        cell = Text(for_humans(spec.name) if spec.name else "(nameless)")
        where = spec.label + (f", {spec.host}" if spec.host else "")
        cell.append(f"\n{for_humans(where)}", style="dim")
        flask = (
            ""
            if session is None
            else f"JSON {session.json_bytes} B"
            + (f" (zlib {session.stored_bytes} B)" if session.compressed else "")
            + f"; {session.more_json_bytes} B more fit at least"
        )
        verdict, style = _verdict(check.findings)
        table.add_row(
            cell,
            f"{check.name_value_bytes} / {check.name_value_limit}",
            str(check.headroom),
            ""
            if check.set_cookie_bytes is None
            else f"{check.set_cookie_bytes} / {check.set_cookie_limit}",
            flask,
            Text(verdict, style=style),
        )
    console.print(table)
    if report.servers and report.responses:
        responses = Table(title="Responses (Set-Cookie)", title_justify="left")
        for column in ("response", "cookies", "longest line", "head", "verdict"):
            responses.add_column(column)
        for response in report.responses:
            sizes = dict(response.sizes)
            head = str(sizes["response_head"])
            head += "" if response.head_measured else " (est.)"
            verdict, style = _verdict(response.findings)
            responses.add_row(
                Text(for_humans(response.label)),
                str(response.cookies)
                + (f" ({response.estimated_lines} rebuilt)" if response.estimated_lines else ""),
                str(sizes["set_cookie_line"]),
                head,
                Text(verdict, style=style),
            )
        console.print(responses)
    if report.requests:
        requests = Table(title="Cookie request header", title_justify="left")
        for column in ("host", "cookies", "value", "line", "request head (est.)", "verdict"):
            requests.add_column(column)
        counts = {
            host: len([c for c in report.cookies if c.spec.host == host])
            for host in {r.host for r in report.requests}
        }
        for request in report.requests:
            sizes = dict(request.sizes)
            verdict, style = (
                _verdict(request.findings) if report.servers else ("no --server", "dim")
            )
            requests.add_row(
                Text(for_humans(request.host) if request.host else "(all inputs)"),
                str(counts.get(request.host, 0)),
                str(sizes["cookie_value"]),
                str(sizes["cookie_line"]),
                str(sizes["request_head"]),
                Text(verdict, style=style),
            )
        console.print(requests)
    for finding in report.all_findings:
        style = "red" if finding.level == "error" else "yellow"
        line = Text(f"{finding.level.upper()}: ", style=f"bold {style}")
        line.append(for_humans(finding.message))
        console.print(line)
    errors, warnings = report.count("error"), report.count("warning")
    summary = (
        f"{_count(len(report.cookies), 'cookie')} checked: {_count(errors, 'error')}, "
        f"{_count(warnings, 'warning')}"
    )
    if report.servers:
        summary += f"; servers: {', '.join(report.servers)}"
    style = "bold red" if report.failed(fail_on) else "bold green"
    console.print(Text(summary, style=style))


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(report: SizeReport, fail_on: str) -> str:
    """GitHub Actions workflow commands: one ``::error::`` or ``::warning::`` per finding."""
    lines = []
    for finding in report.all_findings:
        level = "error" if finding.level == "error" or fail_on == "warning" else "warning"
        title = _escape_property(f"cookietool size-check: {finding.measure}")
        # The log shows the message to people and renders ANSI codes: controls escaped.
        lines.append(f"::{level} title={title}::{_escape_data(for_humans(finding.message))}")
    errors, warnings = report.count("error"), report.count("warning")
    lines.append(
        f"cookietool size-check: {len(report.cookies)} cookies, {errors} errors, "
        f"{warnings} warnings"
    )
    return "\n".join(lines)


def junit_xml(report: SizeReport, fail_on: str) -> str:
    """JUnit XML: a test case per cookie, per host count and per Cookie header."""
    import xml.etree.ElementTree as ET

    def clean(text: str) -> str:
        return _XML_UNSAFE.sub("\ufffd", text)

    cases: list[tuple[str, str, Sequence[Finding]]] = []
    for check in report.cookies:
        spec = check.spec
        where = spec.label + (f" ({spec.host})" if spec.host else "")
        cases.append(
            ("size-check.cookies", f"{spec.name or '(nameless)'} from {where}", check.findings)
        )
    for domain, count, findings in report.domains:
        cases.append(
            ("size-check.domains", f"{count} cookies for {domain or 'all inputs'}", findings)
        )
    for response in report.responses:
        cases.append(("size-check.responses", response.label, response.findings))
    for request in report.requests:
        cases.append(
            (
                "size-check.servers",
                f"Cookie header to {request.host or 'all inputs'}",
                request.findings,
            )
        )
    if report.baseline:
        cases.append(("size-check.baseline", "growth since the baseline", report.baseline))
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name="cookietool size-check")
    failures = 0
    for classname, name, case_findings in cases:
        case = ET.SubElement(suite, "testcase", classname=classname, name=clean(name))
        failing = [f for f in case_findings if f.level == "error" or fail_on == "warning"]
        if failing:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=clean(failing[0].message), type=failing[0].level
            )
            failure.text = clean("\n".join(f.message for f in failing))
        passing = [f for f in case_findings if f not in failing]
        if passing:
            ET.SubElement(case, "system-out").text = clean(
                "\n".join(f"{f.level}: {f.message}" for f in passing)
            )
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)


def limits_document(limits: Sequence[Limit]) -> dict[str, Any]:
    """``size-check --list-limits --format json``: the limits data with what each measure counts."""
    return document(
        "limits",
        measures=MEASURES,
        limits=[
            {
                "id": lim.id,
                "who": lim.who,
                "kind": lim.kind,
                "server": lim.server,
                "measure": lim.measure,
                "limit": lim.limit,
                "level": lim.level,
                "status": lim.status,
                "side": lim.side,
                "version": lim.version,
                "on_exceed": lim.on_exceed,
                "source": lim.source,
                "confirmed": lim.confirmed,
            }
            for lim in limits
        ],
    )


def render_limits_text(console: Console, limits: Sequence[Limit]) -> None:
    """The limits, one block each: who, where, what is counted, what happens, the source."""
    from rich.text import Text

    console.print(Text("Limits (cookietool/data/limits.json)", style="bold"))
    for lim in limits:
        console.print()
        head = Text(lim.who, style="bold")
        if lim.server:
            head.append(f"  --server {lim.server}", style="cyan")
        if lim.version:
            head.append(f"  ({lim.version})", style="dim")
        if not lim.confirmed:
            head.append("  unconfirmed", style="yellow")
        console.print(head)
        status = "" if lim.status is None else f", answered {lim.status}"
        console.print(
            Text(f"  {lim.side} side: {lim.measure} over {lim.limit} is {lim.level}{status}")
        )
        console.print(Text(f"  {lim.on_exceed}"))
        console.print(Text(f"  source: {lim.source}", style="dim"))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
