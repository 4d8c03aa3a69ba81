"""Output: human text with rich, or one versioned JSON document per command.

Cookie contents are untrusted: they reach rich only as ``Text`` objects on a console
with markup and highlighting off, so ``[bold]`` in a session stays literal text.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from cookietool.sessionkeys import explain

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from cookietool.session import Inspection
    from cookietool.signing import SignedCookie

#: Bumped when a field changes meaning or disappears; new fields keep the version.
JSON_VERSION = 1


def make_console(file: IO[str] | None = None, color: bool | None = None) -> Console:
    """A console that never interprets markup; colour only on a terminal unless forced."""
    from rich.console import Console

    return Console(
        file=file,
        markup=False,
        highlight=False,
        emoji=False,
        no_color=None if color is None else not color,
        force_terminal=color,
        soft_wrap=False,
    )


def dump_json(document: dict[str, Any]) -> str:
    """The text of a JSON document, stable key order, non-ASCII kept readable."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def document(command: str, **fields: Any) -> dict[str, Any]:
    """A JSON document with the header every command's ``--json`` output starts with."""
    return {"cookietool": JSON_VERSION, "command": command, **fields}


def utc_time(timestamp: int) -> datetime | None:
    """The UTC datetime of a Unix timestamp, or None when it is outside datetime's range."""
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def iso_time(timestamp: int) -> str | None:
    """ISO 8601 UTC text of a Unix timestamp (``Z`` suffix), None when out of range."""
    moment = utc_time(timestamp)
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def describe_age(seconds: int) -> str:
    """'3 days ago' or 'in 2 hours' for a signed age in seconds."""
    span = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if span >= size:
            count = span // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        text = f"{span} second{'s' if span != 1 else ''}"
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def type_name(value: Any) -> str:
    """The Python type a session value has once Flask has read it."""
    return type(value).__name__


