"""Output: human text with rich, or one versioned JSON document per command.

Cookie contents are untrusted: they reach rich only as ``Text`` objects on a console
with markup and highlighting off, so ``[bold]`` in a session stays literal text.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from cookietool.escape import for_humans

if TYPE_CHECKING:
    from rich.console import Console

    from cookietool.plaintext import Console as PlainConsole
    from cookietool.plaintext import Text
    from cookietool.session import Inspection
    from cookietool.signing import SignedCookie

#: Bumped when a field changes meaning or disappears; new fields keep the version.
JSON_VERSION = 1


def make_console(file: IO[str] | None = None, color: bool | None = None) -> Console:
    """A console that never interprets markup; colour only on a terminal unless forced."""
    from rich.console import Console

    class SafeConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit with code 1 here, which means "a check failed"; the CLI's
            # one exit path turns a closed pipe into its own code instead.
            self.quiet = True
            raise BrokenPipeError

    return SafeConsole(
        file=file,
        markup=False,
        highlight=False,
        emoji=False,
        no_color=None if color is None else not color,
        force_terminal=color,
        soft_wrap=False,
    )


#: Bare tokens Python's json writes for non-finite floats, matched only outside strings.
_JSON_TOKENS = re.compile(r'("(?:[^"\\]|\\.)*")|(-?Infinity|NaN)')
_SURROGATES = re.compile("[\ud800-\udfff]")


def compact_json(value: Any) -> str:
    """Strict RFC 8259 JSON text of ``value`` on one line, non-ASCII kept readable.

    Non-finite floats, which Flask writes as bare ``NaN``/``Infinity`` tokens that strict
    parsers reject, become the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (the
    convention of the protobuf JSON mapping); lone surrogates, which UTF-8 cannot carry,
    stay ``\\udXXX`` escapes. Both rewrites are linear in the text.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if "NaN" in text or "Infinity" in text:
        text = _JSON_TOKENS.sub(lambda m: m.group(1) or f'"{m.group(2)}"', text)
    return _SURROGATES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def has_nonfinite(value: Any) -> bool:
    """True when JSON for ``value`` needs a NaN or Infinity token."""
    text = json.dumps(value)
    return (
        any(m.group(2) for m in _JSON_TOKENS.finditer(text))
        if "N" in text or "I" in text
        else False
    )


