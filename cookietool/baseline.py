"""Cookie sizes recorded once and compared on every run, as bundle-size tools guard a budget.

``size-check --save-baseline FILE`` records each cookie's sizes; ``--baseline FILE`` fails
when one grew by more than ``--max-growth`` (bytes, or a percentage with ``%``), so a pull
request that makes the session creep toward the browsers' 4096 bytes is caught early.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cookietool.errors import InputError

if TYPE_CHECKING:
    from cookietool.sizes import Finding, SizeReport

VERSION = 1


def cookie_key(host: str | None, name: str) -> str:
    """How a cookie is named in a baseline: ``host/name``, or ``name`` without a host."""
    return f"{host}/{name}" if host else name


def document(report: SizeReport) -> dict[str, Any]:
    """The baseline of a report: each cookie's name + value and Set-Cookie bytes."""
    cookies: dict[str, dict[str, int | None]] = {}
    for check in report.cookies:
        cookies[cookie_key(check.spec.host, check.spec.name)] = {
            "name_value_bytes": check.name_value_bytes,
            "set_cookie_bytes": check.set_cookie_bytes,
        }
    return {"cookietool": VERSION, "command": "size-check-baseline", "cookies": cookies}


def load(text: str) -> dict[str, dict[str, Any]]:
    """The cookies of a baseline file's text."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise InputError(f"the baseline is not JSON ({e})") from e
    if (
        not isinstance(data, dict)
        or data.get("command") != "size-check-baseline"
        or not isinstance(data.get("cookies"), dict)
    ):
        raise InputError("the baseline is not one that size-check --save-baseline wrote")
    cookies: dict[str, dict[str, Any]] = data["cookies"]
    return cookies


def parse_growth(text: str) -> tuple[int | None, float | None]:
    """``--max-growth``: a number of bytes, or a percentage such as ``5%``."""
    text = text.strip()
    try:
        if text.endswith("%"):
            percent = float(text[:-1])
            if not 0 <= percent <= 1000:
                raise ValueError
            return None, percent
        count = int(text)
        if count < 0:
            raise ValueError
        return count, None
    except ValueError as e:
        raise InputError("--max-growth takes bytes (200) or a percentage (5%)") from e


def compare(
    report: SizeReport, before: dict[str, dict[str, Any]], growth: tuple[int | None, float | None]
) -> list[Finding]:
    """An error for each cookie whose name + value grew past the allowed growth."""
    from cookietool.sizes import Finding

    max_bytes, max_percent = growth
    found = []
    now = {cookie_key(check.spec.host, check.spec.name) for check in report.cookies}
    for key in sorted(set(before) - now):
        found.append(
            Finding(
                "warning",
                "baseline_missing",
                0,
                0,
                ("the baseline",),
                f"cookie {key} of the baseline was not set in this run",
            )
        )
    for check in report.cookies:
        key = cookie_key(check.spec.host, check.spec.name)
        old = before.get(key, {}).get("name_value_bytes")
        if not isinstance(old, int):
            continue
        allowed = max_bytes if max_bytes is not None else int(old * (max_percent or 0) / 100)
        grew = check.name_value_bytes - old
        if grew > allowed:
            found.append(
                Finding(
                    "error",
                    "baseline_growth",
                    check.name_value_bytes,
                    old + allowed,
                    ("the baseline",),
                    f"cookie {key} grew from {old} to {check.name_value_bytes} bytes "
                    f"(+{grew}), more than the {allowed} allowed by --max-growth",
                )
            )
    return found
