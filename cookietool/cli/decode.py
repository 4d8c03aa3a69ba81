"""``cookietool decode``: what is inside a session cookie, and whether it verifies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from cookietool.cli.base import Command, ExitCode
from cookietool.cli.options import (
    app_options,
    current_caps,
    fetch_url,
    json_option,
    plain_console,
    read_stdin,
    url_options,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cookietool.appsettings import AppSettings
    from cookietool.bulk import QuickContext, QuickWriter, Summary
    from cookietool.errors import CookietoolError
    from cookietool.session import Inspection, Problem


@click.command("decode", cls=Command)
@click.argument("cookie", required=False)
@app_options()
@url_options
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Check expiry as Flask does with PERMANENT_SESSION_LIFETIME (31 days: 2678400).",
)
@click.option(
    "--epoch",
    type=click.Choice(["auto", "unix", "legacy"]),
    default="auto",
    show_default=True,
    help="Timestamp epoch: 'legacy' is itsdangerous < 1.0's 2011-01-01; 'auto' detects it.",
)
@click.option(
    "--inflate-limit",
    type=click.IntRange(1, 1 << 30),
    metavar="BYTES",
    help="Refuse compressed payloads that inflate past BYTES (default: the inflate-bytes "
    "cap, 1 MiB; at most 1 GiB).",
)
@click.option(
    "--lines",
    # Named as the other readers of '-' are, so that standard input is read once only.
    "inputs",
    metavar="FILE",
    help="Bulk mode: one cookie a line of FILE ('-': standard input), any form COOKIE takes; "
    "prints one JSON document a line (NDJSON) and a summary on stderr.",
)
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    cookie: str | None,
    app: AppSettings,
    url: str | None,
    headers: tuple[str, ...],
    data: str | None,
    timeout: float,
    max_age: int | None,
    epoch: str,
    inflate_limit: int | None,
    inputs: str | None,
    as_json: bool,
) -> ExitCode:
    """Show what is inside a session cookie, when it was signed, and whether it is valid.

    COOKIE is the value, name=value, a Set-Cookie line, a Cookie header (see --name),
    or '-' to read it from standard input; or --url fetches it from a running server.
    Without a key the signature is not checked. --lines FILE decodes one cookie a line
    (exit code: the worst line's).
    """
    if inputs is not None:
        if cookie is not None or url is not None:
            raise click.UsageError("--lines reads the cookies from FILE: give no COOKIE or --url")
        max_age = app.lifetime if max_age is None else max_age
        return _decode_lines(inputs, app, max_age, epoch, inflate_limit)

    from cookietool import cookieinput, render
    from cookietool.session import choose_format, inspect_cookie

    if (cookie is None) == (url is None):
        raise click.UsageError("give a COOKIE or --url URL (one of them)")
    if url is not None:
        text = _cookie_from_url(fetch_url(url, headers, data, timeout), app.cookie.name, url)
    else:
        text = read_stdin("COOKIE") if cookie == "-" else cookie or ""
    found = cookieinput.extract(text, app.cookie.name)
    fmt, scheme, reason = choose_format(
        found.value, app.format, app.keys, app.scheme if app.scheme_given else None
    )
    result = inspect_cookie(
        found.value,
        app.keys,
        name=found.name,
        scheme=scheme,
        fmt=fmt,
        format_reason=reason,
        # Flask checks PERMANENT_SESSION_LIFETIME on every request: with an app, so do we.
        max_age=app.lifetime if max_age is None else max_age,
        epoch=epoch,
        inflate_limit=inflate_limit,
        caps=current_caps(),
        key_source=app.key_source,
    )
    if as_json:
        click.echo(render.dump_json(render.decode_document(result)))
    else:
        render.render_decode(plain_console(ctx), result)
    return ExitCode.OK if result.ok else ExitCode.CHECK_FAILED


def _cookie_from_url(result: Any, name: str, url: str) -> str:
    """The last ``name`` cookie the server set along the redirect chain, as name=value."""
    from cookietool.errors import InputError
    from cookietool.escape import for_humans

    for line in reversed(result.set_cookie):
        if line.partition("=")[0].strip() == name:
            return str(line)
    names = sorted({line.partition("=")[0].strip() for line in result.set_cookie})
    raise InputError(
        f"{for_humans(url)} set no cookie named {name!r} (set: {', '.join(names) or 'none'}); "
        "pass --name to take another"
    )


def _decode_lines(
    path: str, app: AppSettings, max_age: int | None, epoch: str, inflate_limit: int | None
) -> ExitCode:
    """Bulk mode: NDJSON on stdout, a summary on stderr, the worst line's exit code."""
    import gc
    import sys

    from cookietool import bulk

    gc.enable()  # a long run: let the collector work again (__main__ pauses it at start-up)
    settings = bulk.BulkSettings(
        keys=app.keys,
        format=app.format,
        scheme=app.scheme if app.scheme_given else None,
        name=app.cookie.name,
        max_age=max_age,
        epoch=epoch,
        inflate_limit=inflate_limit,
        caps=current_caps(),
        key_source=app.key_source,
    )
    out = sys.stdout.buffer  # the lines are UTF-8 already: written as they come
    try:
        out.flush()
        fd: int | None = out.fileno()  # for the workers to write to in turn
    except (AttributeError, OSError, ValueError):
        fd = None  # not a file (a test's capture): the output comes back to be written here
    label = "standard input" if path == "-" else path
    with bulk.open_lines(path) as handle:
        summary = bulk.decode_lines(
            handle, settings, NdjsonLines(), out.write, output_fd=fd, label=label
        )
    click.echo(summary_text(summary), err=True)
    if summary.bad:
        return ExitCode.USAGE
    return ExitCode.CHECK_FAILED if summary.failed else ExitCode.OK


def summary_text(summary: Summary) -> str:
    """The line bulk mode writes on stderr: lines per outcome, and the pace."""
    from cookietool.session import VERDICTS

    def lines(count: int, what: str) -> str:
        return f"{count:,} {what} line{'' if count == 1 else 's'}"

    verdicts = ", ".join(f"{summary.counts.get(verdict, 0):,} {verdict}" for verdict in VERDICTS)
    processes = "1 process" if summary.jobs == 1 else f"{summary.jobs} processes"
    return (
        f"decode --lines: {verdicts}, {lines(summary.bad, 'bad')}, "
        f"{lines(summary.blank, 'blank')}; {summary.cookies:,} cookies in "
        f"{summary.seconds:.2f} s, {summary.rate:,.0f} cookies/s ({processes})"
    )


def one_line(document: dict[str, Any]) -> str:
    """``render.dump_json``'s document on one line: the same fields, values and escaping."""
    import json

    from cookietool.render import compact_json

    return (
        "{"
        + ", ".join(f"{json.dumps(key)}: {compact_json(value)}" for key, value in document.items())
        + "}"
    )


def numbered(document: dict[str, Any], line: int) -> dict[str, Any]:
    """A document with the input's line number after its header fields."""
    header = {"cookietool": document["cookietool"], "command": document["command"]}
    return {**header, "line": line, **document}


class NdjsonLines:
    """Bulk mode's output: for each line, decode's --json document on one line, numbered.

    The lines of fast-path cookies are written from pieces: what is the same for every
    cookie of a context (format, scheme, keys, verdict) is encoded once with
    ``render.compact_json``, the payload by json's C encoder set as compact_json sets it.
    Whatever that encoder would write differently from compact_json (NaN, Infinity, a
    lone surrogate) goes the general way. The tests hold every line equal to ``decode
    --json``'s document.
    """

    def __init__(self) -> None:
        import json
        import re
        from json.encoder import encode_basestring

        encoder = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
        make = getattr(json.encoder, "c_make_encoder", None)
        # What encoder.encode makes for each object, made once (without the check for
        # cycles, which JSON that was read cannot have): it returns chunks to join.
        self._chunks: Callable[[Any, int], Any] = (
            (lambda value, _: (encoder.encode(value),))
            if make is None
            else make(
                None, encoder.default, encode_basestring, None, ": ", ", ", False, False, True
            )
        )
        self._times: dict[int, str] = {}
        self._surrogate = re.compile("[\ud800-\udfff]")

    def __reduce__(self) -> tuple[type[NdjsonLines], tuple[()]]:
        # A worker started by spawn (Windows) gets a fresh one: caches are not worth sending.
        return (NdjsonLines, ())

    def full(self, result: Inspection, line: int) -> str:
        """The document of ``decode --json`` for an inspected cookie."""
        from cookietool.render import decode_document

        return one_line(numbered(decode_document(result), line))

    def bad(self, error: CookietoolError, line: int) -> str:
        """A line that cannot be read: its error as decode's ``Error:`` line shows it."""
        from cookietool.escape import for_humans
        from cookietool.render import document

        hint = f" (raise the cap with --cap {error.cap}=N)" if error.cap else ""
        fields = {"ok": False, "error": for_humans(f"{error}{hint}"), "exit_code": 2}
        return one_line(numbered(document("decode", **fields), line))

    def quick(self, context: QuickContext) -> QuickWriter:
        """The writer of the same document for the fast-path cookies of ``context``."""
        from json.encoder import encode_basestring

        from cookietool.render import JSON_VERSION, compact_json

        check, scheme, fmt = context.signature, context.scheme, context.format
        start = f'{{"cookietool": {JSON_VERSION}, "command": "decode", "line": '
        head = (
            f', "format": {compact_json(fmt.name)}, '
            f'"format_reason": {compact_json(context.format_reason or None)}, '
        )
        signature = {
            "status": check.status,
            "verified": check.status == "valid",
            "reason": check.reason,
            "key_index": check.key_index,
            "key_label": check.key_label,
            "keys_tried": check.keys_tried,
            "keys_from": context.key_source or None,
        }
        schemes = {
            "salt": scheme.salt,
            "digest": scheme.digest,
            "key_derivation": scheme.key_derivation,
        }
        lifetime = {"setting": fmt.lifetime_setting, "seconds": fmt.default_max_age}
        fixed = (
            f'"signature": {compact_json(signature)}, "scheme": {compact_json(schemes)}, '
            f'"max_age": {compact_json(context.max_age)}, "expired": '
        )
        lifetime_text = f', "claim_times": {{}}, "default_lifetime": {compact_json(lifetime)}, '

        def verdict_part(problems: tuple[Problem, ...]) -> str:
            verdict = problems[0].code if problems else check.status
            found = [{"code": p.code, "message": p.message} for p in problems]
            return f'"verdict": "{verdict}", "problems": {compact_json(found)}, "notes": [], '

        def tail_part(expired: bool | None, ok: bool) -> str:
            return f'{fixed}{compact_json(expired)}{lifetime_text}"ok": {compact_json(ok)}}}'

        common = head + verdict_part(context.problems) + '"name": '
        tails = {
            (expired, ok): tail_part(expired, ok)
            for expired in (None, False, True)
            for ok in (False, True)
        }
        chunks, text, times, surrogate = (
            self._chunks,
            encode_basestring,
            self._times,
            self._surrogate,
        )

        def write(
            line: int,
            name: str | None,
            value_length: int,
            data: Any,
            json_text: str,
            compressed: bool,
            stored_bytes: int,
            json_bytes: int,
            timestamp: int,
            timestamp_raw: int,
            legacy_epoch: bool,
            age: int,
            expired: bool | None,
            problems: tuple[Problem, ...],
        ) -> str | None:
            payload = "".join(chunks(data, 0))
            if "NaN" in payload or "Infinity" in payload:
                return None  # maybe non-finite numbers, which compact_json writes as strings
            if "\\u" in json_text and surrogate.search(payload):
                return None  # a lone surrogate, which compact_json keeps as an escape
            signed_at = times.get(timestamp) or self._time(timestamp)
            middle = (
                common
                if problems is context.problems
                else head + verdict_part(problems) + '"name": '
            )
            return (
                f"{start}{line}{middle}{'null' if name is None else text(name)}, "
                f'"value_length": {value_length}, "payload": {payload}, '
                f'"payload_text": {text(json_text)}, "payload_exact": true, '
                '"payload_error": null, "is_session": true, "session_error": null, '
                f'"compressed": {"true" if compressed else "false"}, '
                f'"payload_stored_bytes": {stored_bytes}, "payload_json_bytes": {json_bytes}, '
                f'"timestamp": {timestamp}, "timestamp_raw": {timestamp_raw}, '
                f'"timestamp_error": null, "signed_at": {signed_at}, "age_seconds": {age}, '
                f'"legacy_epoch": {"true" if legacy_epoch else "false"}, '
                f"{tails[expired, not problems]}"
            )

        return write

    def _time(self, timestamp: int) -> str:
        """``signed_at`` for a timestamp, kept: the cookies of a log share few of them."""
        from cookietool.render import compact_json, iso_time

        if len(self._times) >= 4096:
            self._times.clear()  # a bounded cache: memory stays flat
        found = self._times[timestamp] = compact_json(iso_time(timestamp))
        return found