def dump_json(document: dict[str, Any]) -> str:
    """A JSON document: one top-level field a line, each value compact and strict.

    Nested values are not indented: indentation grows with depth, and a deeply nested
    session would make the output many times larger than the cookie.
    """
    if not document:
        return "{}"
    lines = [f"  {json.dumps(key)}: {compact_json(value)}" for key, value in document.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


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


def describe_span(seconds: int) -> str:
    """'3 days' or '15 minutes': the largest whole unit of a duration."""
    span = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if span >= size:
            count = span // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{span} second{'s' if span != 1 else ''}"


def describe_age(seconds: int) -> str:
    """'3 days ago' or 'in 2 hours' for a signed age in seconds."""
    text = describe_span(seconds)
    return f"{text} ago" if seconds >= 0 else f"in {text}"


def type_name(value: Any) -> str:
    """The Python type a session value has once Flask has read it."""
    return type(value).__name__


def pyrepr(value: Any) -> str:
    """A Python-style rendering of a session value that shows its real type.

    Written with an explicit stack: a session may nest as deeply as the JSON parser
    allows, deeper than Python's recursion limit.
    """
    out: list[str] = []
    stack: list[tuple[bool, Any]] = [(False, value)]  # (is literal text, item)
    while stack:
        literal, item = stack.pop()
        if literal:
            out.append(item)
            continue
        pieces: list[tuple[bool, Any]]
        if isinstance(item, dict):
            pieces = [(True, "{")]
            for n, (key, child) in enumerate(item.items()):
                pieces += [(True, ", ")] if n else []
                pieces += [(False, key), (True, ": "), (False, child)]
            pieces.append((True, "}"))
        elif isinstance(item, (list, tuple)):
            opening, closing = ("[", "]") if isinstance(item, list) else ("(", ")")
            pieces = [(True, opening)]
            for n, child in enumerate(item):
                pieces += [(True, ", ")] if n else []
                pieces.append((False, child))
            if isinstance(item, tuple) and len(item) == 1:
                closing = ",)"
            pieces.append((True, closing))
        else:
            out.append(_scalar_repr(item))
            continue
        stack.extend(reversed(pieces))
    return "".join(out)


def _scalar_repr(value: Any) -> str:
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
    payload = result.payload
    return document(
        "decode",
        format=result.format.name,
        format_reason=result.format_reason or None,
        verdict=result.verdict,
        problems=[{"code": p.code, "message": p.message} for p in result.problems],
        notes=list(result.notes),
        name=result.name,
        value_length=len(result.value),
        payload=result.data,
        payload_text=None if payload is None else payload.json_text,
        payload_exact=not has_nonfinite(result.data),
        payload_error=result.payload_error,
        is_session=result.is_session,
        session_error=result.session_error,
        compressed=result.compressed,
        payload_stored_bytes=None if payload is None else payload.stored_bytes,
        payload_json_bytes=None if payload is None else payload.json_bytes,
        timestamp=result.timestamp,
        timestamp_raw=result.timestamp_raw,
        timestamp_error=result.timestamp_error,
        signed_at=None if result.timestamp is None else iso_time(result.timestamp),
        age_seconds=result.age,
        legacy_epoch=result.legacy_epoch,
        signature={
            "status": check.status,
            "verified": result.verified,
            "reason": check.reason,
            "key_index": check.key_index,
            "key_label": check.key_label,
            "keys_tried": check.keys_tried,
            "keys_from": result.key_source or None,
        },
        scheme={
            "salt": result.scheme.salt,
            "digest": result.scheme.digest,
            "key_derivation": result.scheme.key_derivation,
        },
        max_age=result.max_age,
        expired=result.expired,
        claim_times={
            name: {"unix": moment, "utc": iso_time(moment)} for name, moment in result.claim_times
        },
        default_lifetime={
            "setting": result.format.lifetime_setting,
            "seconds": result.format.default_max_age,
        },
        ok=result.ok,
    )


#: How each verdict reads on screen: fixed words, never built from the cookie.
VERDICT_WORDS = {
    "valid": ("VALID", "bold green"),
    "unchecked": ("NOT VERIFIED (no key given)", "yellow"),
    "invalid": ("INVALID SIGNATURE", "bold red"),
    "damaged": ("DAMAGED COOKIE", "bold red"),
    "expired": ("EXPIRED", "bold red"),
    "not-a-session": ("SIGNED, BUT NOT A {framework} SESSION", "bold red"),
}


def render_decode(console: PlainConsole, result: Inspection) -> None:
    """Human report of a decoded cookie: the verdict first, then time, checks and data."""
    from cookietool.plaintext import Text

    head = Text(result.format.title, style="bold")
    if result.name:
        head.append(" " + quoted(result.name))
    size = f"  {len(result.value)} characters"
    if result.payload is not None:
        size += f", JSON {result.payload.json_bytes} bytes"
        if result.compressed:
            size += f", zlib-compressed to {result.payload.stored_bytes} bytes"
    head.append(size, style="dim")
    console.print(head)

    words, style = VERDICT_WORDS[result.verdict]
    if result.verdict == "not-a-session" and not result.verified:
        words = "NOT A {framework} SESSION"
    # The framework's name comes from the format, never from the cookie.
    words = words.format(framework=result.format.framework.upper())
    verdict = Text(words, style=style)
    verdict.append(f"  (exit code {0 if result.ok else 1})", style="dim")
    rows = [("Verdict", verdict), ("Signed", _signed_text(result))]
    rows.append(("Signature", _signature_text(result)))
    rows.append(("Expiry", _expiry_text(result)))
    if result.scheme != result.format.default_scheme:
        scheme = result.scheme
        rows.append(
            (
                "Scheme",
                Text(
                    f"salt {quoted(scheme.salt)}, {scheme.digest}, "
                    f"key derivation {scheme.key_derivation}"
                ),
            )
        )
    rows += [("Note", Text(note, style="dim")) for note in result.notes]
    for label, text in rows:
        _print_row(console, [Text(label, style="bold")], [11], text)
    console.print()
    _render_contents(console, result)


def _render_contents(console: PlainConsole, result: Inspection) -> None:
    from cookietool.plaintext import Text
    from cookietool.session import json_type

    unverified = "" if result.verified else _unverified_label(result)
    if result.payload_error is not None:
        console.print(Text(f"Payload cannot be read: {result.payload_error}", style="red"))
        return
    if result.session_error is not None:
        framework = result.format.framework
        console.print(Text(f"{framework} cannot read this session: {result.session_error}", "red"))
        if unverified:
            console.print(Text(f"Payload{unverified}:", style="bold"))
        console.print(Text(for_humans(compact_json(result.data))))
        return
    session = result.session
    if not isinstance(session, dict):
        console.print(Text(f"Payload{unverified}: a JSON {json_type(result.data)}:", "bold"))
        console.print(Text(for_humans(pyrepr(session))))
        return
    if not session:
        console.print(Text(f"The session is empty.{unverified}", style="dim"))
        return
    count = f"{len(session)} key{'s' if len(session) != 1 else ''}"
    console.print(Text(f"Session{unverified}: {count}", "bold"))
    # Column widths from the widest key and type name; a key longer than 24 characters
    # gets a line of its own rather than pushing every value to the right.
    names = {key: for_humans(key) for key in session}
    key_width = max([len(name) for name in names.values() if len(name) <= 24] or [0]) + 2
    type_width = max(len(type_name(value)) for value in session.values()) + 2
    for key, value in session.items():
        cell = Text(_flashes_text(value) if key == "_flashes" else for_humans(pyrepr(value)))
        note = result.format.explain(key)
        if note:
            cell.append(f"\n{note}", style="dim")
        cells = [Text(f"  {names[key]}", style="cyan"), Text(type_name(value), style="magenta")]
        _print_row(console, cells, [key_width + 2, type_width], cell)


def _unverified_label(result: Inspection) -> str:
    if result.signature.status == "unchecked":
        return " (not verified: no key given)"
    if result.signature.status == "damaged":
        return " (UNVERIFIED: the signature is damaged)"
    return " (UNVERIFIED: the signature does not verify; anyone could have written this)"


def quoted(text: str) -> str:
    """Untrusted text in quotes, escaped for a terminal."""
    return "'" + for_humans(text).replace("'", "\\'") + "'"


def _signed_text(result: Inspection) -> Text:
    from cookietool.plaintext import Text

    if result.timestamp_error is not None:
        return Text(f"DAMAGED: {result.timestamp_error}", style="bold red")
    if result.timestamp is None or result.age is None:
        return Text("not recorded: the value carries no signing time", style="dim")
    moment = utc_time(result.timestamp)
    when = Text(
        f"{moment:%Y-%m-%d %H:%M:%S} UTC ({describe_age(result.age)})"
        if moment
        else f"timestamp {result.timestamp} is outside the calendar"
    )
    if result.legacy_epoch:
        when.append("  itsdangerous < 1.0 timestamp, counted from 2011-01-01", style="dim")
    return when


def _print_row(console: PlainConsole, cells: list[Text], widths: list[int], value: Text) -> None:
    """Print fixed-width cells, then ``value`` wrapped with a hanging indent under itself."""
    from cookietool.plaintext import Text

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
    from cookietool.plaintext import Text

    check = result.signature
    if check.status == "unchecked":
        return Text(
            "NOT CHECKED: no key found (key options, --app, --dotenv, $FLASK_SECRET_KEY; see "
            "Keys in the README)",
            style="yellow",
        )
    source = f" (keys from {for_humans(result.key_source)})" if result.key_source else ""
    if check.status == "damaged":
        return Text(f"DAMAGED: {check.reason}", style="bold red")
    if check.status == "invalid":
        return Text(f"INVALID: {check.reason}{source}", style="bold red")
    assert check.key_index is not None
    which = "the current key" if check.matched_newest else "a fallback key"
    text = Text("VALID", style="bold green")
    label = for_humans(check.key_label or "")
    text.append(f": key {check.key_index + 1} of {check.keys_tried} ({label}), {which}{source}")
    return text


def _expiry_text(result: Inspection) -> Text:
    from cookietool.plaintext import Text

    fmt = result.format
    text = Text()
    for name, moment in result.claim_times:
        when = utc_time(moment)
        shown = f"{when:%Y-%m-%d %H:%M:%S} UTC" if when else f"{moment} (outside the calendar)"
        text.append(f"{name} {shown} ({describe_age(result.now - moment)})\n")
    problem = result.claim_problem
    if problem is not None:
        text.append(f"{problem.code.upper()}: {problem.message}", style="bold red")
        if result.max_age is None:
            return text
        text.append("\n")
    if result.max_age is None:
        if any(name == "exp" for name, _ in result.claim_times):
            text.append("fresh by its exp claim", style="green")
            return text
        lifetime = ""
        if fmt.default_max_age is not None:
            lifetime = f"; {fmt.framework}'s default is {describe_span(fmt.default_max_age)}"
        text.append(
            f"age not checked (pass --max-age: {fmt.lifetime_setting} in seconds{lifetime})"
        )
        return text
    if result.age is None:
        if result.timestamp_error is None:
            text.append("--max-age cannot be checked: the value has no signing time", "red")
        else:
            text.append("cannot be checked: the timestamp is damaged", style="bold red")
        return text
    if result.age_expired:
        text.append(f"EXPIRED: {result.expiry_message}", style="bold red")
        return text
    left = describe_age(result.age - result.max_age)
    text.append(f"fresh: expires {left} (max age {result.max_age} s)", style="green")
    return text


def _flashes_text(value: Any) -> str:
    if isinstance(value, (list, tuple)) and all(
        isinstance(item, (list, tuple)) and len(item) == 2 for item in value
    ):
        return "\n".join(
            f"[{for_humans(str(category))}] {for_humans(str(message))}"
            for category, message in value
        )
    return for_humans(pyrepr(value))


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