def pyrepr(value: Any) -> str:
    """A Python-style rendering of a session value that shows its real type."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{pyrepr(k)}: {pyrepr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(pyrepr(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(pyrepr(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, datetime):
        return f"datetime({value.isoformat()})"
    if hasattr(value, "__html__"):
        return f"Markup({str.__repr__(value)})"
    if isinstance(value, UUID):
        return f"UUID('{value}')"
    return repr(value)


def decode_document(result: Inspection) -> dict[str, Any]:
    """The ``decode --json`` document (schema in the README)."""
    check = result.signature
    return document(
        "decode",
        name=result.name,
        value_length=len(result.cookie.value),
        payload=result.payload,
        session_error=result.session_error,
        compressed=result.cookie.compressed,
        payload_stored_bytes=result.cookie.stored_bytes,
        payload_json_bytes=result.cookie.json_bytes,
        timestamp=result.timestamp,
        timestamp_raw=result.cookie.timestamp_raw,
        signed_at=iso_time(result.timestamp),
        age_seconds=result.age,
        legacy_epoch=result.legacy_epoch,
        signature={
            "status": check.status,
            "key_index": check.key_index,
            "key_label": check.key_label,
            "keys_tried": check.keys_tried,
        },
        scheme={
            "salt": result.scheme.salt,
            "digest": result.scheme.digest,
            "key_derivation": result.scheme.key_derivation,
        },
        max_age=result.max_age,
        expired=result.expired,
        ok=result.ok,
    )


def render_decode(console: Console, result: Inspection) -> None:
    """Human report of a decoded cookie: header, time, verdicts, then the session."""
    from rich.text import Text

    cookie = result.cookie
    head = Text("Flask session cookie", style="bold")
    if result.name:
        head.append(f" {result.name!r}")
    size = f"  {len(cookie.value)} characters, JSON {cookie.json_bytes} bytes"
    if cookie.compressed:
        size += f", zlib-compressed to {cookie.stored_bytes} bytes"
    head.append(size, style="dim")
    console.print(head)

    moment = utc_time(result.timestamp)
    when = Text(
        f"{moment:%Y-%m-%d %H:%M:%S} UTC ({describe_age(result.age)})"
        if moment
        else f"timestamp {result.timestamp} is outside the calendar"
    )
    if result.legacy_epoch:
        when.append("  itsdangerous < 1.0 timestamp, counted from 2011-01-01", style="dim")
    rows = [("Signed", when), ("Signature", _signature_text(result))]
    rows.append(("Expiry", _expiry_text(result)))
    if not result.scheme.is_flask_default:
        scheme = result.scheme
        rows.append(
            (
                "Scheme",
                Text(
                    f"salt {scheme.salt!r}, {scheme.digest}, key derivation {scheme.key_derivation}"
                ),
            )
        )
    for label, text in rows:
        _print_row(console, [Text(label, style="bold")], [11], text)
    console.print()
    if result.session_error is not None:
        console.print(Text(f"Flask cannot read this session: {result.session_error}", "red"))
        console.print(Text(json.dumps(result.payload, ensure_ascii=False)))
        return
    session = result.session
    if not isinstance(session, dict):
        console.print(Text(f"The payload is a JSON {type_name(session)}, not a session object:"))
        console.print(Text(pyrepr(session)))
        return
    if not session:
        console.print(Text("The session is empty.", style="dim"))
        return
    console.print(Text(f"Session: {len(session)} key{'s' if len(session) != 1 else ''}", "bold"))
    # Column widths from the widest key and type name; a key longer than 24 characters
    # gets a line of its own rather than pushing every value to the right.
    key_width = max([len(key) for key in session if len(key) <= 24] or [0]) + 2
    type_width = max(len(type_name(value)) for value in session.values()) + 2
    for key, value in session.items():
        cell = Text(_flashes_text(value) if key == "_flashes" else pyrepr(value))
        note = explain(key)
        if note:
            cell.append(f"\n{note}", style="dim")
        cells = [Text(f"  {key}", style="cyan"), Text(type_name(value), style="magenta")]
        _print_row(console, cells, [key_width + 2, type_width], cell)


def _print_row(console: Console, cells: list[Text], widths: list[int], value: Text) -> None:
    """Print fixed-width cells, then ``value`` wrapped with a hanging indent under itself."""
    from rich.text import Text

    indent = sum(widths)
    prefix = Text()
    for cell, width in zip(cells, widths, strict=True):
        if cell.cell_len >= width:
            # A cell wider than its column gets a line of its own.
            console.print(cell)
            prefix.append(" " * width)
        else:
            prefix.append_text(cell)
            prefix.append(" " * (width - cell.cell_len))
    lines = value.wrap(console, max(console.width - indent, 20))
    for number, line in enumerate(lines):
        line.rstrip()
        console.print(Text.assemble(prefix if number == 0 else " " * indent, line))


def _signature_text(result: Inspection) -> Text:
    from rich.text import Text

    check = result.signature
    if check.status == "unchecked":
        return Text(
            "NOT CHECKED: no key given (--key, --key-file, --key-env or --key-hex)",
            style="yellow",
        )
    if check.status == "invalid":
        tried = "the key" if check.keys_tried == 1 else f"none of the {check.keys_tried} keys"
        return Text(f"INVALID: not signed with {tried}", style="bold red")
    assert check.key_index is not None
    which = "the current key" if check.matched_newest else "a fallback key"
    text = Text("VALID", style="bold green")
    text.append(f": key {check.key_index + 1} of {check.keys_tried} ({check.key_label}), {which}")
    return text


def _expiry_text(result: Inspection) -> Text:
    from rich.text import Text

    if result.max_age is None:
        return Text("not checked (pass --max-age, your PERMANENT_SESSION_LIFETIME in seconds)")
    if result.age < 0:
        return Text("EXPIRED: signed in the future, which itsdangerous rejects", style="bold red")
    if result.expired:
        return Text(
            f"EXPIRED: {result.age} seconds old, max age {result.max_age}", style="bold red"
        )
    left = describe_age(result.age - result.max_age)
    return Text(f"fresh: expires {left} (max age {result.max_age} s)", style="green")


def _flashes_text(value: Any) -> str:
    if isinstance(value, (list, tuple)) and all(
        isinstance(item, (list, tuple)) and len(item) == 2 for item in value
    ):
        return "\n".join(f"[{category}] {message}" for category, message in value)
    return pyrepr(value)


def sign_document(signed: SignedCookie) -> dict[str, Any]:
    """The ``sign --json`` document."""
    return document(
        "sign",
        value=signed.value,
        set_cookie=signed.set_cookie,
        timestamp=signed.timestamp,
        legacy_epoch=signed.legacy_epoch,
        compressed=signed.compressed,
        warnings=list(signed.warnings),
    )
